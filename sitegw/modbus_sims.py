"""Simulated cranes, anemometers and hoists of a site, served over Modbus TCP and an RTU pty bus.

This is the API the demo uses, in the gateway's own process and event loop::

    async with await start_modbus_simulators(site, scenarios={"crane-1": "overload"},
                                             rtu_devices=["crane-2", "anemo-1"]) as sims:
        driver = ModbusDriver(sims.site, bus)   # the site with its transports pointed at the simulators

Stop the driver before the simulators (``sims.stop()`` closes the pty pair last).
Every device named in ``rtu_devices`` shares one RS-485 bus (one pty pair, one serial server,
each device at its own unit id); every other Modbus device gets a Modbus TCP server of its own
on 127.0.0.1. All models share one clock, and an anemometer that ``serves`` cranes is their wind
(a hoist has its own mast-top wind, on a normal day).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from types import TracebackType

from contract.config.crane import CraneSpec
from contract.config.device import DeviceConfig
from contract.config.loader import LoadedSite
from contract.config.profile import ModbusMap
from contract.config.trades import Trade
from contract.config.transport import ModbusRtuTransport, ModbusTcpTransport
from contract.kinds import registry
from drivers.ports import free_tcp_port
from drivers.simulators.device_sim import DeviceSim, make_sim
from drivers.simulators.modbus_server import (
    ModbusSimulatorServer,
    Served,
    ServedHook,
    SimUnit,
    ValueSource,
)
from drivers.simulators.ptypair import PtyPair
from drivers.simulators.scenario import Scenario
from drivers.simulators.wind import WindModel
from kinds.anemometer.kind import AnemometerDevice
from kinds.crane.kind import CraneDevice
from kinds.crane.sim import CraneModel
from kinds.hoist.kind import HoistDevice
from kinds.hoist.sim import HoistModel
from rules.certificate_check import problem_on


class ElapsedClock:
    """Seconds since the simulation started (monotonic), shared by every model of a run."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._t0 = clock()

    def __call__(self) -> float:
        return self._clock() - self._t0


def crane_source(model: CraneModel, clock: ElapsedClock) -> ValueSource:
    """Values of ``model`` at the time of each read."""

    def values() -> Mapping[str, float | str]:
        model.advance_to(clock())
        return model.values()

    return values


def hoist_source(model: HoistModel, clock: ElapsedClock) -> ValueSource:
    """Values of the hoist ``model`` at the time of each read."""

    def values() -> Mapping[str, float | str]:
        model.advance_to(clock())
        return model.values()

    return values


def anemometer_source(wind: WindModel, clock: ElapsedClock) -> ValueSource:
    """``wind_ms`` of ``wind`` at the time of each read."""

    def values() -> Mapping[str, float | str]:
        wind.advance_to(clock())
        return {"wind_ms": wind.speed()}

    return values


class CraneSimulatorServer(ModbusSimulatorServer):
    """One simulated tower crane (its black box) on Modbus TCP or a serial port."""

    def __init__(
        self,
        spec: CraneSpec,
        modbus: ModbusMap,
        *,
        scenario: Scenario | str = Scenario.NORMAL,
        unit: int = 1,
        seed: int = 1,
        operator_id: str = "OP-1001",
        tcp: tuple[str, int] | None = None,
        serial: str | None = None,
        baudrate: int = 9600,
    ) -> None:
        self.model = CraneModel(spec, Scenario(scenario), seed=seed, operator_id=operator_id)
        super().__init__(
            [SimUnit(unit, modbus, crane_source(self.model, ElapsedClock()))],
            tcp=tcp,
            serial=serial,
            baudrate=baudrate,
        )


@dataclass
class ModbusSimulators:
    """Running simulators and where the gateway finds them."""

    site: LoadedSite  # the input site with each simulated device's transport replaced
    transports: dict[str, ModbusTcpTransport | ModbusRtuTransport]
    servers: list[ModbusSimulatorServer]
    models: dict[str, CraneModel | WindModel | HoistModel]
    pty: PtyPair | None = None
    rtu_path: str = ""  # the serial port clients open ("" when no device is on RTU)
    _stopped: bool = field(default=False, repr=False)

    async def stop(self) -> None:
        """Stop every server and close the pty pair."""
        if self._stopped:
            return
        self._stopped = True
        for s in self.servers:
            await s.stop()
        if self.pty is not None:
            self.pty.close()

    async def __aenter__(self) -> ModbusSimulators:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


