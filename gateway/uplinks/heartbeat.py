"""The gateway's heartbeat to a regulator (default protocol): "alive, N events waiting".

A quiet site sends no AlertEvents for days; without a heartbeat the regulator could not tell it
from a site whose gateway died (its overview lists projects silent for more than N minutes).
Heartbeats do not go through the outbox: a missed one is worth nothing later, the next one
says the same thing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import httpx

from contract.config.uplinks import RegulatorUplink
from contract.wire import HEARTBEAT_PATH, Heartbeat
from gateway.uplinks.base import http_client, network_failure
from gateway.uplinks.regulator import signed_headers
from gateway.uplinks.server_clock import clock_of

log = logging.getLogger(__name__)


async def send_heartbeat(
    client: httpx.AsyncClient,
    cfg: RegulatorUplink,
    project: str,
    outbox_depth: int,
    where: tuple[float, float] | None = None,
) -> bool:
    """One signed heartbeat (with the site's ``where``, lat and lon, when the site file has them); True when
    the regulator took it."""
    url = httpx.URL(cfg.base_url.rstrip("/") + HEARTBEAT_PATH)
    lat, lon = where or (None, None)
    beat = Heartbeat(project=project, ts=time.time(), outbox_depth=outbox_depth, lat=lat, lon=lon)
    body = beat.model_dump_json(exclude_none=True).encode()
    clock = clock_of(cfg.base_url)
    signed_ms = clock.now_ms()
    headers = signed_headers(project, cfg.secret, url.raw_path.decode(), body, now_ms=signed_ms)
    try:
        r = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        log.debug("heartbeat to %s failed: %s", cfg.name, network_failure(exc, str(url), cfg.tls))
        return False
    clock.observe(r, signed_ms)
    if r.status_code >= 400:
        log.warning("heartbeat to %s refused: HTTP %d %s", cfg.name, r.status_code, r.text[:200])
    return r.is_success


async def heartbeat_forever(
    cfg: RegulatorUplink, project: str, depth: Callable[[], int], where: tuple[float, float] | None = None
) -> None:
    """Send a heartbeat every ``cfg.heartbeat_s`` seconds until cancelled."""
    async with http_client(cfg.timeout_s, cfg.tls) as client:
        while True:
            await send_heartbeat(client, cfg, project, depth(), where)
            await asyncio.sleep(cfg.heartbeat_s)
