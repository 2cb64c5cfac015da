"""Fixtures of the uplink tests: stand-in platforms and a real mosquitto."""

from tests.regulator.support import receiver  # noqa: F401 (fixture)
from tests.servers.mosquitto import mosquitto  # noqa: F401 (fixture)
from tests.uplinks.platform import platform  # noqa: F401 (fixture)
