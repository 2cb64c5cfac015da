"""The supervisors' HTTP API (REST under /api/v1, live stream, Prometheus /metrics) and the dashboard.

Routes live in one module per concern (site, alerts, cameras, work, live, auth); this module
assembles them over one running gateway, with CORS closed unless origins are configured.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from contract import __version__
from gateway.api.auth import ERRORS, AuthPolicy, auth_router, viewer
from gateway.api.routes_alerts import alerts_router
from gateway.api.routes_cameras import cameras_router
from gateway.api.routes_hot_work import hot_work_router
from gateway.api.routes_live import live_router
from gateway.api.routes_notices import notices_router
from gateway.api.routes_safety_log import safety_log_router
from gateway.api.routes_self_checks import self_checks_router
from gateway.api.routes_site import site_router
from gateway.api.routes_weather import weather_router
from gateway.api.routes_work import work_router
from gateway.api.site_views import card_script
from plumbing.api_docs import add_api_docs
from plumbing.security_headers import SecurityHeaders, content_security_policy

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

    from gateway.api.services import ApiServices

STATIC = Path(__file__).parent / "static"
# the dashboard's policy (plumbing/security_headers.py): its scripts are files (static/NAME.js), none inline, so
# markup a device's text slipped past the escaping could not run
CSP = content_security_policy()
DASHBOARD_SCRIPTS = frozenset(
    {"dashboard", "dashboard-self-checks", "dashboard-safety-log", "dashboard-hot-work"}
)
DESCRIPTION = """Live state, history, alerts, cameras, pours, crane jacking, machines' papers and key personnel
of one construction site.

Reads need a `viewer` token unless the gateway allows anonymous reading; acknowledging,
resolving, silencing and starting or ending a pour or a jacking window need `supervisor`; users and tokens need
`admin`. Log in with `POST /api/v1/auth/login` and send `Authorization: Bearer TOKEN`. The live
stream is `GET /api/v1/stream` (Server-Sent Events, resumable with `Last-Event-ID`) or the
WebSocket `/api/v1/ws` (same events, `?last_event_id=`)."""


def create_app(
    svc: ApiServices, registry: CollectorRegistry, auth: AuthPolicy, *, cors_origins: tuple[str, ...] = ()
) -> FastAPI:
    """The FastAPI app over one site's services, its metrics registry, its users and tokens in ``auth``."""
    # no /docs or /redoc: FastAPI's pages load Swagger UI and ReDoc from a public CDN (which a site's network
    # may not reach) into the dashboard's origin; /openapi.json is served, for any OpenAPI viewer
    app = FastAPI(title="sitegw", version=__version__, description=DESCRIPTION, docs_url=None, redoc_url=None)
    app.add_middleware(SecurityHeaders, csp=CSP)
    add_api_docs(app)  # /docs from the package (plumbing/api_docs.py)
    app.state.auth = auth
    if cors_origins:  # closed by default: the dashboard is served from the same origin
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
        )
    for router in (
        site_router(svc),
        alerts_router(svc),
        notices_router(svc),
        cameras_router(svc),
        work_router(svc),
        hot_work_router(svc),
        weather_router(svc),
        self_checks_router(svc),
        safety_log_router(svc),
        live_router(svc.hub),
        auth_router(),
    ):
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    async def dashboard() -> FileResponse:
        return FileResponse(
            STATIC / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"}
        )

    @app.get("/static/{name}.js", include_in_schema=False)
    async def dashboard_script(name: str) -> FileResponse:
        """The dashboard's scripts, files rather than inline, so its policy runs none but these."""
        if name not in DASHBOARD_SCRIPTS:
            raise HTTPException(404, f"no dashboard script {name[:80]!r}")
        return FileResponse(
            STATIC / f"{name}.js",
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    @app.get("/cards/{name}.js", include_in_schema=False)
    async def card_script_file(name: str) -> FileResponse:
        """A kind's card script, from the kind's folder (contract/kinds/card.py)."""
        path = card_script(name)
        if path is None:
            raise HTTPException(404, f"no card script {name[:80]!r}")
        return FileResponse(
            path, media_type="text/javascript; charset=utf-8", headers={"Cache-Control": "no-cache"}
        )

    @app.get(
        "/healthz",
        tags=["health"],
        summary="Liveness probe, with the sitegw release (no token: a container's or a load balancer's check)",
    )
    async def healthz() -> dict[str, str]:
        # nothing of the site: the answer is the same for every gateway of this release
        return {"status": "ok", "version": __version__}

    @app.get(
        "/metrics",
        response_class=Response,
        tags=["health"],
        summary="Prometheus metrics (a viewer's token unless anonymous reading is on)",
        responses={
            200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}, "description": "text format"},
            **ERRORS,
        },
        # devices, uplinks and their failures are site information like any other read
        dependencies=[Depends(viewer)],
    )
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app
