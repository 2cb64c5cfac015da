"""``sitegw simulate crane``, ``hoist``, ``anemometer`` and ``logger``: a simulated device on a real port.

Plain functions with typer-annotated parameters; sitegw/cli.py registers them with
``simulate_app.command("crane")(crane)`` and likewise ``hoist``, ``anemometer`` and ``logger``.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from contract.config import ConfigError, load_profile, load_site
from contract.config.crane import CraneSpec
from contract.config.device import DeviceConfig
from contract.config.hoist import HoistSpec
from contract.config.loader import shipped_profile
from contract.config.profile import ModbusMap
from contract.kinds import registry
from drivers.simulators.modbus_server import ModbusSimulatorServer, ServedLog, SimUnit
from drivers.simulators.ptypair import PtyPair
from drivers.simulators.record_store import RecordStore, steady_records
from drivers.simulators.scenario import HOIST_SCENARIOS, Scenario
from drivers.simulators.wind import WindModel
from kinds.anemometer.kind import AnemometerDevice
from kinds.crane.kind import CraneDevice
from kinds.crane.sim import CraneModel
from kinds.hoist.kind import HoistDevice
from kinds.hoist.sim import HoistModel
from sitegw.cli_options import host_port
from sitegw.modbus_sims import ElapsedClock, anemometer_source, crane_source, hoist_source

D = TypeVar("D", bound=DeviceConfig)

# A QTZ80 (TC5010)-like chart, used when no site file is given
_DEFAULT_CRANE = {
    "model": "QTZ80 (TC5010)",
    "position_m": [0, 0],
    "jib_m": 50,
    "counter_jib_m": 11,
    "jib_height_m": 33,
    "load_chart": [
        {"radius_m": 2.5, "rated_t": 6.0},
        {"radius_m": 13, "rated_t": 6.0},
        {"radius_m": 20, "rated_t": 3.8},
        {"radius_m": 30, "rated_t": 2.4},
        {"radius_m": 40, "rated_t": 1.7},
        {"radius_m": 50, "rated_t": 1.3},
    ],
}

_HOIST_CHOICES = [s.value for s in Scenario if s in HOIST_SCENARIOS]
_CRANE_CHOICES = [s.value for s in Scenario if s not in HOIST_SCENARIOS - {Scenario.NORMAL}]

TcpOpt = Annotated[
    str | None, typer.Option("--tcp", help="serve Modbus TCP on HOST:PORT, e.g. 127.0.0.1:5020")
]
SerialOpt = Annotated[str | None, typer.Option("--serial", help="serve Modbus RTU on this serial port")]
PtyOpt = Annotated[
    bool, typer.Option("--pty", help="create a pty pair, serve RTU on one end, print the other")
]
ScenarioOpt = Annotated[
    Scenario,
    typer.Option("--scenario", metavar=f"[{'|'.join(_CRANE_CHOICES)}]", help="normal, overload or high_wind"),
]
HoistScenarioOpt = Annotated[
    Scenario,
    typer.Option(
        "--scenario",
        metavar=f"[{'|'.join(_HOIST_CHOICES)}]",
        help="normal, hoist_door (leaves with the landing door open) or hoist_overload",
    ),
]
SiteOpt = Annotated[
    Path | None, typer.Option("--site", help="site file to take the device (and profile) from")
]
DeviceOpt = Annotated[str | None, typer.Option("--device", help="device id in --site")]
DurationOpt = Annotated[float, typer.Option("--duration", help="stop after S seconds (0: until Ctrl-C)")]
BaudOpt = Annotated[int, typer.Option("--baudrate", help="serial line speed (RTU)")]
SeedOpt = Annotated[int, typer.Option("--seed", help="random seed: the same seed replays the same day")]
ServedLogOpt = Annotated[
    Path | None,
    typer.Option(
        "--served-log",
        help="append every read answered to this file, one JSON line each "
        "(t, unit, function, address, count, words), to check a gateway's store against",
    ),
]


def crane(
    tcp: TcpOpt = None,
    serial: SerialOpt = None,
    pty: PtyOpt = False,
    unit: Annotated[int, typer.Option("--unit", help="Modbus unit id")] = 1,
    scenario: ScenarioOpt = Scenario.NORMAL,
    site: SiteOpt = None,
    device: DeviceOpt = None,
    duration: DurationOpt = 0.0,
    baudrate: BaudOpt = 9600,
    seed: SeedOpt = 1,
    operator: Annotated[str, typer.Option("--operator", help="operator ID the box reports")] = "OP-1001",
    served_log: ServedLogOpt = None,
) -> None:
    """Simulate a tower crane's black box (tower_crane_blackbox profile) doing lift cycles."""
    _not_a_hoist_scenario(scenario, "a crane")
    dev, mmap = _device_and_map(site, device, "tower_crane_blackbox", CraneDevice)
    spec = CraneSpec.model_validate(_DEFAULT_CRANE) if dev is None else dev.crane
    model = CraneModel(spec, scenario, seed=seed, operator_id=operator)
    _serve(
        SimUnit(unit, mmap, crane_source(model, ElapsedClock())),
        tcp,
        serial,
        pty,
        duration,
        baudrate,
        f"crane {spec.model or ''} scenario {scenario.value}",
        served_log,
    )


