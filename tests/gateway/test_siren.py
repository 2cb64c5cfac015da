"""The site's audible/visual alarm against real relays: a pymodbus server serving coils over TCP and
over a serial pty pair, and a real Mosquitto. Alerts come from a real AlertManager over SQLite, so
the controller hears exactly the events the gateway emits."""

from __future__ import annotations

import asyncio
import logging
import os
import termios
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from pymodbus.client import AsyncModbusSerialClient

from contract.alert_event import AlertEvent, Level
from contract.config.siren import SirenOutput
from contract.config.transport import MqttBroker
from drivers.ports import free_tcp_port
from drivers.simulators.ptypair import PtyPair
from drivers.simulators.relay import RelaySimulator
from gateway.alerts.manager import AlertManager
from gateway.site.siren import SirenController, SirenState
from rules import RuleResult
from tests.servers.mosquitto import MosquittoServer

PROJECT = "GD-SZ-2026-0001"
SUPERVISOR = "zhang.wei"


# ---- a relay module: coils on one unit id, served by pymodbus (drivers/simulators/relay.py)


@pytest.fixture
async def relay() -> AsyncIterator[RelaySimulator]:
    r = RelaySimulator()
    await r.start()
    yield r
    await r.stop()


# ---- alerts, as the gateway makes them


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[AlertManager]:
    m = AlertManager(tmp_path / "alerts.sqlite", PROJECT, on_event=lambda _e: None)
    yield m
    m.close()


def verdict(manager: AlertManager, rule: str, device: str, level: Level | None) -> AlertEvent | None:
    """Hand the manager a rule's verdict; the event it stored and delivered (None if nothing changed)."""
    result = RuleResult(rule=rule, device=device, point="", level=level, ts=time.time(), clause="test")
    events = manager.handle([result])
    return events[-1] if events else None


def fire(manager: AlertManager, rule: str, device: str, level: Level) -> str:
    """Open (or change the level of) an alert; its id."""
    event = verdict(manager, rule, device, level)
    assert event is not None
    return event.alert_id


def siren(name: str = "siren-formwork", port: int = 0, **fields: Any) -> SirenOutput:
    """A siren on coil 0 of a Modbus TCP relay on 127.0.0.1:``port`` unless ``fields`` say otherwise."""
    base: dict[str, Any] = {
        "name": name,
        "transport": {"type": "modbus_tcp", "host": "127.0.0.1", "port": port or 1, "unit_id": 1},
        "rules": ["formwork.*", "pit.jump"],
        "min_level": "critical",
        "refresh_s": 1.0,
    }
    return SirenOutput.model_validate(base | fields)


