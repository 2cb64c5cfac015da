"""Hot-work permit routes (动火许可证, docs/standards.md §18): the register listed (viewer), a permit
issued or closed with its post-work check (supervisor), over the gateway's ``HotWork`` service.

The signer and the closer are the logged-in supervisor, never a name from the request: §6.3.1(1) makes
the signer the one who went to the spot and confirmed the measures. Run on the event loop, as the work
windows' routes are: issuing hands the rules the permits, whose state is only changed there. Each permit's
state is judged as the rules judge it, by the gateway's clock and the site's ``hot_work_permits:`` as it
stands now: one past its level's validity there is ``expired`` with the reason, whatever it was signed for.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Path
from pydantic import AwareDatetime, BaseModel, Field

from contract.config.hot_work_permits import HotWorkPermitsConfig
from contract.hot_work import RENEW_EN, RENEW_ZH, Permit, PermitRequest, Validity
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
State = Literal["upcoming", "in_force", "expired", "unclosed", "closed"]


class PermitView(Permit):
    """A permit with where it stands now, judged by the site's ``hot_work_permits:`` as it stands now."""

    state: State = Field(
        description="upcoming, in_force, expired (its level's validity under the site's scheme ran out before "
        "its signed end: it covers no hot work), unclosed (window over, no check) or closed"
    )
    covers_until: AwareDatetime = Field(
        description="when it stops covering hot work: the earlier of its end and its start plus its level's "
        "validity under the site's hot_work_permits now"
    )
    expired_reason: str = Field(
        "", description="why it is expired, Chinese then English, with what to do (empty unless expired)"
    )


class PermitClose(BaseModel):
    """The post-work check that closes a permit (GB 50720-2011 §6.3.1(8))."""

    checked: bool = Field(
        False,
        description="the place and what lies below and around it inspected, no fire risk left (required)",
    )


def view(p: Permit, now: float, scheme: HotWorkPermitsConfig) -> PermitView:
    """``p`` as the API shows it at ``now`` (the gateway's clock), under the site's ``scheme``."""
    lapsed = p.expired(now, scheme)
    state: State = (
        "closed"
        if p.closed_ts is not None
        else "expired"
        if lapsed is not None
        else "unclosed"
        if p.unclosed(now, scheme)
        else "in_force"
        if p.in_force(now, scheme)
        else "upcoming"
    )
    v = p.validity(scheme)
    return PermitView(
        **p.model_dump(),
        state=state,
        covers_until=datetime.fromtimestamp(v.until, p.start.tzinfo),
        expired_reason="" if lapsed is None else expired_reason(p, lapsed),
    )


def expired_reason(p: Permit, v: Validity) -> str:
    """Why ``p`` no longer covers hot work, Chinese first: the validity that applied, whose rule it is, what
    to do."""
    until = datetime.fromtimestamp(v.until, p.start.tzinfo).isoformat()
    return (
        f"动火许可证 {p.id} 已于 {until} 过期：{v.why_zh()}，签发时段至 {p.end.isoformat()} 不再适用；"
        f"{RENEW_ZH}。 Permit {p.id} expired at {until}: {v.why_en()}; its signed end no longer applies: "
        f"{RENEW_EN}"
    )


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
        at, hot_work = time.time(), svc.hot_work
        return [] if hot_work is None else [view(p, at, hot_work.scheme) for p in hot_work.all()]

    @r.post(
        "/hot-work",
        response_model=PermitView,
        responses=ISSUE_ERRORS,
        summary="Issue a hot-work permit after confirming its measures on the spot (supervisor: the signer)",
    )
    async def issue(who: Supervisor, request: PermitRequest = Body(...)) -> PermitView:
        try:
            hot_work = register()
            return view(hot_work.issue(request, who.name), time.time(), hot_work.scheme)
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
            return view(hot_work.close(permit, who.name, check.checked), time.time(), hot_work.scheme)
        except WorkError as exc:
            raise HTTPException(409, str(exc)) from exc

    return r
