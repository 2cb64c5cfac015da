"""The daily safety log (施工安全日志, standards.md §14) on the dashboard: the gateway's drafts, the safety
officer's words, the signature (a supervisor signs; the signed log goes to every regulator uplink,
gateway/site/safety_log/sender.py) and the printed PDF."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel, Field

from contract.safety_log import SafetyLogContent
from gateway.api.auth import ERRORS, Supervisor, viewer
from gateway.site.safety_log.store import LogError, LogRow

if TYPE_CHECKING:
    from gateway.api.services import ApiServices
    from gateway.site.safety_log.schedule import SafetyLogSchedule


class SafetyLogView(BaseModel):
    """One day's log."""

    day: date
    drafted_at: float = Field(description="when the gateway last drafted it, Unix seconds")
    content: SafetyLogContent
    edited_by: str = Field(description="who last wrote the weather and work notes")
    signed_by: str = Field(description="who signed it (empty: not signed)")
    signed_at: float | None = Field(description="when, Unix seconds")
    deliveries: dict[str, str] = Field(description="per regulator uplink: pending, delivered or dead")


class SafetyLogEdit(BaseModel):
    """The safety officer's words."""

    weather: str = Field("", max_length=200, description="天气")
    work: str = Field("", max_length=10_000, description="今日施工内容, briefings, checks, notes")


def view(row: LogRow) -> SafetyLogView:
    """A stored log as the API shows it."""
    return SafetyLogView.model_validate(row, from_attributes=True)


def safety_log_router(svc: ApiServices) -> APIRouter:
    """List, draft, edit, sign and print the daily logs."""
    r = APIRouter(prefix="/api/v1/safety-logs", tags=["safety log"], responses=ERRORS)
    not_kept: dict[int | str, dict[str, Any]] = {
        404: {"description": "no log of that day"},
        409: {"description": "signed: a log never changes then"},
    }

    async def run(fn: Callable[..., LogRow], *args: object) -> LogRow:
        try:
            return await asyncio.to_thread(fn, *args)
        except LogError as exc:
            raise HTTPException(409, str(exc)) from exc

    @r.get(
        "",
        response_model=list[SafetyLogView],
        summary="The logs, newest day first",
        dependencies=[Depends(viewer)],
    )
    async def listing() -> list[SafetyLogView]:
        if svc.safety_logs is None:
            return []
        return [view(row) for row in await asyncio.to_thread(svc.safety_logs.store.listing)]

    @r.get(
        "/{day}",
        response_model=SafetyLogView,
        responses=not_kept,
        summary="One day's log",
        dependencies=[Depends(viewer)],
    )
    async def one(day: date) -> SafetyLogView:
        return view(await _get(svc, day))

    @r.post(
        "/{day}/draft",
        response_model=SafetyLogView,
        responses=not_kept,
        summary="Draft (again) the day's log from what the gateway holds now (supervisor)",
    )
    async def redraft(day: date, _: Supervisor) -> SafetyLogView:
        if not await asyncio.to_thread(_logs(svc).draft_day, day):
            raise HTTPException(409, f"the safety log of {day} is signed: a signed log never changes")
        return view(await _get(svc, day))

    @r.put(
        "/{day}",
        response_model=SafetyLogView,
        responses=not_kept,
        summary="Write the weather and the work notes (supervisor)",
    )
    async def edit(day: date, body: SafetyLogEdit, who: Supervisor) -> SafetyLogView:
        return view(await run(_logs(svc).store.edit, day, body.weather, body.work, who.name))

    @r.post(
        "/{day}/sign",
        response_model=SafetyLogView,
        responses=not_kept,
        summary="Sign the day's log (supervisor): it goes to the regulators",
    )
    async def sign(day: date, who: Supervisor) -> SafetyLogView:
        store = _logs(svc).store
        row = await run(store.sign, day, who.name, time.time())
        store.notify()
        return view(row)

    @r.get(
        "/{day}/pdf",
        response_class=Response,
        responses={
            **not_kept,
            200: {"content": {"application/pdf": {}}},
            503: {"description": "no CJK font"},
        },
        summary="The day's log as a PDF",
        dependencies=[Depends(viewer)],
    )
    async def pdf(day: date) -> Response:
        # fpdf, Pillow and fontTools cost the gateway 40 MB: imported when a log is first printed, not at start
        from gateway.site.safety_log.pdf import render
        from plumbing.cjk_pdf import ReportError

        row = await _get(svc, day)
        try:
            body = await asyncio.to_thread(render, svc.site.config.project.name, row)
        except ReportError as exc:
            raise HTTPException(503, str(exc)) from exc
        return Response(
            body,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="safety-log-{day}.pdf"'},
        )

    return r


def _logs(svc: ApiServices) -> SafetyLogSchedule:
    if svc.safety_logs is None:
        raise HTTPException(409, "this gateway keeps no safety log")
    return svc.safety_logs


async def _get(svc: ApiServices, day: date) -> LogRow:
    row = await asyncio.to_thread(_logs(svc).store.get, day)
    if row is None:
        raise HTTPException(404, f"no safety log of {day}: it is drafted each evening, or draft it now")
    return row
