"""One paho-mqtt client per broker: persistent session, resubscribe on every connect, batches.

paho's network thread decodes each message (decode.py) and appends its Readings to a buffer;
the first message after a lull wakes the event loop at once, and while messages keep coming
the loop collects the buffer every few milliseconds and hands it to the bus as one batch
(``Bus.publish`` on the loop's thread, which is what ``publish_threadsafe`` does for a single
batch). A wake-up per message would cost more than decoding it.

When the loop falls behind (a burst of backlog after an outage), paho's thread waits once
``MAX_BUFFERED`` readings are waiting, until the loop has taken them: the unread messages stay in
the socket and at the broker (QoS 1 is acknowledged only after the callback returns, and the broker
sends no more than its in-flight window beyond the last acknowledgement), instead of every one of
them as Readings in the gateway's memory. The loop in turn takes nothing while ``may_take()`` says
no: the gateway answers no while its stores are behind (sitegw/runtime.py), so a burst waits at the
broker, within the broker's queue (deploy/mosquitto/sitegw-site.conf), and the gateway's memory
stays the same whatever the burst's size. Each wait is capped (``HOLD_MAX_S``) so paho's thread
still acknowledges a message, and so keeps the session alive, within the broker's keepalive.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterable

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from contract.bus import Bus
from contract.config.transport import MqttBroker
from contract.readings import DeviceStatus, Reading
from drivers.base import DeviceStats
from drivers.mqtt.decode import Decoded, MessageDecoder, MessageRouter
from drivers.mqtt.fault_log import FaultLog
from drivers.mqtt.session import broker_client
from plumbing.paho_stop import disconnect_and_join
from plumbing.tls import explain

log = logging.getLogger(__name__)

DRAIN_S = 0.005  # hand-over period while messages flow; the first message of a lull is handed at once
MAX_BUFFERED = 2_000  # readings waiting for the loop before paho's thread waits for it
HOLD_MAX_S = 2.0  # the longest paho's thread waits at once (the shortest keepalive is 5 s)
MAX_TOPIC_CHARS = 256  # longer than any device's topic: a longer one is refused unread, counted, logged once
# a connection lost this soon after it was made, this many times within TAKEOVER_WINDOW_S: another client is
# connecting with this gateway's client id (the broker closes the older connection of an id, MQTT-3.1.4-2)
TAKEOVER_WITHIN_S = 10.0
TAKEOVER_DROPS = 3
TAKEOVER_WINDOW_S = 300.0


class BrokerLink:
    """The gateway's session with one broker, serving every MQTT device configured on it."""

    def __init__(
        self,
        name: str,
        broker: MqttBroker,
        client_id: str,
        decoders: list[MessageDecoder],
        devices: Iterable[str],
        bus: Bus,
        backoff_max_s: float,
        may_take: Callable[[], bool] = lambda: True,
    ) -> None:
        """``may_take`` is asked on the event loop's thread before each hand-over to the bus: while it
        answers False, the decoded readings stay here (at most ``MAX_BUFFERED`` and a message) and paho's
        thread reads nothing more from the broker."""
        self.name = name
        self.broker = broker
        self.client_id = client_id
        self.where = f"broker {name} ({broker.host}:{broker.port}{', TLS' if broker.tls else ''})"
        self.filters = sorted({d.filter.text for d in decoders})
        self.stats = {device: DeviceStats(device) for device in devices}
        self.faults = FaultLog()  # bad messages: counted per topic, logged per kind of fault
        self.unmatched = 0  # messages on no device's filter (e.g. an old subscription of the session)
        self._router = MessageRouter(decoders)
        self._bus = bus
        self._may_take = may_take
        self._backoff_max_s = max(1, round(backoff_max_s))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: mqtt.Client | None = None
        self._lock = threading.Lock()
        self._taken = threading.Condition(self._lock)  # notified when the loop took the buffer
        self._buffer: list[Reading] = []
        self._drain_pending = False
        self._online: bool | None = None
        self._stopping = False
        self._connected_before = False  # since start(): a later connect without a session lost one
        self._connected_at: float | None = None  # monotonic time of the current connection, if any
        self._quick_drops: list[float] = []  # when connections ended within TAKEOVER_WITHIN_S of being made
        self._tls_failure: ssl.SSLError | ssl.CertificateError | None = (
            None  # the last handshake's, if it failed
        )

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start paho's thread; it connects, and reconnects with backoff, on its own."""
        self._loop = loop
        self._stopping = False
        self._connected_before = False
        client = broker_client(self.broker, self.client_id, False, self._record_tls_failure)
        client.reconnect_delay_set(min_delay=1, max_delay=self._backoff_max_s)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.connect_async(self.broker.host, self.broker.port, keepalive=self.broker.keepalive_s)
        client.loop_start()
        self._client = client
        log.info("%s: connecting as %s for %s", self.where, self.client_id, ", ".join(self.stats))

    async def stop(self) -> None:
        """Disconnect (the broker keeps the session and queues QoS 1 messages) and join paho's thread."""
        client, self._client = self._client, None
        if client is None:
            return
        with self._lock:
            self._stopping = True
            self._taken.notify_all()  # paho's thread, if it waits for the loop, goes on to see the disconnect
        await disconnect_and_join(client)
        self._drain()  # what paho decoded before it stopped
        self._online = None  # a later start() announces its connection again
        for st in self.stats.values():
            st.online = False

    # --- paho's thread -------------------------------------------------------------------

    def _on_connect(
        self,
        client: mqtt.Client,
        _userdata: object,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        _props: object,
    ) -> None:
        if reason.is_failure:
            self._set_online(False, f"{self.where} refused the connection: {reason}")
            return
        # Subscribe on every connect: a broker restarted without persistence forgot the session.
        result, _mid = client.subscribe([(f, 1) for f in self.filters])
        if result != mqtt.MQTT_ERR_SUCCESS:
            log.error("%s: subscribe failed to send (%s)", self.where, mqtt.error_string(result))
        log.info(
            "%s: connected (session %s), subscribed to %s",
            self.where,
            "resumed" if flags.session_present else "new",
            ", ".join(self.filters),
        )
        if self._connected_before and not flags.session_present:
            # The broker lost the persistent session (a restart without persistence, or the session
            # expired): what devices published before this subscribe had no subscriber and is gone.
            # MQTT cannot recover it, so say so once, with the fix, rather than lose it silently.
            log.warning(
                "%s forgot this gateway's session (restarted without persistence, or the session "
                "expired): readings the devices published while the gateway was away are lost. Run "
                "the broker with `persistence true` and `persistent_client_expiration` of days "
                "(deploy/mosquitto/sitegw-site.conf)",
                self.where,
            )
        self._connected_before = True
        self._connected_at = time.monotonic()
        self._set_online(True, f"{self.where} connected")

    def _record_tls_failure(self, exc: ssl.SSLError | ssl.CertificateError) -> None:
        self._tls_failure = exc

    def _on_connect_fail(self, _client: mqtt.Client, _userdata: object) -> None:
        failure, self._tls_failure = self._tls_failure, None
        if failure is not None:
            reason = f"{self.where} refused: {explain(failure, self.broker.tls)}; retrying with backoff"
        else:
            reason = f"{self.where} unreachable: connection failed, retrying with backoff"
        self._set_online(False, reason)

    def _on_disconnect(
        self,
        _client: mqtt.Client,
        _userdata: object,
        _flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        _props: object,
    ) -> None:
        if self._stopping:
            return
        self._note_drop(time.monotonic())
        failure, self._tls_failure = self._tls_failure, None
        if failure is not None:
            self._set_online(False, f"{self.where} refused: {explain(failure, self.broker.tls)}")
            return
        self._set_online(False, f"{self.where} disconnected: {reason}")

    def _note_drop(self, now: float) -> None:
        """A connection ended: when it keeps ending right after it was made, say why and what to do, once a
        burst (an attacker or a second gateway with the same id kicked this one off at each of its connects)."""
        made, self._connected_at = self._connected_at, None
        if made is None or now - made > TAKEOVER_WITHIN_S:
            return
        drops = [t for t in self._quick_drops if now - t < TAKEOVER_WINDOW_S] + [now]
        self._quick_drops = drops
        if len(drops) == TAKEOVER_DROPS:  # once, until the drops stop for TAKEOVER_WINDOW_S
            log.error(
                "%s dropped the gateway %d times within %.0f s of connecting: another client is connecting "
                "with its client id %r, and the broker keeps one connection per id. Give this gateway an id "
                "of its own (the broker's client_id in the site file; the default ends with this host's name) "
                "and have the broker tie the id to the gateway's user (mosquitto: a password_file, "
                "use_username_as_clientid true, an ACL), so that no one else can take it",
                self.where,
                len(drops),
                TAKEOVER_WITHIN_S,
                self.client_id,
            )

    def _on_subscribe(
        self,
        _client: mqtt.Client,
        _userdata: object,
        _mid: int,
        reasons: list[ReasonCode],
        _props: object,
    ) -> None:
        for topic, reason in zip(self.filters, reasons, strict=False):
            if reason.is_failure:
                log.error(
                    "%s refused the subscription to %s (%s): check the broker's ACL for %s",
                    self.where,
                    topic,
                    reason,
                    self.client_id,
                )

    def _on_message(self, _client: mqtt.Client, _userdata: object, msg: mqtt.MQTTMessage) -> None:
        topic = msg.topic
        if len(topic) > MAX_TOPIC_CHARS:
            self._refuse_topic(topic)
            return
        try:
            results = self._router.route(topic, msg.payload, time.time())
        except Exception:  # a decoding bug must cost one message, never the driver
            log.exception("%s: failed to decode a message on %s", self.where, topic)
            return
        if not results:
            self.unmatched += 1
            if self.unmatched == 1:
                log.warning(
                    "%s: message on %s matches no device's topic map (a subscription left in "
                    "the session by an older configuration?); such messages are counted, not "
                    "logged again",
                    self.where,
                    topic,
                )
            return
        batch: list[Reading] = []
        for decoder, out in results:
            self._count(decoder.device, out)
            if out.problems:
                self._bad_message(decoder.device, topic, msg.payload, out)
            batch.extend(out.readings)
        if batch:
            self._push(batch)

    def _refuse_topic(self, topic: str) -> None:
        """A topic longer than any device's: counted for every device on this broker (which one it was meant
        for is not known unread), logged once."""
        first = True
        for st in self.stats.values():
            first = first and "topic_too_long" not in st.refused
            st.refused["topic_too_long"] = st.refused.get("topic_too_long", 0) + 1
        if first:
            log.warning(
                "%s: message on a topic of %d characters refused (at most %d; %r...): no device's topic is "
                "that long, so someone else publishes here; later ones are only counted (/metrics "
                "sitegw_refused_inputs, cause topic_too_long)",
                self.where,
                len(topic),
                MAX_TOPIC_CHARS,
                topic[:60],
            )

    def _count(self, device: str, out: Decoded) -> None:
        st = self.stats[device]
        st.requests += 1
        readings = out.readings
        if not readings:
            return
        st.readings += len(readings)
        per_metric = st.per_metric
        for r in readings:
            per_metric[r.metric] = per_metric.get(r.metric, 0) + 1
        newest = readings[-1].ts
        if st.last_reading_ts is None or newest > st.last_reading_ts:
            st.last_reading_ts = newest

    def _bad_message(self, device: str, topic: str, payload: bytes | bytearray, out: Decoded) -> None:
        st = self.stats[device]
        st.errors += 1
        st.last_error = f"{topic}: {'; '.join(out.problems)}"
        self.faults.note(device, topic, payload, out)

    def _push(self, readings: list[Reading]) -> None:
        with self._lock:
            self._buffer.extend(readings)
            wake = not self._drain_pending
            self._drain_pending = True
            full = len(self._buffer) >= MAX_BUFFERED
        if wake:
            self._call_in_loop(self._drain)
        if full:
            with self._lock:  # the loop is behind: let it take what waits before decoding more
                self._taken.wait_for(lambda: len(self._buffer) < MAX_BUFFERED or self._stopping, HOLD_MAX_S)

    def _set_online(self, online: bool, reason: str) -> None:
        if self._online is online:
            return
        self._online = online
        (log.info if online else log.warning)("%s", reason)
        now = time.time()
        for device, st in self.stats.items():
            st.online = online
            if not online:
                st.last_error = reason
            self._call_in_loop(self._bus.publish_status, DeviceStatus(now, device, online, reason))

    def _call_in_loop(self, fn: Callable[..., object], *args: object) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop closed between the check and the call (shutdown)
            log.debug("%s: event loop closed, dropped a hand-over", self.where)

    # --- the loop's thread ---------------------------------------------------------------

    def _drain(self) -> None:
        loop = self._loop
        if loop is not None and not self._stopping and not self._may_take():
            loop.call_later(DRAIN_S, self._drain)  # the consumers are behind: ask again shortly
            return
        with self._lock:
            batch, self._buffer = self._buffer, []
            # While messages keep coming, poll from the loop's side every DRAIN_S instead of being
            # woken by paho's thread for each message (a self-pipe write, ~10 us, per wake-up).
            self._drain_pending = bool(batch) and not self._stopping
            self._taken.notify_all()
        if self._drain_pending and self._loop is not None:
            self._loop.call_later(DRAIN_S, self._drain)
        self._bus.publish(batch)
