"""The site's own audible/visual alarms (声光报警器): alerts in, a relay's coil or an MQTT topic out.

A :class:`SirenController` hears every AlertEvent (``on_event``, registered with
``AlertManager.add_listener``) and keeps, per siren, the alerts that drive it: rule matching one
of its patterns, device among its devices (or any), level at least its ``min_level``, and still
sounding (firing; or, with ``off_on: resolved``, anything not resolved). The siren is wanted on
while that set is not empty.

The listener only records and wakes one task per siren; the task writes the wanted state (FC05
to the relay's coil, or a retained MQTT message) at once on a change and again every
``refresh_s``, so a relay that rebooted is put right. A relay that does not answer costs one
warning and retries with back-off up to ``refresh_s``; the wanted state is kept. ``stop()``
leaves the relay as it is: a gateway restart must not silence a danger.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode
from pydantic import BaseModel, Field
from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient
from pymodbus.client.base import ModbusBaseClient
from pymodbus.exceptions import ModbusException

from contract.alert_event import LEVEL_RANK, AlertEvent, Level
from contract.config.siren import SirenOutput
from contract.config.transport import ModbusRtuTransport, ModbusTcpTransport, MqttBroker, MqttTransport
from drivers.modbus.link import EXCEPTION_MEANING, quiet_pymodbus_client_errors
from drivers.mqtt.session import broker_client
from gateway.alerts.manager import AlertManager
from gateway.alerts.models import Alert
from plumbing.paho_stop import disconnect_and_join

log = logging.getLogger(__name__)

WRITE_TIMEOUT_S = 3.0  # a relay module answers FC05 in milliseconds; this is for a slow 4G/RS-485 hop
FIRST_RETRY_S = 0.5  # after a failed write; doubled after each further failure, up to refresh_s
ACTIVE_LIMIT = 100_000  # active alerts read at start: all of them (a site has tens)


class SirenWriteError(Exception):
    """A write the relay (or the broker) did not confirm; the message says why, for the log."""


class SirenState(BaseModel):
    """One siren as the API and the dashboard show it."""

    name: str
    label: str = ""
    output: str = Field(description="where it is written, e.g. modbus_tcp 192.168.10.31:502 unit 1 coil 0")
    wanted_on: bool = Field(description="on while at least one alert drives it")
    written_on: bool | None = Field(
        None, description="last state the relay (or broker) confirmed; None: none yet"
    )
    written_ts: float | None = Field(None, description="Unix seconds of that confirmed write")
    write_ok: bool | None = Field(None, description="did the last write succeed (None: not tried yet)")
    last_error: str = Field("", description="why the last failed write failed")
    writes: int = Field(0, description="confirmed writes since start")
    failures: int = Field(0, description="failed writes since start")
    alerts: list[str] = Field(default_factory=list, description="ids of the alerts driving it")


# ---- which alerts drive a siren


@dataclass(frozen=True, slots=True)
class _AlertView:
    """What the controller keeps of one active alert."""

    device: str
    rule: str
    level: Level
    acknowledged: bool


def _drives(siren: SirenOutput, alert: _AlertView) -> bool:
    """Does ``alert`` (active, not resolved) keep ``siren`` sounding?"""
    return (
        any(fnmatchcase(alert.rule, pattern) for pattern in siren.rules)
        and (not siren.devices or alert.device in siren.devices)
        and LEVEL_RANK[alert.level] >= LEVEL_RANK[siren.min_level]
        and (siren.off_on == "resolved" or not alert.acknowledged)
    )


def _after(event: AlertEvent, before: _AlertView | None) -> _AlertView | None:
    """The alert as ``event`` leaves it (None: resolved), following AlertManager's states."""
    if event.state == "resolved":
        return None
    if event.state == "updated":
        # an acknowledgement covered the lower level only: an escalation fires again, a
        # de-escalation keeps it. An alert never seen before counts as firing (the safe side).
        acknowledged = (
            before is not None and before.acknowledged and LEVEL_RANK[event.level] <= LEVEL_RANK[before.level]
        )
    else:
        acknowledged = event.state == "acknowledged"
    return _AlertView(event.device, event.rule, event.level, acknowledged)


# ---- outputs


