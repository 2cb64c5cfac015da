"""Any simulated device published over MQTT as its profile's payload map says: the decoder's inverse.

Each poll interval, every topic map of the profile gets one message (one per point where the point is in
the topic or the payload), its values placed at their JSON paths, scaled back (``raw = (value - offset) /
scale``), words for values sent as words, the reading time at the timestamp path. With the device's
DeviceSim (drivers/simulators/device_sim.py) this serves a device of any kind, a plug-in's included.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

from contract.config.profile import MqttMap, PayloadValue, TopicMap
from drivers.mqtt.decode import compile_path
from drivers.mqtt.topics import expand, level_index
from drivers.simulators.device_sim import DeviceSim
from drivers.simulators.mqtt_publish import MqttJsonSimulator
from drivers.simulators.sim_clock import site_time


def _set(doc: dict[str, Any], path: str, value: object) -> None:
    steps = [key for key, _ in compile_path(path)]
    if not steps:
        raise ValueError("a JSON message needs a path for each value (an empty path is for plain numbers)")
    for key in steps[:-1]:
        doc = doc.setdefault(key, {})
    doc[steps[-1]] = value


def _raw(v: PayloadValue, value: float | str) -> object:
    if isinstance(value, str):
        return value
    if v.map:
        return next((word for word, n in v.map.items() if n == value), next(iter(v.map)))
    return round((value - v.offset) / v.scale, 6)


def messages(
    topic: TopicMap, prefix: str, values: Mapping[str, float | str], ts: float
) -> list[tuple[str, str | dict[str, Any]]]:
    """The (topic, payload) pairs of one topic map for ``values`` (keyed ``metric`` or ``metric@point``)."""
    levels = expand(topic.topic, prefix).split("/")
    per_point = topic.point_level is not None or bool(topic.point_path)
    points = sorted({k.split("@", 1)[1] for k in values if "@" in k}) if per_point else [""]
    out: list[tuple[str, str | dict[str, Any]]] = []
    for point in points:
        at = list(levels)
        if topic.point_level is not None:  # counted in the filter, where the prefix is one level
            at[level_index(topic.topic, prefix, topic.point_level)] = point
        if "+" in at or "#" in at:
            raise ValueError(f"cannot publish to the filter {topic.topic!r}: a level is a wildcard")
        found = {v.metric: values.get(f"{v.metric}@{point}" if point else v.metric) for v in topic.values}
        if all(x is None for x in found.values()):
            continue
        if topic.format == "number":
            (v,) = topic.values
            value = found[v.metric]
            out.append(("/".join(at), str(_raw(v, value if value is not None else 0.0))))
            continue
        body: dict[str, Any] = {}
        for v in topic.values:
            value = found[v.metric]
            if value is not None:
                _set(body, v.path, _raw(v, value))
        if topic.point_path:
            _set(body, topic.point_path, point)
        if topic.ts_path:
            _set(body, topic.ts_path, site_time(ts))
        out.append(("/".join(at), body))
    return out


class ProfilePublisher(MqttJsonSimulator):
    """Publishes a DeviceSim's values every ``interval_s`` as the profile's ``mqtt:`` map says.

    With ``backlog_s``, it first sends what a station's data logger kept of the ``backlog_s`` before it
    connected, a report every ``backlog_every_s`` (oldest first, each with its own time, the sim's ``t``
    negative): a device whose rules need days of history (a slope's rate three days running) is judged on
    days that really passed, not on a clock run fast under present-day timestamps. The profile needs a
    timestamp path for it (else every report would read as now). A ``sim`` played faster than real time
    (TimeScaled) gives its unscaled self as ``logged``: the logger kept its past at the pace it happened, so
    no fast clock's value is stamped with a past time."""

    kind = "device"

    def __init__(
        self,
        sim: DeviceSim,
        mqtt_map: MqttMap,
        host: str,
        port: int,
        topic_prefix: str,
        *,
        interval_s: float = 1.0,
        backlog_s: float = 0.0,
        backlog_every_s: float = 3600.0,
        logged: DeviceSim | None = None,
        username: str = "",
        password: str = "",
        client_id: str = "",
    ) -> None:
        super().__init__(host, port, username=username, password=password, client_id=client_id)
        self.sim, self.map, self.prefix, self.interval_s = sim, mqtt_map, topic_prefix, interval_s
        if backlog_s < 0 or backlog_every_s <= 0:
            raise ValueError(
                f"backlog_s must be 0 or more and backlog_every_s above 0, got {backlog_s}, {backlog_every_s}"
            )
        if backlog_s and not all(t.ts_path for t in mqtt_map.topics):
            raise ValueError(
                "a backlog needs a timestamp path (ts_path) in every topic of the profile's mqtt map"
            )
        self.backlog_s, self.backlog_every_s = backlog_s, backlog_every_s
        self.logged = logged if logged is not None else sim
        self._t0 = 0.0

    def _on_connected(self) -> None:
        self._t0 = time.monotonic()

    async def _publish_loop(self) -> None:
        now0 = time.time()
        stored = int(self.backlog_s // self.backlog_every_s)
        for k in range(stored, 0, -1):  # the logger's reports, oldest first
            t = -k * self.backlog_every_s
            self._send(self.logged.values(t), now0 + t)
            await asyncio.sleep(0.01)  # a burst the broker and the reader take in stride
        while True:
            self._send(self.sim.values(time.monotonic() - self._t0), time.time())
            await asyncio.sleep(self.interval_s)

    def _send(self, values: Mapping[str, float | str], ts: float) -> None:
        for topic in self.map.topics:
            for name, payload in messages(topic, self.prefix, values, ts):
                if isinstance(payload, str):
                    self.publish_text(name, payload)
                else:
                    self.publish_json(name, payload, values=len(topic.values))
