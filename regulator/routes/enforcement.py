"""Enforcement on record's routes (issue 53 §4): the penalties (行政处罚), 约谈 and 通报 of the user's
jurisdiction with their documents, the person scores (个人记分) and their running totals, and the public
list of the records marked public.

(No ``from __future__ import annotations``: the routes' ``Who`` is local to the router, which FastAPI
must resolve at definition.)
"""

import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from regulator.answers import SESSION, RowId
from regulator.ledger import enforcement_records, person_scores
from regulator.ledger.enforcement_models import ActionRow, NewAction, NewScore, PersonTotal, PublicAction
from regulator.ledger.review import ReviewError
from regulator.reports import grading
from regulator.reports.grading_models import Recorded
from regulator.routes import STATIC
from regulator.routes.responses import download
from regulator.routes.routing import blocking
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor

API = "/ui/api/enforcement"


def enforcement_router(repo: Repository, signed_in: Callable[[Request], Awaitable[Actor]]) -> APIRouter:
    """The routes."""
    r = APIRouter()
    Who = Annotated[Actor, Depends(signed_in)]

    @r.get("/ui/enforcement", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        """执法记录: recording penalties, 约谈 and 通报 and reading them (its script /ui/page/enforcement.js)."""
        return HTMLResponse((STATIC / "enforcement.html").read_text(encoding="utf-8"))

    @r.post(f"{API}/actions", responses=SESSION)
    async def add_action(body: NewAction, who: Who) -> Recorded:
        """Record a penalty, 约谈 or 通报 on a project, its decision document kept as evidence."""
        document = enforcement_records.decode_document(body.document)[0] if body.document else None
        action = enforcement_records.Action(**body.model_dump(exclude={"document"}), document=document)
        return Recorded(id=await blocking(enforcement_records.record)(repo, who, action))

    @r.get(f"{API}/actions", responses=SESSION)
    async def actions(
        who: Who, project: str = Query("", description="only this project's")
    ) -> list[ActionRow]:
        """The penalties, 约谈 and 通报 of the projects the user sees, the latest first."""
        found = await blocking(enforcement_records.listing)(repo, who, project or None)
        return [ActionRow.model_validate(a) for a in found]

    @r.get(
        f"{API}/actions/{{action_id}}/document",
        response_class=Response,
        responses={**SESSION, 200: {"content": {"application/pdf": {}}, "description": "the document"}},
    )
    async def action_document(action_id: RowId, who: Who) -> Response:
        """The decision document of a record the user may see; 404 otherwise."""
        found = await blocking(enforcement_records.document)(repo, who, action_id)
        if found is None:
            # a city's record forwarded here keeps its document at the city
            raise ReviewError(404, f"no document of record #{action_id} here in your jurisdiction")
        data, media_type = found
        suffix = media_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
        return download(data, media_type, f"执法文书_{action_id}.{suffix}", inline=True)

    @r.post(f"{API}/scores", responses=SESSION)
    async def add_score(body: NewScore, who: Who) -> Recorded:
        """Record points given to a project manager or chief supervising engineer."""
        score = person_scores.Score(**body.model_dump())
        return Recorded(id=await blocking(person_scores.record)(repo, who, score))

    @r.get(f"{API}/scores", responses=SESSION)
    async def scores(who: Who) -> list[PersonTotal]:
        """Each person scored on the projects the user sees: their running total over the policy's period."""
        rules = await blocking(grading.policy)(repo)
        found = await blocking(person_scores.totals)(repo, who, time.time(), rules.score_days)
        return [PersonTotal.model_validate(p) for p in found]

    @r.get("/public/api/enforcement")
    async def public_actions() -> list[PublicAction]:
        """The penalties, 约谈 and 通报 marked public, for anyone: never a document, an ID or a certificate."""
        return [PublicAction.model_validate(a) for a in await blocking(enforcement_records.published)(repo)]

    return r
