"""`sitegw demo`: the reference site, simulated on this machine, watched by a real gateway.

Two tower cranes, the construction hoist, the façade's suspended platform and an anemometer speak
Modbus (crane-1, hoist-1 and platform-1 over TCP; crane-2 and the anemometer as two slaves of one
RS-485 bus, RTU over a pty pair); the deep pit's 13 points, the high formwork's 4 points, the site gate
and the confined space (2号污水井, its morning at 15x) publish over MQTT (an embedded broker unless one
is given); the formwork area's, the façade's, the confined space's and the weather warnings' sirens are
Modbus relay boards. The gateway reads
them exactly as it would read the real devices: the only thing the demo changes in
config/examples/site.yaml is where each device and siren is reached. Scripted scenarios
make hazards appear within the first minute; the slab pour over the high formwork begins
``pour_after_s`` after start, as a supervisor would start it from the dashboard (or when one does:
the simulated formwork takes concrete as soon as the gateway marks a pour under way). Its supervisor also
opens the scripted jacking and 安拆 windows and signs two hot-work permits (sitegw/demo_hot_work.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from config import EXAMPLE_SITE
from contract.config import LoadedSite, load_site
from contract.config.device import DeviceConfig
from contract.config.sinks import ApiConfig, InfluxConfig
from contract.config.site import SiteConfig
from contract.config.transport import ModbusTcpTransport, MqttBroker, MqttTransport
from contract.config.uplinks import RegulatorUplink
from contract.kinds import registry
from drivers.mqtt.embedded_broker import EmbeddedBroker
from drivers.simulators.device_sim import make_sim
from drivers.simulators.profile_publish import ProfilePublisher
from drivers.simulators.relay import RelaySimulator
from gateway.site.install import InstallClose, InstallStart
from gateway.site.jacking import JackingClose
from kinds.attendance.sim import AccessGateSimulator
from kinds.confined_space.kind import ConfinedSpaceDevice
from kinds.confined_space.sim import TimeScaled
from kinds.crane.kind import CraneDevice
from kinds.formwork.kind import FormworkDevice
from kinds.formwork.sim import FormworkSimulator
from kinds.pit.kind import PitDevice
from kinds.pit.sim import PitSimulator
from kinds.pit.thresholds import PitRule
from kinds.slope.kind import SlopeDevice
from kinds.slope.thresholds import SlopeRule
from kinds.tunnel.kind import TunnelDevice
from kinds.tunnel.sim import HIDDEN_S
from plumbing.stop_signals import stop_requested
from sitegw.cli_options import DEMO_POUR_AFTER_S
from sitegw.demo_hot_work import issue_demo_permits
from sitegw.extras import REGULATOR_INSTALL, regulator_extra_missing
from sitegw.modbus_sims import start_modbus_simulators
from sitegw.runtime import Gateway
from sitegw.users_cli import demo_login
from vision.demo import demo_vision

log = logging.getLogger(__name__)

# Which simulated device plays which hazard (the scenarios are defined by the simulators).
CRANE_SCENARIOS = {
    "crane-1": "overload",
    "crane-2": "normal",
    "anemo-1": "high_wind",
    "hoist-1": "hoist_door",
    "platform-1": "platform_tilt_lock",
}
PIT_SCENARIO = "rate"
# the demo's pit: its first daily rate (so the rate scenario's alarm) PIT_RATE_AFTER_S after it starts, and a
# report from each point every PIT_LIVE_S from then on (a real DAU's two hours would show nothing in a demo)
PIT_RATE_AFTER_S, PIT_LIVE_S = 15.0, 10.0
LISTED_KINDS = frozenset(
    {"crane", "anemometer", "hoist", "pit", "formwork", "attendance"}
)  # on lines of their own at start
FORMWORK_SCENARIO = "collapse"  # one pole's settlement and axial force run away ~30 s into the pour
# cs-1's morning at 15x: the fan, a test, two go in (4-6 s), H2S past 10 mg/m³ at ~25 s (siren), out at 32 s
CONFINED_SCENARIO, CONFINED_SCALE = "h2s_rise", 15.0
# the other kinds' devices that play a hazard (their simulators' scenarios); the rest play a normal day
OTHER_SCENARIOS = {
    "power-b2": "rcd_fails",  # 18 mA on its 15 mA RCD from 30 s, the RCD not tripping
    # a loose L1 terminal: it heats (a rise at ~15 s, past 60 and 70 ℃ by 35 s) and arcs twice (15 s, 30 s),
    # the RCD trips at 40 s and is bridged at 50 s to keep the power on
    "power-main": "loose_terminal",
    # a rainstorm on the slope, BP-01 past its alarm value: from its first live report, after the station's
    # logger served its SLOPE_BACKLOG of the days before (BP-02 creeping 3 mm/d: slope.rate at that report)
    "slope-1": "rainstorm",
    "weather-1": "gale",  # from 30 s the wind swells past Beaufort 5-6: the open-air hot-work permit stops
    # GD-01's vault past its control value by the system's second survey, SL-01's convergence and DB-01's
    # surface settlement past 85 % of theirs (yellow); GD-02's prism hidden for the TUNNEL_BACKLOG's last
    # three hours (tunnel.silent at its first live survey)
    "tunnel-1": "section",
    "welder-1": "unpermitted",  # arcs at 3号楼5层 from its first second, no permit in force there
}
# The tunnel's monitoring system surveys every 1800 s, as the reference site says (a real system's cycle,
# kept: its silence rule is measured against it): a demo of a few minutes would show one survey, at start.
# Its publisher plays the system TUNNEL_SCALE times faster, a survey every 1800/90 = 20 s of the demo, each
# carrying the time of its publishing, so the settlement appears within the demo's first minute.
TUNNEL_SCALE = 90.0
# A point silent for more than three of its 1800 s intervals (tunnel.silent) is hours: no survey of the
# demo's minutes can honestly show it, nor can the 90x clock (its values are stamped with present times).
# The system's logger first serves the surveys it kept of the TUNNEL_BACKLOG_S before the demo, at the pace
# they happened and each with its own time: GD-02's prism hidden by plant for the last HIDDEN_S of them, the
# others reporting on, so GD-02 is silent for three hours at the first live survey.
TUNNEL_BACKLOG_S = HIDDEN_S + 3600.0
TUNNEL_BACKLOG = f"the system's logger serves its {TUNNEL_BACKLOG_S / 3600:g} h before first"
# A slope's rate alarm needs its daily rate above the rate value three days running (GB 50330-2013 §19.1.6):
# no clock run fast under present-day timestamps can honestly show days. The demo's station first serves
# what its data logger kept of the slope's rate_days days before the demo (a report per poll interval, each
# with its own time), so the third day above the rate is reached at its first live report. The days before
# carry the rate's pre-warning at their own times, as a gateway watching then would have raised it.
SLOPE_BACKLOG = "the station's logger serves its three days before first"
SCENARIO_LINE = (
    "crane-1 overload, anemo-1 storm, hoist-1 moving with a door open, pit-1 displacement rate, "
    "formwork-1 M3 settling during the pour (siren), cs-1 H2S rising with two inside (siren), "
    "crane-2 expired licence, platform-1 tilting with a failed safety lock (siren-facade), "
    "power-b2 leaking past its RCD's rating with the RCD not tripping, slope-1 past its alarm value in a rainstorm, "
    f"tunnel-1 GD-01's vault settling past its control value, SL-01 and DB-01 past 85 % of theirs (its surveys "
    f"{TUNNEL_SCALE:g}x faster), GD-02 silent for {HIDDEN_S / 3600:g} h (its logger's backlog), "
    "welder-1 welding at 3号楼5层 without a hot-work permit, the gate camera's people there (its 动火区), "
    "power-main's loose terminal heating and arcing, its RCD tripping then bridged, "
    "slope-1's BP-02 three days above its rate (its logger's backlog), weather-1's gale from 30 s, "
    "hot-work permits: 2号楼屋面 open-air with its fire watch not at the gate, 地下室B2 ending unclosed"
)
# a scripted jacking window on crane-1 (standards.md §10): opened at JACKING_AT_S, closed JACKING_FOR_S later
# with its checks, 5.6 m higher (two standard sections); the crane's simulator slews on, so the window
# shows crane.jacking_motion (critical) and, with the storm, crane.jacking_wind; jacking being 安拆 work, its
# papers' 安拆 crew is judged as crane.install's climb, and its installer's safety officer AQ-11 never comes
# through the demo's gate (crane.install safety_officer, critical). A --duration too short for
# it has the window in its middle instead (jacking_times), so that what the banner announces happens.
JACKING_AT_S, JACKING_FOR_S, JACKING_CRANE = 90.0, 60.0, "crane-1"
# a scripted 安拆 window on hoist-1 (standards.md §10, §19): its mast climbed with the building (顶升加节),
# opened at INSTALL_AT_S, closed with the installer's self-check INSTALL_FOR_S later. Its installer AZ-21 never
# comes through the demo's gate (hoist.install crew, critical), nor its installer's safety officer AQ-21
# (hoist.install safety_officer, critical); the gate camera's photos are drawn as the
# hoist's exclusion zone (警戒区), whose workers are hoist.install exclusion (alarm) while the window is open;
# the hoist runs on after it closes without a new acceptance (hoist.install acceptance, critical).
INSTALL_AT_S, INSTALL_FOR_S, INSTALL_MACHINE = 40.0, 60.0, "hoist-1"
# in the same window, tower crane crane-2 is climbed with the building (顶升加节 as an 安拆 window): it has no papers,
# so no 安装拆卸工 crew, safety officer, installer or 安拆 notice (crane.install crew, safety_officer, installer and
# plan, critical; hoist-1's papers hold its installer's and its erection's notice, which covers its climb; the load on its
# hook is a climb's balance load, no crane.install load alert); it works on after the window closes without a new
# acceptance (crane.install acceptance)
INSTALL_CRANE = "crane-2"
# crane-2's driver carries a licence that expired on 2026-06-30 (the reference site's roster)
OPERATOR_SCENARIO = {"crane-2": "OP-1002"}


@dataclass
class DemoOptions:
    """What `sitegw demo` was asked to do."""

    state_dir: Path
    duration: float | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    mqtt: tuple[str, int] | None = None  # an outside broker instead of the embedded one
    influx: InfluxConfig | None = None
    summary_json: Path | None = None
    scenarios: bool = True
    cameras: bool = True
    pour_after_s: float | None = DEMO_POUR_AFTER_S  # None: the pour waits for a supervisor
    regulator_url: str | None = None  # an outside receiver instead of the embedded one
    regulator_secret: str = ""
    regulator_chain: str | None = None  # a city's database: a city and a province regulator (demo_chain.py)
    site_file: Path = EXAMPLE_SITE
    extra: dict[str, Any] = field(default_factory=dict)


async def run_demo(opts: DemoOptions, on_ready: Any = None) -> dict[str, Any]:
    """Run the simulated site until ``duration`` elapses (or SIGINT/SIGTERM); return the summary."""
    site = load_site(opts.site_file)
    updates: dict[str, Any] = {}
    if opts.influx is not None:
        updates["influx"] = opts.influx
    if opts.cameras:
        # the site gate's camera replays real CC BY 4.0 photos (vision/demo/cap) as a looping feed; its upper
        # half watches the first welder's place, where no permit is in force (hot_work.zone_unpermitted)
        welding_at = next((p for d in site.config.devices if (p := d.hot_work_place())), None)
        updates["vision"] = demo_vision(
            opts.state_dir / "evidence", exclusion_of=INSTALL_MACHINE, hot_work_at=welding_at
        )
    site = replace(site, config=site.config.model_copy(update=updates))
    opts.state_dir.mkdir(parents=True, exist_ok=True)
    # the stop signals from before anything starts: a stop asked during start-up waits for it
    with stop_requested() as stop:
        return await _run(opts, site, stop, on_ready)


async def _run(opts: DemoOptions, site: LoadedSite, stop: asyncio.Event, on_ready: Any) -> dict[str, Any]:
    """Start the simulators, the broker, the receiver and the gateway; run until ``stop`` or the duration."""
    async with contextlib.AsyncExitStack() as stack:
        broker_cfg = await _broker(stack, opts)
        scenarios = CRANE_SCENARIOS if opts.scenarios else dict.fromkeys(CRANE_SCENARIOS, "normal")
        sims = await start_modbus_simulators(
            site,
            scenarios=scenarios,
            rtu_devices=["crane-2", "anemo-1"],
            operators=OPERATOR_SCENARIO if opts.scenarios else None,
        )
        stack.push_async_callback(sims.stop)
        relays = await _relays(stack, sims.site)
        uplink = await _regulator(stack, opts, site)
        brokers = dict.fromkeys(site.config.mqtt_brokers, broker_cfg)
        gw = Gateway(
            _with_relays(sims.site, relays),
            opts.state_dir,
            mqtt_brokers=brokers,
            api=ApiConfig(host=opts.host, port=opts.port),
            extra_uplinks=[uplink] if uplink is not None else [],
        )
        await gw.start()
        stack.push_async_callback(gw.stop)
        # a new MQTT session gets nothing published before it subscribed: wait for the driver first
        await _until_online(gw, [d.id for d in site.config.devices if isinstance(d.transport, MqttTransport)])
        for pit in (d for d in site.config.devices if isinstance(d, PitDevice)):
            assert isinstance(pit.transport, MqttTransport)
            sim = PitSimulator(
                pit.pit,
                broker_cfg.host,
                broker_cfg.port,
                pit.transport.topic_prefix,
                scenario=PIT_SCENARIO if opts.scenarios else "normal",
                time_scale=7200,
                # nearly a day of the DAU's reports, replayed in about 12 s, then one every PIT_LIVE_S
                history_hours=_pit_history_h(gw.site, pit),
                interval_s=600,
                live_interval_s=PIT_LIVE_S,
            )
            await sim.start()
            stack.push_async_callback(sim.stop)
        await _mqtt_sites(stack, gw, broker_cfg, opts)
        if opts.scenarios:
            jacking = asyncio.create_task(_jacking_script(gw, opts.duration))
            stack.push_async_callback(_cancel, jacking)
            install = asyncio.create_task(_install_script(gw, opts.duration))
            stack.push_async_callback(_cancel, install)
            issue_demo_permits(gw.hot_work, time.time())
        _announce(gw, sims.rtu_path, broker_cfg, uplink, relays, opts)
        if on_ready is not None:
            on_ready(gw)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), opts.duration)
    summary = gw.final_summary or gw.summary()
    if opts.summary_json is not None:
        opts.summary_json.parent.mkdir(parents=True, exist_ok=True)
        opts.summary_json.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    return summary


def _pit_history_h(site: LoadedSite, pit: PitDevice) -> float:
    """Hours of simulated history for ``pit``: its first daily rate (a reading a rate window back, less the
    half reporting interval kinds/pit/displacement.py allows the reference) comes PIT_RATE_AFTER_S after the
    simulator starts, never before: the rate scenario's pit.rate then carries a time within the demo's run,
    not one in the history replayed from before it began."""
    cfg = site.config.rules.for_device(pit.id, "pit")
    assert isinstance(cfg, PitRule)
    tolerance_s = max(p.interval_s for p in pit.pit.points) / 2
    return (cfg.rate_window_h * 3600 - tolerance_s - PIT_RATE_AFTER_S) / 3600


def _backlog_s(site: LoadedSite, device: DeviceConfig) -> float:
    """Seconds of a device's logged reports the demo serves before its live ones (0 for a device with none):
    a tunnel's TUNNEL_BACKLOG_S; a slope's the rate's days in a row of its rate window, so the last day's rate
    is judged at the first live report (SLOPE_BACKLOG)."""
    if isinstance(device, TunnelDevice):
        return TUNNEL_BACKLOG_S
    if not isinstance(device, SlopeDevice):
        return 0.0
    cfg = site.config.rules.for_device(device.id, "slope")
    assert isinstance(cfg, SlopeRule)
    return cfg.rate_days * cfg.rate_window_h * 3600


async def _relays(stack: contextlib.AsyncExitStack, site: LoadedSite) -> dict[str, RelaySimulator]:
    """A relay board on a free local port for each Modbus TCP siren of the site, by siren name."""
    relays: dict[str, RelaySimulator] = {}
    for siren in site.config.sirens:
        if isinstance(siren.transport, ModbusTcpTransport):
            relay = RelaySimulator(unit=siren.transport.unit_id or 1)
            await relay.start()
            stack.push_async_callback(relay.stop)
            relays[siren.name] = relay
    return relays


def _with_relays(site: LoadedSite, relays: dict[str, RelaySimulator]) -> LoadedSite:
    """``site`` with each simulated siren reached on its local relay board (config validated again)."""
    sirens = [
        s.model_copy(
            update={
                "transport": s.transport.model_copy(update={"host": "127.0.0.1", "port": relays[s.name].port})
            }
        )
        if s.name in relays
        else s
        for s in site.config.sirens
    ]
    config = site.config.model_validate(site.config.model_copy(update={"sirens": sirens}).model_dump())
    return replace(site, config=config)


async def _mqtt_sites(
    stack: contextlib.AsyncExitStack, gw: Gateway, broker: MqttBroker, opts: DemoOptions
) -> None:
    """The high formwork through a pour, the site gate with the key people coming in and the confined
    space's morning, over MQTT."""
    config = gw.site.config
    for device in config.devices:
        if not isinstance(device.transport, MqttTransport):
            continue
        prefix = device.transport.topic_prefix
        if isinstance(device, FormworkDevice):
            formwork = FormworkSimulator(
                device.formwork,
                broker.host,
                broker.port,
                prefix,
                scenario=FORMWORK_SCENARIO if opts.scenarios else "normal",
            )
            await formwork.start()
            stack.push_async_callback(formwork.stop)
            follower = asyncio.create_task(_pour_follows(gw, formwork, device.id, opts.pour_after_s))
            stack.push_async_callback(_cancel, follower)
        elif device.kind == "attendance" and config.key_personnel:
            # the morning so far, replayed at 60x: the key people are through the gate within seconds
            gate = AccessGateSimulator(
                config.key_personnel, broker.host, broker.port, prefix, time_scale=60, history_hours=0.1
            )
            await gate.start()
            stack.push_async_callback(gate.stop)
        elif device.kind not in ("pit", "attendance") and registry.get(device.kind).simulator:
            # any other kind, a plug-in's too: its own simulator, published as its profile says; a confined
            # space plays its scenario's morning CONFINED_SCALE times faster than real time
            mqtt_map = gw.site.profile_of(device.id).mqtt
            assert mqtt_map is not None  # the site's check: an MQTT device's profile has an mqtt map
            confined = isinstance(device, ConfinedSpaceDevice) and opts.scenarios
            scenario = OTHER_SCENARIOS.get(device.id, "normal") if opts.scenarios else "normal"
            sim = make_sim(device, gw.site, CONFINED_SCENARIO if confined else scenario, seed=1)
            scale = (
                CONFINED_SCALE
                if isinstance(device, ConfinedSpaceDevice)
                else TUNNEL_SCALE
                if device.kind == "tunnel"
                else 1.0
            )
            publisher = ProfilePublisher(
                TimeScaled(sim, scale),
                mqtt_map,
                broker.host,
                broker.port,
                prefix,
                interval_s=device.poll_interval_s / scale,
                backlog_s=_backlog_s(gw.site, device) if opts.scenarios else 0.0,
                backlog_every_s=device.poll_interval_s,
                logged=sim,  # its past at the pace it happened, each survey at its own time
            )
            await publisher.start()
            stack.push_async_callback(publisher.stop)


