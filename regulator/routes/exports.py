"""Downloads for regulators: the hazard ledger as the queue filters it (XLSX, CSV) and a jurisdiction's monthly
report (PDF, regulator/reports/monthly.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import APIRouter, Query
from fastapi.responses import Response

from regulator.answers import SESSION
from regulator.inspections.coverage import monthly_figures
from regulator.ledger.queue_query import Filter
from regulator.ledger.review import Review, ReviewError
from regulator.names import beijing_text
from regulator.reports import export
from regulator.routes.responses import download
from regulator.routes.routing import Who, blocking
from regulator.storage.jurisdictions import SEP
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor


def exports_router(repo: Repository, review: Review, narrowed: Callable[[Actor, str], Actor]) -> APIRouter:
    """The routes over ``repo``; ``narrowed``: a user narrowed to a place under their jurisdiction (404
    outside)."""
    r = APIRouter()

    def export_stem(who: Actor) -> str:
        return (who.project or who.jurisdiction or "全部辖区").replace(SEP, "")

    @r.get(
        "/ui/api/exports/hazards.xlsx",
        response_class=Response,
        responses={**SESSION, 200: {"content": {export.XLSX_TYPE: {}}, "description": "the workbook"}},
    )
    async def export_xlsx(who: Who, f: Filter) -> Response:
        """The ledger as the queue lists it for the same filters (every page), as an Excel workbook:
        Chinese headers, Beijing-time date cells."""
        rows = await blocking(review.matching)(f, who)
        body = await blocking(export.to_xlsx)(rows, "隐患台账")
        return download(body, export.XLSX_TYPE, export.filename(export_stem(who), time.time(), "xlsx"))

    @r.get(
        "/ui/api/exports/hazards.csv",
        response_class=Response,
        responses={
            **SESSION,
            200: {"content": {export.CSV_TYPE: {}}, "description": "UTF-8 CSV with a byte-order mark"},
        },
    )
    async def export_csv(who: Who, f: Filter) -> Response:
        """The ledger as the queue lists it for the same filters (every page), as CSV (UTF-8 with a BOM, so
        Excel reads the Chinese): Chinese headers, dates yyyy-MM-dd HH:mm Beijing time."""
        rows = await blocking(review.matching)(f, who)
        return download(
            export.to_csv(rows), export.CSV_TYPE, export.filename(export_stem(who), time.time(), "csv")
        )

    def report_actor(who: Actor, place: str) -> Actor:
        """The regulator, narrowed to ``place`` under their jurisdiction (404 outside it, as if absent)."""
        if who.role not in ("regulator", "admin"):
            raise ReviewError(403, "the monthly report is a regulator's: a project user exports the ledger")
        return narrowed(who, place)

    @r.get(
        "/ui/api/reports/monthly.pdf",
        response_class=Response,
        responses={**SESSION, 200: {"content": {"application/pdf": {}}, "description": "the report"}},
    )
    async def monthly_report(
        who: Who,
        month: str = Query("", description="yyyy-MM, Beijing time (empty: this month)"),
        place: str = Query(
            "", description="a place under the user's jurisdiction, 省/市/区县 (empty: all of it)"
        ),
    ) -> Response:
        """A jurisdiction's monthly report as PDF: hazards by kind and article, closing times, overdue counts,
        the riskiest projects (regulator/reports/monthly.py)."""
        actor = await blocking(report_actor)(who, place)
        month = month or beijing_text(time.time())[:7]
        fig = await blocking(monthly_figures)(repo, actor, month)
        # here, not at the top: the PDF library is a fifth of the regulator's imports, for a monthly report
        from plumbing.cjk_pdf import ReportError
        from regulator.reports.report_pdf import render

        try:
            body = await blocking(render)(fig)
        except ReportError as exc:
            raise ReviewError(503, str(exc)) from None
        name = f"隐患月报_{fig.place.replace(SEP, '')}_{month}.pdf"
        return download(body, "application/pdf", name)

    return r
