"""The regulator's HTTP service (FastAPI): `create_app` wires the routers, one per concern, over one
repository and its services, and maps the services' errors to answers.

Gateways (signed with the project's secret, docs/design.md's default protocol; regulator/routes/ingest.py):
``POST /api/v1/events``, ``/api/v1/heartbeat``, ``/api/v1/readings``, ``/api/v1/rectifications``,
``/api/v1/pictures`` (camera patrol, regulator/video/patrol.py), ``/api/v1/clips`` (vision alerts' evidence clips,
regulator/video/clips.py), and ``GET /api/v1/feedback`` (the regulator's decisions on the project's
hazards, after an action id, and the cameras whose picture a regulator asked for).

Cities' platforms that forward to this one as their province (signed with the city's key,
regulator/forwarding/): ``POST /api/v1/forward`` and ``GET /api/v1/forward/decisions``.

Regulators, project users and admins (a session cookie from ``POST /ui/api/login``,
regulator/routes/session.py): the review queue, a hazard with its evidence and readings, the actions of the
closed loop, the overview, projects and users (regulator/routes_*.py and the other *_routes.py); the page
itself is ``/`` (regulator/static/index.html, Chinese first).
"""

from __future__ import annotations

import logging
import math
from functools import partial

import psycopg
import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.requests import ClientDisconnect

from contract.wire import CLIPS_PATH, MAX_CLIP_BYTES, MAX_PICTURE_BODY, PICTURES_PATH
from plumbing.api_docs import add_api_docs
from plumbing.security_headers import SecurityHeaders, content_security_policy
from regulator.access.auth import Accounts, AuthError, LoginPolicy
from regulator.channels import public
from regulator.channels.safety_logs import LogPolicy
from regulator.ingest.held import WarningHold
from regulator.ingest.on_loop import LoopIngest
from regulator.ingest.receive import Refusal
from regulator.ledger.accident_followup import FollowupPolicy
from regulator.ledger.incidents import Incidents
from regulator.ledger.review import Review, ReviewError
from regulator.ledger.supervision import ListingPolicy, Supervision
from regulator.ledger.weather_warnings import WeatherWarnings
from regulator.reports.narrowing import narrowed
from regulator.reports.national_packages import NationalExports
from regulator.routes.accidents import accident_router
from regulator.routes.accounts import accounts_router
from regulator.routes.body_limit import DEFAULT_MAX_BODY_MB, BodyLimit
from regulator.routes.channels import MAX_PUBLIC_BODY, PUBLIC_REPORTS_PATH, add_routes
from regulator.routes.classifications import classifications_router
from regulator.routes.enforcement import enforcement_router
from regulator.routes.evidence import evidence_router
from regulator.routes.exports import exports_router
from regulator.routes.forwarding import forward_router
from regulator.routes.forwarding_page import forwarding_page_router
from regulator.routes.grading import grading_router
from regulator.routes.hazards import hazards_router
from regulator.routes.incidents import incidents_router
from regulator.routes.ingest import ingest_router
from regulator.routes.inspections import inspections_router
from regulator.routes.linked_evidence import linked_router
from regulator.routes.map_page import map_router
from regulator.routes.national_export import national_export_router
from regulator.routes.on_site import on_site_router
from regulator.routes.overview import overview_router
from regulator.routes.pages import pages_router
from regulator.routes.patrol import patrol_router
from regulator.routes.patrol_duty import patrol_duty_router
from regulator.routes.projects import projects_router
from regulator.routes.public_page import public_page_router
from regulator.routes.read_only import ReadOnly, serve_read_only
from regulator.routes.risk import risk_router
from regulator.routes.routing import SecondFactorMissing, signed, signed_in
from regulator.routes.safety_logs import safety_log_router
from regulator.routes.session import session_router
from regulator.routes.supervision import supervision_router
from regulator.routes.video_set import video_set_router
from regulator.routes.weather_warnings import warnings_router
from regulator.storage.evidence import EvidenceUnavailable
from regulator.storage.repository import Repository

