"""An MQTT broker inside the gateway's process, for `sitegw demo` when no broker is configured.

amqtt 0.12.1 on 127.0.0.1 and a free port. One thing had to be worked around: amqtt keeps no
persistent session (no queued QoS 1 messages, no stored subscriptions) for a client its
``AnonymousAuthPlugin`` let in, because that plugin marks the session anonymous and the broker
then throws the session away on disconnect (amqtt/broker.py, ``_session_monitor`` and
``_run_broadcast``). :class:`AcceptAllAuthPlugin` lets every client in *without* that mark, so
paho with a fixed client id, ``clean_session=False`` and QoS 1 gets what it gets from Mosquitto:
messages published while it was away are delivered when it comes back (tests/drivers/mqtt).
The broker only listens on loopback, so accepting every client is no exposure.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from amqtt.broker import Broker
from amqtt.plugins.base import BaseAuthPlugin
from amqtt.session import Session

from contract.config.transport import MqttBroker
from drivers.ports import free_tcp_port

log = logging.getLogger(__name__)


class AcceptAllAuthPlugin(BaseAuthPlugin):  # type: ignore[misc]  # amqtt publishes no types: its base is Any
    """Lets every client in and keeps its session a normal (persistable) one."""

    @dataclass
    class Config:
        """No options: the embedded broker is loopback-only."""

    async def authenticate(self, *, session: Session) -> bool:
        """Accept the client; unlike AnonymousAuthPlugin, do not mark the session anonymous."""
        return True


class EmbeddedBroker:
    """amqtt broker on 127.0.0.1; ``await start()`` then point clients at :meth:`as_config`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port  # 0: a free port is chosen at start
        self._broker: Broker | None = None

    async def start(self) -> None:
        """Bind and start serving; returns once clients can connect."""
        if self._broker is not None:
            return
        if self.port == 0:
            self.port = free_tcp_port(self.host)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": {f"{__name__}.AcceptAllAuthPlugin": {}},
        }
        broker = Broker(config, loop=asyncio.get_running_loop())
        await broker.start()
        self._broker = broker
        log.info("embedded MQTT broker (amqtt) listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        """Disconnect every client and close the listener."""
        broker, self._broker = self._broker, None
        if broker is not None:
            await broker.shutdown()

    def as_config(self, client_id: str = "") -> MqttBroker:
        """The broker as a site's ``mqtt_brokers`` entry (for ``MqttDriver(brokers=...)``)."""
        return MqttBroker(host=self.host, port=self.port, client_id=client_id)

    async def __aenter__(self) -> EmbeddedBroker:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
