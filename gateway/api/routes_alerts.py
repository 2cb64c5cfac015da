"""Alert routes: list and read (viewer), acknowledge / resolve with a note and silences (supervisor),
and the regulator's decisions on the alerts (viewer).

The actor of every action is the logged-in user, never a name from the request body, so the
regulator's record says who really acted. Every alert carries the regulator's latest decision on it
(``regulator``), its detail all of them; ``/regulator/decisions`` lists the newest across alerts,
since most alerts are resolved long before the regulator decides.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import ValidationError

from contract.alert_event import Level
from gateway.alerts.manager import AlertError
from gateway.alerts.models import Alert, AlertState, Silence, SilenceSpec
from gateway.api.auth import ERRORS, Supervisor, viewer
from gateway.api.auth_store import Principal
from gateway.api.models import AlertAction, AlertDetailView, AlertView, SilenceRequest
from gateway.uplinks.decisions import Decision

if TYPE_CHECKING:
    from gateway.alerts.manager import AlertManager
    from gateway.api.services import ApiServices

CONFLICT: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such alert"},
    409: {"description": "not in a state that allows this"},
}


def evidence_url(alert_id: str) -> str:
    """Where the API serves an alert's evidence image."""
    return f"/api/v1/alerts/{quote(alert_id, safe='')}/evidence.jpg"


def is_inline(evidence: str | None) -> bool:
    """Is this evidence a base64 JPEG (rather than a URL)?"""
    # a JPEG in base64 starts with "/9j/": a URL path here is only ever our own /api/
    return (
        evidence is not None and evidence != "" and not evidence.startswith(("http://", "https://", "/api/"))
    )


def linked(alert: Alert) -> Alert:
    """The alert with inline evidence replaced by its URL: a list of alerts stays small, and the
    dashboard loads an image only when it shows it."""
    return (
        alert.model_copy(update={"evidence": evidence_url(alert.alert_id)})
        if is_inline(alert.evidence)
        else alert
    )


def with_decision(alert: Alert, decision: Decision | None) -> AlertView:
    """The alert as the API shows it: evidence linked, the regulator's latest decision attached."""
    return AlertView(**linked(alert).model_dump(), regulator=decision)


def alerts_router(svc: ApiServices) -> APIRouter:
    """Alerts, silences and the regulator's decisions of one gateway."""
    r = APIRouter(prefix="/api/v1", tags=["alerts"], responses=ERRORS)
    _add_alert_reads(r, svc)
    _add_alert_actions(r, svc)
    _add_decisions(r, svc)
    _add_silences(r, svc.alerts)
    return r


def _add_alert_reads(r: APIRouter, svc: ApiServices) -> None:
    """The alerts, and one alert with its history, each with the regulator's word on it."""
    manager = svc.alerts

    @r.get(
        "/alerts",
        response_model=list[AlertView],
        summary="Alerts, newest change first",
        dependencies=[Depends(viewer)],
    )
    async def alerts(
        state: Annotated[AlertState | None, Query()] = None,
        level: Annotated[Level | None, Query()] = None,
        device: str | None = Query(None),
        rule: str | None = Query(None, description="e.g. crane.load"),
        since: float | None = Query(None, description="changed at or after (Unix s)"),
        until: float | None = Query(None, description="opened at or before (Unix s)"),
        limit: int = Query(200, ge=1, le=5000),
    ) -> list[AlertView]:
        found = await asyncio.to_thread(
            manager.list_alerts,
            state=state,
            level=level,
            device=device,
            rule=rule,
            since=since,
            until=until,
            limit=limit,
        )
        latest = await asyncio.to_thread(svc.decisions.latest, [a.alert_id for a in found])
        return [with_decision(a, latest.get(a.alert_id)) for a in found]

    @r.get(
        "/alerts/{alert_id}",
        response_model=AlertDetailView,
        summary="One alert with its full history and the regulator's decisions on it",
        dependencies=[Depends(viewer)],
        responses={404: {"description": "no such alert"}},
    )
    async def alert(alert_id: str) -> AlertDetailView:
        try:
            detail = await asyncio.to_thread(manager.get, alert_id)
        except AlertError as exc:
            raise HTTPException(404, str(exc)) from exc
        decisions = await asyncio.to_thread(svc.decisions.for_alert, alert_id)
        url = evidence_url(alert_id)
        return AlertDetailView(
            alert=with_decision(detail.alert, decisions[-1] if decisions else None),
            decisions=decisions,
            history=[
                e.model_copy(update={"evidence": url}) if is_inline(e.evidence) else e for e in detail.history
            ],
        )


