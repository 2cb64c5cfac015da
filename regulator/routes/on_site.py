"""四不两直 inspections on a phone (regulator/inspections/on_site.py): the page (/ui/inspect) and its service
worker, the plans the phone keeps for offline work, its photos and inspections (each under the phone's
key: sent twice, kept once), an inspection with its photos.

(No ``from __future__ import annotations``: the routes' ``Who`` is local to the router, which FastAPI
resolves only from annotations evaluated where they are written.)
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import HTMLResponse, JSONResponse, Response

from regulator.answers import ON_SITE, SESSION, RowId
from regulator.inspections import on_site
from regulator.inspections.models import FieldPlan, InspectionOut, PhotoIn, PhotoOut, SentOut, VisitIn
from regulator.ledger.review import Review
from regulator.routes import STATIC
from regulator.routes.inspections import API, SignedIn
from regulator.routes.routing import blocking
from regulator.storage.scope import Actor

KeyIn = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="the phone's key for it (a UUID)")]
# the page's service worker keeps the page's files for a reload without a connection; served from /ui/ so
# its scope covers /ui/inspect
WORKER = "/ui/inspect-sw.js"


def on_site_router(review: Review, signed_in: SignedIn) -> APIRouter:
    """The routes over ``review``'s ledger; ``signed_in``: the user behind a request (401 when none)."""
    repo = review.repo
    r = APIRouter()
    Who = Annotated[Actor, Depends(signed_in)]

    @r.get("/ui/inspect", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        """The inspector's phone page (its script /ui/page/inspect.js)."""
        return HTMLResponse((STATIC / "inspect.html").read_text(encoding="utf-8"))

    @r.get(WORKER, include_in_schema=False)
    async def worker() -> Response:
        """The page's service worker (it keeps the page's own files only, never an answer of the API)."""
        return Response(
            (STATIC / "inspect-sw.js").read_bytes(),
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    @r.get(f"{API}/on-site", responses=SESSION)
    async def field_plans(who: Who) -> list[FieldPlan]:
        """The plans the user may inspect now, each with its checklist and projects, for the phone to keep."""
        return [FieldPlan.model_validate(p) for p in await blocking(on_site.field_plans)(repo, who)]

    @r.put(f"{API}/photos/{{key}}", responses=ON_SITE)
    async def photo(key: KeyIn, body: PhotoIn, who: Who) -> PhotoOut:
        """A photo taken on site, kept until the inspection citing it arrives; the same key is kept once."""
        where = on_site.Position(body.latitude, body.longitude, body.accuracy_m)
        kept = await blocking(on_site.keep_photo)(repo, who, key, body.jpeg, body.taken_at, where)
        return PhotoOut.model_validate(kept)

    @r.put(f"{API}/plans/{{plan_id}}/on-site/{{key}}", responses=ON_SITE)
    async def send(plan_id: RowId, key: KeyIn, body: VisitIn, who: Who) -> SentOut:
        """A 四不两直 inspection of one of the plan's projects: it is covered, and each failed item is a hazard
        under rectification with its article; the same key is recorded once."""
        visit = on_site.Visit(
            key,
            body.project,
            body.inspected_at,
            on_site.Position(body.latitude, body.longitude, body.accuracy_m),
            body.note,
            tuple(on_site.Result(r.position, r.result, r.note, tuple(r.photos)) for r in body.results),
            tuple(on_site.Extra(f.description, f.article, tuple(f.photos)) for f in body.findings),
            tuple(body.photos),
        )
        return SentOut.model_validate(await blocking(on_site.send)(review, who, plan_id, visit))

    @r.get(f"{API}/on-site/{{record_id}}", responses=SESSION)
    async def inspection(record_id: RowId, who: Who) -> InspectionOut:
        """An inspection with its lines, hazards and photos (when and where each was taken)."""
        return InspectionOut.model_validate(await blocking(on_site.inspection)(repo, who, record_id))

    @r.get(f"{API}/on-site/{{record_id}}/photos/{{sha256}}", response_class=Response, responses=SESSION)
    async def inspection_photo(record_id: RowId, sha256: str, who: Who) -> Response:
        """One of an inspection's photos."""
        jpeg = await blocking(on_site.photo_of)(repo, who, record_id, sha256)
        if jpeg is None:
            return JSONResponse(
                {"error": f"inspection {record_id} has no photo {sha256[:80]}"}, status_code=404
            )
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})

    return r
