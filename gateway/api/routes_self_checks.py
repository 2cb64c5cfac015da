"""Company self-checks (企业自查) from the site's dashboard: a supervisor records what the site's own inspection
found, with photos; it is queued durably and delivered to every regulator uplink
(gateway/uplinks/self_checks.py), where it enters the regulator's hazard ledger once."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from contract.self_check import SelfCheck, WithPhotos
from gateway.api.auth import ERRORS, Supervisor, viewer
from gateway.uplinks.self_checks import NoRegulator, Queued

if TYPE_CHECKING:
    from gateway.api.services import ApiServices


class SelfCheckForm(WithPhotos):
    """What the site found, as the dashboard sends it (the project and who found it come from the gateway)."""


class DeliveryView(BaseModel):
    """How a check stands with one regulator uplink."""

    uplink: str = Field(description="the regulator uplink's name")
    state: str = Field(description="pending, delivered or dead (refused for good)")
    attempts: int = Field(description="failed attempts so far")
    answer: str = Field(description="the last failure, or the regulator's refusal")
    hazard_id: int | None = Field(description="the regulator's hazard id, once delivered")
    done_at: float | None = Field(description="when delivered or refused, Unix seconds")


class SelfCheckView(BaseModel):
    """A queued self-check and its deliveries."""

    check_id: str = Field(description="its id, sent with it (the regulator keeps one hazard per id)")
    description: str = Field(description="what was found")
    found_by: str = Field(description="the supervisor who recorded it")
    queued_at: float = Field(description="Unix seconds")
    deliveries: list[DeliveryView] = Field(description="one per regulator uplink")


def self_checks_router(svc: ApiServices) -> APIRouter:
    """Record and list the site's self-checks."""
    r = APIRouter(prefix="/api/v1", tags=["self-checks"], responses=ERRORS)

    @r.post(
        "/self-checks",
        response_model=SelfCheckView,
        responses={409: {"description": "this gateway has no regulator uplink to send it to"}},
        summary="Record a self-check finding for the regulator (supervisor); queued on disk, then delivered",
    )
    async def record(form: SelfCheckForm, who: Supervisor) -> SelfCheckView:
        outbox = svc.self_checks
        check = SelfCheck(
            check_id=str(uuid.uuid4()),
            project=svc.site.config.project.code,
            found_by=who.name,
            **form.model_dump(),
        )
        if outbox is None:
            raise HTTPException(409, "this gateway sends no self-checks: it has no regulator uplink")
        try:
            await asyncio.to_thread(outbox.put, check)
        except NoRegulator as exc:
            raise HTTPException(409, str(exc)) from exc
        outbox.notify()
        return view(
            next(q for q in await asyncio.to_thread(outbox.listing, 50) if q.check.check_id == check.check_id)
        )

    @r.get(
        "/self-checks",
        response_model=list[SelfCheckView],
        summary="The site's self-checks, newest first, with their delivery to each regulator",
        dependencies=[Depends(viewer)],
    )
    async def listing() -> list[SelfCheckView]:
        if svc.self_checks is None:
            return []
        return [view(q) for q in await asyncio.to_thread(svc.self_checks.listing)]

    return r


def view(q: Queued) -> SelfCheckView:
    """A queued check as the API shows it."""
    return SelfCheckView(
        check_id=q.check.check_id,
        description=q.check.description,
        found_by=q.check.found_by,
        queued_at=q.queued_at,
        deliveries=[DeliveryView.model_validate(d, from_attributes=True) for d in q.deliveries],
    )