async def _pour_follows(
    gw: Gateway, formwork: FormworkSimulator, device: str, start_after_s: float | None
) -> None:
    """Concrete goes on the simulated formwork once the gateway marks its pour under way: by the
    supervisor's click, or by the demo itself ``start_after_s`` after start (None: only the click)."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    while not formwork.pour_started:
        if any(p.device == device and p.active for p in gw.work.pours()):
            formwork.start_pour()
        elif start_after_s is not None and loop.time() - began >= start_after_s:
            gw.work.set_pour(device, True, "demo")
            continue
        await asyncio.sleep(0.2)


def jacking_times(duration: float | None) -> tuple[float, float]:
    """When the scripted jacking window opens and how long it stays open (window_times)."""
    return window_times(JACKING_AT_S, JACKING_FOR_S, duration)


def install_times(duration: float | None) -> tuple[float, float]:
    """When the scripted 安拆 window opens and how long it stays open (window_times)."""
    return window_times(INSTALL_AT_S, INSTALL_FOR_S, duration)


def window_times(at: float, lasting: float, duration: float | None) -> tuple[float, float]:
    """When a scripted window opens and how long it stays open, in seconds after the banner: at ``at`` for
    ``lasting`` when the run lasts long enough to close it (a few seconds to spare), else from 30 % to 70 %
    of ``duration``, so that what the banner announces happens."""
    if duration is None or duration >= at + lasting + 5:
        return at, lasting
    return 0.3 * duration, 0.4 * duration


def _left_open(device: str, is_open: bool, window: str) -> bool:
    """Whether ``device``'s scripted ``window`` is open already: the window is kept with the site's state, so a
    demo stopped (killed) while it was open leaves it open for the next run on the state folder, which closes it
    in its turn instead of failing (WorkError: already under way) to open it twice."""
    if is_open:
        log.info(
            "demo: %s's %s window is open already (an earlier run on this state folder): kept", device, window
        )
    return is_open


async def _install_script(gw: Gateway, duration: float | None) -> None:
    """The demo's supervisor opens a climbing window on hoist-1 and crane-2, then closes both with the
    self-check."""
    at, lasting = install_times(duration)
    await asyncio.sleep(at)
    open_ = {v.device for v in gw.install.list() if v.active}
    for machine in (INSTALL_MACHINE, INSTALL_CRANE):
        if _left_open(machine, machine in open_, "安拆"):
            continue
        gw.install.start(machine, "demo", InstallStart(stage="climb"))
    await asyncio.sleep(lasting)
    gw.install.end(INSTALL_MACHINE, "demo", InstallClose(self_checked=True, note="加高2节标准节"))
    gw.install.end(INSTALL_CRANE, "demo", InstallClose(self_checked=True, note="顶升加节2节，附着1道"))


async def _jacking_script(gw: Gateway, duration: float | None) -> None:
    """The demo's supervisor opens a jacking window on crane-1, then closes it with its checks."""
    at, lasting = jacking_times(duration)
    await asyncio.sleep(at)
    if not _left_open(
        JACKING_CRANE, any(v.device == JACKING_CRANE and v.active for v in gw.jacking.list()), "jacking"
    ):
        gw.jacking.start(JACKING_CRANE, "demo")
    await asyncio.sleep(lasting)
    crane = gw.site.config.device(JACKING_CRANE)
    assert isinstance(crane, CraneDevice)
    check = JackingClose(
        verticality_per_mille=1.2,
        ties_checked=True,
        height_m=crane.crane.jib_height_m + 5.6,
        limiters_recalibrated=True,  # the demo's climb is done by the book: no crane.recalibration reminder
        note="加2节标准节",
    )
    gw.jacking.end(JACKING_CRANE, "demo", check)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _broker(stack: contextlib.AsyncExitStack, opts: DemoOptions) -> MqttBroker:
    if opts.mqtt is not None:
        return MqttBroker(host=opts.mqtt[0], port=opts.mqtt[1])
    broker = EmbeddedBroker()
    await broker.start()
    stack.push_async_callback(broker.stop)
    return broker.as_config()


