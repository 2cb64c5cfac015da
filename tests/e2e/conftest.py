"""Fixtures of the end-to-end tests: real InfluxDB-compatible servers and Mosquitto."""

from tests.servers.influx import influxdb1, victoria  # noqa: F401  (pytest fixtures)
from tests.servers.mosquitto import mosquitto  # noqa: F401  (pytest fixture)
