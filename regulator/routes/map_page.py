"""The regulator's map of real places (项目地图): its page, the vendored Leaflet, the user's jurisdiction's
boundaries with the projects as points (regulator/geo/boundaries.py, regulator/geo/project_map.py), and a
project's coordinates set by an admin.

(No ``from __future__ import annotations``: the routes' ``Who`` is local to the router, which FastAPI
must resolve at definition.)
"""

import json
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from regulator.answers import SESSION
from regulator.geo import boundaries, project_map
from regulator.geo.map_models import Located, MapView
from regulator.ledger.review import ReviewError
from regulator.routes import STATIC
from regulator.routes.routing import blocking
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor

LEAFLET = {"leaflet.js": "text/javascript; charset=utf-8", "leaflet.css": "text/css; charset=utf-8"}


class Location(BaseModel):
    """A project's coordinates, WGS-84 degrees."""

    lat: float = Field(ge=project_map.LAT_RANGE[0], le=project_map.LAT_RANGE[1], description="latitude, N")
    lon: float = Field(ge=project_map.LON_RANGE[0], le=project_map.LON_RANGE[1], description="longitude, E")


def map_router(
    repo: Repository,
    signed_in: Callable[[Request], Awaitable[Actor]],
    narrowed: Callable[[Actor, str], Actor],
    offline_after_s: float,
) -> APIRouter:
    """The map's routes; ``narrowed``: a user narrowed to a place under their jurisdiction (404 outside);
    ``offline_after_s``: a gateway not heard for longer is offline."""
    r = APIRouter()
    Who = Annotated[Actor, Depends(signed_in)]

    @r.get("/ui/map", include_in_schema=False)
    async def page() -> FileResponse:
        """The map's page."""
        return FileResponse(STATIC / "map.html", media_type="text/html; charset=utf-8")

    @r.get("/ui/leaflet/{name}", include_in_schema=False)
    async def leaflet(name: str) -> FileResponse:
        """Leaflet's script and style, vendored (regulator/static/leaflet/README)."""
        if name not in LEAFLET:
            raise ReviewError(404, f"no file {name!r}")
        return FileResponse(STATIC / "leaflet" / name, media_type=LEAFLET[name])

    def opened(who: Actor, place: str) -> tuple[Actor, str | None, tuple[str, ...]]:
        """The user narrowed to ``place``, the path to draw (the place, else their jurisdiction, else, for
        every project, the one province in use; None: several provinces) and the provinces in use."""
        actor = narrowed(who, place)
        if actor.jurisdiction:
            return actor, actor.jurisdiction, ()
        with repo.engine.connect() as db:
            if who.project:  # a project user: their project's district
                path = db.execute(
                    sql(
                        "SELECT j.path FROM projects p JOIN jurisdictions j ON j.id = p.district_id "
                        "WHERE p.code = :code"
                    ),
                    {"code": who.project},
                ).scalar()
                return actor, path, ()
            provinces = (
                db.execute(sql("SELECT path FROM jurisdictions WHERE level = 'province'")).scalars().all()
            )
        drawn = tuple(sorted(p for p in provinces if boundaries.find(p) is not None))
        return actor, drawn[0] if len(drawn) == 1 else None, drawn

    def drawn(who: Actor, place: str) -> bytes:
        actor, path, among = opened(who, place)
        try:
            shapes = boundaries.of_place_json(path, among)
        except boundaries.BoundariesUnavailable as exc:
            raise ReviewError(503, str(exc)) from None
        rest = {
            "points": project_map.points(repo, actor, offline_after_s),
            "cameras": project_map.cameras(repo, actor),
        }
        head = json.dumps({"place": path}, ensure_ascii=False)[:-1]
        tail = json.dumps(rest, ensure_ascii=False)[1:]
        # the boundaries' cached text goes in as it is (regulator/geo/boundaries.py)
        return f'{head},"boundaries":{shapes},{tail}'.encode()

    # answered as built: the boundaries' thousands of points are not validated again on every request
    @r.get("/ui/api/map", responses=SESSION, response_model=MapView)
    async def map_of(
        who: Who,
        place: str = Query(
            "",
            description="a place under the user's jurisdiction, 省/市/区县 (empty: their own); 404 outside",
        ),
    ) -> Response:
        """The place's boundary and its subdivisions' (GeoJSON, simplified), and every project of it with
        its coordinates (null: unknown), open hazards, worst open level and patrol cameras."""
        return Response(await blocking(drawn)(who, place), media_type="application/json")

    @r.put("/ui/api/projects/{code}/location", responses=SESSION)
    async def set_location(code: str, body: Location, who: Who) -> Located:
        """Set a project's coordinates (admin)."""
        if who.role != "admin":
            raise ReviewError(403, "only an admin may do this")
        try:
            await blocking(project_map.locate)(repo, code, body.lat, body.lon)
        except KeyError as exc:
            raise ReviewError(404, str(exc.args[0])) from None
        return Located(code=code, lat=body.lat, lon=body.lon)

    return r