class _Output(Protocol):
    """Where one siren's state is written."""

    description: str

    async def write(self, on: bool, timeout_s: float) -> None:
        """Write ``on``; raise SirenWriteError unless the relay (or broker) confirmed it."""


class _ModbusLine:
    """One Modbus client (a TCP connection, or a serial port) shared by the sirens behind it.

    The client is made inside the event loop on first use and dropped after any failure, so the
    next write starts from a fresh connection (a relay that rebooted, a cable plugged back).
    """

    def __init__(self, make: Callable[[float], ModbusBaseClient], where: str) -> None:
        self._make = make
        self.where = where
        self._client: ModbusBaseClient | None = None
        self._lock = asyncio.Lock()

    async def write_coil(self, unit: int, coil: int, on: bool, timeout_s: float) -> None:
        """FC05 ``coil`` of ``unit`` to ``on``; SirenWriteError on any failure."""
        async with self._lock:
            try:
                await self._write(unit, coil, on, timeout_s)
            except Exception:  # whatever went wrong, the next write starts from a fresh connection
                self.close()
                raise

    async def _write(self, unit: int, coil: int, on: bool, timeout_s: float) -> None:
        if self._client is None:
            # pymodbus's own timeout sits behind ours, so that a silence is reported here as a timeout
            self._client = self._make(timeout_s + 1.0)
        client = self._client
        if not client.connected:
            try:
                async with asyncio.timeout(timeout_s):
                    connected = await client.connect()
            except TimeoutError:
                connected = False
            if not connected:
                raise SirenWriteError(f"cannot connect to {self.where}")
        try:
            async with asyncio.timeout(timeout_s):
                response = await client.write_coil(coil, on, device_id=unit)
        except TimeoutError:
            raise SirenWriteError(f"no answer within {timeout_s:g} s") from None
        except ModbusException as exc:
            raise SirenWriteError(f"connection to {self.where} failed: {exc}") from None
        if response.isError():
            code = int(getattr(response, "exception_code", 0))
            raise SirenWriteError(
                f"exception response {code} ({EXCEPTION_MEANING.get(code, 'unknown exception code')})"
            )
        # FC05 echoes the request: a different echo is a late answer to an earlier write (a serial
        # line reopened after a timeout), not a confirmation of this one
        echo = (getattr(response, "address", None), list(getattr(response, "bits", []))[:1])
        if echo != (coil, [on]):
            raise SirenWriteError(f"answer {echo} does not echo coil {coil} = {on}: a stale answer")

    def close(self) -> None:
        """Close the connection (or serial port); the next write opens a new one."""
        if self._client is not None:
            self._client.close()
            self._client = None


@dataclass
class _CoilOutput:
    line: _ModbusLine
    unit: int
    coil: int
    description: str

    async def write(self, on: bool, timeout_s: float) -> None:
        await self.line.write_coil(self.unit, self.coil, on, timeout_s)


