"""The forwarding page (``/forwarding``, admins): this platform's link to its province and the cities that
forward to it (status.py), and the button that queues the records set aside again once their cause is fixed.

(No ``from __future__ import annotations``: the routes' ``Who`` is local to the router, which FastAPI
resolves only from annotations evaluated where they are written.)
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from regulator.answers import SESSION
from regulator.forwarding import quarantine
from regulator.forwarding.status import ForwardingStatus, status
from regulator.routes import STATIC
from regulator.routes.routing import admin, blocking
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor

PAGE = STATIC / "forwarding.html"


class Release(BaseModel):
    project: str | None = Field(None, max_length=64, description="only this project's records (null: all)")


class Released(BaseModel):
    released: int


def forwarding_page_router(repo: Repository, signed_in: Callable[[Request], Awaitable[Actor]]) -> APIRouter:
    """The page and its two calls over ``repo``."""
    r = APIRouter()
    Who = Annotated[Actor, Depends(signed_in)]

    @r.get("/forwarding", include_in_schema=False)
    async def page() -> FileResponse:
        """逐级转报 · Forwarding: backlog, last contact, records set aside and refused."""
        return FileResponse(PAGE, media_type="text/html; charset=utf-8")

    def read() -> ForwardingStatus:
        with repo.engine.connect() as db:
            return status(db)

    @r.get("/ui/api/forwarding", responses=SESSION)
    async def forwarding(who: Who) -> ForwardingStatus:
        """Both ends of the chain as this platform holds them (admins)."""
        admin(who)
        return await blocking(read)()

    def release(project: str | None) -> int:
        with repo.engine.begin() as db:
            return quarantine.release(db, project)

    @r.post("/ui/api/forwarding/release", responses=SESSION)
    async def release_held(body: Release, who: Who) -> Released:
        """Queue the records set aside again (of one project, or all) after fixing their cause (admins)."""
        admin(who)
        return Released(released=await blocking(release)(body.project))

    return r
