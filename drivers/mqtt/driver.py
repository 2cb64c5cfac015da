"""MqttDriver: every MQTT device of a site, one client per broker."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

from contract.bus import Bus
from contract.config.device import DeviceConfig
from contract.config.errors import ConfigError, ConfigIssue
from contract.config.loader import LoadedSite
from contract.config.transport import MqttBroker, MqttTransport
from drivers.base import DeviceStats
from drivers.mqtt.decode import MessageDecoder, compile_path
from drivers.mqtt.link import BrokerLink
from drivers.mqtt.topics import check_filter, expand

log = logging.getLogger(__name__)


class MqttDriver:
    """The ``drivers.base.Driver`` for MQTT devices.

    ``brokers`` replaces entries of the site's ``mqtt_brokers`` by name (the demo points the
    site's broker at its embedded one). ``may_take`` answers, on the event loop's thread, whether the
    consumers can take more readings now: while it says no, every broker keeps what the gateway has not
    read (BrokerLink). Bad topic maps raise ConfigError at construction.
    """

    def __init__(
        self,
        site: LoadedSite,
        bus: Bus,
        brokers: dict[str, MqttBroker] | None = None,
        may_take: Callable[[], bool] = lambda: True,
    ) -> None:
        cfg = site.config
        known = {**cfg.mqtt_brokers, **(brokers or {})}
        decoders = site_decoders(site)
        self._links: list[BrokerLink] = []
        for name, devices in _mqtt_devices(site).items():
            broker = known[name]
            client_id = broker.client_id or default_client_id(cfg.project.code, name)
            backoff = min(d.backoff_max_s for d in devices)
            self._links.append(
                BrokerLink(
                    name, broker, client_id, decoders[name], [d.id for d in devices], bus, backoff, may_take
                )
            )

    async def start(self) -> None:
        """Start one client per broker; returns at once, connecting goes on in paho's threads."""
        loop = asyncio.get_running_loop()
        for link in self._links:
            link.start(loop)

    async def stop(self) -> None:
        """Disconnect every client; the brokers keep the sessions for the next start."""
        await asyncio.gather(*(link.stop() for link in self._links))

    def stats(self) -> dict[str, DeviceStats]:
        """A snapshot of the counters by device id (``requests`` counts MQTT messages received).

        Copies, because paho's thread keeps counting: a caller iterating ``per_metric`` while a
        new metric is added would fail; ``dict(d)`` copies under the GIL in one step.
        """
        return {
            device: replace(st, per_metric=dict(st.per_metric))
            for link in self._links
            for device, st in link.stats.items()
        }

    def topic_errors(self) -> dict[str, int]:
        """Malformed messages by topic, over every broker."""
        out: dict[str, int] = {}
        for link in self._links:
            for topic, n in link.faults.topic_errors.items():
                out[topic] = out.get(topic, 0) + n
        return out


def site_decoders(site: LoadedSite) -> dict[str, list[MessageDecoder]]:
    """The compiled topic maps of every MQTT device, by broker name; ConfigError for maps that cannot work."""
    issues: list[ConfigIssue] = []
    out: dict[str, list[MessageDecoder]] = {}
    index = {d.id: i for i, d in enumerate(site.config.devices)}
    for name, devices in _mqtt_devices(site).items():
        out[name] = [dec for d in devices for dec in _decoders(site, index[d.id], d, issues)]
    if issues:
        raise ConfigError(issues)
    return out


def _mqtt_devices(site: LoadedSite) -> dict[str, list[DeviceConfig]]:
    by_broker: dict[str, list[DeviceConfig]] = defaultdict(list)
    for device in site.config.devices:
        if isinstance(device.transport, MqttTransport):
            by_broker[device.transport.broker].append(device)
    return by_broker


def _decoders(
    site: LoadedSite, index: int, device: DeviceConfig, issues: list[ConfigIssue]
) -> list[MessageDecoder]:
    """Compile the device's topic maps, adding a ConfigIssue for each one that cannot work."""
    profile = site.profiles[device.profile]
    transport = device.transport
    assert isinstance(transport, MqttTransport) and profile.mqtt is not None  # load_site checked both
    points = device.point_codes()
    out = []
    for j, tmap in enumerate(profile.mqtt.topics):
        where = f"devices[{index}] ({device.id}), profile {profile.name}: mqtt.topics[{j}]"
        problem = check_filter(expand(tmap.topic, transport.topic_prefix))
        try:
            for path in [tmap.point_path, tmap.ts_path, *(v.path for v in tmap.values)]:
                compile_path(path)
        except ValueError as exc:
            problem = problem or str(exc)
        if (
            tmap.point_level is not None
            and tmap.point_level >= len(tmap.topic.split("/"))
            and not tmap.topic.endswith("#")
        ):
            problem = problem or f"point_level {tmap.point_level} is beyond the filter {tmap.topic!r}"
        if problem:
            issues.append(
                ConfigIssue(
                    site.path,
                    site.line_of(("devices", index, "profile")),  # the line choosing the profile at fault
                    where,
                    problem,
                    "fix the profile's topic map (config/profiles/README.md)",
                )
            )
            continue
        out.append(MessageDecoder(site.config.project.code, device.id, transport.topic_prefix, tmap, points))
    return out


def default_client_id(project: str, broker: str) -> str:
    """``sitegw-<project>-<broker>-<host>``: the same at every start (the broker keeps the gateway's session
    under it), and not the same as another gateway's of the project on another machine. Without the host two
    gateways (or anyone who knows the project's code) took the id in turns, each kicking the other off."""
    host = re.sub(r"[^A-Za-z0-9_.-]", "-", socket.gethostname())[:40] or "host"
    return f"sitegw-{project}-{broker}-{host}"
