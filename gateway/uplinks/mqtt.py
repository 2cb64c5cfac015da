"""Alerts to a platform over MQTT: QoS 1, delivered only once the broker's PUBACK came back.

paho runs its network loop in its own thread; each publish waits on an asyncio future that the
PUBACK callback resolves from that thread.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from contract.alert_event import AlertEvent
from contract.config.uplinks import MqttUplink
from gateway.uplinks.base import TransientFailure
from plumbing.paho_stop import disconnect_and_join
from plumbing.tls import explain, recording_context

log = logging.getLogger(__name__)


class MqttAdapter:
    """One JSON AlertEvent per message on the configured topic."""

    def __init__(self, config: MqttUplink) -> None:
        self.name = config.name
        self._config = config
        self._lock = threading.Lock()
        self._waiting: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = {}
        self._early: set[int] = set()  # PUBACKs that arrived before their waiter was registered
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=config.client_id or f"sitegw-uplink-{config.name}"
        )
        if config.username:
            client.username_pw_set(config.username, config.password or None)
        self._tls = config.tls_settings()
        # why the broker last refused us (TLS handshake or CONNACK), which paho's reconnect loop swallows:
        # a send answers it, so the outbox's log says what to fix
        self._refused: str = ""
        if self._tls is not None:
            client.tls_set_context(recording_context(self._tls, self._record_refused))
        client.on_connect = self._on_connect
        client.reconnect_delay_set(1, int(config.backoff_max_s))
        client.on_publish = self._on_publish
        client.connect_async(config.host, config.port, keepalive=30)
        client.loop_start()
        self._client = client

    def _record_refused(self, exc: ssl.SSLError | ssl.CertificateError) -> None:
        reason = f"uplink {self.name}: broker {self._config.host}:{self._config.port} refused: {explain(exc, self._tls)}"
        if reason != self._refused:  # once per distinct failure, not once per reconnect attempt
            log.warning("%s; retrying with backoff", reason)
        self._refused = reason

    def _on_connect(
        self, _client: mqtt.Client, _userdata: object, _flags: object, reason: ReasonCode, _properties: object
    ) -> None:
        if reason.is_failure:  # wrong user or password, or not authorised: what a send answers until fixed
            self._refused = (
                f"uplink {self.name}: broker {self._config.host}:{self._config.port} refused the connection: "
                f"{reason}; check username and password"
            )
            log.warning("%s", self._refused)
        else:
            self._refused = ""

    def _on_publish(
        self, _client: mqtt.Client, _userdata: object, mid: int, _reason: object, _properties: object
    ) -> None:
        with self._lock:
            waiter = self._waiting.pop(mid, None)
            if waiter is None:
                self._early.add(mid)
                return
        loop, future = waiter

        def settle() -> None:
            if not future.done():  # cancelled by a send that timed out meanwhile
                future.set_result(None)

        loop.call_soon_threadsafe(settle)

    async def send(self, event: AlertEvent) -> None:
        """Publish with QoS 1 and wait for the PUBACK (up to timeout_s)."""
        cfg = self._config
        if not self._client.is_connected():
            raise TransientFailure(self._refused or f"not connected to MQTT broker {cfg.host}:{cfg.port}")
        topic = cfg.topic.format(project=event.project, device=event.device, rule=event.rule)
        info = self._client.publish(topic, event.model_dump_json(), qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise TransientFailure(f"publish to {topic} failed: {mqtt.error_string(info.rc)}")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if info.mid in self._early:
                self._early.discard(info.mid)
                return
            self._waiting[info.mid] = (loop, future)
        try:
            await asyncio.wait_for(future, cfg.timeout_s)
        except TimeoutError:
            with self._lock:
                self._waiting.pop(info.mid, None)
            raise TransientFailure(
                f"no PUBACK from {cfg.host}:{cfg.port} within {cfg.timeout_s:g} s"
            ) from None

    async def close(self) -> None:
        """Disconnect and stop paho's network thread."""
        await disconnect_and_join(self._client)
