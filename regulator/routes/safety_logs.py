"""The routes of the sites' safety logs and key people's attendance (regulator/channels/safety_logs.py): the gateways'
signed deliveries, the per-project-and-day listing (received, late, missing, due), the 90-day attendance
look-back (倒查3个月考勤) and its page.

Every read goes through the signed-in user's scope: another district's project answers 404.
(No ``from __future__ import annotations``: the routes' ``Who`` is local to the router, which FastAPI
resolves only from annotations evaluated where they are written.)
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from contract.safety_log import ATTENDANCE_PATH, SAFETY_LOGS_PATH, DocumentReceipt, KeyAttendance, SafetyLog
from regulator.answers import SESSION, SIGNED
from regulator.channels.safety_logs import (
    LOOK_BACK_DAYS,
    AttendanceLookBack,
    LogDay,
    LogPolicy,
    log_days,
    look_back,
    store_attendance,
    store_log,
)
from regulator.ingest.receive import authenticated
from regulator.ledger.review import ReviewError
from regulator.routes import STATIC
from regulator.routes.responses import signed_path
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor

PAGE = STATIC / "safety_logs.html"
KEEP_NONCE_S = 600.0


def safety_log_router(
    repo: Repository,
    policy: LogPolicy,
    signed_in: Callable[[Request], Awaitable[Actor]],
    signed: Callable[[Request, Callable[[bytes], Any]], Awaitable[Any]],
) -> APIRouter:
    """The routes over one repository; ``signed_in``: the user behind a request (401 when none); ``signed``:
    runs a gateway's signed request's handler (a replayed nonce answers 401)."""
    r = APIRouter()
    Who = Annotated[Actor, Depends(signed_in)]

    @r.post(SAFETY_LOGS_PATH, responses=SIGNED)
    async def receive_log(request: Request) -> DocumentReceipt:
        """A site's signed safety log of a day; the first of a project and day stands (``duplicate`` after)."""

        def handle(body: bytes) -> DocumentReceipt:
            log, nonce = authenticated(repo, request.headers, "POST", signed_path(request), body, SafetyLog)
            return store_log(repo, log, nonce, KEEP_NONCE_S)

        result: DocumentReceipt = await signed(request, handle)
        return result

    @r.post(ATTENDANCE_PATH, responses=SIGNED)
    async def receive_attendance(request: Request) -> DocumentReceipt:
        """A site's key people's attendance of a day (the day sent again replaces it)."""

        def handle(body: bytes) -> DocumentReceipt:
            att, nonce = authenticated(
                repo, request.headers, "POST", signed_path(request), body, KeyAttendance
            )
            return store_attendance(repo, att, nonce, KEEP_NONCE_S)

        result: DocumentReceipt = await signed(request, handle)
        return result

    @r.get("/ui/api/safety-logs", responses=SESSION)
    async def logs(
        who: Who,
        project: str = "",
        days: int = Query(7, ge=1, le=LOOK_BACK_DAYS, description="how many days back, today included"),
    ) -> list[LogDay]:
        """Per project and day, newest first: the log received, late (signed after the deadline), missing or
        not due yet."""
        found: list[LogDay] = await run_in_threadpool(log_days, repo, who, policy, days, project)
        return found

    @r.get("/ui/api/key-attendance/{project}", responses=SESSION)
    async def attendance(
        project: str,
        who: Who,
        days: int = Query(LOOK_BACK_DAYS, ge=1, le=LOOK_BACK_DAYS, description="how many days back"),
    ) -> AttendanceLookBack:
        """The project's key-personnel attendance over the last ``days`` (倒查3个月考勤): per person the days
        and minutes on site and the share of the site's working days."""
        found = await run_in_threadpool(look_back, repo, who, project, days)
        if found is None:  # the code asked is not echoed: another district's project answers as an absent one
            raise ReviewError(404, "no such project")
        return found

    @r.get("/ui/safety-logs", response_class=FileResponse)
    async def page() -> FileResponse:
        """The page: logs per project and day, and a project's attendance look-back."""
        return FileResponse(PAGE, media_type="text/html; charset=utf-8")

    return r
