"""/metrics counts the active alerts from memory: a site's resolved history (each vision alert with its
evidence picture) costs a scrape nothing. The soak (docs/soak.md) found every scrape reading every alert
ever raised back from SQLite: 917 alerts, 29 MB of JSON, 3.7 s a scrape after 14 minutes, and the
gateway's memory growing 14 MB a minute with it."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from contract.alert_event import AlertEvent
from gateway.alerts.manager import AlertManager
from gateway.api.hub import LiveHub
from gateway.live import LiveState
from gateway.metrics import GatewayMetrics, MetricSources
from gateway.outbox.service import OutboxStats
from rules import RuleResult

PROJECT = "GD-SZ-2026-0001"
PICTURE = "data:image/jpeg;base64,/9j/" + "A" * 100_000  # a camera's evidence is 100-200 KB of base64


def verdict(rule: str, device: str, level: str | None, ts: float, evidence: str | None = None) -> RuleResult:
    return RuleResult(
        rule=rule,
        device=device,
        point="",
        level=level,  # type: ignore[arg-type]
        ts=ts,
        clause="JGJ 59-2011",
        message=f"{rule} {level}",
        evidence=evidence,
    )


def metrics_of(manager: AlertManager) -> GatewayMetrics:
    outbox = OutboxStats(
        backlogs=[], disk_bytes=0, disk_budget_bytes=1, disk_pct=0, disk_warn_pct=80, dropped=0
    )
    return GatewayMetrics(
        MetricSources(
            driver_stats=dict,
            store_counts=lambda: None,
            outbox=lambda: outbox,
            rule_evaluations=lambda: 0,
            live=LiveState(),
            hub=LiveHub(),
            alerts=manager,
        )
    )


def active_gauge(text: str) -> dict[str, float]:
    family = next(f for f in text_string_to_metric_families(text) if f.name == "sitegw_alerts_active")
    return {s.labels["level"]: s.value for s in family.samples}


def test_a_scrape_counts_active_alerts_without_reading_the_resolved_history(tmp_path: Path) -> None:
    sent: list[AlertEvent] = []
    manager = AlertManager(tmp_path / "alerts.sqlite", PROJECT, sent.append)
    try:
        for i in range(150):  # a camera's day: a bare head seen, then gone, each time with its picture
            manager.handle([verdict("vision.no_helmet", "cam-1", "warning", 2 * i, PICTURE)])
            manager.handle([verdict("vision.no_helmet", "cam-1", None, 2 * i + 1)])
        manager.handle(
            [
                verdict("vision.no_helmet", "cam-2", "warning", 400, PICTURE),
                verdict("crane.load", "crane-1", "critical", 401),
                verdict("crane.wind", "crane-2", "alarm", 402),
                verdict("crane.wind", "crane-3", "alarm", 403),
            ]
        )
        registry = metrics_of(manager).registry
        tracemalloc.start()
        text = generate_latest(registry).decode()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        stored = manager.list_alerts(limit=1000)
    finally:
        manager.close()
    assert len(stored) == 154  # the history is all there, for the dashboard and the API
    assert active_gauge(text) == {"warning": 1.0, "alarm": 2.0, "critical": 1.0}
    assert peak < 2_000_000, f"a scrape took {peak / 1e6:.1f} MB: it read the alert history"