def hoist(
    tcp: TcpOpt = None,
    serial: SerialOpt = None,
    pty: PtyOpt = False,
    unit: Annotated[int, typer.Option("--unit", help="Modbus unit id")] = 1,
    scenario: HoistScenarioOpt = Scenario.NORMAL,
    site: SiteOpt = None,
    device: DeviceOpt = None,
    duration: DurationOpt = 0.0,
    baudrate: BaudOpt = 9600,
    seed: SeedOpt = 1,
    driver: Annotated[str, typer.Option("--driver", help="driver ID the box reports")] = "OP-1001",
    served_log: ServedLogOpt = None,
) -> None:
    """Simulate a construction hoist's black box (hoist_blackbox profile) doing trips between landings."""
    if scenario not in HOIST_SCENARIOS:
        raise _fail(
            f"--scenario {scenario.value} is not for a hoist; a hoist plays {', '.join(_HOIST_CHOICES)}"
        )
    dev, mmap = _device_and_map(site, device, "hoist_blackbox", HoistDevice)
    spec = _default_hoist() if dev is None else dev.hoist
    model = HoistModel(spec, scenario, seed=seed, driver_id=driver)
    _serve(
        SimUnit(unit, mmap, hoist_source(model, ElapsedClock())),
        tcp,
        serial,
        pty,
        duration,
        baudrate,
        f"hoist {spec.model} scenario {scenario.value}",
        served_log,
    )


def anemometer(
    tcp: TcpOpt = None,
    serial: SerialOpt = None,
    pty: PtyOpt = False,
    unit: Annotated[int, typer.Option("--unit", help="Modbus unit id (factory default 2)")] = 2,
    scenario: ScenarioOpt = Scenario.NORMAL,
    site: SiteOpt = None,
    device: DeviceOpt = None,
    duration: DurationOpt = 0.0,
    baudrate: BaudOpt = 9600,
    seed: SeedOpt = 1,
    served_log: ServedLogOpt = None,
) -> None:
    """Simulate an RS-485 anemometer (anemometer_rs485 profile) with gusty wind."""
    _not_a_hoist_scenario(scenario, "an anemometer")
    _, mmap = _device_and_map(site, device, "anemometer_rs485", AnemometerDevice)
    wind = WindModel(scenario, seed=seed)
    _serve(
        SimUnit(unit, mmap, anemometer_source(wind, ElapsedClock())),
        tcp,
        serial,
        pty,
        duration,
        baudrate,
        f"anemometer scenario {scenario.value}",
        served_log,
    )


def logger(
    records: Annotated[
        int, typer.Option("--records", help="records in the backlog, the newest a second ago")
    ],
    tcp: TcpOpt = None,
    serial: SerialOpt = None,
    pty: PtyOpt = False,
    unit: Annotated[int, typer.Option("--unit", help="Modbus unit id")] = 1,
    profile: Annotated[
        str, typer.Option("--profile", help="built-in profile whose modbus.history lays out the store")
    ] = "pit_dau",
    every_s: Annotated[float, typer.Option("--every-s", help="seconds between two records")] = 10.0,
    duration: DurationOpt = 0.0,
    baudrate: BaudOpt = 9600,
) -> None:
    """Simulate a data logger back from an outage: a backlog of --records records in its record store
    (the profile's modbus.history registers), dropped as the gateway acknowledges them."""
    try:
        mmap = load_profile(shipped_profile(profile)).modbus
        if mmap is None or mmap.history is None:
            raise _fail(f"profile {profile} has no modbus.history: block (no record store to simulate)")
        store = RecordStore(
            mmap, records, steady_records(len(mmap.history.channels), time.time() - 1, every_s, records)
        )
    except (ConfigError, OSError) as exc:
        raise _fail(str(exc)) from None
    what = f"data logger ({profile}) with {records} records pending"
    _serve(SimUnit(unit, mmap, dict, store), tcp, serial, pty, duration, baudrate, what, None)


