"""The reference site's MQTT devices (pit-1, formwork-1, gate-1) read by the real driver from a test broker."""

from __future__ import annotations

from pathlib import Path

from contract.bus import Bus
from contract.config.loader import LoadedSite, load_site
from contract.config.transport import MqttBroker, MqttTransport
from drivers.mqtt import MqttDriver

from .conftest import Recorder

SITE = Path(__file__).resolve().parents[3] / "config" / "examples" / "site.yaml"


def example_site() -> LoadedSite:
    """The reference site as shipped."""
    return load_site(SITE)


def prefix(site: LoadedSite, device: str) -> str:
    """The device's topic prefix in the site file."""
    transport = site.config.device(device).transport
    assert isinstance(transport, MqttTransport)
    return transport.topic_prefix


async def started_driver(site: LoadedSite, port: int) -> tuple[MqttDriver, Recorder]:
    """The driver on the site's broker replaced by 127.0.0.1:``port``, connected (subscriptions sent)."""
    bus = Bus()
    rec = Recorder(bus)
    driver = MqttDriver(site, bus, brokers={"site": MqttBroker(host="127.0.0.1", port=port)})
    await driver.start()
    await rec.wait(lambda: any(s.online for s in rec.statuses), what="the driver to connect")
    return driver, rec