def _add_alert_actions(r: APIRouter, svc: ApiServices) -> None:
    """A supervisor acknowledges or resolves an alert."""
    manager = svc.alerts

    async def viewed(alert: Alert) -> AlertView:
        latest = await asyncio.to_thread(svc.decisions.latest, [alert.alert_id])
        return with_decision(alert, latest.get(alert.alert_id))

    async def act(
        action: Literal["acknowledge", "resolve"], alert_id: str, note: str, who: Principal
    ) -> AlertView:
        try:
            await asyncio.to_thread(getattr(manager, action), alert_id, who.name, note)
            return await viewed((await asyncio.to_thread(manager.get, alert_id)).alert)
        except AlertError as exc:
            missing = str(exc).startswith("no alert")
            raise HTTPException(404 if missing else 409, str(exc)) from exc

    @r.post(
        "/alerts/{alert_id}/acknowledge",
        response_model=AlertView,
        responses=CONFLICT,
        summary="Take charge of a firing alert, with a note of what is being done (supervisor)",
    )
    async def acknowledge(alert_id: str, body: AlertAction, who: Supervisor) -> AlertView:
        return await act("acknowledge", alert_id, body.note, who)

    @r.post(
        "/alerts/{alert_id}/resolve",
        response_model=AlertView,
        responses=CONFLICT,
        summary="Close an alert by hand, e.g. a latched pit.jump after inspection (supervisor)",
    )
    async def resolve(alert_id: str, body: AlertAction, who: Supervisor) -> AlertView:
        return await act("resolve", alert_id, body.note, who)


def _add_decisions(r: APIRouter, svc: ApiServices) -> None:
    """The regulator's decisions, newest first."""

    @r.get(
        "/regulator/decisions",
        response_model=list[Decision],
        dependencies=[Depends(viewer)],
        summary="The regulator's decisions on this site's alerts, newest first (confirmed, false alarm with "
        "its reason, rectification ordered with its deadline, closed)",
    )
    async def decisions(limit: int = Query(50, ge=1, le=1000)) -> list[Decision]:
        return await asyncio.to_thread(svc.decisions.recent, limit)


def _add_silences(r: APIRouter, manager: AlertManager) -> None:
    """Silences (maintenance windows): listed by anyone, added and ended by a supervisor."""

    @r.get(
        "/silences",
        response_model=list[Silence],
        summary="Silences (maintenance windows)",
        dependencies=[Depends(viewer)],
    )
    async def silences(
        active: bool = Query(False, description="only those in force now"),
        include_deleted: bool = Query(False),
    ) -> list[Silence]:
        return await asyncio.to_thread(
            manager.list_silences, time.time() if active else None, include_deleted
        )

    @r.post(
        "/silences",
        response_model=Silence,
        status_code=201,
        responses={422: {"description": "bad window"}},
        summary="Silence a device or rule for a while: alerts are tracked, not delivered (supervisor)",
    )
    async def add_silence(body: SilenceRequest, who: Supervisor) -> Silence:
        try:
            spec = SilenceSpec(
                device=body.device,
                rule=body.rule,
                point=body.point,
                author=who.name,
                reason=body.reason,
                start_ts=time.time() if body.start_ts is None else body.start_ts,
                end_ts=body.end_ts,
            )
        except ValidationError as exc:
            raise HTTPException(422, "; ".join(e["msg"] for e in exc.errors())) from exc
        return await asyncio.to_thread(manager.add_silence, spec)

    @r.delete(
        "/silences/{silence_id}",
        response_model=Silence,
        summary="End a silence now (supervisor)",
        responses={404: {"description": "no such active silence"}},
    )
    async def delete_silence(silence_id: int, who: Supervisor) -> Silence:
        try:
            return await asyncio.to_thread(manager.delete_silence, silence_id, who.name)
        except AlertError as exc:
            raise HTTPException(404, str(exc)) from exc
