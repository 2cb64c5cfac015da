"""The regulator's HTTP service (FastAPI).

Gateways (signed with the project's secret, docs/design.md's default protocol): ``POST /api/v1/events``,
``/api/v1/heartbeat``, ``/api/v1/readings``, ``/api/v1/rectifications``, and ``GET /api/v1/feedback``
(the regulator's decisions on the project's hazards, after an action id).

Regulators, project users and admins (a session cookie from ``POST /ui/api/login``): the review queue,
a hazard with its evidence and readings, the actions of the closed loop, the overview, projects and
users; the page itself is ``/`` (regulator/static/index.html, Chinese first).
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from contract.wire import (
    EVENTS_PATH,
    FEEDBACK_PATH,
    HEARTBEAT_PATH,
    READINGS_PATH,
    RECTIFICATIONS_PATH,
    Heartbeat,
    ReadingsSummary,
    RectificationReport,
)
from regulator.auth import Accounts, AuthError
from regulator.evidence import EvidenceUnavailable
from regulator.ingest import (
    WINDOW_S,
    Refusal,
    authenticate,
    authenticated,
    decode_evidence,
    ingest,
    refuse_replay,
)
from regulator.overview import overview
from regulator.review import Actor, QueueFilter, Review, ReviewError
from regulator.storage import NonceReused, ReadingRecord, Repository

STATIC = Path(__file__).with_name("static")
log = logging.getLogger(__name__)
COOKIE = "sitegw_regulator_session"
KEEP_NONCE_S = 2 * WINDOW_S


class Login(BaseModel):
    """Sign-in form."""

    username: str
    password: str


class ActionBody(BaseModel):
    """One step of the closed loop, as the review UI sends it."""

    reason: str = ""
    major: bool | None = None
    deadline_days: float | None = Field(None, gt=0, le=365)
    photo: str | None = Field(None, description="JPEG as base64 (a rectification report)")


class NewProject(BaseModel):
    """An administrator registering a project."""

    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    city: str = ""
    district: str = ""
    contractor: str = ""
    secret: str = Field(min_length=8)


class NewUser(BaseModel):
    """An administrator creating a user."""

    username: str = Field(min_length=1)
    password: str
    role: str
    project: str | None = None
    display_name: str = ""


def _jpeg(b64: str | None, what: str) -> bytes | None:
    if not b64:
        return None
    try:
        data = base64.b64decode(b64.split(",", 1)[-1], validate=True)  # a data: URL from the browser too
    except (binascii.Error, ValueError):
        raise ReviewError(422, f"{what} is not valid base64") from None
    if not data.startswith(b"\xff\xd8"):
        raise ReviewError(422, f"{what} is not a JPEG (no FF D8 start-of-image marker)")
    return data


async def signed_in(request: Request) -> Actor:
    """The user behind the request's session cookie; 401 when there is none."""
    accounts: Accounts = request.app.state.accounts
    who = await run_in_threadpool(accounts.actor, request.cookies.get(COOKIE))
    if who is None:
        raise ReviewError(401, "not signed in (请先登录)")
    return who


Who = Annotated[Actor, Depends(signed_in)]