async def _regulator(
    stack: contextlib.AsyncExitStack, opts: DemoOptions, site: LoadedSite
) -> RegulatorUplink | None:
    """The regulator uplink: the given receiver, or one embedded in this process with its own database;
    None on an install without the regulator extra (the demo runs on, and says how to get it)."""
    if opts.regulator_url:
        return RegulatorUplink(name="regulator", base_url=opts.regulator_url, secret=opts.regulator_secret)
    if opts.regulator_chain:
        from sitegw.demo_chain import chain_regulators

        try:
            return await chain_regulators(stack, opts.state_dir, opts.regulator_chain, site)
        except ModuleNotFoundError as exc:
            if not regulator_extra_missing(exc):
                raise
            raise OSError(f"--regulator-chain needs the regulator extra: {REGULATOR_INSTALL}") from None
    try:
        from regulator.server import RegulatorServer
    except ModuleNotFoundError as exc:
        if not regulator_extra_missing(exc):
            raise
        log.warning(
            "no embedded regulator: it needs the regulator extra (%s), or pass --regulator-url; "
            "alerts stay on this box (dashboard, sitegw events)",
            REGULATOR_INSTALL,
        )
        return None
    secret_file = opts.state_dir / "regulator.secret"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_hex(16), encoding="utf-8")
    secret = secret_file.read_text(encoding="utf-8").strip()
    server = RegulatorServer(embedded_db(opts))
    await server.start()
    stack.push_async_callback(server.stop)
    p = site.config.project
    server.repo.add_project(p.code, p.name, p.city, secret)
    # the embedded receiver listens on a new port each run; its database is what identifies it
    return RegulatorUplink(
        name="regulator",
        base_url=server.base_url,
        secret=secret,
        platform=f"embedded receiver {embedded_db(opts)}",
    )


