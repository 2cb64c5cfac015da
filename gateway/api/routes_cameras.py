"""Camera routes: the cameras, their latest analysed frame, and an alert's evidence image.

They read the vision service the gateway exposes as ``svc.cameras`` (None on a site without
cameras): ``cameras()``, ``latest_jpeg(camera_id)``, ``evidence_jpeg(alert_id)``. An alert's
own evidence (base64 JPEG in the AlertEvent) is the fallback for evidence, so an image outlives
the vision worker that took it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response

from gateway.alerts.manager import AlertError
from gateway.api.auth import ERRORS, viewer
from gateway.api.models import CameraView
from gateway.api.routes_alerts import is_inline
from gateway.api.site_views import camera_views

if TYPE_CHECKING:
    from gateway.api.services import ApiServices

JPEG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/jpeg": {}}, "description": "a JPEG image"},
    404: {"description": "no image"},
}


def _jpeg(data: bytes | None, missing: str) -> Response:
    if not data:
        raise HTTPException(404, missing)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


async def _from_cameras(svc: ApiServices, method: str, key: str) -> bytes | None:
    """An image from the vision service (off the loop: it may read a file), None without one."""
    cams = svc.cameras
    return None if cams is None else await asyncio.to_thread(getattr(cams, method), key)


def cameras_router(svc: ApiServices) -> APIRouter:
    """Camera list, latest frames and evidence images."""
    r = APIRouter(prefix="/api/v1", tags=["cameras"], dependencies=[Depends(viewer)], responses=ERRORS)

    @r.get("/cameras", response_model=list[CameraView], summary="The site's cameras (empty without vision)")
    async def cameras() -> list[CameraView]:
        return camera_views(svc)

    @r.get(
        "/cameras/{camera_id}/latest.jpg",
        response_class=Response,
        responses=JPEG,
        summary="The camera's latest analysed frame, with its detections drawn",
    )
    async def latest(camera_id: str) -> Response:
        return _jpeg(
            await _from_cameras(svc, "latest_jpeg", camera_id),
            f"no analysed frame of camera {camera_id!r} yet",
        )

    @r.get(
        "/alerts/{alert_id}/evidence.jpg",
        response_class=Response,
        responses=JPEG,
        summary="The evidence image of a vision alert",
    )
    async def evidence(alert_id: str) -> Response:
        data = await _from_cameras(svc, "evidence_jpeg", alert_id) or await asyncio.to_thread(
            _stored_evidence, svc, alert_id
        )
        return _jpeg(data, f"alert {alert_id!r} has no evidence image")

    return r


def _stored_evidence(svc: ApiServices, alert_id: str) -> bytes | None:
    """The alert's own evidence when it is an inline base64 JPEG (a URL is not fetched from here)."""
    try:
        evidence = svc.alerts.get(alert_id).alert.evidence
    except AlertError:
        return None
    if evidence is None or not is_inline(evidence):
        return None
    try:
        return base64.b64decode(evidence, validate=True)
    except (binascii.Error, ValueError):
        return None
