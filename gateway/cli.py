"""The `sitegw` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from gateway.config import ConfigError, LoadedSite, load_site

app = typer.Typer(
    name="sitegw",
    help="Construction-site safety gateway: tower cranes, deep pits and cameras, monitored to the "
         "Chinese standards, with every hazard delivered to the regulator.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _root(
    log_level: str = typer.Option("INFO", "--log-level", envvar="SITEGW_LOG_LEVEL",
                                  help="DEBUG, INFO, WARNING or ERROR"),
) -> None:
    """sitegw: one process on each site's edge box."""
    from gateway.logs import setup_logging

    setup_logging(log_level)


@app.command("check-config")
def check_config(site_file: Path = typer.Argument(..., help="the site's YAML file")) -> None:
    """Validate a site file and its device profiles; print a summary, or every error with its line."""
    try:
        site = load_site(site_file)
    except ConfigError as exc:
        err_console.print(f"[bold red]{len(exc.issues)} error(s) in the configuration:[/]")
        for issue in exc.issues:
            print(issue, file=sys.stderr)  # plain text: editors and CI parse "file:line:"
        raise typer.Exit(1) from None
    print_summary(site)


def print_summary(site: LoadedSite) -> None:
    """The site as a supervisor would check it: project, devices, sinks, uplinks."""
    cfg = site.config
    p = cfg.project
    console.print(f"[bold]{p.code}[/] {p.name} ({p.city} {p.district})  [green]configuration OK[/]")
    table = Table("device", "kind", "profile", "transport", "poll", "values")
    for d in cfg.devices:
        prof = site.profiles[d.profile]
        t = d.transport
        where = {"modbus_tcp": lambda: f"modbus tcp {t.host}:{t.port} unit {t.unit_id}",
                 "modbus_rtu": lambda: f"modbus rtu {t.port} {t.baudrate} {t.bytesize}{t.parity}{t.stopbits} "
                                       f"unit {t.unit_id}",
                 "mqtt": lambda: f"mqtt {t.broker}: {t.topic_prefix}"}[t.type]()
        n = len(prof.modbus.values) if t.type != "mqtt" and prof.modbus else sum(
            len(tp.values) for tp in prof.mqtt.topics) if prof.mqtt else 0
        extra = f", {len(d.pit.points)} points" if d.pit else ""
        table.add_row(d.id, d.kind, d.profile, where, f"{d.poll_interval_s:g} s", f"{n}{extra}")
    console.print(table)
    console.print(f"local store: {cfg.store.retention_days:g} days within {cfg.store.max_disk_mb:g} MB")
    console.print(f"influxdb: {cfg.influx.url} ({cfg.influx.api})" if cfg.influx else "influxdb: not configured")
    console.print(f"uplinks: {', '.join(f'{u.name} ({u.type})' for u in cfg.uplinks) or 'none'}")
    console.print(f"operators: {len(cfg.operators)}, no-lift zones: {len(cfg.no_lift_zones)}")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
