"""The API's documentation page (Swagger UI) served from the service itself, under its own policy.

FastAPI's default ``/docs`` loaded Swagger UI from a public CDN without integrity into the regulator's origin
(issue 56 finding 11): whoever controls that CDN, or the path to it, runs script with a signed-in user's
session, and a bureau's network may not reach it at all. Here the page's script and style come from the
``swagger-ui-bundle-v2`` package (Swagger UI's own release files, vendored), and the page holds no inline
script, so it runs under the services' ``script-src 'self'``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs/assets"
PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{title}} API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body></html>
"""
START = 'window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});\n'


def add_api_docs(app: FastAPI) -> None:
    """``/docs`` on ``app``: Swagger UI over its ``/openapi.json``, every file from the package."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="api-docs-assets")
    page = PAGE.replace("{title}", app.title)

    @app.get("/docs", include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get("/docs/start.js", include_in_schema=False)
    async def api_docs_start() -> Response:
        return Response(START, media_type="text/javascript; charset=utf-8")
