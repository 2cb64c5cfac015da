"""The regulator's HTTP service (FastAPI).

Gateways (signed with the project's secret, docs/design.md's default protocol): ``POST /api/v1/events``,
``/api/v1/heartbeat``, ``/api/v1/readings``, ``/api/v1/rectifications``, ``/api/v1/pictures`` (camera
patrol, regulator/patrol.py), ``/api/v1/clips`` (vision alerts' evidence clips, regulator/clips.py), and
``GET /api/v1/feedback`` (the regulator's decisions on the project's
hazards, after an action id, and the cameras whose picture a regulator asked for).

Regulators, project users and admins (a session cookie from ``POST /ui/api/login``): the review queue,
a hazard with its evidence and readings, the actions of the closed loop, the overview, projects and
users; the page itself is ``/`` (regulator/static/index.html, Chinese first).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import psycopg
import sqlalchemy as sa
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from contract.wire import (
    CLIPS_PATH,
    EVENTS_PATH,
    FEEDBACK_PATH,
    HEARTBEAT_PATH,
    MAX_CLIP_BYTES,
    MAX_PICTURE_BODY,
    PICTURES_PATH,
    READINGS_PATH,
    RECTIFICATIONS_PATH,
    CameraPicture,
    ClipReceipt,
    EventReceipt,
    Heartbeat,
    PictureReceipt,
    ReadingsReceipt,
    ReadingsSummary,
    RectificationReport,
)
from plumbing.cjk_pdf import ReportError
from regulator import auth_log, classify, dangerous_works, export, jurisdictions, project_map, risk, video_set
from regulator.accident_followup import FollowupPolicy
from regulator.accident_routes import accident_router
from regulator.answers import CLIP, LOGIN, MAX_ID, PICTURE, SESSION, SIGNED, After, Answer, RowId
from regulator.auth import WRONG, Accounts, AuthError, LoginPolicy, SignInRefused
from regulator.body_limit import DEFAULT_MAX_BODY_MB, BodyLimit
from regulator.byte_ranges import ranged
from regulator.channels import public
from regulator.channels.routes import MAX_PUBLIC_BODY, PUBLIC_REPORTS_PATH, add_routes
from regulator.clips import receive_clip
from regulator.evidence import MEDIA_TYPES, EvidenceUnavailable, Kind
from regulator.grading_routes import grading_router
from regulator.held import WarningHold, counts
from regulator.incident_models import IncidentLedger, IncidentRow, NewIncident, NewReport
from regulator.incidents import DESTINATIONS, Incidents
from regulator.ingest import (
    WINDOW_S,
    Refusal,
    authenticate,
    authenticated,
    decode_jpeg,
    ingest,
    refuse_replay,
)
from regulator.jurisdictions import SEP
from regulator.loop_ingest import LoopIngest
from regulator.map_routes import map_router
from regulator.monthly import figures
from regulator.names import SITE_STATES, beijing_text, kind_names, metric_names, rule_names
from regulator.overview import overview
from regulator.overview_models import Overview
from regulator.paging import Paged, pages
from regulator.passwords import MAX_LENGTH as MAX_PASSWORD
from regulator.patrol import (
    MAX_WALL_PAGE_SIZE,
    WALL_PAGE_SIZE,
    LatestClip,
    PatrolPage,
    PictureRequested,
    WallFilter,
    latest_clip,
    latest_jpeg,
    picture_jpeg,
    request_picture,
    store_picture,
    wall,
    wanted,
)
from regulator.patrol_duty_routes import patrol_duty_router
from regulator.queue_models import (
    ClassificationEdit,
    ClassificationRow,
    ClassificationTable,
    HazardPage,
    HazardRow,
    Names,
    Reclassify,
    WarningCountRow,
    WarningStats,
)
from regulator.report_pdf import render
from regulator.responses import download, signed_path
from regulator.review import MAX_PAGE_SIZE, QueueFilter, Review, ReviewError
from regulator.review_models import ActionRecord, AuditTrail, Feedback, HazardDetail
from regulator.risk_models import CompanyRisk, ProjectRisk, RiskLists, Weights
from regulator.safety_log_routes import safety_log_router
from regulator.safety_logs import LogPolicy
from regulator.scope import Actor
from regulator.storage import NonceReused, ReadingRecord, Repository
from regulator.supervision import ListingPolicy, Supervision
from regulator.supervision_routes import supervision_router
from regulator.video_set_models import Change, Inclusion, Member, Removal, VideoSet
from regulator.weather_warning_routes import warnings_router
from regulator.weather_warnings import WeatherWarnings

STATIC = Path(__file__).with_name("static")
log = logging.getLogger(__name__)
COOKIE = "sitegw_regulator_session"
KEEP_NONCE_S = 2 * WINDOW_S
MAX_USERNAME = 200


class Login(BaseModel):
    """Sign-in form (bounded: a password is hashed, and hashing a megabyte costs the server)."""

    username: str = Field(max_length=MAX_USERNAME)
    password: str = Field(max_length=MAX_PASSWORD)
    otp: str = Field(
        "", max_length=10, description="the authenticator app's code, for a user with a second factor"
    )


class SecondFactor(BaseModel):
    """A second factor being enrolled."""

    otpauth_uri: str = Field(
        description="otpauth://totp/... for the authenticator app (as a QR code, or typed)"
    )


class OneTimeCode(BaseModel):
    """The authenticator app's current code."""

    code: str = Field(max_length=10)


class NewPassword(Login):
    """A user changing their password with the old one."""

    new_password: str = Field(max_length=MAX_PASSWORD)


