"""`sitegw replay SITE.yaml --readings R.csv --out alerts.jsonl [--inputs I.jsonl]` (registered in
sitegw/cli.py)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from contract.config import ConfigError, load_site
from sitegw.console import console
from sitegw.replay import ReplayInputError, replay_file


def replay_command(
    site_file: Path = typer.Argument(..., help="the site's YAML file (its devices and thresholds)"),
    readings: Path = typer.Option(..., "--readings", help="CSV with columns ts,device,point,metric,value"),
    out: Path = typer.Option(..., "--out", help="JSON-lines file written with one AlertEvent per line"),
    inputs: Path | None = typer.Option(
        None,
        "--inputs",
        help="JSON-lines file of timed warning signals and work windows (pour, jacking): docs/site/running.md",
    ),
) -> None:
    """Run the safety rules over recorded readings, as fast as possible, in timestamp order."""
    try:
        site = load_site(site_file)
    except ConfigError as exc:
        console(stderr=True).print(f"[bold red]{len(exc.issues)} error(s) in the configuration:[/]")
        for issue in exc.issues:
            console(stderr=True).print(str(issue), markup=False, highlight=False)
        raise typer.Exit(1) from None
    started = time.perf_counter()
    try:
        stats = replay_file(site, readings, out, inputs)
    except ReplayInputError as exc:
        console(stderr=True).print(
            f"[bold red]{len(exc.issues)} bad line(s) in {exc.file}, nothing replayed:[/]"
        )
        for row in exc.issues:
            console(stderr=True).print(f"{exc.file}:{row}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    except ConfigError as exc:
        for issue in exc.issues:
            console(stderr=True).print(str(issue), markup=False, highlight=False)
        raise typer.Exit(1) from None
    elapsed = time.perf_counter() - started
    span_h = ((stats.last_ts or 0) - (stats.first_ts or 0)) / 3600
    console().print(
        f"{stats.rows} readings over {span_h:.1f} h replayed in {elapsed:.2f} s; "
        f"{sum(stats.events.values())} alert events -> {out}"
    )
    for key, n in sorted(stats.events.items()):
        console().print(f"  {key}: {n}", markup=False, highlight=False)