def _announce(
    gw: Gateway,
    rtu_path: str,
    broker: MqttBroker,
    uplink: RegulatorUplink | None,
    relays: dict[str, RelaySimulator],
    opts: DemoOptions,
) -> None:
    regulator = regulator_line(uplink, opts)
    pour = (
        f"the pour starts {opts.pour_after_s:g} s after start"
        + (f"; M3 past its alarm values ~{opts.pour_after_s + 35:g} s" if opts.scenarios else "")
        if opts.pour_after_s is not None
        else "a supervisor starts the pour: dashboard or `sitegw pour start formwork-1`"
    )
    at, lasting = jacking_times(opts.duration)
    i_at, i_for = install_times(opts.duration)
    lines = [
        f"sitegw demo: project {gw.site.config.project.code}, state in {opts.state_dir}",
        f"  crane-1       Modbus TCP  {_tcp(gw, 'crane-1')} unit 1",
        f"  crane-2       Modbus RTU  {rtu_path} unit 1 (9600 8N1, pty pair)",
        f"  anemo-1       Modbus RTU  {rtu_path} unit 2",
        f"  hoist-1       Modbus TCP  {_tcp(gw, 'hoist-1')} unit 1",
        f"  platform-1    Modbus TCP  {_tcp(gw, 'platform-1')} unit 1",
        f"  pit-1         MQTT        {broker.host}:{broker.port} ({'given broker' if opts.mqtt else 'embedded amqtt'})",
        f"  formwork-1    MQTT        same broker ({pour})",
        "  gate-1        MQTT        same broker (the key people come in first)",
        *(  # the other kinds' devices, a plug-in's too: each its simulator's normal day
            f"  {d.id:<13} MQTT        same broker ({registry.get(d.kind).zh}, "
            f"{OTHER_SCENARIOS[d.id] if d.id in OTHER_SCENARIOS and opts.scenarios else 'a normal day'})"
            for d in gw.site.config.devices
            if d.kind not in LISTED_KINDS and isinstance(d.transport, MqttTransport)
        ),
        *(
            f"  {s.name:<13} Modbus TCP  {relays[s.name].where} (relay board, coil {s.coil})"
            for s in gw.site.config.sirens
            if s.name in relays
        ),
        f"  rules         {rules_line(gw.site.config, cameras=gw.cameras is not None)}",
        f"  scenarios     {SCENARIO_LINE if opts.scenarios else 'none'}",
        *(
            [
                f"  jacking       crane-1 from {at:g} s to {at + lasting:g} s (it slews on: crane.jacking_motion; "
                "its installer's safety officer not at the gate: crane.install)",
                f"  install       hoist-1 and crane-2 climbing (安拆) from {i_at:g} s to {i_at + i_for:g} s (hoist-1's "
                "installer not at the gate, workers in its 警戒区 on cam-gate: hoist.install; crane-2 with no "
                "certified crew nor safety officer named: crane.install)",
                f"  slope-1       {SLOPE_BACKLOG} (BP-02 above its rate three days running: slope.rate)",
                f"  tunnel-1      {TUNNEL_BACKLOG} (GD-02's prism hidden {HIDDEN_S / 3600:g} h: tunnel.silent)",
            ]
            if opts.scenarios
            else []
        ),
        f"  influxdb      {opts.influx.url if opts.influx else 'not configured (local store only)'}",
        f"  regulator     {regulator}",
        f"  cameras       {', '.join(c.id for c in gw.cameras.cameras()) + ' (real photos, looping)' if gw.cameras else 'none'}",
        "Login (to acknowledge alerts): {} / {}".format(*demo_login(opts.state_dir)),
        f"Dashboard: {gw.url}",
    ]
    print("\n".join(lines), flush=True)