def _default_hoist() -> HoistSpec:
    """An SC200/200-like hoist (2 t, 20 persons, 90 m), used when no site file is given."""
    # the box never reports its fall arrester's calibration, but a hoist spec needs the date: a recent
    # one, as a fixed date would in time describe a hoist whose arrester is out of date
    return HoistSpec(
        model="SC200/200",
        rated_load_t=2.0,
        rated_persons=20,
        erected_height_m=90,
        arrester_calibrated_on=date.today() - timedelta(days=60),
    )


def _not_a_hoist_scenario(scenario: Scenario, kind: str) -> None:
    """A hoist's scenario given to a crane or an anemometer is a usage error, not a quiet normal day."""
    if scenario in HOIST_SCENARIOS and scenario is not Scenario.NORMAL:
        raise _fail(f"--scenario {scenario.value} is a hoist's; {kind} plays {', '.join(_CRANE_CHOICES)}")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _device_and_map(
    site: Path | None, device: str | None, default: str, model: type[D]
) -> tuple[D | None, ModbusMap]:
    """Device ``device`` of the kind whose model is ``model`` in ``site`` and its profile's register
    map; without a site, no device and the built-in profile ``default``'s map. A usage error (exit 2)
    names what is wrong."""
    kind = next(k.name for k in registry.kinds() if k.device is model)
    dev: D | None = None
    try:
        if site is None:
            profile = load_profile(shipped_profile(default))
        else:
            if not device:
                raise _fail("--site needs --device ID (which device of the site to simulate)")
            loaded = load_site(site)
            ids = ", ".join(d.id for d in loaded.config.devices if d.kind == kind) or "none"
            try:
                found = loaded.config.device(device)
            except KeyError:
                raise _fail(f"{site}: no device {device!r}; its {kind} devices are: {ids}") from None
            if not isinstance(found, model):
                raise _fail(
                    f"{site}: device {device} is of kind {found.kind}, not {kind}; its {kind} devices are: {ids}"
                )
            dev = found
            profile = loaded.profiles[dev.profile]
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    if profile.modbus is None:
        raise _fail(f"profile {profile.name} has no modbus: register map")
    return dev, profile.modbus


def _serve(
    unit: SimUnit,
    tcp: str | None,
    serial: str | None,
    pty: bool,
    duration: float,
    baudrate: int,
    what: str,
    served_log: Path | None,
) -> None:
    if [bool(tcp), bool(serial), pty].count(True) != 1:
        raise _fail("give exactly one of --tcp HOST:PORT, --serial PATH or --pty")
    try:
        served = ServedLog(served_log) if served_log else None
    except OSError as exc:
        raise _fail(f"--served-log {served_log}: {exc.strerror or exc}") from None
    pair = PtyPair() if pty else None
    if tcp:
        server = ModbusSimulatorServer([unit], tcp=host_port(tcp, "--tcp"), served=served)
    else:
        where = pair.a if pair else serial
        server = ModbusSimulatorServer([unit], serial=where, baudrate=baudrate, served=served)
    try:
        asyncio.run(_run(server, duration, what, pair))
    except OSError as exc:
        raise _fail(str(exc)) from None
    finally:
        if pair is not None:
            pair.close()
        if served is not None:
            served.close()


async def _run(server: ModbusSimulatorServer, duration: float, what: str, pair: PtyPair | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await server.start()
    unit = server.units[0].unit_id
    where = f"serial {pair.b} (clients open this end)" if pair else server.where
    typer.echo(f"simulating {what}: unit {unit} on {where}; Ctrl-C stops", err=False)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=duration or None)
    finally:
        await server.stop()
        typer.echo("simulator stopped")
