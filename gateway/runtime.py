"""One site's gateway, assembled from its configuration.

Data flows one way: drivers -> bus -> (live state, local store, InfluxDB sink, rules -> alerts
-> outbox -> uplinks), with the API reading beside it. This module only wires the parts and
owns their start/stop order: consumers start before producers, and stop after them, so no
reading is published into a part that is not listening.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from drivers.base import DeviceStats, Driver
from drivers.modbus.driver import ModbusDriver, is_modbus
from drivers.mqtt.driver import MqttDriver
from gateway import __version__
from gateway.bus import Bus
from gateway.config import LoadedSite
from gateway.config.sinks import ApiConfig
from gateway.config.transport import MqttBroker, MqttTransport
from gateway.live import LiveState
from gateway.metrics import GatewayMetrics
from gateway.store.influx import InfluxSink
from gateway.store.local import LocalStore
from gateway.store.local_query import StoreCounts

log = logging.getLogger(__name__)


class Gateway:
    """Everything one site runs: drivers, stores, rules and alerts, delivery, API.

    ``state_dir`` holds every file the gateway writes (history, spool, alerts, outbox), so a
    restart with the same folder continues where the last run stopped.
    """

    def __init__(self, site: LoadedSite, state_dir: Path, *, mqtt_brokers: dict[str, MqttBroker] | None = None,
                 api: ApiConfig | None = None, serve_api: bool = True) -> None:
        self.site = site
        self.state_dir = state_dir
        self.device_ids = {d.id for d in site.config.devices}
        self.bus = Bus()
        self.live = LiveState()
        self.metrics = GatewayMetrics()
        self.store = LocalStore(state_dir / "history.sqlite", site.config.store)
        self.influx: InfluxSink | None = None
        if site.config.influx is not None:
            kinds = {d.id: d.kind for d in site.config.devices}
            self.influx = InfluxSink(site.config.influx, state_dir / "influx-spool", kinds)
        self.drivers: list[Driver] = []
        if any(is_modbus(d) for d in site.config.devices):
            self.drivers.append(ModbusDriver(site, self.bus))
        if any(isinstance(d.transport, MqttTransport) for d in site.config.devices):
            self.drivers.append(MqttDriver(site, self.bus, mqtt_brokers))
        self._api_cfg = api or site.config.api
        self._serve_api = serve_api
        self.api = None
        self.started_at = time.time()
        self._started = False

    async def start(self) -> None:
        """Start consumers, then the API, then the drivers."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.bus.bind_loop(asyncio.get_running_loop())
        self.bus.subscribe("live", self.live.on_readings)
        self.bus.subscribe_status("live", self.live.on_status)
        await asyncio.to_thread(self.store.start)
        self.bus.subscribe("store", self.store.add)
        if self.influx is not None:
            await self.influx.start()
            self.bus.subscribe("influx", self.influx.add)
        if self._serve_api:
            from gateway.api.app import create_app
            from gateway.api.server import ApiServer

            self.api = ApiServer(create_app(self), self._api_cfg.host, self._api_cfg.port)
            await self.api.start()
        for driver in self.drivers:
            await driver.start()
        self.started_at = time.time()
        self._started = True
        log.info("gateway for %s started: %d devices, state in %s", self.site.config.project.code,
                 len(self.device_ids), self.state_dir)

    async def stop(self) -> None:
        """Stop producers first, then flush and close the consumers."""
        for driver in reversed(self.drivers):
            try:
                await driver.stop()
            except Exception:
                log.exception("stopping driver %s failed", type(driver).__name__)
        if self.api is not None:
            await self.api.stop()
        if self.influx is not None:
            await self.influx.stop()
        await asyncio.to_thread(self.store.stop)
        self._started = False

    @property
    def url(self) -> str | None:
        """The dashboard's URL, once the API is serving."""
        return self.api.url if self.api else None

    def driver_stats(self) -> dict[str, DeviceStats]:
        """Per-device counters of every driver."""
        out: dict[str, DeviceStats] = {}
        for driver in self.drivers:
            out.update(driver.stats())
        return out

    def store_counts(self) -> StoreCounts | None:
        """Local store totals (blocking: a small SQLite query)."""
        try:
            return self.store.reader.counts()
        except Exception as exc:  # the file may not exist before the first commit
            log.debug("store counts unavailable: %s", exc)
            return None

    def extra_metrics(self) -> Iterable[Any]:
        """Metric families of the alerting and delivery parts."""
        return ()

    def health(self) -> dict[str, Any]:
        """The health document of /api/v1/health (blocking: reads the store)."""
        counts = self.store_counts()
        return {
            "version": __version__,
            "uptime_s": time.time() - self.started_at,
            "readings_in": self.live.total,
            "devices": {d: _stats_dict(st) for d, st in self.driver_stats().items()},
            "store": _counts_dict(counts) | {"pending": self.store.pending},
            "influx": _influx_dict(self.influx) if self.influx else None,
            "uplinks": {},
        }

    def summary(self) -> dict[str, Any]:
        """Counts for `sitegw demo --summary-json`: readings per device and metric, errors, depths."""
        stats = self.driver_stats()
        counts = self.store_counts()
        return {
            "project": self.site.config.project.code,
            "duration_s": round(time.time() - self.started_at, 1),
            "readings_total": self.live.total,
            "readings": self.live.counts(),
            "devices": {d: _stats_dict(st) for d, st in stats.items()},
            "errors": {d: st.errors for d, st in stats.items()},
            "errors_total": sum(st.errors for st in stats.values()) + sum(self.bus.handler_errors.values()),
            "store": _counts_dict(counts) | {"pending": self.store.pending},
            "spool": _influx_dict(self.influx) if self.influx else {"configured": False, "spool_points": 0},
        }


def _stats_dict(st: DeviceStats) -> dict[str, Any]:
    return {"online": st.online, "readings": st.readings, "requests": st.requests, "registers": st.registers,
            "errors": st.errors, "last_error": st.last_error, "last_reading_ts": st.last_reading_ts}


def _counts_dict(counts: StoreCounts | None) -> dict[str, Any]:
    if counts is None:
        return {"rows": 0, "series": 0, "file_bytes": 0, "oldest_ts": None, "newest_ts": None}
    return {"rows": counts.rows, "series": counts.series, "file_bytes": counts.file_bytes,
            "oldest_ts": counts.oldest_ts, "newest_ts": counts.newest_ts, "duplicates": counts.duplicates}


def _influx_dict(sink: InfluxSink) -> dict[str, Any]:
    st = sink.stats()
    return {"configured": True, "points_written": st.points_written, "spool_points": st.spool_points,
            "spool_bytes": st.spool_bytes, "spool_dropped_points": st.spool_dropped_points,
            "batches_failed": st.batches_failed, "points_rejected": st.points_rejected, "last_error": st.last_error}