def embedded_db(opts: DemoOptions) -> Path:
    """The embedded receiver's ledger (its database identifies it: it listens on a new port each run)."""
    return opts.state_dir / "regulator.sqlite"


def regulator_line(uplink: RegulatorUplink | None, opts: DemoOptions) -> str:
    """Where the demo's alerts go; for the embedded receiver, how to sign in to its review UI (it has no user
    of its own: its address led to a sign-in page nobody could pass)."""
    if uplink is None:
        return f"none: the embedded receiver needs the regulator extra ({REGULATOR_INSTALL})"
    if opts.regulator_url:
        return f"{uplink.base_url} (given receiver)"
    if opts.regulator_chain:
        return f"{uplink.base_url} (a city's regulator, forwarding to the province's)"
    db = f"sqlite:///{embedded_db(opts).resolve()}"
    return (
        f"{uplink.base_url} (embedded receiver; to review its hazards there: "
        f"sitegw regulator add-user NAME --role admin --db {db})"
    )


def rules_line(site: SiteConfig, cameras: bool) -> str:
    """What the demo judges, from the kind registry: how many rules, and each of the site's kinds with
    how many of them its devices raise (a plug-in's kind too), the checks every device shares last."""
    present = {d.kind for d in site.devices} | ({"camera"} if cameras else set())
    kinds = [(k, registry.kind_rules(k)) for k in registry.kinds() if k.name in present]
    rules = {r for _, of_kind in kinds for r in of_kind} | set(registry.SHARED_RULES)
    each = ", ".join(f"{k.zh} {len(of_kind)}" for k, of_kind in kinds if of_kind)
    return (
        f"{len(rules)} judged: {each}, every device {len(registry.SHARED_RULES)} (`sitegw kinds` names them)"
    )


async def _until_online(gw: Gateway, devices: list[str], timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        stats = gw.driver_stats()
        if all(d in stats and stats[d].online for d in devices):
            return
        if loop.time() > deadline:
            raise OSError(
                f"the demo's MQTT devices {devices} did not connect to the broker within {timeout:.0f} s"
            )
        await asyncio.sleep(0.05)


def _tcp(gw: Gateway, device: str) -> str:
    t = gw.site.config.device(device).transport
    return f"{getattr(t, 'host', '?')}:{getattr(t, 'port', '?')}"