log = logging.getLogger(__name__)
# the regulator's pages' Content-Security-Policy (plumbing/security_headers.py): scripts from the regulator
# itself only, none inline (issue 56 finding 2: the pages' scripts are files, /ui/page/NAME.js), so markup a
# gateway, a city, the public or a user slipped past the escaping could not run; the public form's too
CSP = content_security_policy()


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
    read_only: ReadOnly | None = None,
) -> FastAPI:
    """The regulator app over one repository and its review service; ``hold``: flood control's hold of
    warnings (default: DEFAULT_HOLD_S); ``max_body_mb``: larger request bodies are refused with 413 unread;
    ``listing``: listed supervision's deadlines (county 30 d, city 60 d); ``login_policy``: sign-in failure
    handling, password rules and session timeouts; ``secure_cookies``: the session cookie's Secure flag
    (None: when the request came over TLS); ``followup``: the days after which an accident's unfinished
    investigation or penalty is proposed for listed supervision (60 d, 75 d); ``log_policy``: when a site's
    daily safety log is due (regulator/channels/safety_logs.py); ``read_only``: a standby's regulator, which
    answers only reads (regulator/routes/read_only.py)."""
    hold = hold or WarningHold()
    login_policy = login_policy or LoginPolicy()
    accounts = Accounts(repo, policy=login_policy)
    incidents = Incidents(repo, followup)
    supervision = Supervision(repo, review, listing)
    weather = WeatherWarnings(repo)

    # no /docs or /redoc: FastAPI's pages load Swagger UI and ReDoc from a public CDN into this origin, and
    # no package of their assets is at hand; /openapi.json is served, for any OpenAPI viewer
    app = FastAPI(
        title="sitegw regulator",
        summary="hazards from site gateways, reviewed and closed",
        docs_url=None,
        redoc_url=None,
    )
    app.state.accounts = accounts
    app.state.supervision = supervision
    # PostgreSQL: events are stored from the event loop (regulator/ingest/on_loop.py); close_app closes its pool
    on_loop = LoopIngest(repo, hold) if repo.dialect == "postgresql" and read_only is None else None
    app.state.loop_ingest = on_loop
    _limit_and_guard(app, max_body_mb)
    _answer_errors(app)

    # first: a request is matched against each route in turn (FastAPI 0.165 walks every included router's
    # routes), and the gateways' requests are nearly all of them; behind the 40 routes of the routers
    # below, matching cost the events' path more CPU than storing them on the event loop. No other route
    # takes an ingest path, so the order changes no answer.
    app.include_router(ingest_router(repo, review, hold, on_loop, supervision, weather))
    # before the review loop's POST /ui/api/hazards/{id}/{action}, which would take .../listings for an action
    app.include_router(supervision_router(supervision, signed_in))
    app.include_router(accident_router(incidents, signed_in))
    app.include_router(national_export_router(NationalExports(review, supervision, incidents), signed_in))
    app.include_router(patrol_duty_router(repo, signed_in))
    app.include_router(inspections_router(repo, signed_in))
    app.include_router(on_site_router(review, signed_in))
    app.include_router(public_page_router(repo, signed_in))
    app.include_router(safety_log_router(repo, log_policy or LogPolicy(), signed_in, signed))
    app.include_router(warnings_router(weather, signed_in))
    app.include_router(forward_router(repo))  # the cities that forward to this platform as their province
    app.include_router(forwarding_page_router(repo, signed_in))
    app.include_router(pages_router())
    app.include_router(session_router(accounts, login_policy, secure_cookies))
    in_place = partial(narrowed, repo)
    app.include_router(exports_router(repo, review, in_place))
    app.include_router(map_router(repo, signed_in, in_place, offline_after_s))
    app.include_router(grading_router(repo, signed_in, in_place))
    app.include_router(enforcement_router(repo, signed_in))
    app.include_router(hazards_router(review, supervision))
    app.include_router(classifications_router(repo))
    app.include_router(evidence_router(repo))
    app.include_router(linked_router(repo))  # a city's evidence, opened at the city by a signed link
    app.include_router(patrol_router(repo, offline_after_s))
    app.include_router(overview_router(repo, offline_after_s, hold, in_place))
    app.include_router(incidents_router(incidents))
    app.include_router(video_set_router(repo))
    app.include_router(risk_router(repo, in_place))
    app.include_router(projects_router(repo))
    app.include_router(accounts_router(repo, accounts))
    add_routes(app, review, signed_in, public_limits or public.Limits())
    if read_only is not None:
        serve_read_only(app, read_only)
    return app


