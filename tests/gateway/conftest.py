"""Fixtures of the gateway services' tests: a real Mosquitto."""

from tests.servers.mosquitto import mosquitto  # noqa: F401 (the fixture)
