"""The campaign grading's routes (重点风险项目、企业): its page, the graded jurisdiction, its XLSX, the
supervision records it needs (deductions, stop-work orders, inspections, monthly reports) and its policy.

(No ``from __future__ import annotations``: the routes' ``Who`` is local to the router, which FastAPI
must resolve at definition.)
"""

import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response

from regulator.answers import SESSION, RowId
from regulator.ledger import enforcement
from regulator.ledger.enforcement_models import PersonTotal
from regulator.names import beijing_text
from regulator.reports import grading
from regulator.reports.export import XLSX_TYPE
from regulator.reports.grading_export import to_xlsx
from regulator.reports.grading_models import (
    CompanyGrade,
    GradingFact,
    GradingView,
    KeyProject,
    Lifting,
    NewRecord,
    PolicyNumbers,
    Recorded,
)
from regulator.routes import STATIC
from regulator.routes.responses import download
from regulator.routes.routing import blocking
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor

PAGE = STATIC / "grading.html"
PLACE = Query(
    "", description="a place under the user's jurisdiction, 省/市/区县 (empty: all of it); 404 outside"
)


def _company(c: grading.GradedCompany) -> CompanyGrade:
    return CompanyGrade(
        name=c.name,
        projects=len(c.projects),
        key_projects=c.key_projects,
        stopped=c.stopped,
        ratio=round(c.ratio, 4),
        deduction_total=c.deduction_total,
        key=bool(c.facts),
        facts=[GradingFact.model_validate(f.as_dict()) for f in c.facts],
    )


def view(graded: grading.Grading) -> GradingView:
    """The graded jurisdiction as the API answers it."""
    rules = graded.policy
    return GradingView(
        policy=PolicyNumbers.model_validate(rules, from_attributes=True),
        month=graded.month,
        projects=len(graded.projects),
        key_projects=[
            KeyProject(
                code=p.code,
                name=p.name,
                contractor=p.contractor,
                place=p.place,
                stopped=p.stopped,
                deduction_total=p.deduction_total,
                facts=[GradingFact.model_validate(f.as_dict()) for f in p.facts],
                **grading.duties(p, rules),
            )
            for p in graded.key_projects()
        ],
        companies=[_company(c) for c in graded.companies if c.facts],
        published=[_company(c) for c in graded.published()],
        scored=[PersonTotal.model_validate(p) for p in graded.scored],
    )


def grading_router(
    repo: Repository,
    signed_in: Callable[[Request], Awaitable[Actor]],
    narrowed: Callable[[Actor, str], Actor],
) -> APIRouter:
    """The routes; ``narrowed``: a user narrowed to a place under their jurisdiction (404 outside)."""
    r = APIRouter()
    Who = Annotated[Actor, Depends(signed_in)]

    def graded(who: Actor, place: str) -> grading.Grading:
        return grading.grade(repo, narrowed(who, place))

    @r.get("/ui/grading", include_in_schema=False)
    async def page() -> FileResponse:
        """The grading page."""
        return FileResponse(PAGE, media_type="text/html; charset=utf-8")

    @r.get("/ui/api/grading", responses=SESSION)
    async def graded_view(who: Who, place: str = PLACE) -> GradingView:
        """The projects and companies of the jurisdiction graded by the campaign's facts, each fact with its
        source record; the key-risk projects' duties this month; the companies to publish."""
        return view(await blocking(graded)(who, place))

    @r.get(
        "/ui/api/grading.xlsx",
        response_class=Response,
        responses={**SESSION, 200: {"content": {XLSX_TYPE: {}}, "description": "the workbook"}},
    )
    async def graded_xlsx(who: Who, place: str = PLACE) -> Response:
        """The key-risk projects and the published companies as an XLSX workbook."""
        found = await blocking(graded)(who, place)
        stamp = beijing_text(time.time()).replace("-", "").replace(" ", "-").replace(":", "")
        return download(await blocking(to_xlsx)(found), XLSX_TYPE, f"重点风险清单_{stamp}.xlsx")

    @r.put("/ui/api/grading/policy", responses=SESSION)
    async def set_policy(body: PolicyNumbers, who: Who) -> PolicyNumbers:
        """Change the grading policy's numbers (province level); the policy now in force."""
        changed = {k: v for k, v in body.model_dump().items() if v is not None}
        return PolicyNumbers.model_validate(
            await blocking(grading.set_policy)(repo, who, changed), from_attributes=True
        )

    @r.post("/ui/api/enforcement", responses=SESSION)
    async def add_record(body: NewRecord, who: Who) -> Recorded:
        """Record a deduction, a stop-work order, an inspection or a monthly report of a project."""
        entry = enforcement.Entry(
            body.project, body.kind, body.happened_at, body.company, body.points, body.note
        )
        return Recorded(id=await blocking(enforcement.record)(repo, who, entry))

    @r.post("/ui/api/enforcement/{record_id}/lift", responses=SESSION)
    async def lift(record_id: RowId, body: Lifting, who: Who) -> Recorded:
        """A stop-work order lifted (复工)."""
        await blocking(enforcement.lift)(repo, who, record_id, body.lifted_at)
        return Recorded(id=record_id)

    return r