async def close_app(app: FastAPI) -> None:
    """Release what create_app opened beside the Repository (the events' own pool on PostgreSQL); call it
    once the server stopped taking requests."""
    on_loop: LoopIngest | None = app.state.loop_ingest
    if on_loop is not None:
        await on_loop.close()


def _limit_and_guard(app: FastAPI, max_body_mb: float) -> None:
    """The app's middleware: request bodies' limits and the security headers, and its API docs."""
    app.add_middleware(
        BodyLimit,
        max_bytes=int(max_body_mb * 1024 * 1024),
        limits={
            PICTURES_PATH: (MAX_PICTURE_BODY, "a patrol picture: send a smaller picture"),
            CLIPS_PATH: (MAX_CLIP_BYTES, "an evidence clip: send a shorter or smaller clip"),
            PUBLIC_REPORTS_PATH: (MAX_PUBLIC_BODY, "a public report: send a smaller photo (缩小照片)"),
        },
    )

    app.add_middleware(SecurityHeaders, csp=CSP)  # outermost: the 413s above carry them too
    add_api_docs(app)  # /docs from the package (plumbing/api_docs.py)


def _answer_errors(app: FastAPI) -> None:
    """Map the services' errors to answers: refusals, permissions, a missing second factor, the evidence
    store or the database out of reach (503: the gateway retries)."""

    @app.exception_handler(Refusal)
    async def refused(_: Request, refusal: Refusal) -> JSONResponse:
        wait = refusal.extra.get("retry_after_s")
        headers = (
            {"Retry-After": str(max(1, math.ceil(float(wait))))} if isinstance(wait, int | float) else None
        )
        return JSONResponse(
            {"error": refusal.reason, **refusal.extra}, status_code=refusal.status, headers=headers
        )

    @app.exception_handler(ReviewError)
    async def not_allowed(_: Request, exc: ReviewError) -> JSONResponse:
        return JSONResponse({"error": exc.reason}, status_code=exc.status)

    @app.exception_handler(SecondFactorMissing)
    async def must_enrol(_: Request, exc: SecondFactorMissing) -> JSONResponse:
        return JSONResponse({"error": exc.reason, "second_factor_required": True}, status_code=exc.status)

    @app.exception_handler(EvidenceUnavailable)
    async def evidence_unavailable(_: Request, exc: EvidenceUnavailable) -> JSONResponse:
        # 503: the gateway retries later, and nothing was committed without its picture
        log.warning("%s", exc)
        return JSONResponse({"error": str(exc)}, status_code=503)

    @app.exception_handler(sa.exc.OperationalError)
    @app.exception_handler(psycopg.OperationalError)  # the events' own pool (regulator/ingest/on_loop.py)
    @app.exception_handler(sa.exc.InterfaceError)
    @app.exception_handler(sa.exc.TimeoutError)
    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # the database restarted or is out of reach: nothing was stored, and a 503 tells the gateway to
        # retry (its outbox keeps the event); the pool drops the broken connections on its own
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        log.warning("%s %s: database unavailable: %s", request.method, request.url.path, reason)
        return JSONResponse({"error": f"database unavailable, retry later: {reason}"}, status_code=503)

    @app.exception_handler(ClientDisconnect)
    async def sender_gone(request: Request, _: ClientDisconnect) -> Response:
        # a gateway on a flaky 4G link (or one killed) hung up before its body arrived whole: nothing of it
        # was stored, and its outbox sends it again; one line where uvicorn printed a 60-line traceback
        log.info("%s %s: the sender hung up before its body arrived whole", request.method, request.url.path)
        return Response(status_code=400)

    @app.exception_handler(AuthError)
    async def auth_failed(_: Request, exc: AuthError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=422)
