"""The review UI's page and the liveness probe."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from regulator.routes import STATIC


def pages_router() -> APIRouter:
    """``/`` (regulator/static/index.html, Chinese first) and ``/healthz``."""
    r = APIRouter()

    @r.get("/", response_class=HTMLResponse)
    async def page() -> FileResponse:
        """The review UI."""
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    @r.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness probe."""
        return {"status": "ok"}

    return r
