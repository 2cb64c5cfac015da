"""The regulator's HTTP service (FastAPI).

Gateways (signed with the project's secret, docs/design.md's default protocol): ``POST /api/v1/events``,
``/api/v1/heartbeat``, ``/api/v1/readings``, ``/api/v1/rectifications``, ``/api/v1/pictures`` (camera
patrol, regulator/patrol.py), and ``GET /api/v1/feedback`` (the regulator's decisions on the project's
hazards, after an action id, and the cameras whose picture a regulator asked for).

Regulators, project users and admins (a session cookie from ``POST /ui/api/login``): the review queue,
a hazard with its evidence and readings, the actions of the closed loop, the overview, projects and
users; the page itself is ``/`` (regulator/static/index.html, Chinese first).
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
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
    MAX_PICTURE_BODY,
    PICTURES_PATH,
    READINGS_PATH,
    RECTIFICATIONS_PATH,
    CameraPicture,
    EventReceipt,
    Heartbeat,
    PictureReceipt,
    ReadingsSummary,
    RectificationReport,
)
from regulator import classify
from regulator.auth import Accounts, AuthError
from regulator.evidence import EvidenceUnavailable
from regulator.held import WarningHold, counts
from regulator.incident_models import IncidentLedger, IncidentRow, NewIncident, NewReport
from regulator.incidents import DESTINATIONS, Incidents
from regulator.ingest import (
    WINDOW_S,
    Refusal,
    authenticate,
    authenticated,
    decode_evidence,
    ingest,
    refuse_replay,
)
from regulator.jurisdictions import SEP
from regulator.names import KIND_NAMES, METRIC_NAMES, RULE_NAMES, SITE_STATES
from regulator.overview import overview
from regulator.patrol import (
    MAX_WALL_PAGE_SIZE,
    WALL_PAGE_SIZE,
    PatrolPage,
    WallFilter,
    latest_jpeg,
    picture_jpeg,
    request_picture,
    store_picture,
    wall,
    wanted,
)
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
from regulator.review import MAX_PAGE_SIZE, QueueFilter, Review, ReviewError
from regulator.scope import Actor
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
    province: str = Field("", description="where the city table does not know the city, e.g. 广西壮族自治区")
    contractor: str = ""
    secret: str = Field(min_length=8)


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


async def bounded_body(request: Request, limit: int) -> bytes:
    """The request's body, refused with 413 as soon as it passes ``limit`` bytes (announced or read)."""
    announced = request.headers.get("content-length", "")
    too_large = Refusal(413, f"body larger than {limit} bytes: send a smaller picture")
    if announced.isdigit() and int(announced) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def signed_path(request: Request) -> str:
    """The path a gateway signs: with the query string when there is one (feedback's ``?after=``)."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def create_app(
    repo: Repository, review: Review, offline_after_s: float = 600.0, hold: WarningHold | None = None
) -> FastAPI:
    """The regulator app over one repository and its review service; ``hold``: flood control's hold of
    warnings (default: DEFAULT_HOLD_S)."""
    hold = hold or WarningHold()
    accounts = Accounts(repo)
    incidents = Incidents(repo)

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

    async def signed(request: Request, handle: Callable[[bytes], Any], limit: int | None = None) -> Any:
        body = await request.body() if limit is None else await bounded_body(request, limit)
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
            ingest, repo, request.headers, request.method, signed_path(request), body, hold
        )
        receipt = EventReceipt(
            event_id=accepted.event_id, status="duplicate" if accepted.duplicate else "stored"
        )
        return JSONResponse(receipt.model_dump())

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

    @app.post(PICTURES_PATH)
    async def picture(request: Request) -> dict[str, Any]:
        """Keep a camera's latest patrol picture with its findings (regulator/patrol.py); 413 too large,
        415 not a JPEG, 422 malformed, 401 unauthenticated."""

        def handle(body: bytes) -> dict[str, Any]:
            pic, nonce = authenticated(
                repo, request.headers, "POST", signed_path(request), body, CameraPicture
            )
            stored = store_picture(repo, pic, picture_jpeg(pic.jpeg), nonce, KEEP_NONCE_S)
            return PictureReceipt(camera=pic.camera, status="stored" if stored else "older").model_dump()

        return await signed(request, handle, MAX_PICTURE_BODY)

    @app.get(FEEDBACK_PATH)
    async def feedback(request: Request, after: int = 0) -> dict[str, Any]:
        """The regulator's decisions on this project's hazards after action ``after`` (signed GET, empty body)."""

        def handle(body: bytes) -> dict[str, Any]:
            project = authenticate(repo, request.headers, "GET", signed_path(request), body)
            repo.heartbeat(project, request.headers["X-Sitegw-Nonce"], KEEP_NONCE_S)
            return {
                "actions": review.audit(Actor(f"gateway:{project}", "gateway", project), after),
                "pictures_wanted": wanted(repo, project),
            }

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
        response = JSONResponse(
            {"username": who.name, "role": who.role, "project": who.project, "jurisdiction": who.jurisdiction}
        )
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
        """The signed-in user; ``jurisdiction``: the place whose projects they see (None: every project)."""
        return {
            "username": who.name,
            "role": who.role,
            "project": who.project,
            "jurisdiction": who.jurisdiction,
        }

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
        page: int = Query(1, ge=1, description="page number, from 1"),
        page_size: int = Query(50, ge=1, le=MAX_PAGE_SIZE, description="hazards per page"),
    ) -> HazardPage:
        """The review queue: most severe, then newest first, one page of it and the total that match."""
        f = QueueFilter(state, city, district, project, rule, level, since, until, overdue, page, page_size)
        found = await blocking(review.queue)(f, who)
        return HazardPage(
            hazards=[HazardRow.model_validate(h) for h in found.hazards],
            total=found.total,
            page=found.page,
            page_size=found.page_size,
            pages=found.pages,
        )

    @app.get("/ui/api/names")
    async def names(_: Who) -> Names:
        """Chinese names of checks (rule ids), rule kinds, readings' metrics and the site's alert states."""
        return Names(rules=RULE_NAMES, kinds=KIND_NAMES, metrics=METRIC_NAMES, site_states=SITE_STATES)

    @app.get("/ui/api/hazards/{hazard_id}")
    async def hazard(hazard_id: int, who: Who) -> dict[str, Any]:
        """One hazard: events, evidence, readings around it, clause, audit trail."""
        return await blocking(review.hazard)(hazard_id, who)

    @app.post("/ui/api/hazards/{hazard_id}/reclassify")
    async def reclassify(hazard_id: int, body: Reclassify, who: Who) -> dict[str, Any]:
        """An inspector classifies the hazard major or general with a reason (kept in the audit trail)."""
        return await blocking(review.reclassify)(
            hazard_id, who, body.major, body.article, body.item, body.reason
        )

    @app.get("/ui/api/classifications")
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

    @app.put("/ui/api/classifications")
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

    @app.delete("/ui/api/classifications/{row_id}")
    async def delete_classification(row_id: int, who: Who) -> dict[str, str]:
        """Remove a row (regulators and admins)."""
        editor(who)

        def remove() -> bool:
            with repo.engine.begin() as db:
                return classify.delete(db, row_id)

        if not await blocking(remove)():
            raise ReviewError(404, f"no classification row {row_id}")
        return {"status": "deleted"}

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
    async def evidence(sha256: str, who: Who) -> Response:
        """An evidence or rectification picture by its hash (of a hazard the user may see)."""
        jpeg = await run_in_threadpool(repo.picture, who, sha256)
        if jpeg is None:
            return JSONResponse({"error": f"no picture {sha256}"}, status_code=404)
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})

    @app.get("/ui/api/patrol")
    async def patrol(
        who: Who,
        project: str = "",
        status: str = Query("", description="ok, stale, offline or problem (stale or offline); empty: all"),
        page: int = Query(1, ge=1, description="page number, from 1"),
        page_size: int = Query(WALL_PAGE_SIZE, ge=1, le=MAX_WALL_PAGE_SIZE, description="cameras per page"),
    ) -> PatrolPage:
        """The patrol wall (远程巡查): each camera's latest picture with its findings and age, paged."""
        f = WallFilter(project, status, page, page_size)
        return await blocking(wall)(repo, who, f, offline_after_s)

    @app.get("/ui/api/patrol/{project}/{camera}/picture")
    async def patrol_picture(project: str, camera: str, who: Who) -> Response:
        """A camera's latest patrol picture (of a project the user may see)."""
        jpeg = await blocking(latest_jpeg)(repo, who, project, camera)
        if jpeg is None:
            # the names asked are not echoed: another district's project answers exactly as an absent one
            return JSONResponse({"error": "no patrol picture of that camera"}, status_code=404)
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=60"})

    @app.post("/ui/api/patrol/{project}/{camera}/request")
    async def ask_for_picture(project: str, camera: str, who: Who) -> dict[str, Any]:
        """Ask the site for the camera's picture now: sent after the gateway's next feedback poll."""
        asked = await blocking(request_picture)(repo, who, project, camera)
        return {"status": "requested", "requested_at": asked}

    @app.get("/ui/api/overview")
    async def stats(who: Who) -> dict[str, Any]:
        """Per-project, per-city and per-check figures; projects that stopped reporting."""
        return await blocking(overview)(repo, who, offline_after_s)

    @app.get("/ui/api/warnings")
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

    @app.get("/ui/api/incidents")
    async def incident_ledger(who: Who) -> IncidentLedger:
        """Accidents and serious near misses (非亡人事故和重大险情台账) with their reports and reporting clocks."""
        now = time.time()
        rows = await blocking(incidents.ledger)(who, now)
        return IncidentLedger(
            now=now, destinations=DESTINATIONS, incidents=[IncidentRow.model_validate(r) for r in rows]
        )

    @app.post("/ui/api/incidents")
    async def record_incident(body: NewIncident, who: Who) -> IncidentRow:
        """Record an accident or serious near miss of a project the user may see."""
        row = await blocking(incidents.record)(
            who, body.project, body.kind, body.occurred_at, body.deaths, body.injuries, body.description
        )
        return IncidentRow.model_validate(row)

    @app.post("/ui/api/incidents/{incident_id}/reports")
    async def report_incident(incident_id: int, body: NewReport, who: Who) -> IncidentRow:
        """Record a report of the incident: who reported, when, to which level or system."""
        row = await blocking(incidents.report)(
            who, incident_id, body.to, body.reported_by, body.reported_at, body.note
        )
        return IncidentRow.model_validate(row)

    @app.get("/ui/api/audit")
    async def audit(who: Who, after: int = 0) -> dict[str, Any]:
        """Every decision, who and when (a project user: their project's)."""
        return {"actions": await blocking(review.audit)(who, after)}

    @app.get("/ui/api/projects")
    async def projects(who: Who) -> dict[str, Any]:
        """Registered projects the user may see (without their secrets), each with its jurisdiction's path."""
        rows = await run_in_threadpool(repo.visible_projects, who)
        return {
            "projects": [
                {
                    "code": p.code,
                    "name": p.name,
                    "city": p.city,
                    "district": p.district,
                    "jurisdiction": place,
                    "contractor": p.contractor,
                    "last_seen_at": p.last_seen_at,
                }
                for p, place in rows
            ]
        }

    @app.post("/ui/api/projects")
    async def register(body: NewProject, who: Who) -> dict[str, str]:
        """Register a project (admin)."""
        admin(who)
        await run_in_threadpool(
            repo.add_project,
            body.code,
            body.name,
            body.city,
            body.secret,
            body.district,
            body.contractor,
            body.province,
        )
        return {"status": "registered", "code": body.code}

    @app.post("/ui/api/users")
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
        )
        return {"status": "created", "username": body.username}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness probe."""
        return {"status": "ok"}

    return app
