"""Fixtures for the store tests: the real InfluxDB 1.6.7 and VictoriaMetrics servers, and readings."""

from __future__ import annotations

from tests.servers.influx import influxdb1, victoria  # noqa: F401  (pytest fixtures)
