"""Shared pieces of the MQTT tests: a real Mosquitto, site files, a bus recorder, a publisher, a subscriber."""

from __future__ import annotations

import asyncio
import json
import textwrap
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import paho.mqtt.client as mqtt
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from contract.bus import Bus
from contract.config.loader import LoadedSite, load_site
from contract.config.pit import PitSpec
from contract.readings import DeviceStatus, Reading
from tests.servers.mosquitto import mosquitto  # noqa: F401  (the fixture)

REPO = Path(__file__).resolve().parents[3]
PREFIX = "sitegw/T-0001/pit-1"
POINTS = ["ZQS-01", "ZQS-02", "CX-01", "ZL-01", "SW-01"]


def write_site(
    tmp_path: Path,
    port: int,
    *,
    profile: str = "pit_dau",
    extra_profile: str = "",
    points: Iterable[str] = POINTS,
    backoff_max_s: float = 2,
    broker_tls: str = "",
) -> LoadedSite:
    """A one-pit site on 127.0.0.1:``port``; ``extra_profile`` is YAML for a test profile; ``broker_tls``:
    the broker's tls: settings as a YAML flow mapping."""
    kinds = {"ZQS": "wall_top", "CX": "inclinometer", "ZL": "strut", "SW": "water_level"}
    rows = "\n".join(f"          - {{code: {c}, kind: {kinds[c.split('-')[0]]}}}" for c in points)
    profiles_dir = ""
    if extra_profile:
        (tmp_path / "profiles").mkdir(exist_ok=True)
        name = extra_profile.split("name:", 1)[1].split()[0]
        (tmp_path / "profiles" / f"{name}.yaml").write_text(textwrap.dedent(extra_profile))
        profiles_dir = "profiles_dir: profiles\n"
    site = tmp_path / "site.yaml"
    site.write_text(f"""\
project: {{code: T-0001, name: test}}
{profiles_dir}mqtt_brokers:
  site: {{host: 127.0.0.1, port: {port}{", tls: " + broker_tls if broker_tls else ""}}}
devices:
  - id: pit-1
    kind: pit
    profile: {profile}
    transport: {{type: mqtt, broker: site, topic_prefix: {PREFIX}}}
    poll_interval_s: 7200
    backoff_max_s: {backoff_max_s}
    pit:
      grade: 1
      support: bored_pile
      excavation_depth_m: 12
      points:
{rows}
""")
    return load_site(site)


class Recorder:
    """Subscribes to a Bus and keeps what it delivers, in order."""

    def __init__(self, bus: Bus) -> None:
        self.readings: list[Reading] = []
        self.statuses: list[DeviceStatus] = []
        bus.subscribe("recorder", self.readings.extend)
        bus.subscribe_status("recorder", self.statuses.append)

    async def wait(self, ready: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
        """Poll until ``ready()``; fail naming ``what`` (and what did arrive) on timeout."""
        deadline = time.monotonic() + timeout
        while not ready():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out waiting for {what or ready}: {len(self.readings)} readings, "
                    f"statuses {[(s.online, s.reason) for s in self.statuses]}"
                )
            await asyncio.sleep(0.02)


def publish(
    port: int, messages: Iterable[tuple[str, bytes | str]], client_id: str = "test-publisher"
) -> None:
    """Publish at QoS 1 and return once the broker acknowledged every message."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311)
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        infos = [client.publish(topic, payload, qos=1) for topic, payload in messages]
        for info in infos:
            info.wait_for_publish(10)
    finally:
        client.disconnect()
        client.loop_stop()


class Subscriber:
    """JSON messages on a topic filter of the test broker, in arrival order, from the moment the
    broker confirmed the subscription (the constructor waits for that)."""

    def __init__(self, port: int, topic: str, client_id: str = "test-subscriber") -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []
        subacked = threading.Event()
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311)
        client.on_message = lambda c, u, m: self.messages.append((m.topic, json.loads(m.payload)))
        client.on_subscribe = lambda *_: subacked.set()
        client.connect("127.0.0.1", port)
        client.loop_start()
        client.subscribe(topic, qos=1)
        self._client = client
        if not subacked.wait(10):
            self.close()
            raise AssertionError(f"the broker did not confirm the subscription to {topic}")

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        """Block until ``count`` messages have arrived; fail saying how many did."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.messages)} of {count} messages arrived in {timeout} s")
            time.sleep(0.02)

    def close(self) -> None:
        """Disconnect."""
        self._client.disconnect()
        self._client.loop_stop()

    def __enter__(self) -> Subscriber:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def point_msg(point: str, ts: float | str, **values: object) -> tuple[str, str]:
    """A pit_dau message of one point."""
    return f"{PREFIX}/points/{point}/data", json.dumps({"ts": ts, "point": point, **values})


def example_spec() -> PitSpec:
    """The reference site's pit: 8 wall-top points, 2 inclinometers, 2 struts, 1 water level."""
    site = yaml.safe_load((REPO / "config" / "examples" / "site.yaml").read_text())
    return PitSpec.model_validate(next(d for d in site["devices"] if d["kind"] == "pit")["pit"])
