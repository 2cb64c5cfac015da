"""What every MQTT-publishing simulator shares: the broker connection, a publishing task, QoS 1
JSON messages, and a stop that waits until the broker has acknowledged what was sent.

A simulator subclasses :class:`MqttJsonSimulator`, sets up its clocks and models in
:meth:`~MqttJsonSimulator._on_connected` and publishes with :meth:`~MqttJsonSimulator.publish_json`
from its :meth:`~MqttJsonSimulator._publish_loop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from abc import ABC, abstractmethod
from collections.abc import Mapping

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from plumbing.paho_stop import disconnect_and_join


class MqttJsonSimulator(ABC):
    """Publishes JSON messages to one broker; ``await start()`` / ``await stop()``, or ``run()``."""

    kind = "device"  # names the client id and the task

    def __init__(
        self, host: str, port: int, *, username: str = "", password: str = "", client_id: str = ""
    ) -> None:
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.client_id = client_id or f"sitegw-sim-{self.kind}-{random.getrandbits(32):08x}"
        self.published = 0
        self.values_published = 0  # the device's values in those messages (a gateway's readings)
        self._client: mqtt.Client | None = None
        self._task: asyncio.Task[None] | None = None
        self._last_info: mqtt.MQTTMessageInfo | None = None

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._task is not None

    async def start(self) -> None:
        """Connect (ConnectionError naming the broker if it cannot) and start publishing."""
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            clean_session=True,
            protocol=mqtt.MQTTv311,
        )
        if self.username:
            client.username_pw_set(self.username, self.password or None)
        try:
            await asyncio.to_thread(client.connect, self.host, self.port, 30)
        except OSError as exc:
            raise ConnectionError(f"cannot reach the MQTT broker {self.host}:{self.port}: {exc}") from None
        client.loop_start()
        self._client = client
        self._on_connected()
        self._task = asyncio.create_task(self._publish_loop(), name=f"{self.kind}-simulator")

    async def stop(self) -> None:
        """Stop publishing, let the broker acknowledge what was sent, disconnect."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        client, self._client = self._client, None
        if client is None:
            return
        info = self._last_info
        if info is not None:
            await asyncio.to_thread(_wait_published, info, 10.0)
        await disconnect_and_join(client)

    async def run(self, duration: float | None = None) -> None:
        """Publish for ``duration`` real seconds (None: until cancelled), then stop."""
        await self.start()
        try:
            assert self._task is not None
            if duration is None:
                await self._task
            else:
                await asyncio.sleep(duration)
        finally:
            await self.stop()

    def publish_json(self, topic: str, body: Mapping[str, object], values: int = 1) -> None:
        """Publish ``body``, which carries ``values`` of the device's values, as JSON at QoS 1 (non-ASCII
        text as is, as devices send it)."""
        self.publish_text(topic, json.dumps(body, ensure_ascii=False), values)

    def publish_text(self, topic: str, payload: str, values: int = 1) -> None:
        """Publish ``payload`` as it is (a plain number's text, or JSON) at QoS 1."""
        assert self._client is not None, "publish before start()"
        self._last_info = self._client.publish(topic, payload, qos=1)
        self.published += 1
        self.values_published += values

    @abstractmethod
    def _on_connected(self) -> None:
        """Set up what the publishing loop needs (clocks, models, a log line); called once connected."""

    @abstractmethod
    async def _publish_loop(self) -> None:
        """Publish until cancelled."""


def _wait_published(info: mqtt.MQTTMessageInfo, timeout: float) -> None:
    # not sent because the link is down: nothing to wait for
    with contextlib.suppress(RuntimeError, ValueError):
        info.wait_for_publish(timeout)
