"""The patrol wall (远程巡查, regulator/video/patrol.py): each camera's latest picture with its findings, its newest
clip, and asking the site for a picture now."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from regulator.answers import MAX_ID, SESSION
from regulator.ledger.review import ReviewError
from regulator.routes.routing import Who, blocking
from regulator.storage.repository import Repository
from regulator.video.patrol import (
    MAX_WALL_PAGE_SIZE,
    WALL_PAGE_SIZE,
    LatestClip,
    PatrolPage,
    PictureRequested,
    WallFilter,
    latest_clip,
    latest_jpeg,
    request_picture,
    wall,
)


def patrol_router(repo: Repository, offline_after_s: float) -> APIRouter:
    """The routes over ``repo``; ``offline_after_s``: a gateway not heard for longer is offline."""
    r = APIRouter()

    @r.get("/ui/api/patrol", responses=SESSION)
    async def patrol(
        who: Who,
        project: str = "",
        status: str = Query("", description="ok, stale, offline or problem (stale or offline); empty: all"),
        video_set: bool = Query(False, description="only the projects of the video-monitoring set"),
        city: str = Query("", description="only this city's projects"),
        district: str = Query("", description="only this district's projects"),
        category: str = Query("", description="only the set's projects of this category (implies video_set)"),
        risk: str = Query("", description="only the projects of this risk grade now: high, medium or low"),
        page: int = Query(1, ge=1, le=MAX_ID // MAX_WALL_PAGE_SIZE, description="page number, from 1"),
        page_size: int = Query(WALL_PAGE_SIZE, ge=1, le=MAX_WALL_PAGE_SIZE, description="cameras per page"),
    ) -> PatrolPage:
        """The patrol wall (远程巡查): each camera's latest picture with its findings and age, paged."""
        f = WallFilter(project, status, page, page_size, video_set, city, district, category, risk)
        return await blocking(wall)(repo, who, f, offline_after_s)

    @r.get("/ui/api/patrol/{project}/{camera}/picture", responses=SESSION)
    async def patrol_picture(project: str, camera: str, who: Who) -> Response:
        """A camera's latest patrol picture (of a project the user may see)."""
        jpeg = await blocking(latest_jpeg)(repo, who, project, camera)
        if jpeg is None:
            # the names asked are not echoed: another district's project answers exactly as an absent one
            return JSONResponse({"error": "no patrol picture of that camera"}, status_code=404)
        return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=60"})

    @r.get("/ui/api/patrol/{project}/{camera}/clip", responses=SESSION)
    async def patrol_clip(project: str, camera: str, who: Who) -> LatestClip:
        """The camera's newest vision-alert clip (its URL plays in a <video>); 404 when it has none."""
        found = await blocking(latest_clip)(repo, who, project, camera)
        if found is None:
            raise ReviewError(404, "no clip of that camera")
        return LatestClip(url=f"/ui/api/clips/{found[0]}", recorded_at=found[1])

    @r.post("/ui/api/patrol/{project}/{camera}/request", responses=SESSION)
    async def ask_for_picture(project: str, camera: str, who: Who) -> PictureRequested:
        """Ask the site for the camera's picture now: sent after the gateway's next feedback poll."""
        asked = await blocking(request_picture)(repo, who, project, camera)
        return PictureRequested(status="requested", requested_at=asked)

    return r
