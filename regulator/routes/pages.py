"""The review UI's page, the pages' own scripts and the liveness probe."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

from contract import __version__
from regulator.routes import STATIC

# the pages' scripts, once inline in each page: served as files, so the Content-Security-Policy of the pages
# allows scripts from the regulator itself only (regulator/routes/page_policy.py)
PAGE_SCRIPTS = frozenset(
    {
        "index",
        "index-start",
        "header",
        "map",
        "grading",
        "national_export",
        "safety_logs",
        "warnings",
        "report",
        "draws",
        "forwarding",
        "inspect",
        "public",
        "year",
        "common",
        "enforcement",
        "linked_evidence",
    }
)
# the pages' shared styles: the one header's (header.js) and the form-and-table pages' (common.css)
PAGE_STYLES = frozenset({"header", "common"})


def pages_router() -> APIRouter:
    """``/`` (regulator/static/index.html, Chinese first), ``/ui/page/NAME.js`` (the pages' scripts),
    ``/ui/page/NAME.css`` (their shared style) and ``/healthz``."""
    r = APIRouter()

    @r.get("/ui/page/{name}.js", include_in_schema=False)
    async def page_script(name: str) -> FileResponse:
        """A page's script (PAGE_SCRIPTS); 404 for any other name."""
        if name not in PAGE_SCRIPTS:
            raise HTTPException(404, f"no page script {name[:80]!r}")
        return FileResponse(STATIC / f"{name}.js", media_type="text/javascript; charset=utf-8")

    @r.get("/ui/page/{name}.css", include_in_schema=False)
    async def page_style(name: str) -> FileResponse:
        """A style the pages share (PAGE_STYLES); 404 for any other name."""
        if name not in PAGE_STYLES:
            raise HTTPException(404, f"no page style {name[:80]!r}")
        return FileResponse(STATIC / f"{name}.css", media_type="text/css; charset=utf-8")

    @r.get("/", response_class=HTMLResponse)
    async def page() -> FileResponse:
        """The review UI."""
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    @r.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness probe, with the sitegw release this regulator runs."""
        return {"status": "ok", "version": __version__}

    return r
