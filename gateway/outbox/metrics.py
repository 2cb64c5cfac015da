"""Prometheus metric families of the outbox (for the gateway's /metrics collector)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from gateway.outbox.service import OutboxStats


def outbox_metrics(stats: OutboxStats) -> Iterator[Metric]:
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
        "sitegw_outbox_dropped", "AlertEvents given up because the disk budget ran out", value=stats.dropped
    )