class _MqttLine:
    """One paho client per broker for the sirens on it: retained QoS 1 messages, confirmed by PUBACK.

    paho runs its network thread and reconnects on its own; its callbacks hand over to the event
    loop with ``call_soon_threadsafe``.
    """

    def __init__(self, name: str, broker: MqttBroker, client_id: str) -> None:
        self.where = f"broker {name} ({broker.host}:{broker.port}{', TLS' if broker.tls else ''})"
        self._broker = broker
        self._client_id = client_id
        self._client: mqtt.Client | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connected = asyncio.Event()
        self._lock = threading.Lock()
        self._waiting: dict[int, asyncio.Future[None]] = {}
        self._early: set[int] = set()  # PUBACKs that came before their waiter was registered

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start paho's thread; it connects, and reconnects, on its own."""
        self._loop = loop
        client = broker_client(self._broker, self._client_id, clean_session=True)  # it only publishes
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.connect_async(self._broker.host, self._broker.port, keepalive=self._broker.keepalive_s)
        client.loop_start()
        self._client = client

    async def stop(self) -> None:
        """Disconnect (retained messages stay on the broker) and join paho's thread."""
        client, self._client = self._client, None
        if client is not None:
            await disconnect_and_join(client)
        self._connected.clear()

    async def publish(self, topic: str, payload: str, timeout_s: float) -> None:
        """Publish retained at QoS 1 and wait for the PUBACK; SirenWriteError otherwise."""
        client, loop = self._client, asyncio.get_running_loop()
        if client is None:
            raise SirenWriteError(f"not started: {self.where}")
        try:
            async with asyncio.timeout(timeout_s):
                await self._connected.wait()
        except TimeoutError:
            raise SirenWriteError(f"not connected to {self.where}") from None
        info = client.publish(topic, payload, qos=1, retain=True)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise SirenWriteError(f"publish to {topic} failed: {mqtt.error_string(info.rc)}")
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if info.mid in self._early:
                self._early.discard(info.mid)
                return
            self._waiting[info.mid] = future
        try:
            async with asyncio.timeout(timeout_s):
                await future
        except TimeoutError:
            with self._lock:
                self._waiting.pop(info.mid, None)
            raise SirenWriteError(f"no PUBACK from {self.where} within {timeout_s:g} s") from None

    # paho's thread

    def _on_connect(
        self, _c: mqtt.Client, _u: object, _f: mqtt.ConnectFlags, reason: ReasonCode, _p: object
    ) -> None:
        if not reason.is_failure:
            self._in_loop(self._connected.set)

    def _on_disconnect(
        self, _c: mqtt.Client, _u: object, _f: mqtt.DisconnectFlags, _r: ReasonCode, _p: object
    ) -> None:
        self._in_loop(self._connected.clear)

    def _on_publish(self, _c: mqtt.Client, _u: object, mid: int, _r: object, _p: object) -> None:
        with self._lock:
            future = self._waiting.pop(mid, None)
            if future is None:
                self._early.add(mid)
                return
        self._in_loop(lambda: None if future.done() else future.set_result(None))

    def _in_loop(self, fn: Callable[[], object]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (shutdown)
            loop.call_soon_threadsafe(fn)


@dataclass
class _TopicOutput:
    line: _MqttLine
    topic: str
    payload_on: str
    payload_off: str
    description: str

    async def write(self, on: bool, timeout_s: float) -> None:
        await self.line.publish(self.topic, self.payload_on if on else self.payload_off, timeout_s)


# ---- the controller


@dataclass
class _Siren:
    """One siren's wanted and written state (the wanted part is guarded by the controller's lock)."""

    config: SirenOutput
    output: _Output
    driving: set[str] = field(default_factory=set)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    written_on: bool | None = None
    written_ts: float | None = None
    write_ok: bool | None = None
    last_error: str = ""
    writes: int = 0
    failures: int = 0

    @property
    def wanted_on(self) -> bool:
        return bool(self.driving)


class SirenController:
    """Switches each configured siren on while an alert drives it, and off when the last one goes.

    Build it, call :meth:`follow` (or :meth:`prime` then ``manager.add_listener(ctl.on_event)``),
    then ``await start()``. ``brokers`` are the MQTT brokers by name (the site's, or the ones the
    gateway replaced them with); ``project`` names the MQTT client (``sitegw-<project>-<broker>-sirens``,
    or the broker's client_id + ``-sirens``).
    """

    def __init__(
        self,
        sirens: Sequence[SirenOutput],
        brokers: Mapping[str, MqttBroker],
        project: str,
        *,
        timeout_s: float = WRITE_TIMEOUT_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        names = [s.name for s in sirens]
        if len(set(names)) != len(names):
            raise ValueError(f"siren names must be unique: {names}")
        self._timeout_s = timeout_s
        self._clock = clock
        self._lock = threading.Lock()  # on_event may come from any thread (the API's acknowledgements)
        self._alerts: dict[str, _AlertView] = {}
        self._heard: set[str] | None = set()  # alert ids events told of before prime() (they win)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._modbus: dict[tuple[str, ...], tuple[_ModbusLine, ModbusTcpTransport | ModbusRtuTransport]] = {}
        self._mqtt: dict[str, _MqttLine] = {}
        self._sirens = [_Siren(s, self._output(s, brokers, project)) for s in sirens]

    # ---- building

    def _output(self, siren: SirenOutput, brokers: Mapping[str, MqttBroker], project: str) -> _Output:
        t = siren.transport
        if isinstance(t, MqttTransport):
            broker = brokers.get(t.broker)
            if broker is None:
                raise ValueError(
                    f"siren {siren.name}: broker {t.broker!r} is not in mqtt_brokers (known: {sorted(brokers)})"
                )
            line = self._mqtt.get(t.broker)
            if line is None:
                # never the drivers' client id: two clients with one id knock each other off the broker
                client_id = f"{broker.client_id or f'sitegw-{project}-{t.broker}'}-sirens"
                line = self._mqtt[t.broker] = _MqttLine(t.broker, broker, client_id)
            topic = f"{t.topic_prefix.rstrip('/')}/{siren.topic.strip('/')}"
            return _TopicOutput(
                line, topic, siren.payload_on, siren.payload_off, f"mqtt {line.where} topic {topic}"
            )
        if isinstance(t, ModbusTcpTransport):
            key: tuple[str, ...] = ("tcp", t.host, str(t.port))
            where = f"tcp {t.host}:{t.port}"
            desc = f"modbus_tcp {t.host}:{t.port} unit {t.unit_id} coil {siren.coil}"
        else:
            key = ("rtu", t.port)
            settings = f"{t.baudrate} {t.bytesize}{t.parity}{t.stopbits}"
            where = f"rtu {t.port} {settings}"
            desc = f"modbus_rtu {t.port} {settings} unit {t.unit_id} coil {siren.coil}"
        known = self._modbus.get(key)
        if known is None:
            known = self._modbus[key] = (_ModbusLine(_client_factory(t), where), t)
        elif known[1].model_dump(exclude={"unit_id"}) != t.model_dump(exclude={"unit_id"}):
            raise ValueError(
                f"siren {siren.name}: {t.port} is used by another siren with other line settings"
            )
        return _CoilOutput(known[0], t.unit_id, siren.coil, desc)

    # ---- alerts in (any thread; records and wakes, never waits)

    def follow(self, manager: AlertManager) -> None:
        """Hear every change of ``manager``'s alerts, starting from those active now (a restart
        keeps sounding a siren whose alert is still firing)."""
        manager.add_listener(self.on_event)
        active = manager.list_alerts(state="firing", limit=ACTIVE_LIMIT)
        active += manager.list_alerts(state="acknowledged", limit=ACTIVE_LIMIT)
        self.prime(active)

    def prime(self, alerts: Iterable[Alert]) -> None:
        """Start from the alerts active at start (call it once, before start()). An alert an event
        has already told of keeps what the event said: the event is newer."""
        with self._lock:
            heard, self._heard = self._heard or set(), None
            for alert in alerts:
                if alert.state == "resolved" or alert.alert_id in heard:
                    continue
                view = _AlertView(alert.device, alert.rule, alert.level, alert.state == "acknowledged")
                self._alerts[alert.alert_id] = view
                self._update(alert.alert_id, view)

    def on_event(self, event: AlertEvent) -> None:
        """AlertManager listener: record the change and wake the sirens whose wanted state changed."""
        with self._lock:
            if self._heard is not None:
                self._heard.add(event.alert_id)
            view = _after(event, self._alerts.get(event.alert_id))
            if view is None:
                self._alerts.pop(event.alert_id, None)
            else:
                self._alerts[event.alert_id] = view
            self._update(event.alert_id, view)

    def _update(self, alert_id: str, view: _AlertView | None) -> None:
        """Put ``alert_id`` in or out of each siren's driving set (under the lock)."""
        for siren in self._sirens:
            was = siren.wanted_on
            if view is not None and _drives(siren.config, view):
                siren.driving.add(alert_id)
            else:
                siren.driving.discard(alert_id)
            if siren.wanted_on != was:
                self._wake(siren)

    def _wake(self, siren: _Siren) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # not started: start() writes the wanted state anyway
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (shutdown)
            loop.call_soon_threadsafe(siren.wake.set)

    # ---- outputs (the event loop)

    async def start(self) -> None:
        """Open the outputs and start one task per siren; each writes its wanted state at once."""
        if self._tasks:
            return
        self._stopping = False
        loop = asyncio.get_running_loop()
        if self._modbus:
            quiet_pymodbus_client_errors()  # each failure is logged here, once, naming the siren
        for line in self._mqtt.values():
            line.start(loop)
        with self._lock:
            self._loop = loop
            self._heard = None  # prime() is done with by now: stop remembering ids
        for siren in self._sirens:
            self._tasks.append(asyncio.create_task(self._drive(siren), name=f"siren-{siren.config.name}"))
        if self._sirens:
            log.info(
                "sirens: %s", ", ".join(f"{s.config.name} ({s.output.description})" for s in self._sirens)
            )

    async def stop(self) -> None:
        """Stop writing and close the connections. The relays stay as they are: a gateway restart
        must not silence a danger (the next start writes the wanted state again)."""
        with self._lock:
            self._loop = None
        # the flag as well as cancel(): a cancellation landing inside a write can be swallowed on
        # Python 3.11 (wait_for turns it into a timeout, in pymodbus too) and the task must still end
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        for modbus, _transport in self._modbus.values():
            modbus.close()
        for line in self._mqtt.values():
            await line.stop()

    def states(self) -> list[SirenState]:
        """Every siren's wanted and written state, in the site file's order."""
        with self._lock:
            return [
                SirenState(
                    name=s.config.name,
                    label=s.config.label,
                    output=s.output.description,
                    wanted_on=s.wanted_on,
                    written_on=s.written_on,
                    written_ts=s.written_ts,
                    write_ok=s.write_ok,
                    last_error=s.last_error,
                    writes=s.writes,
                    failures=s.failures,
                    alerts=sorted(s.driving),
                )
                for s in self._sirens
            ]

    async def _drive(self, siren: _Siren) -> None:
        """Write the wanted state now, on every change, and every refresh_s; back off after failures."""
        refresh_s = siren.config.refresh_s
        failed = 0
        while not self._stopping:
            siren.wake.clear()  # before reading: a change from now on wakes the wait below
            with self._lock:
                on = siren.wanted_on
                driving = sorted(siren.driving)
            if await self._write(siren, on, driving):
                failed, delay = 0, refresh_s
            else:
                failed += 1
                delay = min(refresh_s, FIRST_RETRY_S * 2 ** min(failed - 1, 16))
            if self._stopping:
                return
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can turn stop()'s cancellation
            # into a TimeoutError when it lands as the delay runs out
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await siren.wake.wait()

    async def _write(self, siren: _Siren, on: bool, driving: list[str]) -> bool:
        name, where = siren.config.name, siren.output.description
        try:
            await siren.output.write(on, self._timeout_s)
        except SirenWriteError as exc:
            error = str(exc)
        except Exception as exc:  # a client library's surprise must not end the siren's task
            log.exception("siren %s (%s): unexpected failure writing %s", name, where, _word(on))
            error = f"{type(exc).__name__}: {exc}"
        else:
            with self._lock:
                changed, recovered = siren.written_on != on, siren.write_ok is False
                siren.written_on, siren.written_ts = on, self._clock()
                siren.write_ok, siren.last_error = True, ""
                siren.writes += 1
            if recovered:
                log.info("siren %s (%s): answers again, now %s", name, where, _word(on))
            if changed:
                log.info(
                    "siren %s (%s) %s%s",
                    name,
                    where,
                    _word(on),
                    f": driven by {', '.join(driving)}" if on else " (no alert drives it)",
                )
            return True
        if self._stopping:
            return False  # a write cut short by stop() says nothing about the relay
        with self._lock:
            first = siren.write_ok is not False
            siren.write_ok, siren.last_error = False, error
            siren.failures += 1
        if first:
            log.warning(
                "siren %s (%s): cannot switch it %s: %s; retrying every %g s at most, the wanted "
                "state is kept (later failures are only counted)",
                name,
                where,
                _word(on),
                error,
                siren.config.refresh_s,
            )
        return False


def _word(on: bool) -> str:
    return "ON" if on else "OFF"


def _client_factory(t: ModbusTcpTransport | ModbusRtuTransport) -> Callable[[float], ModbusBaseClient]:
    """A maker of the pymodbus client for ``t``, its own retries and reconnects off (the
    controller retries, with its own back-off)."""
    if isinstance(t, ModbusTcpTransport):
        return lambda timeout: AsyncModbusTcpClient(
            t.host, port=t.port, timeout=timeout, retries=0, reconnect_delay=0
        )
    return lambda timeout: AsyncModbusSerialClient(
        t.port,
        baudrate=t.baudrate,
        bytesize=t.bytesize,
        parity=t.parity,
        stopbits=t.stopbits,
        timeout=timeout,
        retries=0,
        reconnect_delay=0,
    )