def retarget(
    site: LoadedSite, transports: Mapping[str, ModbusTcpTransport | ModbusRtuTransport]
) -> LoadedSite:
    """``site`` with the transports of some devices replaced (config validated again)."""
    devices = [
        d.model_copy(update={"transport": transports[d.id]}) if d.id in transports else d
        for d in site.config.devices
    ]
    config = site.config.model_validate(site.config.model_copy(update={"devices": devices}).model_dump())
    return replace(site, config=config)


def _scenarios(
    devices: list[DeviceConfig], default: str, chosen: Mapping[str, Scenario | str]
) -> dict[str, str]:
    """Each device's scenario: the one chosen for it, else ``default`` where its kind plays it (contract/kinds/,
    ``Kind.scenarios``), else normal; ValueError for a scenario its kind does not play."""
    out: dict[str, str] = {}
    for d in devices:
        plays = registry.get(d.kind).scenarios
        if d.id in chosen:
            wanted = str(chosen[d.id])
            if wanted not in plays:
                raise ValueError(f"{d.id} is a {d.kind}: it plays {', '.join(plays)}, not {wanted}")
            out[d.id] = wanted
        else:
            out[d.id] = default if default in plays else "normal"
    return out


def _values_now(sim: DeviceSim, clock: ElapsedClock) -> Mapping[str, float | str]:
    return sim.values(clock())


def _by_unit(hooks: Mapping[int, ServedHook]) -> ServedHook:
    """One bus's hook: each answered read to the hook of the unit that answered it."""

    def hook(served: Served) -> None:
        hooks[served.unit](served)

    return hook


def _simulated(site: LoadedSite) -> list[DeviceConfig]:
    """Every Modbus device whose kind has a simulator (contract/kinds/: a plug-in's kind too)."""
    return [
        d
        for d in site.config.devices
        if isinstance(d.transport, ModbusTcpTransport | ModbusRtuTransport) and registry.get(d.kind).simulator
    ]


async def start_modbus_simulators(
    site: LoadedSite,
    *,
    scenario: Scenario | str = Scenario.NORMAL,
    scenarios: Mapping[str, Scenario | str] | None = None,
    rtu_devices: list[str] | None = None,
    host: str = "127.0.0.1",
    seed: int = 1,
    operators: Mapping[str, str] | None = None,
    served: Callable[[str], ServedHook] | None = None,
) -> ModbusSimulators:
    """Simulate every Modbus device of ``site`` on local Modbus servers: cranes, anemometers and hoists as
    one site (an anemometer's wind is the cranes' it serves, the operators from the roster), any other kind
    by its own simulator (contract/kinds/, ``Kind.simulator``).

    ``scenarios`` picks a scenario per device id (default ``scenario``; a hoist plays normal,
    hoist_door or hoist_overload and falls back to normal when ``scenario`` is a crane's);
    ``rtu_devices`` lists the devices on the shared RTU bus (default: the devices the site has on
    RTU); ``operators`` picks the operator ID each crane or the driver ID each hoist reports
    (default: the site's operators whose licence is valid today, in turn, so a quiet site raises
    no crane.operator alert; a hoist gets one no crane has, while there is one); ``served`` gives
    each device id the hook its answered reads are reported to (a bench counting what was served).
    """
    devices = _simulated(site)
    known = {d.id for d in devices}
    unknown = sorted((set(scenarios or {}) | set(operators or {}) | set(rtu_devices or [])) - known)
    if unknown:
        raise ValueError(f"no simulated Modbus device with id {', '.join(unknown)} (have {sorted(known)})")
    on_rtu = (
        set(rtu_devices)
        if rtu_devices is not None
        else {d.id for d in devices if isinstance(d.transport, ModbusRtuTransport)}
    )
    clock = ElapsedClock()
    pick = _scenarios(devices, str(scenario), scenarios or {})
    models, sources = _value_sources(site, devices, pick, clock, seed, operators or {})
    transports, servers, pty = await _serve(site, devices, on_rtu, sources, host, served)
    return ModbusSimulators(
        retarget(site, transports), transports, servers, models, pty, pty.b if pty else ""
    )


