"""The gateway's heartbeat to a regulator (default protocol): "alive, N events waiting", the gateway's
release, and the site's list of dangerous works (危大工程清单, contract/config/dangerous_works.py) when its
site file keeps one.

A quiet site sends no AlertEvents for days; without a heartbeat the regulator could not tell it
from a site whose gateway died (its overview lists projects silent for more than N minutes).
Heartbeats do not go through the outbox: a missed one is worth nothing later, the next one
says the same thing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

import httpx

from contract import __version__
from contract.config.dangerous_works import DangerousWork
from contract.config.uplinks import RegulatorUplink
from contract.wire import HEARTBEAT_PATH, Heartbeat, signed_headers
from gateway.uplinks.base import http_client, network_failure
from gateway.uplinks.server_clock import clock_of

log = logging.getLogger(__name__)
_TOLD_OLD: set[str] = set()  # uplinks whose regulator refused the 危大 list, already logged


async def send_heartbeat(
    client: httpx.AsyncClient,
    cfg: RegulatorUplink,
    project: str,
    outbox_depth: int,
    dangerous_works: Sequence[DangerousWork] = (),
    where: tuple[float, float] | None = None,
) -> bool:
    """One signed heartbeat with the gateway's release, the site's 危大 list when it keeps one and its ``where``
    (lat, lon) when the site file has them; True when the regulator took it."""
    lat, lon = where or (None, None)
    beat = Heartbeat(
        project=project,
        ts=time.time(),
        outbox_depth=outbox_depth,
        dangerous_works=list(dangerous_works) or None,
        lat=lat,
        lon=lon,
        release=__version__,
    )
    r = await _post(client, cfg, beat)
    if r is not None and r.status_code == 422:
        # a regulator from before the 危大 list, the coordinates or the release refuses the fields: the site
        # must not look dead for it
        (log.debug if cfg.name in _TOLD_OLD else log.warning)(
            "heartbeat to %s: the regulator does not take the 危大 list, the site's coordinates or the "
            "gateway's release (HTTP 422 %s); sent without them, update the regulator to see them there",
            cfg.name,
            r.text[:200],
        )
        _TOLD_OLD.add(cfg.name)  # said once per uplink, not at every heartbeat
        r = await _post(
            client,
            cfg,
            beat.model_copy(update={"dangerous_works": None, "lat": None, "lon": None, "release": None}),
        )
    if r is not None and r.status_code >= 400:
        log.warning("heartbeat to %s refused: HTTP %d %s", cfg.name, r.status_code, r.text[:200])
    return r is not None and r.is_success


async def _post(client: httpx.AsyncClient, cfg: RegulatorUplink, beat: Heartbeat) -> httpx.Response | None:
    """Sign and post ``beat``; the answer, None when the network failed (logged at debug)."""
    url = httpx.URL(cfg.base_url.rstrip("/") + HEARTBEAT_PATH)
    # the list left out when none, so a site without one still talks to a regulator that predates it
    body = beat.model_dump_json(exclude_none=True).encode()
    clock = clock_of(cfg.base_url)
    signed_ms = clock.now_ms()
    headers = signed_headers(beat.project, cfg.secret, url.raw_path.decode(), body, now_ms=signed_ms)
    try:
        r = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        log.debug("heartbeat to %s failed: %s", cfg.name, network_failure(exc, str(url), cfg.tls))
        return None
    clock.observe(r, signed_ms)
    return r


async def heartbeat_forever(
    cfg: RegulatorUplink,
    project: str,
    depth: Callable[[], int],
    dangerous_works: Sequence[DangerousWork] = (),
    where: tuple[float, float] | None = None,
) -> None:
    """Send a heartbeat every ``cfg.heartbeat_s`` seconds until cancelled."""
    async with http_client(cfg.timeout_s, cfg.tls) as client:
        while True:
            await send_heartbeat(client, cfg, project, depth(), dangerous_works, where)
            await asyncio.sleep(cfg.heartbeat_s)
