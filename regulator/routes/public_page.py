"""The bureau's public page (regulator/inspections/public_page.py): ``/public`` (no sign-in) and its one
answer ``/public/api/page``, built at most once a ``CACHE_S`` for everyone and limited per address; and the
bureau's typical cases, exposed and withdrawn from the review UI's API.

(No ``from __future__ import annotations``: the routes' ``Who`` is local to the router, which FastAPI
resolves only from annotations evaluated where they are written.)
"""

import asyncio
import math
import threading
import time
from collections import OrderedDict
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from regulator.answers import ON_SITE, SESSION, RowId
from regulator.ingest.receive import Refusal
from regulator.inspections import public_page
from regulator.inspections.models import CaseIn, PublicCase, PublicPage
from regulator.routes import STATIC
from regulator.routes.inspections import SignedIn
from regulator.routes.routing import blocking
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor

CACHE_S = 60.0  # the page's figures change by the day; a crowd that opens the bureau's link costs one build
PER_MINUTE = 60  # an address opening the page many times a minute is a script; a carrier's NAT stays under
MAX_ADDRESSES = 100_000  # the addresses remembered; the oldest forgotten first


class Throttle:
    """At most ``limit`` requests per address in ``window_s``, in memory (per process: the page is only
    read, and a restart forgives), its addresses bounded by ``MAX_ADDRESSES``."""

    def __init__(self, limit: int = PER_MINUTE, window_s: float = 60.0) -> None:
        self.limit, self.window_s = limit, window_s
        self._seen: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def admit(self, address: str, now: float) -> None:
        """Count a request of ``address``; Refusal 429 with ``retry_after_s`` past the limit."""
        with self._lock:
            recent = [t for t in self._seen.pop(address, []) if now - t < self.window_s]
            self._seen[address] = recent
            while len(self._seen) > MAX_ADDRESSES:
                self._seen.popitem(last=False)
            if len(recent) >= self.limit:
                wait = math.ceil(recent[0] + self.window_s - now)
                raise Refusal(
                    429,
                    "this address opened the page too often; try again in a minute (访问过于频繁)",
                    retry_after_s=wait,
                )
            recent.append(now)


def public_page_router(repo: Repository, signed_in: SignedIn, throttle: Throttle | None = None) -> APIRouter:
    """The public page over ``repo``; ``signed_in``: the user behind a request (401 when none)."""
    r = APIRouter()
    Who = Annotated[Actor, Depends(signed_in)]
    limit = throttle or Throttle()
    built: dict[str, tuple[float, bytes]] = {}
    building = asyncio.Lock()

    @r.get("/public", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        """The public page (its script /ui/page/public.js)."""
        return HTMLResponse((STATIC / "public.html").read_text(encoding="utf-8"))

    @r.get("/public/api/page", response_model=PublicPage, responses={429: ON_SITE[429]})
    async def public_answer(request: Request) -> Response:
        """Everything the bureau marked public: the published list, typical cases, 双随机 results, enforcement."""
        now = time.time()
        limit.admit(request.client.host if request.client else "unknown", now)
        async with building:
            at, body = built.get("page", (0.0, b""))
            if now - at >= CACHE_S:
                found = PublicPage.model_validate(await blocking(public_page.page)(repo, now))
                at, body = now, found.model_dump_json().encode()
                built["page"] = (at, body)
        age = max(0, int(now - at))
        return Response(
            body,
            media_type="application/json",
            headers={"Cache-Control": f"public, max-age={max(1, int(CACHE_S) - age)}", "Age": str(age)},
        )

    @r.post("/ui/api/public-cases", responses=SESSION)
    async def expose(body: CaseIn, who: Who) -> PublicCase:
        """Expose a hazard or an accident as a typical case on the public page, in the bureau's words."""
        found = await blocking(public_page.expose)(repo, who, body.kind, body.id, body.title, body.text)
        built.clear()
        return PublicCase.model_validate(found)

    @r.post("/ui/api/public-cases/{case_id}/withdraw", responses=SESSION)
    async def withdraw(case_id: RowId, who: Who) -> dict[str, str]:
        """Take a typical case off the public page."""
        await blocking(public_page.withdraw)(repo, who, case_id)
        built.clear()
        return {"status": "withdrawn"}

    return r
