"""Every Prometheus metric the gateway exports, declared here and read from live state at scrape time.

Counting happens where the work is (drivers, store, outbox, rules, the live stream, the camera workers);
this module only reads those counters when Prometheus asks, so the hot paths pay nothing for it. The
application shell hands over the sources (:class:`MetricSources`); each gateway has a registry of its own
(tests run several gateways in one process).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from contract.alert_event import AlertEvent
from drivers.base import DeviceStats
from gateway.alerts.manager import AlertManager
from gateway.api.hub import LiveHub
from gateway.camera_service import CameraService
from gateway.disk_watch import DiskWatch
from gateway.live import LiveState
from gateway.outbox.service import OutboxStats
from gateway.store.influx import InfluxSink
from gateway.store.local_query import StoreCounts


@dataclass(slots=True)
class MetricSources:
    """Where each family's figures come from (callables are read at scrape time)."""

    driver_stats: Callable[[], Mapping[str, DeviceStats]]
    store_counts: Callable[[], StoreCounts | None]
    outbox: Callable[[], OutboxStats]
    rule_evaluations: Callable[[], int]
    live: LiveState
    hub: LiveHub
    alerts: AlertManager
    influx: InfluxSink | None = None
    cameras: Callable[[], CameraService | None] = lambda: None
    disk: DiskWatch | None = None
    # readings waiting in memory for the local store, and those dropped past its cap while the disk was full
    store_memory: Callable[[], tuple[int, int]] = lambda: (0, 0)
    # what travels behind the alerts (patrol pictures, evidence clips): kind -> uplink -> waiting/sent/dropped
    behind_alerts: Callable[[], Mapping[str, Mapping[str, Mapping[str, int]]]] = dict
    # inputs refused past a bound (a point code too long, too many points, a topic too long): (device, cause)
    refused: Callable[[], Mapping[tuple[str, str], int]] = dict


class GatewayCollector(Collector):
    """Reads a running gateway's counters into metric families."""

    def __init__(self, src: MetricSources) -> None:
        self.src = src
        self.alert_events: Counter[tuple[str, str]] = Counter()

    def on_alert(self, event: AlertEvent) -> None:
        """Count an alert event by level and state (an alert manager listener)."""
        self.alert_events[(event.level, event.state)] += 1

    def collect(self) -> Iterator[Any]:
        """Every family, in a stable order."""
        yield from self._devices()
        yield from self._stores()
        yield from outbox_metrics(self.src.outbox())
        yield from self._alerts()
        yield from self._live()
        yield from self._cameras()
        yield from self._behind_alerts()

    def _behind_alerts(self) -> Iterator[Any]:
        """Patrol pictures and evidence clips per regulator uplink: waiting on disk, sent, dropped (over the
        disk budget, replaced, refused, or a clip whose alert never reached the regulator)."""
        labels = ["kind", "uplink"]
        waiting = GaugeMetricFamily(
            "sitegw_behind_alerts_waiting",
            "Pictures or clips waiting on disk behind the alerts",
            labels=labels,
        )
        sent = CounterMetricFamily(
            "sitegw_behind_alerts_sent", "Pictures or clips the regulator took since start", labels=labels
        )
        dropped = CounterMetricFamily(
            "sitegw_behind_alerts_dropped",
            "Pictures or clips dropped before delivery since start",
            labels=labels,
        )
        for kind, uplinks in self.src.behind_alerts().items():
            for uplink, counts in uplinks.items():
                waiting.add_metric([kind, uplink], counts["waiting"])
                sent.add_metric([kind, uplink], counts["sent"])
                dropped.add_metric([kind, uplink], counts["dropped"])
        yield from (waiting, sent, dropped)

    def _devices(self) -> Iterator[Any]:
        readings = CounterMetricFamily("sitegw_readings", "Readings received, by device", labels=["device"])
        online = GaugeMetricFamily("sitegw_device_online", "1 when the device answers", labels=["device"])
        errors = CounterMetricFamily(
            "sitegw_device_errors", "Failed polls and malformed payloads", labels=["device"]
        )
        for device, st in self.src.driver_stats().items():
            readings.add_metric([device], st.readings)
            online.add_metric([device], 1.0 if st.online else 0.0)
            errors.add_metric([device], st.errors)
        yield from (readings, online, errors)
        refused = CounterMetricFamily(
            "sitegw_refused_inputs",
            "Readings or messages refused past a bound (gateway/series_guard.py, drivers/mqtt/link.py)",
            labels=["device", "cause"],
        )
        for (device, cause), n in sorted(self.src.refused().items()):
            refused.add_metric([device, cause], n)
        yield refused
        yield CounterMetricFamily("sitegw_readings_in", "Readings on the bus", value=self.src.live.total)
        yield CounterMetricFamily(
            "sitegw_rule_evaluations",
            "Readings judged by the safety rules",
            value=self.src.rule_evaluations(),
        )

    def _stores(self) -> Iterator[Any]:
        counts = self.src.store_counts()
        if counts is not None:
            yield GaugeMetricFamily("sitegw_store_rows", "Rows in the local store", value=counts.rows)
            yield GaugeMetricFamily("sitegw_store_bytes", "Local store file size", value=counts.file_bytes)
        pending, dropped = self.src.store_memory()
        yield GaugeMetricFamily(
            "sitegw_store_pending", "Readings waiting in memory for the local store", value=pending
        )
        yield CounterMetricFamily(
            "sitegw_store_dropped",
            "Readings dropped, oldest first, past store.max_held_readings while the disk was full",
            value=dropped,
        )
        if self.src.disk is not None:
            yield GaugeMetricFamily(
                "sitegw_state_disk_free_bytes",
                "Free space of the state folder's filesystem",
                value=self.src.disk.free_bytes,
            )
            yield GaugeMetricFamily(
                "sitegw_state_disk_full",
                "1 while the state folder's disk is full (readings wait in memory, alerts use the reserve)",
                value=int(self.src.disk.full),
            )
        if self.src.influx is not None:
            st = self.src.influx.stats()
            yield GaugeMetricFamily(
                "sitegw_spool_depth", "InfluxDB points waiting on disk", value=st.spool_points
            )
            yield CounterMetricFamily(
                "sitegw_influx_points_written", "Points written to InfluxDB", value=st.points_written
            )

    def _alerts(self) -> Iterator[Any]:
        by_level = GaugeMetricFamily(
            "sitegw_alerts_active", "Alerts not resolved, by level", labels=["level"]
        )
        active = self.src.alerts.active_levels()
        for level in ("warning", "alarm", "critical"):
            by_level.add_metric([level], active[level])
        yield by_level
        events = CounterMetricFamily(
            "sitegw_alert_events", "Alert changes since start, by level and state", labels=["level", "state"]
        )
        for (level, state), n in sorted(self.alert_events.items()):
            events.add_metric([level, state], n)
        yield events

    def _live(self) -> Iterator[Any]:
        hub = self.src.hub
        yield GaugeMetricFamily(
            "sitegw_live_clients", "SSE and WebSocket clients connected", value=hub.clients
        )
        yield CounterMetricFamily(
            "sitegw_live_events", "Events published on the live stream", value=hub.published
        )
        yield CounterMetricFamily(
            "sitegw_live_clients_dropped",
            "Stream clients cut off for falling behind",
            value=hub.dropped_clients,
        )

    def _cameras(self) -> Iterator[Any]:
        cams = self.src.cameras()
        if cams is None:
            return
        online = GaugeMetricFamily(
            "sitegw_camera_online", "1 when the camera delivers frames", labels=["camera"]
        )
        inference = GaugeMetricFamily(
            "sitegw_inference_ms", "Analysis time of the last frame, ms", labels=["camera"]
        )
        analysed = CounterMetricFamily(
            "sitegw_frames_analysed", "Frames analysed since start", labels=["camera"]
        )
        dropped = CounterMetricFamily(
            "sitegw_frames_dropped", "Frames skipped because analysis was busy", labels=["camera"]
        )
        restarts = CounterMetricFamily(
            "sitegw_camera_worker_restarts", "Camera worker processes restarted", labels=["camera"]
        )
        stats = getattr(cams, "stats", None)
        workers: Mapping[str, Mapping[str, Any]] = stats() if stats is not None else {}
        for c in cams.cameras():
            online.add_metric([c.id], 1.0 if c.online else 0.0)
            last = self.src.live.latest.get(
                (c.id, "", "inference_ms")
            )  # the workers report it with each frame
            if last is not None:
                inference.add_metric([c.id], float(last.value))
            # optional figures: reported only when the camera service gives them
            frames, skipped = getattr(c, "frames", None), getattr(c, "dropped_frames", None)
            if frames is not None:
                analysed.add_metric([c.id], float(frames))
            if skipped is not None:
                dropped.add_metric([c.id], float(skipped))
            if c.id in workers:
                restarts.add_metric([c.id], float(workers[c.id].get("restarts", 0)))
        yield from (online, inference, analysed, dropped, restarts)


