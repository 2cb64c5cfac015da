"""The `sitegw` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import typer

from contract import __version__
from contract.config import ConfigError, LoadedSite, load_site
from contract.config.sinks import InfluxConfig
from contract.config.site import SiteConfig
from contract.config.transport import ModbusRtuTransport, ModbusTcpTransport, MqttTransport
from kinds.crane.kind import CraneDevice
from sitegw.cli_lazy import LazyCommands
from sitegw.cli_options import DEMO_POUR_AFTER_S, host_port
from sitegw.console import console
from sitegw.secrets_check import warn_exposed_secrets

app = typer.Typer(
    name="sitegw",  # its help, like simulate's, names the registry's kinds (LazyCommands.format_help)
    cls=LazyCommands,  # the commands beside check-config, run and demo: imported when asked for (cli_lazy)
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(asked: bool) -> None:
    """``--version``: the release this gateway runs (contract.__version__), then exit."""
    if asked:
        typer.echo(f"sitegw {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    log_level: str = typer.Option(
        "INFO", "--log-level", envvar="SITEGW_LOG_LEVEL", help="DEBUG, INFO, WARNING or ERROR"
    ),
    _version: bool = typer.Option(
        False,
        "--version",
        is_eager=True,  # before the command is looked for: `sitegw --version` needs none
        callback=_print_version,
        help="print the release (what the regulator shows for this site) and exit",
    ),
) -> None:
    """sitegw: one process on each site's edge box."""
    from sitegw.logs import setup_logging

    setup_logging(log_level)


@app.command("check-config")
def check_config(site_file: Path = typer.Argument(..., help="the site's YAML file")) -> None:
    """Validate a site file and its device profiles; print a summary, or every error with its line."""
    print_summary(_load_or_exit(site_file))


def _where(t: ModbusTcpTransport | ModbusRtuTransport | MqttTransport) -> str:
    """Where a device is reached, as the summary table shows it."""
    if isinstance(t, ModbusTcpTransport):
        return f"modbus tcp {t.host}:{t.port} unit {t.unit_id}"
    if isinstance(t, ModbusRtuTransport):
        return f"modbus rtu {t.port} {t.baudrate} {t.bytesize}{t.parity}{t.stopbits} unit {t.unit_id}"
    return f"mqtt {t.broker}: {t.topic_prefix}"


def print_summary(site: LoadedSite) -> None:
    """The site as a supervisor would check it: project, devices, sinks, uplinks."""
    from rich.markup import escape
    from rich.table import Table

    cfg = site.config
    p = cfg.project
    console().print(f"[bold]{p.code}[/] {p.name} ({p.city} {p.district})  [green]configuration OK[/]")
    table = Table("device", "kind", "profile", "transport", "poll", "values")
    for d in cfg.devices:
        prof = site.profiles[d.profile]
        t = d.transport
        where = _where(t)
        n = (
            len(prof.modbus.values)
            if t.type != "mqtt" and prof.modbus
            else sum(len(tp.values) for tp in prof.mqtt.topics)
            if prof.mqtt
            else 0
        )
        points = d.point_codes()
        extra = f", {len(points)} points" if points else ""
        table.add_row(d.id, d.kind, d.profile, where, f"{d.poll_interval_s:g} s", f"{n}{extra}")
    console().print(table)
    console().print(f"local store: {cfg.store.retention_days:g} days within {cfg.store.max_disk_mb:g} MB")
    console().print(
        f"influxdb: {cfg.influx.url} ({cfg.influx.api})" if cfg.influx else "influxdb: not configured"
    )
    console().print(f"uplinks: {', '.join(f'{u.name} ({u.type})' for u in cfg.uplinks) or 'none'}")
    if cfg.gb28181 is not None:
        gb = cfg.gb28181
        console().print(
            f"gb28181: device {gb.device_id} on platform {gb.server_id} at {gb.server_host}:{gb.server_port} "
            f"({gb.transport}), {len(gb.channels)} channel(s)"
        )
    console().print(f"operators: {len(cfg.operators)}, no-lift zones: {len(cfg.no_lift_zones)}")
    console().print(
        f"key personnel: {', '.join(f'{k.name} ({k.role})' for k in cfg.key_personnel) or 'none'}"
    )
    if cfg.dangerous_works:
        watched = [f"{w.name} ← {', '.join(w.devices)}" for w in cfg.dangerous_works if w.devices]
        unwatched = [w.name for w in cfg.dangerous_works if not w.devices]
        console().print(
            f"dangerous works (危大): monitored {'; '.join(watched) or 'none'}; "
            f"not monitored {', '.join(unwatched) or 'none'}"
        )
    for notice in _over_scale_notices(cfg):
        console().print(f"[yellow]notice[/] {escape(notice)}")
    for siren in cfg.sirens:
        console().print(
            f"siren {siren.name}: {_where(siren.transport)}, rules {', '.join(siren.rules)}, "
            f"from {siren.min_level}, off when {siren.off_on}"
        )
    # the rules' wording and the power kind's compiled library: loaded only to print a summary
    from gateway.site.papers import missing_papers
    from kinds.power.electricians import door_hints

    hints = missing_papers(site) + _no_balance(cfg) + door_hints(cfg) + cfg.hot_work_permits.hints()
    for hint in hints + _card_hints(cfg):
        console().print(f"[yellow]hint[/] {escape(hint)}")
    for note in _conversions(site):
        console().print(f"[cyan]unit[/] {escape(note)}")