class Me(Answer):
    """The signed-in user."""

    username: str = Field(description="their user name")
    role: str = Field(description="regulator, admin or project")
    project: str | None = Field(description="a project user's project (null: not a project user)")
    jurisdiction: str | None = Field(
        description="the place whose projects they see, 省/市/区县 (null: every project)"
    )


class AuthRecordRow(BaseModel):
    """One record of the sign-in audit trail."""

    id: int = Field(description="record number, increasing")
    ts: float = Field(description="when, Unix seconds")
    event: str = Field(description=", ".join(auth_log.EVENTS))
    username: str = Field(description="the user name as typed (an unknown one too)")
    address: str = Field(description="the client's address ('' from the command line)")
    actor: str = Field(description="who changed the account ('' for the user's own sign-in)")
    detail: str = Field(description="more, e.g. the role saved")


class ActionBody(BaseModel):
    """One step of the closed loop, as the review UI sends it."""

    reason: str = ""
    major: bool | None = None
    deadline_days: float | None = Field(None, gt=0, le=365)
    photo: str | None = Field(None, description="JPEG as base64 (a rectification report)")


# the most projects a page of risk grading or of the projects list holds; pages are bounded so that the
# offset stays a BIGINT
MAX_LIST_PAGE = 1000


class NewProject(BaseModel):
    """An administrator registering a project."""

    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    city: str = ""
    district: str = ""
    province: str = Field("", description="where the city table does not know the city, e.g. 广西壮族自治区")
    contractor: str = Field("", description="main contractor (施工总承包单位)")
    supervisor: str = Field("", description="supervision company (监理单位)")
    secret: str = Field(min_length=8)
    lat: float | None = Field(None, description="the site's latitude, WGS-84 degrees (with lon)")
    lon: float | None = Field(None, description="the site's longitude, WGS-84 degrees (with lat)")


class ProjectRow(BaseModel):
    """A registered project as a user sees it (without its secret)."""

    code: str = Field(description="project code")
    name: str = Field(description="project name")
    city: str = Field(description="its city")
    district: str = Field(description="its district or county")
    jurisdiction: str | None = Field(
        None, description="its district's path (省/市/区); null: in no place yet"
    )
    contractor: str = Field(description="main contractor (施工单位)")
    supervisor: str = Field(description="supervision company (监理单位)")
    last_seen_at: float | None = Field(
        description="when its gateway was last heard, Unix seconds; null: never"
    )


class ProjectPage(Paged):
    """One page of the projects the user may see, by code."""

    projects: list[ProjectRow] = Field(description="this page's projects")


class NewUser(BaseModel):
    """An administrator creating a user."""

    username: str = Field(min_length=1)
    password: str
    role: str
    project: str | None = None
    display_name: str = ""
    jurisdiction: str | None = Field(
        None, description="a regulator's place, 省/市/区县 from the province down, e.g. 广东省/深圳市/南山区"
    )


async def signed_in(request: Request) -> Actor:
    """The user behind the request's session cookie; 401 when there is none."""
    accounts: Accounts = request.app.state.accounts
    who = await run_in_threadpool(accounts.actor, request.cookies.get(COOKIE))
    if who is None:
        raise ReviewError(401, "not signed in (请先登录)")
    return who


Who = Annotated[Actor, Depends(signed_in)]


def queue_filter(
    state: str = Query(
        "pending", description="pending, confirmed, rectifying, reported, closed, dismissed, open or all"
    ),
    city: str = Query("", description="the project's city (empty: any)"),
    district: str = Query("", description="the project's district or county (empty: any)"),
    project: str = Query("", description="project code (empty: any)"),
    rule: str = Query("", description="the check's id, e.g. crane.load (empty: any)"),
    level: str = Query("", description="warning, alarm or critical (empty: any)"),
    since: float | None = Query(None, description="newest event at or after, Unix seconds"),
    until: float | None = Query(None, description="newest event at or before, Unix seconds"),
    overdue: bool = Query(False, description="only rectifications past their deadline"),
    listed: bool = Query(
        False, description="only hazards under listed supervision (挂牌督办) not yet closed"
    ),
    page: int = Query(1, ge=1, le=MAX_ID // MAX_PAGE_SIZE, description="page number, from 1"),
    page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE, description="hazards per page"),
    source: str = Query("", description="gateway, inspection, self_check or public (empty: any)"),
) -> QueueFilter:
    """The review queue's filters from the query string: one definition for the queue and its exports."""
    return QueueFilter(
        state,
        city,
        district,
        project,
        rule,
        level,
        since,
        until,
        overdue,
        listed,
        page,
        page_size,
        source=source,
    )


Filter = Annotated[QueueFilter, Depends(queue_filter)]