def outbox_metrics(stats: OutboxStats) -> Iterator[Any]:
    """Backlog per uplink (canonical ``outbox_depth`` and ``oldest_unsent_s``), outcomes, disk use."""
    depth = GaugeMetricFamily("sitegw_outbox_depth", "AlertEvents waiting for delivery", labels=["uplink"])
    oldest = GaugeMetricFamily(
        "sitegw_oldest_unsent_s", "Age of the oldest undelivered AlertEvent, seconds", labels=["uplink"]
    )
    delivered = CounterMetricFamily(
        "sitegw_outbox_delivered", "AlertEvents the platform confirmed", labels=["uplink"]
    )
    dead = CounterMetricFamily(
        "sitegw_outbox_dead", "AlertEvents the platform refused (kept in dead_letters)", labels=["uplink"]
    )
    for b in stats.backlogs:
        depth.add_metric([b.uplink], b.depth)
        oldest.add_metric([b.uplink], b.oldest_unsent_s)
        delivered.add_metric([b.uplink], b.delivered)
        dead.add_metric([b.uplink], b.dead)
    yield from (depth, oldest, delivered, dead)
    yield GaugeMetricFamily(
        "sitegw_outbox_disk_pct", "Per cent of the outbox disk budget in use", value=stats.disk_pct
    )
    yield GaugeMetricFamily(
        "sitegw_outbox_disk_warn_pct", "Per cent at which the outbox warns", value=stats.disk_warn_pct
    )
    yield CounterMetricFamily(
        "sitegw_outbox_dropped",
        "AlertEvents given up because the disk budget ran out",
        value=stats.dropped,
    )


class GatewayMetrics:
    """The gateway's registry with its one collector."""

    def __init__(self, sources: MetricSources) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.collector = GatewayCollector(sources)
        self.registry.register(self.collector)
        sources.alerts.add_listener(self.collector.on_alert)
