"""`sitegw simulate pit`: a pit DAU publishing a site's monitoring points to an MQTT broker."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Annotated

import typer

from contract.config.errors import ConfigError
from contract.config.loader import BUILTIN_PROFILES, load_site
from contract.config.transport import MqttTransport
from drivers.simulators.pit import PitScenario, PitSimulator
from sitegw.cli_options import host_port

DEFAULT_SITE = BUILTIN_PROFILES.parent / "examples" / "site.yaml"


def simulate_pit(
    broker: Annotated[
        str | None,
        typer.Option(
            "--broker", help="HOST:PORT of the MQTT broker; default: the device's broker in the site file"
        ),
    ] = None,
    site: Annotated[Path, typer.Option("--site", help="site file whose pit points are simulated")] = (
        DEFAULT_SITE
    ),
    device: Annotated[
        str | None, typer.Option("--device", help="pit device id; default: the site's first pit")
    ] = None,
    prefix: Annotated[
        str | None,
        typer.Option("--prefix", help="topic prefix; default: the device's transport.topic_prefix"),
    ] = None,
    scenario: Annotated[
        PitScenario, typer.Option("--scenario", help="normal, rate, jump or fault")
    ] = PitScenario.NORMAL,
    time_scale: Annotated[
        float,
        typer.Option(
            "--time-scale", min=0.001, help="simulated seconds per real second while replaying history"
        ),
    ] = 7200.0,
    history_hours: Annotated[
        float, typer.Option("--history-hours", min=0, help="the simulated clock starts this many hours ago")
    ] = 72.0,
    duration: Annotated[
        float | None, typer.Option("--duration", min=0, help="real seconds to run; default: until Ctrl-C")
    ] = None,
    interval: Annotated[
        float | None,
        typer.Option(
            "--interval", min=1, help="seconds between reports of each point; default: the site's (7200 s)"
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="same seed, same values")] = 1,
) -> None:
    """Publish every monitoring point of a pit as `contract/config/profiles/pit_dau.yaml` reads them."""
    try:
        loaded = load_site(site)
    except ConfigError as exc:
        typer.echo(f"{len(exc.issues)} error(s) in {site}:", err=True)
        for issue in exc.issues:
            typer.echo(str(issue), err=True)
        raise typer.Exit(1) from None
    cfg = loaded.config
    pits = [d for d in cfg.devices if d.kind == "pit"]
    chosen = next((d for d in pits if d.id == device), None) if device else (pits[0] if pits else None)
    if chosen is None or chosen.pit is None:
        raise typer.BadParameter(
            f"{site} has no pit device {device or ''} (pits: {', '.join(d.id for d in pits) or 'none'})",
            param_hint="--device",
        )
    transport = chosen.transport
    site_broker = cfg.mqtt_brokers.get(transport.broker) if isinstance(transport, MqttTransport) else None
    host, port = (
        host_port(broker, "--broker")
        if broker
        else ((site_broker.host, site_broker.port) if site_broker else ("127.0.0.1", 1883))
    )
    if prefix is None:
        prefix = (
            transport.topic_prefix
            if isinstance(transport, MqttTransport)
            else f"sitegw/{cfg.project.code}/{chosen.id}"
        )
    sim = PitSimulator(
        chosen.pit,
        host,
        port,
        prefix,
        scenario=scenario,
        time_scale=time_scale,
        history_hours=history_hours,
        interval_s=interval,
        seed=seed,
        username=site_broker.username if site_broker and not broker else "",
        password=site_broker.password if site_broker and not broker else "",
    )
    typer.echo(
        f"pit simulator: {chosen.id}, {len(chosen.pit.points)} points -> mqtt://{host}:{port} "
        f"{prefix}/points/<code>/data, scenario {scenario.value}, {time_scale:g}x from "
        f"{history_hours:g} h ago"
    )
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(sim.run(duration))
    except ConnectionError as exc:
        typer.echo(f"error: {exc}; start a broker or pass --broker HOST:PORT", err=True)
        raise typer.Exit(1) from None
    last = f", last ts {sim.last_ts:.0f}" if sim.last_ts else ""
    typer.echo(f"published {sim.published} messages{last}")
