"""Fixtures of the hostile-input and security tests: a real Mosquitto."""

from tests.servers.mosquitto import mosquitto  # noqa: F401  (pytest fixture)
