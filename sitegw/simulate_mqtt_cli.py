"""``sitegw simulate pit``, ``formwork`` and ``gate``: a site's MQTT devices publishing to a broker.

Each command simulates one device of a site file (default: the example site): its points or roster
come from the site, the broker and topic prefix from the device's transport unless ``--broker`` or
``--prefix`` say otherwise. Plain functions with typer-annotated parameters; sitegw/cli.py registers
them with ``simulate_app.command("pit")(simulate_pit)`` and likewise ``formwork`` and ``gate``.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from config import EXAMPLE_SITE
from contract.config.device import DeviceConfig
from contract.config.errors import ConfigError
from contract.config.loader import LoadedSite, load_site
from contract.config.transport import MqttTransport
from drivers.simulators.mqtt_publish import MqttJsonSimulator
from kinds.attendance.sim import AccessGateSimulator, GateScenario
from kinds.formwork.kind import FormworkDevice
from kinds.formwork.sim import FormworkScenario, FormworkSimulator
from kinds.pit.kind import PitDevice
from kinds.pit.sim import PitScenario, PitSimulator
from sitegw.cli_options import host_port

DEFAULT_SITE = EXAMPLE_SITE

BrokerOpt = Annotated[
    str | None,
    typer.Option(
        "--broker", help="HOST:PORT of the MQTT broker; default: the device's broker in the site file"
    ),
]
SiteOpt = Annotated[
    Path, typer.Option("--site", help="site file to take the device from; default: the example site")
]
DeviceOpt = Annotated[
    str | None, typer.Option("--device", help="device id in --site; default: the site's first of its kind")
]
PrefixOpt = Annotated[
    str | None, typer.Option("--prefix", help="topic prefix; default: the device's transport.topic_prefix")
]
HistoryOpt = Annotated[
    float, typer.Option("--history-hours", min=0, help="the simulated clock starts this many hours ago")
]
ReplayScaleOpt = Annotated[
    float,
    typer.Option("--time-scale", min=0.001, help="simulated seconds per real second while replaying history"),
]
DurationOpt = Annotated[
    float | None, typer.Option("--duration", min=0, help="real seconds to run; default: until Ctrl-C")
]
SeedOpt = Annotated[int, typer.Option("--seed", help="same seed, same values")]


def simulate_pit(
    broker: BrokerOpt = None,
    site: SiteOpt = DEFAULT_SITE,
    device: DeviceOpt = None,
    prefix: PrefixOpt = None,
    scenario: Annotated[
        PitScenario, typer.Option("--scenario", help="normal, rate, jump or fault")
    ] = PitScenario.NORMAL,
    time_scale: ReplayScaleOpt = 7200.0,
    history_hours: HistoryOpt = 72.0,
    duration: DurationOpt = None,
    interval: Annotated[
        float | None,
        typer.Option(
            "--interval", min=1, help="seconds between reports of each point; default: the site's (7200 s)"
        ),
    ] = None,
    seed: SeedOpt = 1,
) -> None:
    """Publish every monitoring point of a pit as `kinds/pit/profiles/pit_dau.yaml` reads them."""
    to = _target(site, "pit", device, broker, prefix)
    assert isinstance(to.device, PitDevice)  # _target picked a device of kind pit
    spec = to.device.pit
    assert spec is not None  # a pit device always has pit: (site validation)
    sim = PitSimulator(
        spec,
        to.host,
        to.port,
        to.prefix,
        scenario=scenario,
        time_scale=time_scale,
        history_hours=history_hours,
        interval_s=interval,
        seed=seed,
        username=to.username,
        password=to.password,
    )
    typer.echo(
        f"pit simulator: {to.device.id}, {len(spec.points)} points -> {to.url} "
        f"{to.prefix}/points/<code>/data, scenario {scenario.value}, {time_scale:g}x from "
        f"{history_hours:g} h ago"
    )
    _publish(sim, duration)
    last = f", last ts {sim.last_ts:.0f}" if sim.last_ts else ""
    typer.echo(f"published {sim.published} messages{last}")


def simulate_formwork(
    broker: BrokerOpt = None,
    site: SiteOpt = DEFAULT_SITE,
    device: DeviceOpt = None,
    prefix: PrefixOpt = None,
    scenario: Annotated[
        FormworkScenario,
        typer.Option("--scenario", help="normal, or collapse (one point settles past its alarm value)"),
    ] = FormworkScenario.NORMAL,
    time_scale: Annotated[
        float,
        typer.Option(
            "--time-scale", min=0.001, help="pour seconds per real second (60: a 2 h pour in 2 min)"
        ),
    ] = 60.0,
    interval: Annotated[
        float,
        typer.Option(
            "--interval",
            min=0.1,
            help="real seconds between reports of each point (DBJ/T 15-197-2020: at most 30 s in a pour)",
        ),
    ] = 2.0,
    pour_after: Annotated[
        float,
        typer.Option(
            "--pour-after",
            min=0,
            help="real seconds before the pour starts (0: at once; until then the points read zero and noise)",
        ),
    ] = 0.0,
    duration: DurationOpt = None,
    seed: SeedOpt = 1,
) -> None:
    """Publish every point of a high-formwork support system through a pour, as
    `kinds/formwork/profiles/formwork_monitor.yaml` reads them."""
    to = _target(site, "formwork", device, broker, prefix)
    assert isinstance(to.device, FormworkDevice)  # _target picked a device of kind formwork
    spec = to.device.formwork
    assert spec is not None  # a formwork device always has formwork: (site validation)
    sim = FormworkSimulator(
        spec,
        to.host,
        to.port,
        to.prefix,
        scenario=scenario,
        time_scale=time_scale,
        interval_s=interval,
        pour_after_s=pour_after,
        seed=seed,
        username=to.username,
        password=to.password,
    )
    typer.echo(
        f"formwork simulator: {to.device.id}, {len(spec.points)} points every {interval:g} s -> {to.url} "
        f"{to.prefix}/points/<code>/data, scenario {scenario.value}, pour at {time_scale:g}x "
        f"from {pour_after:g} s"
    )
    _publish(sim, duration)
    state = "started" if sim.pour_started else "not started"
    typer.echo(f"published {sim.published} messages ({sim.reports} rounds), pour {state}")


def simulate_gate(
    broker: BrokerOpt = None,
    site: SiteOpt = DEFAULT_SITE,
    device: DeviceOpt = None,
    prefix: PrefixOpt = None,
    scenario: Annotated[
        GateScenario,
        typer.Option(
            "--scenario", help="normal, or pm_absent (the project manager leaves after 20 min, for good)"
        ),
    ] = GateScenario.NORMAL,
    time_scale: ReplayScaleOpt = 60.0,
    history_hours: HistoryOpt = 1.0,
    workers: Annotated[
        int, typer.Option("--workers", min=0, help="anonymous workers besides the key people")
    ] = 12,
    duration: DurationOpt = None,
    seed: SeedOpt = 1,
) -> None:
    """Publish a real-name access gate's passages (the site's key personnel and workers) as
    `kinds/attendance/profiles/access_gate.yaml` reads them."""
    to = _target(site, "attendance", device, broker, prefix)
    roster = to.site.config.key_personnel
    sim = AccessGateSimulator(
        roster,
        to.host,
        to.port,
        to.prefix,
        scenario=scenario,
        workers=workers,
        time_scale=time_scale,
        history_hours=history_hours,
        seed=seed,
        username=to.username,
        password=to.password,
    )
    typer.echo(
        f"gate simulator: {to.device.id}, {len(roster)} key people and {workers} workers -> {to.url} "
        f"{sim.topic}, scenario {scenario.value}, {time_scale:g}x from {history_hours:g} h ago"
    )
    _publish(sim, duration)
    key = {kp.id for kp in roster}
    inside = ", ".join(sorted(sim.on_site() & key)) or "none"
    typer.echo(f"published {sim.published} passages; key people on site: {inside}")


@dataclass(frozen=True, slots=True)
class _Target:
    """The simulated device and where it publishes, from the site file and the options."""

    site: LoadedSite
    device: DeviceConfig
    host: str
    port: int
    prefix: str
    username: str
    password: str

    @property
    def url(self) -> str:
        """The broker as the start-up line shows it."""
        return f"mqtt://{self.host}:{self.port}"


def _target(site: Path, kind: str, device: str | None, broker: str | None, prefix: str | None) -> _Target:
    """Device ``device`` (default: the first) of ``kind`` in ``site``, its broker and topic prefix.

    A site with errors prints them (exit 1); a missing device or one of another kind is a usage
    error (exit 2) that names the site file and lists its devices of ``kind``.
    """
    try:
        loaded = load_site(site)
    except ConfigError as exc:
        typer.echo(f"{len(exc.issues)} error(s) in {site}:", err=True)
        for issue in exc.issues:
            typer.echo(str(issue), err=True)
        raise typer.Exit(1) from None
    cfg = loaded.config
    of_kind = [d for d in cfg.devices if d.kind == kind]
    chosen = next((d for d in of_kind if d.id == device), None) if device else next(iter(of_kind), None)
    if chosen is None:
        other = next((d for d in cfg.devices if d.id == device), None) if device else None
        if other:
            what = f"device {device} is of kind {other.kind}, not {kind}"
        else:
            what = f"no device {device!r}" if device else f"no {kind} device"
        ids = ", ".join(d.id for d in of_kind) or "none"
        typer.echo(f"error: {site}: {what}; its {kind} devices are: {ids}", err=True)
        raise typer.Exit(2)
    transport = chosen.transport
    site_broker = cfg.mqtt_brokers.get(transport.broker) if isinstance(transport, MqttTransport) else None
    if broker:
        host, port = host_port(broker, "--broker")
    else:
        host, port = (site_broker.host, site_broker.port) if site_broker else ("127.0.0.1", 1883)
    if prefix is None:
        prefix = (
            transport.topic_prefix
            if isinstance(transport, MqttTransport)
            else f"sitegw/{cfg.project.code}/{chosen.id}"
        )
    # the site's credentials are for the site's broker, not for one given with --broker
    creds = site_broker if site_broker and not broker else None
    return _Target(
        loaded,
        chosen,
        host,
        port,
        prefix,
        creds.username if creds else "",
        creds.password if creds else "",
    )


def _publish(sim: MqttJsonSimulator, duration: float | None) -> None:
    """Run ``sim`` for ``duration`` real seconds (None: until Ctrl-C); a broker that cannot be
    reached is an error (exit 1) that says what to do."""
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(sim.run(duration))
    except ConnectionError as exc:
        typer.echo(f"error: {exc}; start a broker or pass --broker HOST:PORT", err=True)
        raise typer.Exit(1) from None