def _conversions(site: LoadedSite) -> list[str]:
    """The values a profile of the site gives in another unit than their metric's, converted as read:
    shown, so that a unit written where the device sends the metric's own is seen before it counts."""
    notes = []
    for name, profile in site.profiles.items():
        values = [*(profile.modbus.values if profile.modbus else ())]
        values += [v for t in (profile.mqtt.topics if profile.mqtt else ()) for v in t.values]
        notes += [
            f"profile {name}: {v.metric} is read in {v.converted_from} and converted to {v.unit}"
            for v in values
            if v.converted_from
        ]
    return notes


def _over_scale_notices(cfg: SiteConfig) -> list[str]:
    """The 危大 items the site's own facts put 超过一定规模 while their flag says not: run as over scale (the
    load raised the flag, contract/config/over_scale.py), told so that the file says it and the review is done."""
    return [
        f"dangerous work {w.id} ({w.name}) 超过一定规模 by the site file's own facts: {'；'.join(w.scale_reasons)}; "
        "its over_scale says false, so it is run as over scale and its special plan needs an expert review "
        "(专家论证, 建质规〔2024〕5号 第四条(四)): set over_scale: true, and expert_reviewed: true once the expert "
        "review has passed"
        for w in cfg.dangerous_works
        if w.flag_missing
    ]


def _card_hints(cfg: SiteConfig) -> list[str]:
    """Cameras still choosing between hard-hat cards, which round 17 made one."""
    cameras = cfg.vision.cameras if cfg.vision else []
    return [
        f"camera {c.name}: helmet_model {c.helmet_model} runs the same hard-hat card as the default since "
        "round 17 (one card for every view): the line can go"
        for c in cameras
        if c.helmet_model != "default"
    ] + [
        f"camera {c.name}: helmet_auto_s is read by nothing since round 17 (one hard-hat card): the line can go"
        for c in cameras
        if "helmet_auto_s" in c.model_fields_set
    ]


def _no_balance(cfg: SiteConfig) -> list[str]:
    """Cranes whose jacking windows cannot judge the balance (crane.jacking_balance)."""
    return [
        f"{d.id}: no crane.jacking_balance (the manual's balance point): crane.jacking_balance is not judged"
        for d in cfg.devices
        if isinstance(d, CraneDevice) and d.crane.jacking_balance is None
    ]


@app.command("run")
def run(
    site_file: Path = typer.Argument(..., help="the site's YAML file"),
    state_dir: Path = typer.Option(
        Path("state"), "--state-dir", help="folder for history, spool, alerts, outbox"
    ),
) -> None:
    """Run the production gateway for one site until SIGINT/SIGTERM (with a gb28181 section, its cameras
    are also registered with that GB/T 28181 video platform: ffmpeg needed)."""
    import asyncio

    from sitegw.runner import run_gateway

    site = _load_or_exit(site_file)
    if site.config.gb28181 is not None:
        from gateway.site.gb28181.media import FfmpegMissing, require_ffmpeg

        try:
            require_ffmpeg()
        except FfmpegMissing as exc:
            print(f"{site_file}: {exc}", file=sys.stderr)
            raise typer.Exit(1) from None
    from sitegw.state_version import StateAhead

    try:
        asyncio.run(run_gateway(site, state_dir))
    except StateAhead as exc:
        _fail(str(exc))


def _influx_options(url: str, api: str, bucket: str, org: str, token: str, database: str) -> InfluxConfig:
    """The demo's InfluxDB from its --influx-* options (a wrong one: said, and exit 2)."""
    try:
        return InfluxConfig(url=url, api=api, bucket=bucket, org=org, token=token, database=database)
    except ValueError as exc:
        _fail(f"--influx-*: {exc}")