def _value_sources(
    site: LoadedSite,
    devices: list[DeviceConfig],
    pick: Mapping[str, str],
    clock: ElapsedClock,
    seed: int,
    operators: Mapping[str, str],
) -> tuple[dict[str, CraneModel | WindModel | HoistModel], dict[str, ValueSource]]:
    """Each device's model (cranes, anemometers, hoists: one site, on one clock) and the source its registers
    are read from: anemometers first (a crane takes the wind of the one that serves it), then the cranes
    with their operators, the hoists with drivers no crane has, and any other kind by its own simulator."""
    models: dict[str, CraneModel | WindModel | HoistModel] = {}
    sources: dict[str, ValueSource] = {}
    shared_wind: dict[str, WindModel] = {}
    for i, d in enumerate(devices):
        if isinstance(d, AnemometerDevice):
            wind = WindModel(Scenario(pick[d.id]), seed=seed + 100 + i)
            models[d.id] = wind
            sources[d.id] = anemometer_source(wind, clock)
            for crane_id in d.serves:
                shared_wind.setdefault(crane_id, wind)
    licensed = _certified(site, "tower_crane_driver")
    cranes = [d for d in devices if d.kind == "crane"]
    chosen = {d.id: operators.get(d.id, licensed[n % len(licensed)]) for n, d in enumerate(cranes)}
    licensed = _certified(site, "hoist_driver")
    for i, d in enumerate(devices):
        if isinstance(d, CraneDevice):
            model = CraneModel(
                d.crane,
                Scenario(pick[d.id]),
                seed=seed + i,
                operator_id=chosen[d.id],
                wind=shared_wind.get(d.id),
            )
            models[d.id] = model
            sources[d.id] = crane_source(model, clock)
    for n, (i, d) in enumerate((i, d) for i, d in enumerate(devices) if isinstance(d, HoistDevice)):
        free = [o for o in licensed if o not in chosen.values()] or licensed
        driver = operators.get(d.id, free[n % len(free)])
        hoist = HoistModel(d.hoist, Scenario(pick[d.id]), seed=seed + i, driver_id=driver)
        models[d.id] = hoist
        sources[d.id] = hoist_source(hoist, clock)
    for i, d in enumerate(devices):
        if d.id not in sources:  # another kind: its own simulator, on the shared clock
            sim = make_sim(d, site, pick[d.id], seed=seed + i)
            sources[d.id] = partial(_values_now, sim, clock)
    return models, sources


def _certified(site: LoadedSite, trade: Trade) -> list[str]:
    """The roster's workers certified today for ``trade`` (the demo's drivers: the machines accept them)."""
    today = date.today()
    return [o.id for o in site.config.operators if problem_on(o, trade, today) is None] or ["OP-1001"]


async def _serve(
    site: LoadedSite,
    devices: list[DeviceConfig],
    on_rtu: set[str],
    sources: Mapping[str, ValueSource],
    host: str,
    served: Callable[[str], ServedHook] | None,
) -> tuple[dict[str, ModbusTcpTransport | ModbusRtuTransport], list[ModbusSimulatorServer], PtyPair | None]:
    """Serve each device's registers: its own TCP server, or a unit on the one RTU bus (a pseudo-terminal
    pair) for those ``on_rtu``; the transports to read them at, the servers, the pair. A server that fails
    to start stops those started before it."""
    transports: dict[str, ModbusTcpTransport | ModbusRtuTransport] = {}
    servers: list[ModbusSimulatorServer] = []
    pty: PtyPair | None = None
    try:
        rtu_units: list[SimUnit] = []
        rtu_hooks: dict[int, ServedHook] = {}
        used_units: set[int] = set()
        if on_rtu:
            pty = PtyPair()
        for d in devices:
            mmap = site.profiles[d.profile].modbus
            assert mmap is not None
            if d.id in on_rtu:
                assert pty is not None
                assert isinstance(
                    d.transport, ModbusTcpTransport | ModbusRtuTransport
                )  # _simulated: Modbus only
                unit = d.transport.unit_id or 1
                while unit in used_units:
                    unit += 1
                used_units.add(unit)
                rtu_units.append(SimUnit(unit, mmap, sources[d.id]))
                if served is not None:
                    rtu_hooks[unit] = served(d.id)
                transports[d.id] = ModbusRtuTransport(
                    port=pty.b, baudrate=9600, bytesize=8, parity="N", stopbits=1, unit_id=unit
                )
            else:
                port = free_tcp_port(host)
                server = ModbusSimulatorServer(
                    [SimUnit(1, mmap, sources[d.id])],
                    tcp=(host, port),
                    served=served(d.id) if served is not None else None,
                )
                await server.start()
                servers.append(server)
                transports[d.id] = ModbusTcpTransport(host=host, port=port, unit_id=1)
        if rtu_units:
            assert pty is not None
            server = ModbusSimulatorServer(
                rtu_units, serial=pty.a, baudrate=9600, served=_by_unit(rtu_hooks) if rtu_hooks else None
            )
            await server.start()
            servers.append(server)
    except BaseException:
        for s in servers:
            await s.stop()
        if pty is not None:
            pty.close()
        raise
    return transports, servers, pty