def create_app(
    repo: Repository,
    review: Review,
    offline_after_s: float = 600.0,
    hold: WarningHold | None = None,
    max_body_mb: float = DEFAULT_MAX_BODY_MB,
    listing: ListingPolicy | None = None,
    public_limits: public.Limits | None = None,
    login_policy: LoginPolicy | None = None,
    secure_cookies: bool | None = None,
    followup: FollowupPolicy | None = None,
    log_policy: LogPolicy | None = None,
) -> FastAPI:
    """The regulator app over one repository and its review service; ``hold``: flood control's hold of
    warnings (default: DEFAULT_HOLD_S); ``max_body_mb``: larger request bodies are refused with 413 unread;
    ``listing``: listed supervision's deadlines (county 30 d, city 60 d); ``login_policy``: sign-in failure
    handling, password rules and session timeouts; ``secure_cookies``: the session cookie's Secure flag
    (None: when the request came over TLS); ``followup``: the days after which an accident's unfinished
    investigation or penalty is proposed for listed supervision (60 d, 75 d); ``log_policy``: when a site's
    daily safety log is due (regulator/safety_logs.py)."""
    hold = hold or WarningHold()
    login_policy = login_policy or LoginPolicy()
    accounts = Accounts(repo, policy=login_policy)
    incidents = Incidents(repo, followup)
    supervision = Supervision(repo, review, listing)
    weather = WeatherWarnings(repo)

    app = FastAPI(title="sitegw regulator", summary="hazards from site gateways, reviewed and closed")
    app.state.accounts = accounts
    app.state.supervision = supervision
    # PostgreSQL: events are stored from the event loop (regulator/loop_ingest.py); close_app closes its pool
    on_loop = LoopIngest(repo, hold) if repo.dialect == "postgresql" else None
    app.state.loop_ingest = on_loop
    app.add_middleware(
        BodyLimit,
        max_bytes=int(max_body_mb * 1024 * 1024),
        limits={
            PICTURES_PATH: (MAX_PICTURE_BODY, "a patrol picture: send a smaller picture"),
            CLIPS_PATH: (MAX_CLIP_BYTES, "an evidence clip: send a shorter or smaller clip"),
            PUBLIC_REPORTS_PATH: (MAX_PUBLIC_BODY, "a public report: send a smaller photo (缩小照片)"),
        },
    )

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
    @app.exception_handler(psycopg.OperationalError)  # the events' own pool (regulator/loop_ingest.py)
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

    # before the review loop's POST /ui/api/hazards/{id}/{action}, which would take .../listings for an action
    app.include_router(supervision_router(supervision, signed_in))
    app.include_router(accident_router(incidents, signed_in))
    app.include_router(patrol_duty_router(repo, signed_in))
    app.include_router(safety_log_router(repo, log_policy or LogPolicy(), signed_in, signed))
    app.include_router(warnings_router(weather, signed_in))

    # ---- gateways -------------------------------------------------------------------------------------

    @app.post(EVENTS_PATH, responses=SIGNED)
    async def receive_event(request: Request) -> JSONResponse:
        """Store one signed AlertEvent; 200 stored or duplicate, 401 unauthenticated, 422 malformed."""
        body = await request.body()
        path = signed_path(request)
        accepted = (
            await on_loop.ingest(request.headers, request.method, path, body)
            if on_loop is not None
            else await run_in_threadpool(ingest, repo, request.headers, request.method, path, body, hold)
        )
        receipt = EventReceipt(
            event_id=accepted.event_id, status="duplicate" if accepted.duplicate else "stored"
        )
        return JSONResponse(receipt.model_dump())

    @app.post(HEARTBEAT_PATH, responses=SIGNED)
    async def heartbeat(request: Request) -> dict[str, str]:
        """A gateway is alive: the project's last-seen time moves on; the 危大 list it carries is kept."""

        def handle(body: bytes) -> dict[str, str]:
            beat, nonce = authenticated(repo, request.headers, "POST", signed_path(request), body, Heartbeat)
            repo.heartbeat(beat.project, nonce, KEEP_NONCE_S)
            if beat.dangerous_works is not None:
                dangerous_works.keep(repo, beat.project, beat.dangerous_works, time.time())
            if beat.lat is not None and beat.lon is not None:
                project_map.first_location(repo, beat.project, beat.lat, beat.lon)
            return {"status": "ok"}

        return await signed(request, handle)

    @app.post(READINGS_PATH, responses=SIGNED)
    async def readings(request: Request) -> ReadingsReceipt:
        """Keep a crane or pit readings summary (shown around the project's hazards)."""

        def handle(body: bytes) -> ReadingsReceipt:
            summary, nonce = authenticated(
                repo, request.headers, "POST", signed_path(request), body, ReadingsSummary
            )
            stored = repo.store_readings(
                summary.project,
                nonce,
                KEEP_NONCE_S,
                [ReadingRecord(r.device, r.point, r.metric, r.ts, r.value, r.unit) for r in summary.readings],
            )
            return ReadingsReceipt(status="stored", readings=stored)

        return await signed(request, handle)

    @app.post(RECTIFICATIONS_PATH, responses=SIGNED)
    async def rectification(request: Request) -> ActionRecord:
        """The site reports a hazard fixed, with a photo; it waits for re-inspection (the audit row)."""

        def handle(body: bytes) -> ActionRecord:
            report, nonce = authenticated(
                repo, request.headers, "POST", signed_path(request), body, RectificationReport
            )
            hazard_id = review.hazard_for_alert(report.project, report.alert_id)
            if hazard_id is None:
                raise Refusal(422, f"no hazard for alert {report.alert_id!r} of project {report.project!r}")
            if not report.photo:
                raise Refusal(
                    422, "photo must be a base64 JPEG", errors=[{"field": "photo", "problem": "empty"}]
                )
            photo = decode_jpeg(report.photo, "photo")
            actor = Actor(f"gateway:{report.actor}", "gateway", report.project)
            return ActionRecord.model_validate(
                review.act(hazard_id, "report", actor, report.note, photo=photo, nonce=(nonce, KEEP_NONCE_S))
            )

        return await signed(request, handle)

    @app.post(PICTURES_PATH, responses=PICTURE)
    async def picture(request: Request) -> PictureReceipt:
        """Keep a camera's latest patrol picture with its findings (regulator/patrol.py); 413 too large,
        415 not a JPEG, 422 malformed, 401 unauthenticated."""

        def handle(body: bytes) -> PictureReceipt:
            pic, nonce = authenticated(
                repo, request.headers, "POST", signed_path(request), body, CameraPicture
            )
            stored = store_picture(repo, pic, picture_jpeg(pic.jpeg), nonce, KEEP_NONCE_S)
            return PictureReceipt(camera=pic.camera, status="stored" if stored else "older")

        return await signed(request, handle)

    @app.post(CLIPS_PATH, responses=CLIP)
    async def clip(
        request: Request, alert_id: str = Query("", description="the gateway's alert the clip belongs to")
    ) -> ClipReceipt:
        """Keep a vision alert's evidence clip (VP8 WebM body) with its alert's hazard (regulator/clips.py);
        409 while the alert is not here yet (send again later), 413 too large, 415 not a WebM, 401
        unauthenticated or replayed."""
        body = await request.body()
        return await run_in_threadpool(
            receive_clip, repo, request.headers, signed_path(request), alert_id, body
        )

    @app.get(FEEDBACK_PATH, responses=SIGNED)
    async def feedback(request: Request, after: After = 0) -> Feedback:
        """The regulator's decisions on this project's hazards after action ``after`` (signed GET, empty body),
        the cameras whose picture is wanted, the open supervision notices and the warning signals in force for
        its place (regulator/weather_warnings.py)."""

        def handle(body: bytes) -> Feedback:
            project = authenticate(repo, request.headers, "GET", signed_path(request), body)
            repo.heartbeat(project, request.headers["X-Sitegw-Nonce"], KEEP_NONCE_S)
            return Feedback.model_validate(
                {
                    "actions": review.audit(Actor(f"gateway:{project}", "gateway", project), after),
                    "pictures_wanted": wanted(repo, project),
                    "notices": supervision.project_notices(project),
                    "warnings": weather.for_project(project),
                }
            )

        return await signed(request, handle)

    # ---- people ---------------------------------------------------------------------------------------

    def admin(who: Actor) -> None:
        if who.role != "admin":
            raise ReviewError(403, "only an admin may do this")

    def editor(who: Actor) -> None:
        if who.role not in ("regulator", "admin"):
            raise ReviewError(403, f"a {who.role} may not edit the classification table")
        # the table classifies every project's alerts: a city or district reads it, the province keeps it
        if who.jurisdiction and SEP in who.jurisdiction:
            raise ReviewError(
                403, f"the classification table is kept at province level; {who.jurisdiction} may read it"
            )

    def blocking(fn: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
        return lambda *a, **kw: run_in_threadpool(fn, *a, **kw)

    @app.get("/", response_class=HTMLResponse)
    async def page() -> FileResponse:
        """The review UI."""
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    def address(request: Request) -> str:
        # uvicorn puts the X-Forwarded-For client here for a --forwarded-allow-ips proxy
        return request.client.host if request.client else ""

    def with_cookie(request: Request, response: JSONResponse, token: str) -> JSONResponse:
        # Secure: sent back only over TLS, when the request came over it (directly, or by a trusted proxy's
        # X-Forwarded-Proto) or the regulator is told it is served so (--secure-cookies)
        secure = request.url.scheme == "https" if secure_cookies is None else secure_cookies
        response.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=secure,
            max_age=int(login_policy.session_s),
        )
        return response

    def sign_in_refused(exc: AuthError) -> JSONResponse:
        if isinstance(exc, SignInRefused):
            headers = {"Retry-After": str(max(1, round(exc.retry_after_s)))} if exc.status == 429 else None
            said = {
                "error": str(exc),
                "password_expired": exc.status == 403,
                "otp_required": exc.status == 401,
            }
            return JSONResponse(said, status_code=exc.status, headers=headers)
        return JSONResponse({"error": str(exc)}, status_code=401)

    @app.post("/ui/api/login", responses=LOGIN)
    async def login(form: Login, request: Request) -> JSONResponse:
        """Sign in: sets the session cookie. 401 wrong user name or password; 429 too many failures of the
        name or from the address (``Retry-After``); 403 the password expired (change it: /ui/api/password)."""
        try:
            token = await run_in_threadpool(
                accounts.login, form.username, form.password, address(request), form.otp
            )
        except AuthError as exc:
            return sign_in_refused(exc)
        who = await run_in_threadpool(accounts.actor, token)
        if who is None:  # the session was ended between the two calls
            return JSONResponse({"error": "session ended, log in again"}, status_code=401)
        response = JSONResponse(
            {"username": who.name, "role": who.role, "project": who.project, "jurisdiction": who.jurisdiction}
        )
        return with_cookie(request, response, token)

    @app.post("/ui/api/password", responses=LOGIN)
    async def change_password(form: NewPassword, request: Request) -> JSONResponse:
        """Change one's password with the old one (also an expired one); throttled as sign-in is. Every
        session of the user ends: sign in again."""
        try:
            await run_in_threadpool(
                accounts.change_password,
                form.username,
                form.password,
                form.new_password,
                address(request),
                form.otp,
            )
        except SignInRefused as exc:
            return sign_in_refused(exc)
        except AuthError as exc:  # a new password the rules refuse is 422, a wrong old one 401
            return JSONResponse({"error": str(exc)}, status_code=401 if str(exc) == WRONG else 422)
        return JSONResponse({"status": "changed", "username": form.username})

    @app.post("/ui/api/second-factor", responses=SESSION)
    async def enrol_second_factor(who: Who) -> SecondFactor:
        """Enrol a TOTP second factor (regulators and admins): the ``otpauth://`` URI for the authenticator app
        (scan it as a QR code, or type it); it counts once confirmed with a code (/ui/api/second-factor/confirm)."""
        try:
            return SecondFactor(otpauth_uri=await run_in_threadpool(accounts.enrol_second_factor, who))
        except AuthError as exc:
            raise ReviewError(403, str(exc)) from None

    @app.post("/ui/api/second-factor/confirm", responses=SESSION)
    async def confirm_second_factor(body: OneTimeCode, who: Who, request: Request) -> dict[str, str]:
        """Confirm the enrolled second factor with the app's current code: from then on sign-in needs a code."""
        try:
            await run_in_threadpool(accounts.confirm_second_factor, who, body.code, address(request))
        except AuthError as exc:
            raise ReviewError(422, str(exc)) from None
        return {"status": "enrolled", "username": who.name}

    @app.post("/ui/api/logout")
    async def logout(request: Request) -> JSONResponse:
        """End the session."""
        if token := request.cookies.get(COOKIE):
            await run_in_threadpool(accounts.logout, token, address(request))
        response = JSONResponse({"status": "signed out"})
        response.delete_cookie(COOKIE)
        return response

    @app.get("/ui/api/me", responses=SESSION)
    async def me(who: Who) -> Me:
        """The signed-in user; ``jurisdiction``: the place whose projects they see (None: every project)."""
        return Me(username=who.name, role=who.role, project=who.project, jurisdiction=who.jurisdiction)

    @app.get("/ui/api/hazards", responses=SESSION)
    async def hazards(who: Who, f: Filter) -> HazardPage:
        """The review queue: most severe, then newest first, one page of it and the total that match."""
        found = await blocking(review.queue)(f, who)
        listed = await blocking(supervision.labels)(who, [h["id"] for h in found.hazards])
        return HazardPage(
            hazards=[
                HazardRow.model_validate(h | {"supervision": listed.get(h["id"], "")}) for h in found.hazards
            ],
            total=found.total,
            page=found.page,
            page_size=found.page_size,
            pages=found.pages,
        )

    def export_stem(who: Actor) -> str:
        return (who.project or who.jurisdiction or "全部辖区").replace(SEP, "")

    @app.get(
        "/ui/api/exports/hazards.xlsx",
        response_class=Response,
        responses={**SESSION, 200: {"content": {export.XLSX_TYPE: {}}, "description": "the workbook"}},
    )
    async def export_xlsx(who: Who, f: Filter) -> Response:
        """The ledger as the queue lists it for the same filters (every page), as an Excel workbook:
        Chinese headers, Beijing-time date cells."""
        rows = await blocking(review.matching)(f, who)
        body = await blocking(export.to_xlsx)(rows, "隐患台账")
        return download(body, export.XLSX_TYPE, export.filename(export_stem(who), time.time(), "xlsx"))

    @app.get(
        "/ui/api/exports/hazards.csv",
        response_class=Response,
        responses={
            **SESSION,
            200: {"content": {export.CSV_TYPE: {}}, "description": "UTF-8 CSV with a byte-order mark"},
        },
    )
    async def export_csv(who: Who, f: Filter) -> Response:
        """The ledger as the queue lists it for the same filters (every page), as CSV (UTF-8 with a BOM, so
        Excel reads the Chinese): Chinese headers, dates yyyy-MM-dd HH:mm Beijing time."""
        rows = await blocking(review.matching)(f, who)
        return download(
            export.to_csv(rows), export.CSV_TYPE, export.filename(export_stem(who), time.time(), "csv")
        )

    def report_actor(who: Actor, place: str) -> Actor:
        """The regulator, narrowed to ``place`` under their jurisdiction (404 outside it, as if absent)."""
        if who.role not in ("regulator", "admin"):
            raise ReviewError(403, "the monthly report is a regulator's: a project user exports the ledger")
        return narrowed(who, place)

    def narrowed(who: Actor, place: str) -> Actor:
        """``who`` narrowed to ``place`` (省/市/区县) under their jurisdiction, 404 outside it as if absent;
        ``who`` as is for an empty ``place``; 403 for a project user (who sees their project, in no place)."""
        if not place.strip():
            return who
        if who.role not in ("regulator", "admin"):
            raise ReviewError(403, f"a project user sees their project: no place to open ({place!r})")
        with repo.engine.connect() as db:
            try:
                found = jurisdictions.find(db, place)
            except jurisdictions.UnknownPlace as exc:
                raise ReviewError(404, str(exc)) from None
        mine = who.jurisdiction
        if mine and found.path != mine and not found.path.startswith(mine + SEP):
            raise ReviewError(404, f"no place {place!r} in {mine}")
        return Actor(who.name, who.role, None, found.path)

    app.include_router(map_router(repo, signed_in, narrowed))
    app.include_router(grading_router(repo, signed_in, narrowed))

    @app.get(
        "/ui/api/reports/monthly.pdf",
        response_class=Response,
        responses={**SESSION, 200: {"content": {"application/pdf": {}}, "description": "the report"}},
    )
    async def monthly_report(
        who: Who,
        month: str = Query("", description="yyyy-MM, Beijing time (empty: this month)"),
        place: str = Query(
            "", description="a place under the user's jurisdiction, 省/市/区县 (empty: all of it)"
        ),
    ) -> Response:
        """A jurisdiction's monthly report as PDF: hazards by kind and article, closing times, overdue counts,
        the riskiest projects (regulator/monthly.py)."""
        actor = await blocking(report_actor)(who, place)
        month = month or beijing_text(time.time())[:7]
        fig = await blocking(figures)(repo, actor, month)
        try:
            body = await blocking(render)(fig)
        except ReportError as exc:
            raise ReviewError(503, str(exc)) from None
        name = f"隐患月报_{fig.place.replace(SEP, '')}_{month}.pdf"
        return download(body, "application/pdf", name)

    @app.get("/ui/api/names", responses=SESSION)
    async def names(_: Who) -> Names:
        """Chinese names of checks (rule ids), rule kinds, readings' metrics and the site's alert states."""
        return Names(rules=rule_names(), kinds=kind_names(), metrics=metric_names(), site_states=SITE_STATES)

    @app.get("/ui/api/hazards/{hazard_id}", responses=SESSION)
    async def hazard(hazard_id: RowId, who: Who) -> HazardDetail:
        """One hazard: events, evidence, readings around it, clause, audit trail."""
        found = await blocking(review.hazard)(hazard_id, who)
        listed = await blocking(supervision.labels)(who, [hazard_id])
        # validated in the worker: a hazard's 2,000 readings are not checked on the event loop
        return await blocking(HazardDetail.model_validate)(found | {"supervision": listed.get(hazard_id, "")})

    @app.post("/ui/api/hazards/{hazard_id}/reclassify", responses=SESSION)
    async def reclassify(hazard_id: RowId, body: Reclassify, who: Who) -> ActionRecord:
        """An inspector classifies the hazard major or general with a reason (kept in the audit trail: its row)."""
        recorded = await blocking(review.reclassify)(
            hazard_id, who, body.major, body.article, body.item, body.reason
        )
        return ActionRecord.model_validate(recorded)

    @app.get("/ui/api/classifications", responses=SESSION)
    async def classifications(_: Who) -> ClassificationTable:
        """The table that classifies gateway alerts by rule and clause (建质规〔2024〕5号)."""

        def read() -> list[classify.Rule]:
            with repo.engine.connect() as db:
                return classify.load(db)

        return ClassificationTable(
            standard=classify.STANDARD,
            no_article=classify.NO_ARTICLE,
            rows=[ClassificationRow.model_validate(r, from_attributes=True) for r in await blocking(read)()],
        )

    @app.put("/ui/api/classifications", responses=SESSION)
    async def save_classification(body: ClassificationEdit, who: Who) -> dict[str, int]:
        """Add or change the row of a rule and clause text (regulators and admins)."""
        editor(who)

        def write() -> int:
            with repo.engine.begin() as db:
                return classify.save(db, classify.Seed(**body.model_dump()), who.name, time.time())

        try:
            return {"id": await blocking(write)()}
        except classify.ClassificationError as exc:
            raise ReviewError(422, str(exc)) from None

    @app.delete("/ui/api/classifications/{row_id}", responses=SESSION)
    async def delete_classification(row_id: RowId, who: Who) -> dict[str, str]:
        """Remove a row (regulators and admins)."""
        editor(who)

        def remove() -> bool:
            with repo.engine.begin() as db:
                return classify.delete(db, row_id)

        if not await blocking(remove)():
            raise ReviewError(404, f"no classification row {row_id}")
        return {"status": "deleted"}

    @app.post("/ui/api/hazards/{hazard_id}/{action}", responses=SESSION)
    async def act(hazard_id: RowId, action: str, body: ActionBody, who: Who) -> ActionRecord:
        """confirm, dismiss, order, report (with photo), close or reject; the audit row it made."""
        photo = decode_jpeg(body.photo, "photo") if body.photo else None
        recorded = await blocking(review.act)(
            hazard_id,
            action,
            who,
            body.reason,
            major=body.major,
            deadline_days=body.deadline_days,
            photo=photo,
        )
        return ActionRecord.model_validate(recorded)

    async def stored(sha256: str, who: Actor, kind: Kind, asked: str | None = None) -> Response:
        """A stored picture or clip by its hash, when it is of a hazard ``who`` may see (the byte range
        ``asked``, if any); else 404."""
        data = await run_in_threadpool(repo.picture, who, sha256, kind)
        if data is None:
            return JSONResponse(
                {"error": f"no {'clip' if kind == 'webm' else 'picture'} {sha256}"}, status_code=404
            )
        return ranged(data, asked, MEDIA_TYPES[kind], {"Cache-Control": "private, max-age=86400"})

    @app.get("/ui/api/evidence/{sha256}", responses=SESSION)
    async def evidence(sha256: str, who: Who) -> Response:
        """An evidence or rectification picture by its hash (of a hazard the user may see)."""
        return await stored(sha256, who, "jpg")

    @app.get("/ui/api/clips/{sha256}", responses=SESSION)
    async def evidence_clip(sha256: str, who: Who, request: Request) -> Response:
        """A vision alert's evidence clip (VP8 WebM) by its hash (of a hazard the user may see); 206 for
        the byte range a <video> asks for (``Range``), 416 past its end."""
        return await stored(sha256, who, "webm", request.headers.get("Range"))

    @app.get("/ui/api/patrol", responses=SESSION)
    async def patrol(
        who: Who,
        project: str = "",
        status: str = Query("", description="ok, stale, offline or problem (stale or offline); empty: all"),
        video_set: bool = Query(False, description="only the projects of the video-monitoring set"),
        city: str = Query("", description="only this city's projects"),
        district: str = Query("", description="only this district's projects"),
        category: str = Query("", description="only the set's projects of this category (implies video_set)"),
        risk: str = Query("", description="only the projects of this risk grade now: high, medium or low"),
        page: int = Query(1, ge=1, le=MAX_ID // MAX_WALL_PAGE_SIZE, description="page number, from 1"),
        page_size: int = Query(WALL_PAGE_SIZE, ge=1, le=MAX_WALL_PAGE_SIZE, description="cameras per page"),
    ) -> PatrolPage:
        """The patrol wall (远程巡查): each camera's latest picture with its findings and age, paged."""
        f = WallFilter(project, status, page, page_size, video_set, city, district, category, risk)
        return await blocking(wall)(repo, who, f, offline_after_s)

    @app.get("/ui/api/patrol/{project}/{camera}/picture", responses=SESSION)
    async def patrol_picture(project: str, camera: str, who: Who) -> Response:
        """A camera's latest patrol picture (of a project the user may see)."""
        jpeg = await blocking(latest_jpeg)(repo, who, project, camera)
        if jpeg is None:
            # the names asked are not echoed: another district's project answers exactly as an absent one
            return JSONResponse({"error": "no patrol picture of that camera"}, status_code=404)
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=60"})

    @app.get("/ui/api/patrol/{project}/{camera}/clip", responses=SESSION)
    async def patrol_clip(project: str, camera: str, who: Who) -> LatestClip:
        """The camera's newest vision-alert clip (its URL plays in a <video>); 404 when it has none."""
        found = await blocking(latest_clip)(repo, who, project, camera)
        if found is None:
            raise ReviewError(404, "no clip of that camera")
        return LatestClip(url=f"/ui/api/clips/{found[0]}", recorded_at=found[1])

    @app.post("/ui/api/patrol/{project}/{camera}/request", responses=SESSION)
    async def ask_for_picture(project: str, camera: str, who: Who) -> PictureRequested:
        """Ask the site for the camera's picture now: sent after the gateway's next feedback poll."""
        asked = await blocking(request_picture)(repo, who, project, camera)
        return PictureRequested(status="requested", requested_at=asked)

    @app.get("/ui/api/overview", responses=SESSION)
    async def stats(
        who: Who,
        place: str = Query(
            "",
            description="a place under the user's jurisdiction to open, 省/市/区县 (empty: the user's own); "
            "404 outside it, as the monthly report's place",
        ),
    ) -> Overview:
        """A place's figures summed one level below it (a province's per city, a city's per district, a
        district's per project) and per check; its video-monitored projects and those most overdue (every
        project at district level); where each sits on the map (regulator/overview.py)."""
        actor = await blocking(narrowed)(who, place)
        # typed now that it is a place's areas, not a row per project (20,000 rows took FastAPI's encoder 1.3 s)
        figures = await blocking(overview)(repo, actor, offline_after_s, who)
        return await blocking(Overview.model_validate)(figures)

    @app.get("/ui/api/warnings", responses=SESSION)
    async def warnings(who: Who) -> WarningStats:
        """Warnings the sites resolved within the hold: counted per project and rule, not in the ledger."""
        found, held = await blocking(counts)(repo, who)
        return WarningStats(
            hold_s=hold.hold_s,
            held_now=held,
            counts=[
                WarningCountRow(
                    project=c.project,
                    project_name=c.project_name,
                    rule=c.rule,
                    rule_name=c.rule_name,
                    episodes=c.episodes,
                    events=c.events,
                    first_ts=c.first_ts,
                    last_ts=c.last_ts,
                )
                for c in found
            ],
        )

    @app.get("/ui/api/incidents", responses=SESSION)
    async def incident_ledger(who: Who) -> IncidentLedger:
        """Accidents and serious near misses (非亡人事故和重大险情台账) with their reports and reporting clocks."""
        now = time.time()
        rows = await blocking(incidents.ledger)(who, now)
        return IncidentLedger(
            now=now, destinations=DESTINATIONS, incidents=[IncidentRow.model_validate(r) for r in rows]
        )

    @app.post("/ui/api/incidents", responses=SESSION)
    async def record_incident(body: NewIncident, who: Who) -> IncidentRow:
        """Record an accident or serious near miss of a project the user may see."""
        row = await blocking(incidents.record)(
            who, body.project, body.kind, body.occurred_at, body.deaths, body.injuries, body.description
        )
        return IncidentRow.model_validate(row)

    @app.post("/ui/api/incidents/{incident_id}/reports", responses=SESSION)
    async def report_incident(incident_id: RowId, body: NewReport, who: Who) -> IncidentRow:
        """Record a report of the incident: who reported, when, to which level or system and how; it stops
        that clock, and a report past the deadline is kept as late (迟报)."""
        row = await blocking(incidents.report)(
            who, incident_id, body.to, body.reported_by, body.reported_at, body.note, body.how
        )
        return IncidentRow.model_validate(row)

    @app.get("/ui/api/video-set", responses=SESSION)
    async def video_monitored(who: Who) -> VideoSet:
        """The provincial video-monitoring set (省级视频监控项目集): its projects the user may see, and its history."""
        found = await blocking(video_set.members)(repo, who)
        history = await blocking(video_set.changes)(repo, who)
        return VideoSet(
            categories=video_set.CATEGORIES,
            members=[Member.model_validate(m) for m in found],
            changes=[Change.model_validate(c) for c in history],
        )

    @app.post("/ui/api/video-set", responses=SESSION)
    async def include_in_video_set(body: Inclusion, who: Who) -> Change:
        """Put a project in the set (纳入) with its category, a reason and a date, or change its category."""
        decision = video_set.Decision(body.project, body.reason, body.effective_on, body.category)
        return Change.model_validate(await blocking(video_set.include)(repo, who, decision))

    @app.get("/ui/api/video-set/{project}/history", responses=SESSION)
    async def video_set_history(project: str, who: Who) -> list[Change]:
        """One project's inclusions, changes of category and removals, oldest first (404: none seen)."""
        found = await blocking(video_set.changes)(repo, who, project)
        if not found:
            # the code asked is not echoed: another district's project answers exactly as an absent one
            raise ReviewError(404, "no history of that project in the video-monitoring set")
        return [Change.model_validate(c) for c in found]

    @app.post("/ui/api/video-set/{project}/remove", responses=SESSION)
    async def remove_from_video_set(project: str, body: Removal, who: Who) -> Change:
        """Take a project out of the set (移出) with a reason and a date; its history stays."""
        decision = video_set.Decision(project, body.reason, body.effective_on)
        return Change.model_validate(await blocking(video_set.remove)(repo, who, decision))

    @app.get("/ui/api/risk", responses=SESSION)
    async def risk_lists(
        who: Who,
        page: int = Query(1, ge=1, le=MAX_ID // MAX_LIST_PAGE, description="the page of projects, from 1"),
        page_size: int = Query(20, ge=1, le=MAX_LIST_PAGE, description="projects per page"),
        companies: int = Query(20, ge=1, le=1000, description="companies listed"),
        place: str = Query(
            "",
            description="a place under the user's jurisdiction, 省/市/区县, as the overview opens it (empty: "
            "all of it); 404 outside it",
        ),
    ) -> RiskLists:
        """Projects and companies graded 高/中/低 (regulator/risk.py), the riskiest first: one page of the
        projects, every one of them counted per grade; of ``place`` when one is opened."""
        actor = await blocking(narrowed)(who, place)
        graded = await blocking(risk.ranked)(repo, actor, page, page_size, companies)
        in_force = await blocking(risk.policy)(repo)
        return RiskLists(
            policy=Weights.model_validate(in_force, from_attributes=True),
            grades=graded.grades,
            total=graded.total,
            page=page,
            page_size=page_size,
            pages=pages(graded.total, page_size),
            projects=[ProjectRisk.model_validate(risk.as_dict(p)) for p in graded.projects],
            companies=[CompanyRisk.model_validate(risk.as_dict(c)) for c in graded.companies],
        )

    @app.put("/ui/api/risk/policy", responses=SESSION)
    async def risk_policy(body: Weights, who: Who) -> Weights:
        """Change the risk score's weights or thresholds (province level); the policy now in force."""
        changed = {k: v for k, v in body.model_dump().items() if v is not None}
        return Weights.model_validate(
            await blocking(risk.set_weights)(repo, who, changed), from_attributes=True
        )

    @app.get("/ui/api/audit", responses=SESSION)
    async def audit(who: Who, after: After = 0) -> AuditTrail:
        """Every decision, who and when (a project user: their project's), 1,000 at most after ``after``."""
        return await blocking(AuditTrail.model_validate)(
            {"actions": await blocking(review.audit)(who, after)}
        )

    @app.get("/ui/api/projects", responses=SESSION)
    async def projects(
        who: Who,
        page: int = Query(1, ge=1, le=MAX_ID // MAX_LIST_PAGE, description="the page, from 1"),
        page_size: int = Query(50, ge=1, le=MAX_LIST_PAGE, description="projects per page"),
        q: str = Query("", max_length=100, description="only projects whose code or name holds this"),
    ) -> ProjectPage:
        """Registered projects the user may see (without their secrets), by code, a page at a time, each with
        its jurisdiction's path."""
        rows, total = await run_in_threadpool(
            repo.visible_projects, who, page_size, (page - 1) * page_size, q
        )
        return ProjectPage(
            total=total,
            page=page,
            page_size=page_size,
            pages=pages(total, page_size),
            # a row takes the project's attributes it names (never the secret) and its place's path
            projects=[
                ProjectRow.model_validate(p, from_attributes=True).model_copy(update={"jurisdiction": place})
                for p, place in rows
            ],
        )

    @app.post("/ui/api/projects", responses=SESSION)
    async def register(body: NewProject, who: Who) -> dict[str, str]:
        """Register a project (admin), with its coordinates when given."""
        admin(who)
        try:
            where = project_map.check(body.lat, body.lon)
        except project_map.BadCoordinates as exc:
            raise ReviewError(422, str(exc)) from None
        await run_in_threadpool(
            repo.add_project,
            body.code,
            body.name,
            body.city,
            body.secret,
            body.district,
            body.contractor,
            body.province,
            body.supervisor,
        )
        if where is not None:
            await run_in_threadpool(project_map.locate, repo, body.code, *where)
        return {"status": "registered", "code": body.code}

    @app.post("/ui/api/users", responses=SESSION)
    async def add_user(body: NewUser, who: Who) -> dict[str, str]:
        """Create a user (admin)."""
        admin(who)
        await run_in_threadpool(
            accounts.add_user,
            body.username,
            body.password,
            body.role,
            body.project,
            body.display_name,
            body.jurisdiction,
            who.name,
        )
        return {"status": "created", "username": body.username}

    @app.post("/ui/api/users/{username}/unlock", responses=SESSION)
    async def unlock_user(username: str, who: Who) -> dict[str, str]:
        """Lift a user's lockout after failed sign-ins (admin; in the sign-in audit trail)."""
        admin(who)
        was = await run_in_threadpool(accounts.unlock, username, who.name)
        return {"status": "unlocked" if was else "was not locked", "username": username}

    @app.get("/ui/api/auth-log", responses=SESSION)
    async def sign_in_audit(who: Who, after: After = 0) -> list[AuthRecordRow]:
        """The sign-in audit trail (admin): every sign-in, failure, lockout, sign-out and account change after
        record ``after``, 1,000 at most, oldest first. Read-only: nothing edits or deletes it."""
        admin(who)

        def read() -> list[auth_log.AuthRecord]:
            with repo.engine.connect() as db:
                return auth_log.read(db, after)

        return [AuthRecordRow.model_validate(r, from_attributes=True) for r in await blocking(read)()]

    add_routes(app, review, signed_in, public_limits or public.Limits())

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness probe."""
        return {"status": "ok"}

    return app


async def close_app(app: FastAPI) -> None:
    """Release what create_app opened beside the Repository (the events' own pool on PostgreSQL); call it
    once the server stopped taking requests."""
    on_loop: LoopIngest | None = app.state.loop_ingest
    if on_loop is not None:
        await on_loop.close()
