"""Stored evidence by its hash: a hazard's pictures and its vision clips (with byte ranges for a <video>)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from regulator.answers import SESSION
from regulator.routes.routing import Who
from regulator.storage.byte_ranges import ranged
from regulator.storage.evidence import MEDIA_TYPES, Kind
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor


def evidence_router(repo: Repository) -> APIRouter:
    """The routes over ``repo``'s picture store; what is of a hazard the user may not see answers 404."""
    r = APIRouter()

    async def stored(sha256: str, who: Actor, kind: Kind, asked: str | None = None) -> Response:
        """A stored picture or clip by its hash, when it is of a hazard ``who`` may see (the byte range
        ``asked``, if any); else 404."""
        data = await run_in_threadpool(repo.picture, who, sha256, kind)
        if data is None:
            return JSONResponse(
                {"error": f"no {'clip' if kind == 'webm' else 'picture'} {sha256}"}, status_code=404
            )
        return ranged(data, asked, MEDIA_TYPES[kind], {"Cache-Control": "private, max-age=86400"})

    @r.get("/ui/api/evidence/{sha256}", responses=SESSION)
    async def evidence(sha256: str, who: Who) -> Response:
        """An evidence or rectification picture by its hash (of a hazard the user may see)."""
        return await stored(sha256, who, "jpg")

    @r.get("/ui/api/clips/{sha256}", responses=SESSION)
    async def evidence_clip(sha256: str, who: Who, request: Request) -> Response:
        """A vision alert's evidence clip (VP8 WebM) by its hash (of a hazard the user may see); 206 for
        the byte range a <video> asks for (``Range``), 416 past its end."""
        return await stored(sha256, who, "webm", request.headers.get("Range"))

    return r
