"""The reference site's MQTT devices (pit-1, formwork-1, gate-1) read by the real driver from a test broker."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from contract.bus import Bus
from contract.config.loader import LoadedSite, load_site
from contract.config.transport import MqttBroker, MqttTransport
from drivers.mqtt import MqttDriver
from drivers.simulators.device_sim import make_sim
from drivers.simulators.profile_publish import ProfilePublisher

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


async def simulated_to_driver(port: int, device: str, scenario: str, metrics: Collection[str]) -> None:
    """``device``'s simulator playing ``scenario``, published on the broker at 127.0.0.1:``port`` as its
    profile maps it, until the real driver has read every one of ``metrics`` of it, no reading refused."""
    site = example_site()
    profile = site.profile_of(device).mqtt
    assert profile is not None
    driver, rec = await started_driver(site, port)
    sim = make_sim(site.config.device(device), site, scenario, seed=1)
    publisher = ProfilePublisher(sim, profile, "127.0.0.1", port, prefix(site, device), interval_s=0.2)
    try:
        await publisher.run(1.0)
        await rec.wait(
            lambda: {r.metric for r in rec.readings if r.device == device} == set(metrics),
            what="every metric",
        )
    finally:
        await driver.stop()
    assert driver.stats()[device].errors == 0
