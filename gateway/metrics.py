"""Prometheus metrics of the gateway, collected from live state at scrape time.

Counting happens where the work is (drivers, store, outbox); this module only reads those
counters when Prometheus asks, so the hot paths pay nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from sitegw.runtime import Gateway


class GatewayCollector(Collector):
    """Reads a running gateway's counters into metric families."""

    def __init__(self) -> None:
        self.gw: Gateway | None = None

    def collect(self) -> Iterator[Any]:
        gw = self.gw
        if gw is None:
            return
        readings = CounterMetricFamily("sitegw_readings", "Readings received, by device", labels=["device"])
        online = GaugeMetricFamily("sitegw_device_online", "1 when the device answers", labels=["device"])
        errors = CounterMetricFamily(
            "sitegw_device_errors", "Failed polls and malformed payloads", labels=["device"]
        )
        for device, st in gw.driver_stats().items():
            readings.add_metric([device], st.readings)
            online.add_metric([device], 1.0 if st.online else 0.0)
            errors.add_metric([device], st.errors)
        yield readings
        yield online
        yield errors
        yield CounterMetricFamily("sitegw_readings_in", "Readings on the bus", value=gw.live.total)
        counts = gw.store_counts()
        if counts is not None:
            yield GaugeMetricFamily("sitegw_store_rows", "Rows in the local store", value=counts.rows)
            yield GaugeMetricFamily("sitegw_store_bytes", "Local store file size", value=counts.file_bytes)
        if gw.influx is not None:
            st = gw.influx.stats()
            yield GaugeMetricFamily(
                "sitegw_spool_depth", "InfluxDB points waiting on disk", value=st.spool_points
            )
            yield CounterMetricFamily(
                "sitegw_influx_points_written", "Points written to InfluxDB", value=st.points_written
            )
        for family in gw.extra_metrics():
            yield family


class GatewayMetrics:
    """A registry of its own (tests may run several gateways in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self._collector = GatewayCollector()
        self.registry.register(self._collector)

    def refresh(self, gw: Gateway) -> None:
        """Point the collector at the gateway to read."""
        self._collector.gw = gw