async def until(check: Callable[[], Any], timeout: float = 5.0, what: str = "") -> None:
    """Poll ``check`` (a function or coroutine function) until it is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if asyncio.iscoroutine(got):
            got = await got
        if got:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")
        await asyncio.sleep(0.02)


def state(ctl: SirenController, name: str = "siren-formwork") -> SirenState:
    return next(s for s in ctl.states() if s.name == name)


async def coil_is(relay: RelaySimulator, value: bool, coil: int = 0) -> bool:
    return (await relay.coils())[coil] is value


@pytest.fixture
async def controller_for() -> AsyncIterator[Callable[..., SirenController]]:
    """Build controllers that the test starts; every one is stopped at the end."""
    made: list[SirenController] = []

    def build(
        *sirens: SirenOutput, brokers: dict[str, MqttBroker] | None = None, **kw: Any
    ) -> SirenController:
        ctl = SirenController(list(sirens), brokers or {}, PROJECT, timeout_s=kw.pop("timeout_s", 0.5), **kw)
        made.append(ctl)
        return ctl

    yield build
    for ctl in made:
        await ctl.stop()


# ---- the life of an alert


async def test_sounds_until_acknowledged_and_again_when_the_alert_escalates(
    relay: RelaySimulator, manager: AlertManager, controller_for: Callable[..., SirenController]
) -> None:
    ctl = controller_for(siren(port=relay.port, min_level="alarm"))
    ctl.follow(manager)
    await ctl.start()
    await until(lambda: state(ctl).written_on is False, what="the quiet site's siren written off")
    assert await relay.coils() == [False, False]

    alert = fire(manager, "formwork.settlement", "formwork-1", "alarm")
    await until(lambda: coil_is(relay, True), what="siren on at the alarm")
    assert state(ctl).alerts == [alert] and state(ctl).wanted_on and state(ctl).write_ok

    manager.acknowledge(alert, SUPERVISOR)
    await until(lambda: coil_is(relay, False), what="siren off once someone acknowledged")
    assert state(ctl).alerts == [] and not state(ctl).wanted_on

    assert fire(manager, "formwork.settlement", "formwork-1", "critical") == alert
    await until(
        lambda: coil_is(relay, True), what="siren on again: the escalation needs a new acknowledgement"
    )
    assert state(ctl).alerts == [alert]

    # the level falls back: still the unacknowledged escalation, still sounding
    fire(manager, "formwork.settlement", "formwork-1", "alarm")
    await asyncio.sleep(0.3)
    assert await relay.coils() == [True, False]

    verdict(manager, "formwork.settlement", "formwork-1", None)
    await until(lambda: coil_is(relay, False), what="siren off when the alert resolved")
    assert state(ctl).written_on is False and state(ctl).last_error == ""


async def test_off_on_resolved_keeps_sounding_after_acknowledgement(
    relay: RelaySimulator, manager: AlertManager, controller_for: Callable[..., SirenController]
) -> None:
    ctl = controller_for(siren(port=relay.port, off_on="resolved"))
    ctl.follow(manager)
    await ctl.start()
    alert = fire(manager, "pit.jump", "pit-1", "critical")
    await until(lambda: coil_is(relay, True), what="siren on")
    manager.acknowledge(alert, SUPERVISOR)
    await asyncio.sleep(1.5)  # past a refresh
    assert await relay.coils() == [True, False]
    assert state(ctl).alerts == [alert]
    manager.resolve(alert, SUPERVISOR, "displacement re-surveyed")
    await until(lambda: coil_is(relay, False), what="siren off once resolved")


async def test_stays_on_until_the_last_driving_alert_goes(
    relay: RelaySimulator, manager: AlertManager, controller_for: Callable[..., SirenController]
) -> None:
    ctl = controller_for(siren(port=relay.port))
    ctl.follow(manager)
    await ctl.start()
    first = fire(manager, "formwork.axial", "formwork-1", "critical")
    second = fire(manager, "formwork.tilt", "formwork-1", "critical")
    await until(lambda: coil_is(relay, True), what="siren on")
    assert state(ctl).alerts == sorted([first, second])
    verdict(manager, "formwork.axial", "formwork-1", None)
    await asyncio.sleep(0.3)
    assert await relay.coils() == [True, False]
    assert state(ctl).alerts == [second]
    manager.acknowledge(second, SUPERVISOR)
    await until(lambda: coil_is(relay, False), what="siren off with the last alert")


async def test_only_alerts_matching_rules_devices_and_level_drive_a_siren(
    relay: RelaySimulator, manager: AlertManager, controller_for: Callable[..., SirenController]
) -> None:
    formwork = siren(port=relay.port, devices=["formwork-1", "pit-1"])  # coil 0, critical only
    everything = siren("siren-gate", port=relay.port, coil=1, rules=["*"], min_level="alarm")
    ctl = controller_for(formwork, everything)
    ctl.follow(manager)
    await ctl.start()

    crane = fire(manager, "crane.load", "crane-1", "critical")  # not a formwork rule
    low = fire(manager, "formwork.axial", "formwork-1", "warning")  # below both levels
    other = fire(manager, "formwork.axial", "formwork-2", "critical")  # not one of its devices
    await until(lambda: coil_is(relay, True, coil=1), what="the gate siren on")
    await asyncio.sleep(0.3)
    assert await relay.coils() == [False, True]
    assert state(ctl).alerts == [] and not state(ctl).wanted_on
    assert state(ctl, "siren-gate").alerts == sorted([crane, other])
    assert low not in state(ctl, "siren-gate").alerts

    jump = fire(manager, "pit.jump", "pit-1", "critical")
    await until(lambda: coil_is(relay, True, coil=0), what="the formwork siren on for pit.jump on pit-1")
    assert state(ctl).alerts == [jump]

    # the warning rising to alarm reaches the gate siren's level, not the formwork siren's
    fire(manager, "formwork.axial", "formwork-1", "alarm")
    await asyncio.sleep(0.2)
    assert state(ctl).alerts == [jump]
    assert state(ctl, "siren-gate").alerts == sorted([crane, other, low, jump])


# ---- relays that misbehave


async def test_a_relay_that_rebooted_is_switched_back_on_within_refresh_s(
    relay: RelaySimulator, manager: AlertManager, controller_for: Callable[..., SirenController]
) -> None:
    ctl = controller_for(siren(port=relay.port, refresh_s=0.5))
    ctl.follow(manager)
    await ctl.start()
    fire(manager, "formwork.axial", "formwork-1", "critical")
    await until(lambda: coil_is(relay, True), what="siren on")
    await relay.reboot()
    assert await relay.coils() == [False, False]
    started = time.monotonic()
    await until(lambda: coil_is(relay, True), timeout=3, what="siren on again after the relay's reboot")
    # refresh 0.5 s, plus a first failed write on the dead connection and its 0.5 s retry
    assert time.monotonic() - started < 1.6


async def test_a_relay_that_is_not_there_is_retried_until_it_answers(
    manager: AlertManager, controller_for: Callable[..., SirenController], caplog: pytest.LogCaptureFixture
) -> None:
    port = free_tcp_port()  # nothing listens here yet
    ctl = controller_for(siren(port=port, refresh_s=1.0))
    ctl.follow(manager)
    caplog.set_level(logging.INFO, logger="gateway.site.siren")
    await ctl.start()
    alert = fire(manager, "formwork.axial", "formwork-1", "critical")
    await until(lambda: state(ctl).failures >= 4, timeout=6, what="several failed writes")
    s = state(ctl)
    assert s.wanted_on and s.alerts == [alert]
    assert s.write_ok is False and f"cannot connect to tcp 127.0.0.1:{port}" in s.last_error
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "siren-formwork" in warnings[0]
    assert f"modbus_tcp 127.0.0.1:{port} unit 1 coil 0" in warnings[0]

    relay = RelaySimulator(port=port)
    await relay.start()
    try:
        started = time.monotonic()
        await until(lambda: coil_is(relay, True), timeout=3, what="siren on once the relay answers")
        assert time.monotonic() - started < 1.0 + 0.5  # within refresh_s (plus a write's timeout)
        await until(lambda: state(ctl).write_ok, what="the state showing the write succeeded")
        assert state(ctl).written_on is True and state(ctl).last_error == ""
        assert any("answers again, now ON" in r.getMessage() for r in caplog.records)
    finally:
        await relay.stop()


async def test_a_silent_relay_times_out_without_holding_up_the_loop_or_the_alerts(
    manager: AlertManager, controller_for: Callable[..., SirenController]
) -> None:
    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(256):  # takes every request, answers none
            pass
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        ctl = controller_for(siren(port=port, refresh_s=1.0), timeout_s=0.5)
        ctl.follow(manager)
        await ctl.start()
        longest_gap = 0.0

        async def ticker() -> None:
            nonlocal longest_gap
            last = time.monotonic()
            while True:
                await asyncio.sleep(0.01)
                now = time.monotonic()
                longest_gap, last = max(longest_gap, now - last), now

        task = asyncio.create_task(ticker())
        started = time.monotonic()
        alert = fire(manager, "formwork.axial", "formwork-1", "critical")
        assert time.monotonic() - started < 0.2  # the alert path does not wait for the relay
        await until(lambda: state(ctl).failures >= 2, timeout=5, what="timed-out writes")
        task.cancel()
        # a write waiting in the loop's thread would stall it for the whole 0.5 s timeout
        assert longest_gap < 0.3, f"the event loop stalled for {longest_gap:.2f} s"
        s = state(ctl)
        assert s.wanted_on and s.alerts == [alert] and s.write_ok is False
        assert "no answer within 0.5 s" in s.last_error
    finally:
        server.close()


# ---- Modbus RTU, MQTT


async def test_rtu_relay_on_a_serial_line_is_switched_and_left_on_at_stop(
    manager: AlertManager, controller_for: Callable[..., SirenController]
) -> None:
    with PtyPair() as pty:
        relay = RelaySimulator(serial=pty.a, unit=3)
        await relay.start()
        try:
            rtu = {"type": "modbus_rtu", "port": pty.b, "baudrate": 9600, "unit_id": 3}
            ctl = controller_for(siren(transport=rtu, coil=1))
            ctl.follow(manager)
            await ctl.start()
            alert = fire(manager, "formwork.axial", "formwork-1", "critical")
            await until(lambda: state(ctl).written_on is True, what="the RTU write confirmed")
            assert await relay.memory_coils() == [False, True]
            assert state(ctl).output.startswith(f"modbus_rtu {pty.b} 9600 8N1 unit 3 coil 1")

            await ctl.stop()
            assert await relay.memory_coils() == [False, True]
            # the gateway stopped: the siren keeps sounding; read it over the line the gateway let go,
            # once the answer to a write cut short by stop() has arrived and been thrown away
            await asyncio.sleep(0.3)
            line = os.open(pty.b, os.O_RDWR | os.O_NOCTTY)
            termios.tcflush(line, termios.TCIFLUSH)
            os.close(line)
            client = AsyncModbusSerialClient(pty.b, baudrate=9600, timeout=2, retries=0)
            try:
                assert await client.connect()
                response = await client.read_coils(0, count=2, device_id=3)
                assert not response.isError() and list(response.bits[:2]) == [False, True]
            finally:
                client.close()
            assert alert in state(ctl).alerts
        finally:
            await relay.stop()


class RetainedReader:
    """A subscriber that connects when asked, as a siren's MQTT relay does after a restart."""

    def __init__(self, broker: MosquittoServer, topic: str) -> None:
        self.payloads: list[str] = []
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"reader-{time.monotonic_ns()}")
        self.client.on_connect = lambda c, *_: c.subscribe(topic, qos=1)
        self.client.on_message = lambda _c, _u, msg: self.payloads.append(msg.payload.decode())
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


