"""The supervisors' HTTP API (REST under /api/v1, Prometheus /metrics) and the dashboard page."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import FileResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gateway import __version__
from gateway.alerts.manager import AlertError
from gateway.api.models import CraneGeometry, DeviceView, HealthView, HistoryView, LatestView, SiteView, ZoneView
from gateway.alerts.models import Alert, AlertDetail

if TYPE_CHECKING:
    from gateway.runtime import Gateway

STATIC = Path(__file__).parent / "static"


def create_app(gw: Gateway) -> FastAPI:
    """The FastAPI app over one running gateway."""
    app = FastAPI(title="sitegw", version=__version__,
                  description="Site safety gateway: live state, history and alerts of one construction site.")

    @app.get("/", include_in_schema=False)
    async def dashboard() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/api/v1/site", response_model=SiteView, summary="The project and its devices with live state")
    async def site() -> SiteView:
        cfg = gw.site.config
        p = cfg.project
        cranes = [CraneGeometry(id=d.id, x=d.crane.position_m[0], y=d.crane.position_m[1], jib_m=d.crane.jib_m,
                                counter_jib_m=d.crane.counter_jib_m, jib_height_m=d.crane.jib_height_m,
                                slew_offset_deg=d.crane.slew_offset_deg, slew_direction=d.crane.slew_direction)
                  for d in cfg.devices if d.crane is not None]
        return SiteView(code=p.code, name=p.name, city=p.city, district=p.district,
                        devices=[device_view(gw, d.id) for d in cfg.devices], cranes=cranes,
                        zones=[ZoneView(name=z.name, polygon=z.polygon) for z in cfg.no_lift_zones])

    @app.get("/api/v1/devices/{device_id}", response_model=DeviceView, summary="One device with its latest values")
    async def device(device_id: str) -> DeviceView:
        if device_id not in gw.device_ids:
            raise HTTPException(404, f"no device {device_id!r} on this site (devices: {sorted(gw.device_ids)})")
        return device_view(gw, device_id, with_latest=True)

    @app.get("/api/v1/readings/latest", response_model=list[LatestView],
             summary="Latest value of every metric (and pit point), from the live state")
    async def latest(device: str | None = Query(None, description="only this device")) -> list[LatestView]:
        readings = gw.live.latest.values() if device is None else gw.live.device_readings(device)
        return [LatestView(device=r.device, point=r.point, metric=r.metric, value=r.value, unit=r.unit, ts=r.ts,
                           quality=r.quality.value) for r in sorted(readings, key=lambda r: (r.device, r.point, r.metric))]

    @app.get("/api/v1/history", response_model=HistoryView,
             summary="History of one metric from the local store, downsampled to at most max_points")
    async def history(device: str = Query(..., description="device id"),
                      metric: str = Query(..., description="metric name, e.g. load_t"),
                      point: str = Query("", description="pit monitoring point code"),
                      start: float | None = Query(None, description="Unix seconds; default end - 1 h"),
                      end: float | None = Query(None, description="Unix seconds; default now"),
                      max_points: int = Query(500, ge=1, le=10_000, description="bucketed above this")) -> HistoryView:
        end_ts = time.time() if end is None else end
        start_ts = end_ts - 3600 if start is None else start
        if start_ts > end_ts:
            raise HTTPException(422, "start must not be after end")
        found = await asyncio.to_thread(gw.store.reader.history, device, metric, start_ts, end_ts, point, max_points)
        if found is None:
            raise HTTPException(404, f"no history for device {device!r} metric {metric!r}"
                                     f"{' point ' + repr(point) if point else ''}")
        return HistoryView(device=device, point=point, metric=metric, unit=found.series.unit, start=found.start,
                           end=found.end, bucket_s=found.bucket_s,
                           points=[dataclasses.asdict(p) for p in found.points])

    @app.get("/api/v1/alerts", response_model=list[Alert], summary="Alerts, newest change first")
    async def alerts(state: str | None = Query(None, description="firing, acknowledged or resolved"),
                     level: str | None = Query(None, description="warning, alarm or critical"),
                     device: str | None = Query(None), rule: str | None = Query(None, description="e.g. crane.load"),
                     since: float | None = Query(None, description="changed at or after (Unix s)"),
                     limit: int = Query(200, ge=1, le=5000)) -> list[Alert]:
        return await asyncio.to_thread(gw.monitor.alerts.list_alerts, state=state, level=level, device=device,
                                       rule=rule, since=since, limit=limit)

    @app.get("/api/v1/alerts/{alert_id}", response_model=AlertDetail, summary="One alert with its full history")
    async def alert(alert_id: str) -> AlertDetail:
        try:
            return await asyncio.to_thread(gw.monitor.alerts.get, alert_id)
        except (AlertError, KeyError) as exc:
            raise HTTPException(404, f"no alert {alert_id!r}") from exc

    @app.get("/api/v1/health", response_model=HealthView, summary="Gateway health: drivers, store, spool, uplinks")
    async def health() -> HealthView:
        return HealthView(**(await asyncio.to_thread(gw.health)))

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        gw.metrics.refresh(gw)
        return Response(generate_latest(gw.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app


def device_view(gw: Gateway, device_id: str, with_latest: bool = False) -> DeviceView:
    """A device as the API shows it: config, link state, counters."""
    cfg = gw.site.config.device(device_id)
    live = gw.live.devices.get(device_id)
    latest: list[dict[str, Any]] = []
    if with_latest:
        latest = [{"point": r.point, "metric": r.metric, "value": r.value, "unit": r.unit, "ts": r.ts,
                   "quality": r.quality.value} for r in gw.live.device_readings(device_id)]
    return DeviceView(id=cfg.id, name=cfg.name, kind=cfg.kind, profile=cfg.profile, transport=cfg.transport.type,
                      online=live.online if live else None, reason=live.reason if live else "",
                      last_reading_ts=live.last_reading_ts if live else None,
                      readings=live.readings if live else 0, latest=latest)
