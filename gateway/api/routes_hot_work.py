"""Hot-work permit routes (动火许可证, docs/standards.md §18): the register listed (viewer), a permit
issued or closed with its post-work check (supervisor), over the gateway's ``HotWork`` service.

The signer and the closer are the logged-in supervisor, never a name from the request: §6.3.1(1) makes
the signer the one who went to the spot and confirmed the measures. Run on the event loop, as the work
windows' routes are: issuing hands the rules the permits, whose state is only changed there.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Path
from pydantic import BaseModel, Field

from contract.hot_work import Permit, PermitRequest
from gateway.api.auth import ERRORS, Supervisor, viewer
from gateway.site.hot_work import HotWork
from gateway.site.site_work import WorkError

if TYPE_CHECKING:
    from gateway.api.services import ApiServices

ISSUE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "this gateway keeps no hot-work permits"},
    409: {
        "description": "§18 does not allow it signed: a card expired, extinguishers, combustibles, watch, or a "
        "window past its level's validity (the site's hot_work_permits)"
    },
}
CLOSE_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no permit of that id"},
    409: {"description": "already closed, or the post-work check not confirmed"},
}
PERMIT = Path(description="the permit's number, e.g. DH-20261126-001", max_length=64)
State = Literal["upcoming", "in_force", "unclosed", "closed"]


class PermitView(Permit):
    """A permit with where it stands now."""

    state: State = Field(description="upcoming, in_force, unclosed (window over, no check) or closed")


class PermitClose(BaseModel):
    """The post-work check that closes a permit (GB 50720-2011 §6.3.1(8))."""

    checked: bool = Field(
        False,
        description="the place and what lies below and around it inspected, no fire risk left (required)",
    )


def view(p: Permit, now: float) -> PermitView:
    """``p`` as the API shows it at ``now``."""
    state: State = (
        "closed"
        if p.closed_ts is not None
        else "unclosed"
        if p.unclosed(now)
        else "in_force"
        if p.in_force(now)
        else "upcoming"
    )
    return PermitView(**p.model_dump(), state=state)


def hot_work_router(svc: ApiServices) -> APIRouter:
    """The hot-work permits of one gateway."""
    r = APIRouter(prefix="/api/v1", tags=["work"], responses=ERRORS)

    def register() -> HotWork:
        if svc.hot_work is None:
            raise HTTPException(404, "this gateway keeps no hot-work permits")
        return svc.hot_work

    @r.get(
        "/hot-work",
        response_model=list[PermitView],
        summary="Every hot-work permit kept, the latest window first, with its state now",
        dependencies=[Depends(viewer)],
    )
    async def permits() -> list[PermitView]:
        at = time.time()
        return [] if svc.hot_work is None else [view(p, at) for p in svc.hot_work.all()]

    @r.post(
        "/hot-work",
        response_model=PermitView,
        responses=ISSUE_ERRORS,
        summary="Issue a hot-work permit after confirming its measures on the spot (supervisor: the signer)",
    )
    async def issue(who: Supervisor, request: PermitRequest = Body(...)) -> PermitView:
        try:
            return view(register().issue(request, who.name), time.time())
        except WorkError as exc:
            raise HTTPException(409, str(exc)) from exc

    @r.post(
        "/hot-work/{permit}/close",
        response_model=PermitView,
        responses=CLOSE_ERRORS,
        summary="Close a permit with its post-work check (supervisor)",
    )
    async def close(who: Supervisor, permit: str = PERMIT, check: PermitClose = Body(...)) -> PermitView:
        hot_work = register()
        try:
            hot_work.find(permit)
        except WorkError as exc:
            raise HTTPException(404, str(exc)) from exc
        try:
            return view(hot_work.close(permit, who.name, check.checked), time.time())
        except WorkError as exc:
            raise HTTPException(409, str(exc)) from exc

    return r