@app.command("demo")
def demo(
    duration: float | None = typer.Option(
        None, "--duration", help="stop after S seconds (default: until Ctrl-C)"
    ),
    state_dir: Path = typer.Option(
        Path(".state/demo"),
        "--state-dir",
        help="keep all state here; a second run continues where the first stopped",
    ),
    summary_json: Path | None = typer.Option(
        None, "--summary-json", help="write counts (readings per device and metric, errors, depths)"
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="dashboard address (0.0.0.0 for the LAN)"),
    port: int = typer.Option(8080, "--port", help="dashboard port (0: any free port)"),
    mqtt: str | None = typer.Option(
        None, "--mqtt", help="HOST:PORT of an MQTT broker (default: embedded amqtt)"
    ),
    influx_url: str | None = typer.Option(
        None, "--influx-url", help="also write every reading to this InfluxDB"
    ),
    influx_api: str = typer.Option("v2", "--influx-api", help="v2 (/api/v2/write) or v1 (/write)"),
    influx_bucket: str = typer.Option("sitegw", "--influx-bucket", help="v2 bucket"),
    influx_org: str = typer.Option("sitegw", "--influx-org", help="v2 organisation"),
    influx_token: str = typer.Option("", "--influx-token", envvar="INFLUX_TOKEN", help="v2 token"),
    influx_database: str = typer.Option("sitegw", "--influx-database", help="v1 database"),
    no_scenarios: bool = typer.Option(False, "--no-scenarios", help="no scripted hazards: a quiet site"),
    no_cameras: bool = typer.Option(
        False, "--no-cameras", help="leave out the demo camera (no vision workers)"
    ),
    pour_after: float = typer.Option(
        DEMO_POUR_AFTER_S,
        "--pour-after",
        min=0,
        help="start the high-formwork pour S seconds after start (0: a supervisor starts it "
        "from the dashboard or `sitegw pour start`)",
    ),
    regulator_url: str | None = typer.Option(
        None, "--regulator-url", help="send alerts to this receiver (default: an embedded one)"
    ),
    regulator_secret: str = typer.Option(
        "",
        "--regulator-secret",
        envvar="SITEGW_REGULATOR_SECRET",
        help="the project's secret at --regulator-url",
    ),
    regulator_chain: str | None = typer.Option(
        None,
        "--regulator-chain",
        help="instead of one embedded receiver, a city's regulator on this PostgreSQL database (created when "
        "missing), e.g. postgresql://postgres@127.0.0.1:5432/sitegw_demo_city, forwarding to a province's: "
        "watch the site's hazards reach the province (docs/regulator/chain.md)",
    ),
) -> None:
    """A whole simulated site on this machine: cranes, hoist and anemometer over Modbus TCP/RTU; pit, high formwork, gate and confined space over MQTT; siren relays."""
    import asyncio

    from sitegw.demo import DemoOptions, run_demo

    influx = (
        _influx_options(influx_url, influx_api, influx_bucket, influx_org, influx_token, influx_database)
        if influx_url
        else None
    )
    opts = DemoOptions(
        state_dir=state_dir,
        duration=duration,
        host=host,
        port=port,
        mqtt=host_port(mqtt, "--mqtt") if mqtt else None,
        influx=influx,
        summary_json=summary_json,
        scenarios=not no_scenarios,
        cameras=not no_cameras,
        pour_after_s=pour_after or None,
        regulator_url=regulator_url,
        regulator_secret=regulator_secret,
        regulator_chain=regulator_chain,
    )
    if regulator_url and regulator_chain:
        _fail("give --regulator-url or --regulator-chain, not both")
    if regulator_url and not regulator_secret:
        _fail("--regulator-url needs --regulator-secret (or SITEGW_REGULATOR_SECRET)")
    from sitegw.state_version import StateAhead

    try:
        summary = asyncio.run(run_demo(opts))
    except (OSError, StateAhead) as exc:
        _fail(str(exc))
    console().print(
        f"demo stopped after {summary['duration_s']} s: {summary['readings_total']} readings, "
        f"{summary['errors_total']} errors, store {summary['store']['rows']} rows, "
        f"{summary['alerts']['alerts']} alerts {summary['alerts']['by_rule']}"
    )


def _load_or_exit(site_file: Path) -> LoadedSite:
    """The validated site, rules included (their thresholds are checked when the engine is built)."""
    from rules import RuleEngine

    try:
        site = load_site(site_file)
        RuleEngine(site)
    except ConfigError as exc:
        print(f"{len(exc.issues)} error(s) in the configuration:", file=sys.stderr)
        for issue in exc.issues:
            print(issue, file=sys.stderr)  # plain text: editors and CI parse "file:line:"
        raise typer.Exit(1) from None
    warn_exposed_secrets(site)
    return site


def _fail(message: str) -> NoReturn:
    # the message is text, not markup: "sitegw[regulator]" or a path with brackets must print as written
    from rich.markup import escape

    console(stderr=True).print(f"[red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
