"""The routes of listed supervision (挂牌督办, regulator/ledger/supervision.py): the 挂牌督办 view, listing a major
hazard by hand, another notice under a listing, a notice's PDF (to regulators, and to the project's
gateway signed), and re-inspection that closes a listed hazard (销号).

Every route reads through the signed-in user's scope: another district's listing or notice answers 404.
(No ``from __future__ import annotations``: the routes' ``Who`` is local to the router, which FastAPI
resolves only from annotations evaluated where they are written.)
"""

import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from regulator.answers import MAX_ID, SESSION, SIGNED, RowId
from regulator.ingest.receive import WINDOW_S, Refusal, authenticate, decode_jpeg, refuse_replay
from regulator.ledger.review import ReviewError
from regulator.ledger.supervision import Supervision
from regulator.ledger.supervision_models import (
    ListingList,
    ListingRow,
    NewListing,
    NewNotice,
    NoticeRow,
    Reinspection,
)
from regulator.routes import STATIC
from regulator.routes.responses import download, signed_path
from regulator.routes.routing import blocking
from regulator.storage.nonces import NonceReused
from regulator.storage.scope import Actor

NOTICE_PATH = "/api/v1/notices/{notice_id}.pdf"
SCRIPT = STATIC / "supervision.js"
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the notice, to print"}
}


class AuditRow(BaseModel):
    """One step of the closed loop as the audit trail keeps it."""

    id: int = Field(description="the action's id")
    hazard_id: int | None = Field(description="the hazard")
    project: str = Field(description="project code")
    action: str = Field(description="close (销号) or reject (复查不合格, back to rectification)")
    actor: str = Field(description="who")
    role: str = Field(description="their role")
    from_state: str = Field(description="the hazard's state before")
    to_state: str = Field(description="and after")
    reason: str = Field(description="the re-inspection's note")
    deadline: float | None = Field(description="a new deadline, if any")
    ts: float = Field(description="Unix seconds")


def supervision_router(
    supervision: Supervision, signed_in: Callable[[Request], Awaitable[Actor]]
) -> APIRouter:
    """The routes over one Supervision; ``signed_in``: the user behind a request (401 when none)."""
    r = APIRouter()
    Who = Annotated[Actor, Depends(signed_in)]
    repo = supervision.repo

    def pdf_of(notice_id: int, who: Actor) -> Response:
        notice, hazard, picture = supervision.notice(notice_id, who)
        # here, not at the top: the PDF library is a fifth of the regulator's imports, for a notice's PDF
        from plumbing.cjk_pdf import ReportError
        from regulator.reports.notice_pdf import render

        try:
            body = render(notice, hazard, picture, time.time())
        except ReportError as exc:
            raise ReviewError(503, str(exc)) from None
        return download(body, "application/pdf", f"{notice['kind_name']}_{notice['number']}.pdf", inline=True)

    @r.get("/ui/supervision.js", include_in_schema=False)
    async def script() -> FileResponse:
        """The 挂牌督办 view's script (the review UI loads it)."""
        return FileResponse(SCRIPT, media_type="text/javascript; charset=utf-8")

    @r.get("/ui/api/listings", responses=SESSION)
    async def listings(
        who: Who,
        state: str = Query(
            "open", description="open (listed or escalated), listed, escalated, closed or all"
        ),
        level: str = Query("", description="district, city or province (empty: any)"),
        escalated_to_me: bool = Query(False, description="only listings escalated to the user's own place"),
        hazard: int | None = Query(None, ge=1, le=MAX_ID, description="only this hazard's listings"),
    ) -> ListingList:
        """The 挂牌督办 view: major hazards listed at each level, their deadlines, notices and states."""
        found = await blocking(supervision.listings)(who, state, level, escalated_to_me, hazard)
        return ListingList(
            listings=[ListingRow.model_validate(x) for x in found],
            county_days=supervision.policy.county_days,
            city_days=supervision.policy.city_days,
        )

    @r.post("/ui/api/hazards/{hazard_id}/listings", responses=SESSION)
    async def list_hazard(hazard_id: RowId, body: NewListing, who: Who) -> ListingRow:
        """List a major hazard at a level (at or below the regulator's own) with a notice."""
        await blocking(supervision.list_by_hand)(hazard_id, who, body.level, body.kind, body.deadline_days)
        [found] = await blocking(supervision.listings)(who, "all", body.level, False, hazard_id)
        return ListingRow.model_validate(found)

    @r.post("/ui/api/listings/{listing_id}/notices", responses=SESSION)
    async def issue_notice(listing_id: RowId, body: NewNotice, who: Who) -> NoticeRow:
        """Issue another notice under an open listing, e.g. a stop-work order (停工整改通知书)."""
        return NoticeRow.model_validate(await blocking(supervision.issue_notice)(listing_id, who, body.kind))

    @r.get("/ui/api/notices/{notice_id}.pdf", response_class=Response, responses={**SESSION, **PDF})
    async def notice_pdf(notice_id: RowId, who: Who) -> Response:
        """A notice as a printable PDF: project, contractor, hazard, article, evidence picture, deadline,
        issuing authority and number."""
        return await blocking(pdf_of)(notice_id, who)

    @r.post("/ui/api/hazards/{hazard_id}/reinspect", responses=SESSION)
    async def reinspect(hazard_id: RowId, body: Reinspection, who: Who) -> AuditRow:
        """Re-inspect (复查) a hazard the site reported fixed, with a photo and a note: passed closes it
        (销号) and its listings; failed sends it back to rectification."""
        photo = decode_jpeg(body.photo, "photo")
        row = await blocking(supervision.reinspect)(hazard_id, who, body.passed, body.note, photo)
        return AuditRow.model_validate(row)

    @r.get(NOTICE_PATH, response_class=Response, responses={**SIGNED, 404: SESSION[404], **PDF})
    async def gateway_notice_pdf(notice_id: RowId, request: Request) -> Response:
        """A notice of the project's, to its gateway (signed GET, empty body)."""

        def handle() -> Response:
            project = authenticate(repo, request.headers, "GET", signed_path(request), b"")
            try:
                repo.heartbeat(project, request.headers["X-Sitegw-Nonce"], 2 * WINDOW_S)
            except NonceReused as reused:
                raise refuse_replay(str(reused)) from None
            try:
                return pdf_of(notice_id, Actor(f"gateway:{project}", "gateway", project))
            except ReviewError as exc:
                raise Refusal(exc.status, exc.reason) from None

        await request.body()
        return await run_in_threadpool(handle)

    return r
