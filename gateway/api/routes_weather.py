"""Warning-signal routes: the regional warning signals (list: viewer; set, clear and acknowledge a
regulator's: supervisor) over the gateway's ``WarningBoard``. The one who set, cleared or acknowledged a
signal is the logged-in user, never a name from the request."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, HTTPException, Path
from pydantic import BaseModel, Field

from contract.weather import Colour, SignalType, Stop, WarningSignal
from gateway.api.auth import ERRORS, Supervisor, viewer
from gateway.site.weather_warnings import WarningBoard, WarningError

if TYPE_CHECKING:
    from gateway.api.services import ApiServices

SIGNAL_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no warning signal of that id"},
    409: {"description": "already cleared (or acknowledged, or set on the site: nothing to acknowledge)"},
    422: {"description": "a colour the type does not use, or valid_to not after valid_from"},
}


class WarningRequest(BaseModel):
    """A warning signal the site sets."""

    type: SignalType = Field(description="typhoon, gale, rainstorm, lightning, heat or cold")
    colour: Colour = Field(description="blue, yellow, orange or red")
    valid_from: datetime | None = Field(None, description="in force from (ISO 8601 with offset); default now")
    valid_to: datetime | None = Field(None, description="in force until; default: until cleared")
    measure: str = Field("", description="the site's own measure; empty: the default of the type and colour")
    stops: list[Stop] = Field(default_factory=list, description="the work it stops; empty: the default")


def weather_router(svc: ApiServices) -> APIRouter:
    """The warning signals of one gateway."""
    r = APIRouter(prefix="/api/v1", tags=["weather"], responses=ERRORS)

    def board() -> WarningBoard:
        if svc.warnings is None:
            raise HTTPException(404, "this gateway keeps no warning signals")
        return svc.warnings

    @r.get(
        "/warnings",
        response_model=list[WarningSignal],
        summary="Every warning signal kept, latest first (?active=true: those in force now)",
        dependencies=[Depends(viewer)],
    )
    async def warnings(active: bool = False) -> list[WarningSignal]:
        if svc.warnings is None:
            return []
        return svc.warnings.active() if active else svc.warnings.all()

    @r.post(
        "/warnings",
        response_model=WarningSignal,
        responses=SIGNAL_ERRORS,
        summary="Set a warning signal: its stops hold while it is in force (supervisor)",
    )
    async def set_warning(body: WarningRequest, who: Supervisor) -> WarningSignal:
        try:
            return board().set(
                body.type,
                body.colour,
                body.valid_from or datetime.now().astimezone(),
                body.valid_to,
                who.name,
                body.measure,
                body.stops,
            )
        except WarningError as exc:
            raise HTTPException(422, str(exc)) from exc

    @r.post(
        "/warnings/{signal_id}/clear",
        response_model=WarningSignal,
        responses=SIGNAL_ERRORS,
        summary="Clear a warning signal (supervisor)",
    )
    async def clear_warning(
        who: Supervisor, signal_id: str = Path(description="the signal's id")
    ) -> WarningSignal:
        try:
            return board().clear(signal_id, who.name)
        except WarningError as exc:
            known = {s.id for s in board().all()}
            raise HTTPException(409 if signal_id in known else 404, str(exc)) from exc

    @r.post(
        "/warnings/{signal_id}/ack",
        response_model=WarningSignal,
        responses=SIGNAL_ERRORS,
        summary="Acknowledge a regulator's warning signal; the regulator hears who and when (supervisor)",
    )
    async def acknowledge_warning(
        who: Supervisor, signal_id: str = Path(description="the signal's id")
    ) -> WarningSignal:
        try:
            return board().acknowledge(signal_id, who.name)
        except WarningError as exc:
            known = {s.id for s in board().all()}
            raise HTTPException(409 if signal_id in known else 404, str(exc)) from exc

    return r
