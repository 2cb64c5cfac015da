"""Prometheus families the API adds to the gateway's: rule evaluations, alert events by level and
state, live stream clients, and the camera workers' inference time and dropped frames."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from contract.alert_event import AlertEvent
from gateway.api.site_views import cameras_of

if TYPE_CHECKING:
    from sitegw.runtime import Gateway


class ApiCollector(Collector):
    """Reads the gateway's rule and stream counters, and the cameras' figures, at scrape time."""

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw
        self.alert_events: Counter[tuple[str, str]] = Counter()

    def on_alert(self, event: AlertEvent) -> None:
        """Count an alert event by level and state (an alert manager listener)."""
        self.alert_events[(event.level, event.state)] += 1

    def collect(self) -> Iterator[Any]:
        gw = self.gw
        yield CounterMetricFamily(
            "sitegw_rule_evaluations", "Readings judged by the safety rules", value=gw.rule_evaluations
        )
        events = CounterMetricFamily(
            "sitegw_alert_events", "Alert changes since start, by level and state", labels=["level", "state"]
        )
        for (level, state), n in sorted(self.alert_events.items()):
            events.add_metric([level, state], n)
        yield events
        yield GaugeMetricFamily(
            "sitegw_live_clients", "SSE and WebSocket clients connected", value=gw.hub.clients
        )
        yield CounterMetricFamily(
            "sitegw_live_events", "Events published on the live stream", value=gw.hub.published
        )
        yield CounterMetricFamily(
            "sitegw_live_clients_dropped",
            "Stream clients cut off for falling behind",
            value=gw.hub.dropped_clients,
        )
        cams = cameras_of(gw)
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
        workers = cams.stats() if hasattr(cams, "stats") else {}
        for c in cams.cameras():
            online.add_metric([c.id], 1.0 if c.online else 0.0)
            last = gw.live.latest.get((c.id, "", "inference_ms"))  # the workers report it with each frame
            if last is not None:
                inference.add_metric([c.id], float(last.value))
            # optional figures: reported only when the vision service gives them
            if getattr(c, "frames", None) is not None:
                analysed.add_metric([c.id], float(c.frames))
            if getattr(c, "dropped_frames", None) is not None:
                dropped.add_metric([c.id], float(c.dropped_frames))
            if c.id in workers:
                restarts.add_metric([c.id], float(workers[c.id].get("restarts", 0)))
        yield from (online, inference, analysed, dropped, restarts)