async def test_mqtt_siren_publishes_retained_on_and_off(
    mosquitto: MosquittoServer, manager: AlertManager, controller_for: Callable[..., SirenController]
) -> None:
    broker = MqttBroker(host=mosquitto.host, port=mosquitto.port)
    out = siren(
        transport={"type": "mqtt", "broker": "site", "topic_prefix": "sitegw/T-0001/siren-1"},
        topic="set",
        payload_on="1",
        payload_off="0",
    )
    ctl = controller_for(out, brokers={"site": broker})
    ctl.follow(manager)
    await ctl.start()
    await until(lambda: state(ctl).written_on is False, what="the off state published")
    alert = fire(manager, "formwork.axial", "formwork-1", "critical")
    await until(lambda: state(ctl).written_on is True, what="the on state acknowledged by the broker")

    late = RetainedReader(mosquitto, "sitegw/T-0001/siren-1/set")  # a relay that joins afterwards
    try:
        await until(lambda: late.payloads == ["1"], what="the retained ON")
        manager.acknowledge(alert, SUPERVISOR)
        await until(lambda: late.payloads[-1:] == ["0"], what="OFF after the acknowledgement")
    finally:
        late.close()
    where = f"mqtt broker site (127.0.0.1:{mosquitto.port}) topic sitegw/T-0001/siren-1/set"
    assert state(ctl).output == where