def signed_path(request: Request) -> str:
    """The path a gateway signs: with the query string when there is one (feedback's ``?after=``)."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def create_app(repo: Repository, review: Review, offline_after_s: float = 600.0) -> FastAPI:
    """The regulator app over one repository and its review service."""
    accounts = Accounts(repo)

    app = FastAPI(title="sitegw regulator", summary="hazards from site gateways, reviewed and closed")
    app.state.accounts = accounts

    @app.exception_handler(Refusal)
    async def refused(_: Request, refusal: Refusal) -> JSONResponse:
        return JSONResponse({"error": refusal.reason, **refusal.extra}, status_code=refusal.status)

    @app.exception_handler(ReviewError)
    async def not_allowed(_: Request, exc: ReviewError) -> JSONResponse:
        return JSONResponse({"error": exc.reason}, status_code=exc.status)

    @app.exception_handler(EvidenceUnavailable)
    async def evidence_unavailable(_: Request, exc: EvidenceUnavailable) -> JSONResponse:
        # 503: the gateway retries later, and nothing was committed without its picture
        log.warning("%s", exc)
        return JSONResponse({"error": str(exc)}, status_code=503)

    @app.exception_handler(sa.exc.OperationalError)
    @app.exception_handler(sa.exc.InterfaceError)
    @app.exception_handler(sa.exc.TimeoutError)
    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # the database restarted or is out of reach: nothing was stored, and a 503 tells the gateway to
        # retry (its outbox keeps the event); the pool drops the broken connections on its own
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        log.warning("%s %s: database unavailable: %s", request.method, request.url.path, reason)
        return JSONResponse({"error": f"database unavailable, retry later: {reason}"}, status_code=503)

    @app.exception_handler(AuthError)
    async def auth_failed(_: Request, exc: AuthError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=422)

    async def signed(request: Request, handle: Callable[[bytes], Any]) -> Any:
        body = await request.body()
        try:
            return await run_in_threadpool(handle, body)
        except NonceReused as reused:
            raise refuse_replay(str(reused)) from None

    # ---- gateways -------------------------------------------------------------------------------------

    @app.post(EVENTS_PATH)
    async def receive_event(request: Request) -> JSONResponse:
        """Store one signed AlertEvent; 200 stored or duplicate, 401 unauthenticated, 422 malformed."""
        body = await request.body()
        accepted = await run_in_threadpool(
            ingest, repo, request.headers, request.method, signed_path(request), body
        )
        return JSONResponse(
            {"event_id": accepted.event_id, "status": "duplicate" if accepted.duplicate else "stored"}
        )

    @app.post(HEARTBEAT_PATH)
    async def heartbeat(request: Request) -> dict[str, str]:
        """A gateway is alive: the project's last-seen time moves on."""

        def handle(body: bytes) -> dict[str, str]:
            beat, nonce = authenticated(repo, request.headers, "POST", signed_path(request), body, Heartbeat)
            repo.heartbeat(beat.project, nonce, KEEP_NONCE_S)
            return {"status": "ok"}

        return await signed(request, handle)

    @app.post(READINGS_PATH)
    async def readings(request: Request) -> dict[str, Any]:
        """Keep a crane or pit readings summary (shown around the project's hazards)."""

        def handle(body: bytes) -> dict[str, Any]:
            summary, nonce = authenticated(
                repo, request.headers, "POST", signed_path(request), body, ReadingsSummary
            )
            stored = repo.store_readings(
                summary.project,
                nonce,
                KEEP_NONCE_S,
                [ReadingRecord(r.device, r.point, r.metric, r.ts, r.value, r.unit) for r in summary.readings],
            )
            return {"status": "stored", "readings": stored}

        return await signed(request, handle)

    @app.post(RECTIFICATIONS_PATH)
    async def rectification(request: Request) -> dict[str, Any]:
        """The site reports a hazard fixed, with a photo; it waits for re-inspection."""

        def handle(body: bytes) -> dict[str, Any]:
            report, nonce = authenticated(
                repo, request.headers, "POST", signed_path(request), body, RectificationReport
            )
            hazard_id = review.hazard_for_alert(report.project, report.alert_id)
            if hazard_id is None:
                raise Refusal(422, f"no hazard for alert {report.alert_id!r} of project {report.project!r}")
            evidence = decode_evidence(report.photo)
            if evidence is None or evidence.jpeg is None:
                raise Refusal(422, "photo must be a base64 JPEG")
            actor = Actor(f"gateway:{report.actor}", "gateway", report.project)
            return review.act(
                hazard_id, "report", actor, report.note, photo=evidence.jpeg, nonce=(nonce, KEEP_NONCE_S)
            )

        return await signed(request, handle)

    @app.get(FEEDBACK_PATH)
    async def feedback(request: Request, after: int = 0) -> dict[str, Any]:
        """The regulator's decisions on this project's hazards after action ``after`` (signed GET, empty body)."""

        def handle(body: bytes) -> dict[str, Any]:
            project = authenticate(repo, request.headers, "GET", signed_path(request), body)
            repo.heartbeat(project, request.headers["X-Sitegw-Nonce"], KEEP_NONCE_S)
            return {"actions": review.audit(project, after)}

        return await signed(request, handle)

    # ---- people ---------------------------------------------------------------------------------------

    def admin(who: Actor) -> None:
        if who.role != "admin":
            raise ReviewError(403, "only an admin may do this")

    def blocking(fn: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
        return lambda *a, **kw: run_in_threadpool(fn, *a, **kw)

    @app.get("/")
    async def page() -> FileResponse:
        """The review UI."""
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    @app.post("/ui/api/login")
    async def login(form: Login) -> JSONResponse:
        """Sign in: sets the session cookie."""
        try:
            token = await run_in_threadpool(accounts.login, form.username, form.password)
        except AuthError as exc:
            return JSONResponse({"error": str(exc)}, status_code=401)
        who = await run_in_threadpool(accounts.actor, token)
        if who is None:  # the session was ended between the two calls
            return JSONResponse({"error": "session ended, log in again"}, status_code=401)
        response = JSONResponse({"username": who.name, "role": who.role, "project": who.project})
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", max_age=12 * 3600)
        return response

    @app.post("/ui/api/logout")
    async def logout(request: Request) -> JSONResponse:
        """End the session."""
        if token := request.cookies.get(COOKIE):
            await run_in_threadpool(accounts.logout, token)
        response = JSONResponse({"status": "signed out"})
        response.delete_cookie(COOKIE)
        return response

    @app.get("/ui/api/me")
    async def me(who: Who) -> dict[str, Any]:
        """The signed-in user."""
        return {"username": who.name, "role": who.role, "project": who.project}

    @app.get("/ui/api/hazards")
    async def hazards(
        who: Who,
        state: str = "pending",
        city: str = "",
        district: str = "",
        project: str = "",
        rule: str = "",
        level: str = "",
        since: float | None = None,
        until: float | None = None,
        overdue: bool = False,
        limit: int = Query(50, ge=1, le=500),
        offset: int = Query(0, ge=0),
    ) -> dict[str, Any]:
        """The review queue: most severe, then newest first."""
        f = QueueFilter(state, city, district, project, rule, level, since, until, overdue, limit, offset)
        return {"hazards": await blocking(review.queue)(f, who)}

    @app.get("/ui/api/hazards/{hazard_id}")
    async def hazard(hazard_id: int, who: Who) -> dict[str, Any]:
        """One hazard: events, evidence, readings around it, clause, audit trail."""
        return await blocking(review.hazard)(hazard_id, who)

    @app.post("/ui/api/hazards/{hazard_id}/{action}")
    async def act(hazard_id: int, action: str, body: ActionBody, who: Who) -> dict[str, Any]:
        """confirm, dismiss, order, report (with photo), close or reject."""
        photo = _jpeg(body.photo, "photo")
        return await blocking(review.act)(
            hazard_id,
            action,
            who,
            body.reason,
            major=body.major,
            deadline_days=body.deadline_days,
            photo=photo,
        )

    @app.get("/ui/api/evidence/{sha256}")
    async def evidence(sha256: str, _: Who) -> Response:
        """An evidence or rectification picture by its hash."""
        jpeg = await run_in_threadpool(repo.pictures.get, sha256)
        if jpeg is None:
            return JSONResponse({"error": f"no picture {sha256}"}, status_code=404)
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})

    @app.get("/ui/api/overview")
    async def stats(who: Who) -> dict[str, Any]:
        """Per-project, per-city and per-check figures; projects that stopped reporting."""
        return await blocking(overview)(repo, who, offline_after_s)

    @app.get("/ui/api/audit")
    async def audit(who: Who, after: int = 0) -> dict[str, Any]:
        """Every decision, who and when (a project user: their project's)."""
        return {
            "actions": await blocking(review.audit)(who.project if who.role == "project" else None, after)
        }

    @app.get("/ui/api/projects")
    async def projects(who: Who) -> dict[str, Any]:
        """Registered projects (without their secrets)."""
        rows = await run_in_threadpool(repo.projects)
        return {
            "projects": [
                {
                    "code": p.code,
                    "name": p.name,
                    "city": p.city,
                    "district": p.district,
                    "contractor": p.contractor,
                    "last_seen_at": p.last_seen_at,
                }
                for p in rows
                if who.role != "project" or p.code == who.project
            ]
        }

    @app.post("/ui/api/projects")
    async def register(body: NewProject, who: Who) -> dict[str, str]:
        """Register a project (admin)."""
        admin(who)
        await run_in_threadpool(
            repo.add_project, body.code, body.name, body.city, body.secret, body.district, body.contractor
        )
        return {"status": "registered", "code": body.code}

    @app.post("/ui/api/users")
    async def add_user(body: NewUser, who: Who) -> dict[str, str]:
        """Create a user (admin)."""
        admin(who)
        await run_in_threadpool(
            accounts.add_user, body.username, body.password, body.role, body.project, body.display_name
        )
        return {"status": "created", "username": body.username}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness probe."""
        return {"status": "ok"}

    return app
