"""``sitegw simulate device``: any device of a site file, of any kind, served as its profile says.

The device's kind names its simulator (contract/kinds/, ``Kind.simulator``); its transport decides how it
is served: a Modbus TCP server (``--tcp``), an RTU line (``--serial`` or ``--pty``), or MQTT messages to
its broker (or ``--broker``). The kinds with commands of their own (crane, hoist, anemometer, pit,
formwork, gate) add what only they need (a day of pit history, a pour, the operators); this one serves a
plug-in's kind as well as the shipped ones.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from config import EXAMPLE_SITE
from contract.config import ConfigError, load_site
from contract.config.transport import MqttTransport
from contract.kinds import registry
from contract.kinds.kind import Kind
from drivers.simulators.device_sim import make_sim
from drivers.simulators.modbus_server import SimUnit
from drivers.simulators.profile_publish import ProfilePublisher
from sitegw.cli_options import host_port
from sitegw.modbus_sims import ElapsedClock
from sitegw.simulate_modbus_cli import BaudOpt, DurationOpt, PtyOpt, SeedOpt, SerialOpt, TcpOpt, _fail, _serve


def simulate_device(
    device: Annotated[str, typer.Option("--device", help="the device's id in --site")],
    site: Annotated[
        Path, typer.Option("--site", help="the site file; default: the example site")
    ] = EXAMPLE_SITE,
    scenario: Annotated[
        str,
        typer.Option("--scenario", help="one of the scenarios its kind plays (`sitegw kinds` lists them)"),
    ] = "normal",
    tcp: TcpOpt = None,
    serial: SerialOpt = None,
    pty: PtyOpt = False,
    broker: Annotated[
        str | None, typer.Option("--broker", help="HOST:PORT for an MQTT device; default: its broker")
    ] = None,
    duration: DurationOpt = 0.0,
    baudrate: BaudOpt = 9600,
    seed: SeedOpt = 1,
) -> None:
    """Simulate one device of any kind, served over Modbus or published over MQTT as its profile says."""
    try:
        loaded = load_site(site)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    try:
        dev = loaded.config.device(device)
    except KeyError:
        ids = ", ".join(f"{d.id} ({d.kind})" for d in loaded.config.devices)
        raise _fail(f"{site}: no device {device!r}; its devices are: {ids}") from None
    try:
        sim = make_sim(dev, loaded, scenario, seed)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    profile = loaded.profile_of(dev.id)
    what = f"{registry.get(dev.kind).zh} {dev.display_name} scenario {scenario}"
    if isinstance(dev.transport, MqttTransport):
        assert profile.mqtt is not None  # the site's check: an MQTT device has a profile with an mqtt map
        own = loaded.config.mqtt_brokers[dev.transport.broker]
        host, port = host_port(broker, "--broker") if broker else (own.host, own.port)
        user, password = ("", "") if broker else (own.username, own.password)
        publisher = ProfilePublisher(
            sim,
            profile.mqtt,
            host,
            port,
            dev.transport.topic_prefix,
            interval_s=dev.poll_interval_s,
            username=user,
            password=password,
        )
        typer.echo(f"simulating {what}: publishing to {host}:{port} under {dev.transport.topic_prefix}")
        try:
            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(publisher.run(duration or None))
        except ConnectionError as exc:
            raise _fail(f"{exc}; start a broker or pass --broker HOST:PORT") from None
        return
    assert profile.modbus is not None  # the site's check: a Modbus device has a profile with a register map
    clock = ElapsedClock()
    unit = getattr(dev.transport, "unit_id", 1) or 1
    _serve(
        SimUnit(unit, profile.modbus, lambda: sim.values(clock())),
        tcp,
        serial,
        pty,
        duration,
        baudrate,
        what,
        None,
    )


COMMANDS = {"attendance": "gate"}
"""The simulate commands named otherwise than their kind (the gates' predates the kind's name)."""


def command_of(kind: Kind) -> str:
    """The ``sitegw simulate`` command of ``kind``'s devices."""
    return COMMANDS.get(kind.name, kind.name)


def simulate_help() -> str:
    """``sitegw simulate --help``: a command per kind with a simulator, each with the scenarios it plays."""
    each = "; ".join(
        f"{command_of(k)} ({k.en}: {', '.join(k.scenarios)})" for k in registry.kinds() if k.simulator
    )
    return (
        f"Device simulators with scenarios, one command per kind of device (`sitegw kinds`): {each}. "
        "`device` serves any device of a site file as its profile says (a Modbus server or MQTT messages); "
        "`logger` a pit DAU's record store."
    )


def app_help() -> str:
    """``sitegw --help``: what the gateway watches, every kind this sitegw knows (a plug-in's too)."""
    watched = ", ".join(f"{k.en} ({k.zh})" for k in registry.kinds())
    return (
        f"Construction-site safety gateway: {watched}, monitored to the Chinese standards, with every "
        "hazard delivered to the regulator."
    )


def simulate_kind(kind: str) -> Callable[..., None]:
    """``sitegw simulate KIND``: :func:`simulate_device` for the site's first device of ``kind`` by default."""

    def command(
        site: Annotated[Path, typer.Option("--site", help="the site file")] = EXAMPLE_SITE,
        device: Annotated[
            str | None, typer.Option("--device", help="the device id; default: the site's first of this kind")
        ] = None,
        scenario: Annotated[
            str, typer.Option("--scenario", help="one of the scenarios its kind plays")
        ] = "normal",
        tcp: TcpOpt = None,
        serial: SerialOpt = None,
        pty: PtyOpt = False,
        broker: Annotated[str | None, typer.Option("--broker", help="HOST:PORT for an MQTT device")] = None,
        duration: DurationOpt = 0.0,
        baudrate: BaudOpt = 9600,
        seed: SeedOpt = 1,
    ) -> None:
        if device is None:
            try:
                loaded = load_site(site)
            except ConfigError as exc:
                raise _fail(str(exc)) from None
            device = next((d.id for d in loaded.config.devices if d.kind == kind), None)
            if device is None:
                raise _fail(f"{site}: no {kind} device")
        simulate_device(device, site, scenario, tcp, serial, pty, broker, duration, baudrate, seed)

    return command


def list_kinds() -> None:
    """The device kinds this sitegw knows (the shipped ones and installed plug-ins), with their metrics."""
    for kind in registry.kinds():
        typer.echo(f"{kind.name}  {kind.zh} ({kind.en})")
        watched = "watched for going offline" if kind.watched else "not watched for going offline"
        typer.echo(
            f"  {watched}; scenarios: {', '.join(kind.scenarios)}; declared in {kind.device.__module__}"
        )
        if rules := registry.kind_rules(kind):
            typer.echo(f"  rules: {', '.join(f'{rule} {zh}' for rule, zh in rules.items())}")
        if kind.weather_stops:  # its machines' work is 冒险作业 while one of these is in force
            typer.echo(f"  obeys the weather stops: {', '.join(sorted(kind.weather_stops))}")
        if kind.open_metrics:
            typer.echo("  metrics: whatever its profile maps")
        for m in kind.metrics:
            unit = f" [{m.unit}]" if m.unit else ""
            typer.echo(f"  {m.name:<24} {m.zh}{unit}{' (text)' if m.text else ''}")
    shared = ", ".join(f"{rule} {zh}" for rule, zh in registry.SHARED_RULES.items())
    typer.echo(f"every device's rules: {shared}")
