"""The regulator's HTTP service (FastAPI): the default protocol's ``POST /api/v1/events``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from gateway.uplinks.signing import EVENTS_PATH
from regulator.ingest import Refusal, ingest
from regulator.storage import Repository


def create_app(repo: Repository) -> FastAPI:
    """The receiver app over one repository."""
    app = FastAPI(title="sitegw regulator", summary="receives AlertEvents from site gateways")

    @app.post(EVENTS_PATH)
    async def receive_event(request: Request) -> JSONResponse:
        """Store one signed AlertEvent; 200 stored or duplicate, 401 unauthenticated, 422 malformed."""
        body = await request.body()
        try:
            accepted = await run_in_threadpool(ingest, repo, request.headers, request.method,
                                               request.url.path, body)
        except Refusal as refusal:
            return JSONResponse({"error": refusal.reason, **refusal.extra}, status_code=refusal.status)
        return JSONResponse({"event_id": accepted.event_id,
                             "status": "duplicate" if accepted.duplicate else "stored"})

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness probe."""
        return {"status": "ok"}

    return app