def test_an_mqtt_siren_on_an_unknown_broker_is_refused() -> None:
    out = siren(transport={"type": "mqtt", "broker": "nope", "topic_prefix": "x"})
    with pytest.raises(ValueError, match="siren siren-formwork: broker 'nope' is not in mqtt_brokers"):
        SirenController([out], {"site": MqttBroker()}, PROJECT)


# ---- restart


async def test_a_restart_keeps_sounding_for_an_alert_still_firing(
    relay: RelaySimulator, tmp_path: Path, controller_for: Callable[..., SirenController]
) -> None:
    db = tmp_path / "alerts.sqlite"
    first = AlertManager(db, PROJECT, on_event=lambda _e: None)
    ctl = controller_for(siren(port=relay.port))
    ctl.follow(first)
    await ctl.start()
    firing = fire(first, "formwork.axial", "formwork-1", "critical")
    heard = fire(first, "formwork.tilt", "formwork-2", "critical")
    first.acknowledge(heard, SUPERVISOR)
    await until(lambda: coil_is(relay, True), what="siren on")
    await ctl.stop()
    first.close()
    assert await relay.coils() == [True, False], "stopping the gateway must not silence the siren"

    await relay.reboot()  # and the relay lost power meanwhile
    second = AlertManager(db, PROJECT, on_event=lambda _e: None)
    try:
        again = controller_for(siren(port=relay.port))
        again.follow(second)
        assert state(again).alerts == [firing]  # the acknowledged one stays quiet
        await again.start()
        await until(lambda: coil_is(relay, True), what="siren on after the restart")
        second.acknowledge(firing, SUPERVISOR)
        await until(lambda: coil_is(relay, False), what="siren off at the acknowledgement")
    finally:
        second.close()
