"""Read routes: site, devices, latest readings, history, health."""

from __future__ import annotations

import asyncio
import json
import math
import platform
import time
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel

from contract import __version__
from gateway.api.auth import ERRORS, viewer
from gateway.api.models import DeviceView, HealthView, HistoryView, LatestView
from gateway.api.site_views import device_view, site_view, site_view_model

if TYPE_CHECKING:
    from gateway.api.services import ApiServices

LIBRARIES = (
    "fastapi",
    "uvicorn",
    "pydantic",
    "pymodbus",
    "paho-mqtt",
    "httpx",
    "opencv-python-headless",
)


def versions() -> dict[str, str]:
    """sitegw, Python and the libraries whose version matters when reporting a fault."""
    out = {"sitegw": __version__, "python": platform.python_version()}
    for lib in LIBRARIES:
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:
            out[lib] = "not installed"
    return out


def _finite(v: float | str | None) -> float | str | None:
    """JSON has no NaN or infinity: such a value is shown as missing."""
    return None if isinstance(v, float) and not math.isfinite(v) else v


def site_router(svc: ApiServices) -> APIRouter:
    """Site, devices, readings, history and health over one gateway."""
    r = APIRouter(prefix="/api/v1", tags=["site"], dependencies=[Depends(viewer)], responses=ERRORS)
    _add_site_and_devices(r, svc)
    _add_history(r, svc)
    _add_health(r, svc)
    return r


def _add_site_and_devices(r: APIRouter, svc: ApiServices) -> None:
    """The site, one device, and every latest value, from the live state."""

    @r.get(
        "/site",
        response_model=site_view_model(),
        summary="The project, its devices with live state, plan, cameras and each kind's card's list",
    )
    async def site() -> BaseModel:
        return site_view(svc)

    @r.get(
        "/devices/{device_id}",
        response_model=DeviceView,
        summary="One device with its latest values",
        responses={404: {"description": "no such device"}},
    )
    async def device(device_id: str) -> DeviceView:
        if device_id not in svc.device_ids:
            raise HTTPException(
                404, f"no device {device_id!r} on this site (devices: {sorted(svc.device_ids)})"
            )
        return device_view(svc, device_id, with_latest=True)

    @r.get(
        "/readings/latest",
        response_model=list[LatestView],
        summary="Latest value of every metric (and pit point), from the live state",
    )
    async def latest(device: str | None = Query(None, description="only this device")) -> list[LatestView]:
        readings = svc.live.latest.values() if device is None else svc.live.device_readings(device)
        return [
            LatestView(
                device=r.device,
                point=r.point,
                metric=r.metric,
                value=r.value,
                unit=r.unit,
                ts=r.ts,
                quality=r.quality.value,
            )
            for r in sorted(readings, key=lambda r: (r.device, r.point, r.metric))
        ]


def _add_history(r: APIRouter, svc: ApiServices) -> None:
    """One metric's history from the local store."""

    @r.get(
        "/history",
        response_model=HistoryView,
        summary="History of one metric from the local store, downsampled to at most max_points",
        responses={404: {"description": "no such series"}, 422: {"description": "bad range"}},
    )
    async def history(
        device: str = Query(..., description="device id"),
        metric: str = Query(..., description="metric name, e.g. load_t"),
        point: str = Query("", description="pit monitoring point code"),
        start: float | None = Query(None, ge=0, le=1e11, description="Unix seconds; default end - 1 h"),
        end: float | None = Query(None, ge=0, le=1e11, description="Unix seconds; default now"),
        max_points: int = Query(500, ge=1, le=10_000, description="bucketed above this"),
    ) -> Response:
        end_ts = time.time() if end is None else end
        start_ts = end_ts - 3600 if start is None else start
        if start_ts > end_ts:
            raise HTTPException(422, "start must not be after end")
        found = await asyncio.to_thread(
            svc.history.history, device, metric, start_ts, end_ts, point, max_points
        )
        if found is None:
            raise HTTPException(
                404,
                f"no history for device {device!r} metric {metric!r}"
                f"{' point ' + repr(point) if point else ''}",
            )
        # the hot query of trend plots: JSON written directly (the document still shows HistoryView),
        # not validated point by point, which cost more than the SQLite query itself
        body = {
            "device": device,
            "point": point,
            "metric": metric,
            "unit": found.series.unit,
            "start": found.start,
            "end": found.end,
            "bucket_s": found.bucket_s,
            "points": [
                {
                    "ts": p.ts,
                    "value": _finite(p.value),
                    "min": _finite(p.min),
                    "max": _finite(p.max),
                    "count": p.count,
                    "faults": p.faults,
                    "quality": p.quality,
                }
                for p in found.points
            ],
        }
        return Response(json.dumps(body, ensure_ascii=False, allow_nan=False), media_type="application/json")


def _add_health(r: APIRouter, svc: ApiServices) -> None:
    """The gateway's health, with the libraries' versions read once."""
    lib_versions = versions()

    @r.get(
        "/health",
        response_model=HealthView,
        summary="Gateway health: drivers, store, spool, uplink backlog and age, cameras, versions",
    )
    async def health() -> HealthView:
        doc: dict[str, Any] = await asyncio.to_thread(svc.health)
        cams = svc.cameras
        workers = cams.stats() if cams is not None and hasattr(cams, "stats") else {}
        cameras = (
            []
            if cams is None
            else [
                {"id": c.id, "name": c.name, "online": bool(c.online), "last_frame_ts": c.last_frame_ts}
                | {"worker": workers.get(c.id, {})}
                for c in cams.cameras()
            ]
        )
        return HealthView(**doc, cameras=cameras, live_clients=svc.hub.clients, versions=lib_versions)
