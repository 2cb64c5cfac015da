"""The routes of patrol records (regulator/ledger/patrol_duty.py): start a patrol, mark projects seen with what was
found, finish it, list patrols, and the video-monitoring set's coverage (of the last period, or of a month).

(No ``from __future__ import annotations``: the routes' ``Who`` is local to the router, which FastAPI
resolves only from annotations evaluated where they are written.)
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse

from regulator.answers import SESSION, RowId
from regulator.ledger import patrol_duty
from regulator.ledger.patrol_duty_models import Coverage, FinishIn, PatrolOut, SightingIn, SightingOut
from regulator.reports.monthly import month_bounds
from regulator.routes import STATIC
from regulator.routes.routing import blocking
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor

SCRIPT = STATIC / "patrol.js"


def patrol_duty_router(repo: Repository, signed_in: Callable[[Request], Awaitable[Actor]]) -> APIRouter:
    """The routes over ``repo``; ``signed_in``: the user behind a request (401 when none)."""
    r = APIRouter()
    Who = Annotated[Actor, Depends(signed_in)]

    @r.get("/ui/patrol.js", include_in_schema=False)
    async def script() -> FileResponse:
        """The patrol duty's part of the UI."""
        return FileResponse(SCRIPT, media_type="text/javascript; charset=utf-8")

    @r.post("/ui/api/patrols", responses=SESSION)
    async def start_patrol(who: Who) -> PatrolOut:
        """Start a patrol in the user's name (409 while another of theirs is under way)."""
        return PatrolOut.model_validate(await blocking(patrol_duty.start)(repo, who))

    @r.get("/ui/api/patrols", responses=SESSION)
    async def list_patrols(
        who: Who, limit: int = Query(50, ge=1, le=500, description="patrols listed, newest first")
    ) -> list[PatrolOut]:
        """The user's latest patrols (an admin: everyone's), newest first."""
        return [PatrolOut.model_validate(p) for p in await blocking(patrol_duty.patrols)(repo, who, limit)]

    @r.get("/ui/api/patrols/{patrol_id}", responses=SESSION)
    async def one_patrol(patrol_id: RowId, who: Who) -> PatrolOut:
        """A patrol with what was seen and found."""
        return PatrolOut.model_validate(await blocking(patrol_duty.patrol)(repo, who, patrol_id))

    @r.post("/ui/api/patrols/{patrol_id}/sightings", responses=SESSION)
    async def saw(patrol_id: RowId, body: SightingIn, who: Who) -> SightingOut:
        """Mark a project seen in the user's open patrol, with what was found (and the hazard recorded)."""
        s = patrol_duty.Sighting(body.project, body.camera, body.finding, body.hazard_id)
        return SightingOut.model_validate(await blocking(patrol_duty.seen)(repo, who, patrol_id, s))

    @r.post("/ui/api/patrols/{patrol_id}/finish", responses=SESSION)
    async def finish_patrol(patrol_id: RowId, body: FinishIn, who: Who) -> PatrolOut:
        """Finish the user's open patrol with its summary."""
        return PatrolOut.model_validate(await blocking(patrol_duty.finish)(repo, who, patrol_id, body.note))

    @r.get("/ui/api/patrol-coverage", responses=SESSION)
    async def covered(
        who: Who,
        days: float = Query(
            patrol_duty.PERIOD_DAYS, gt=0, le=366, description="the period: each project seen once in it"
        ),
        month: str = Query("", description="a month instead, yyyy-MM (Beijing time)"),
    ) -> Coverage:
        """The video-monitoring set's projects seen in the last ``days`` (or in ``month``), the unseen first."""
        if month:
            since, until = month_bounds(month)  # ReviewError 422 for what is not yyyy-MM
            return Coverage.model_validate(await blocking(patrol_duty.coverage)(repo, who, since, until))
        return Coverage.model_validate(await blocking(patrol_duty.recent_coverage)(repo, who, days))

    return r
