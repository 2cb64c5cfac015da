"""``sitegw events``: every AlertEvent the gateway recorded, with its delivery state per uplink;
``sitegw redeliver``: send an uplink's refused events again."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table

from gateway.outbox.store import OUTBOX_FILE, OutboxStore
from sitegw.console import console


def events(
    state_dir: Path = typer.Option(
        ..., "--state-dir", help="the gateway's state folder (holds outbox.sqlite)"
    ),
    as_json: bool = typer.Option(False, "--json", help="one JSON object per line instead of a table"),
) -> None:
    """List recorded AlertEvents, oldest first, with pending / delivered / dead per uplink (a table on a
    terminal; tab-separated lines, one per event, when piped)."""
    store = _open(state_dir)
    try:
        if as_json:
            _print_json(store)
        elif console().is_terminal:
            _print_table(store)
        else:  # piped or redirected: whole lines a script can cut, not a table folded to 80 columns
            _print_lines(store)
    finally:
        store.close()


def redeliver(
    uplink: str = typer.Argument(..., help="name of the uplink whose refused (dead) events to send again"),
    state_dir: Path = typer.Option(
        ..., "--state-dir", help="the gateway's state folder (holds outbox.sqlite)"
    ),
) -> None:
    """Queue an uplink's dead-lettered events again, e.g. after fixing its secret; a running gateway picks
    them up at its next delivery round."""
    store = _open(state_dir)
    try:
        n = store.requeue_dead(uplink)
    finally:
        store.close()
    typer.echo(
        f"{n} dead event(s) of uplink {uplink!r} queued again"
        if n
        else f"uplink {uplink!r} has no dead events in {state_dir / OUTBOX_FILE}"
    )


def _open(state_dir: Path) -> OutboxStore:
    path = state_dir / OUTBOX_FILE
    if not path.is_file():
        typer.echo(f"no outbox at {path}: is --state-dir the folder the gateway was run with?", err=True)
        raise typer.Exit(1)
    return OutboxStore(path)


def _print_json(store: OutboxStore) -> None:
    for event, queued_at, states in store.events():
        line = event.model_dump(mode="json") | {
            "queued_at": queued_at,
            "delivery": {u: asdict(s) for u, s in sorted(states.items())},
        }
        typer.echo(json.dumps(line, ensure_ascii=False))
    for event_id, alert_id, at, uplinks in store.dropped():
        typer.echo(
            json.dumps(
                {
                    "event_id": event_id,
                    "alert_id": alert_id,
                    "dropped_at": at,
                    "delivery": {u: {"state": "dropped"} for u in uplinks.split(",") if u},
                }
            )
        )


COLUMNS = ("time", "level", "state", "rule", "device", "message", "delivery")


def _rows(store: OutboxStore) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for event, _, states in store.events():
        when = datetime.fromtimestamp(event.ts).strftime("%Y-%m-%d %H:%M:%S")
        delivery = (
            ", ".join(
                f"{u}: {s.state}{' (补传)' if s.backfill else ''}"
                f"{f' ×{s.attempts}' if s.state == 'pending' and s.attempts else ''}"
                for u, s in sorted(states.items())
            )
            or "no uplink"
        )
        device = f"{event.device} {event.point}".strip()
        rows.append((when, event.level or "", event.state, event.rule, device, event.message, delivery))
    return rows


def _print_lines(store: OutboxStore) -> None:
    typer.echo("\t".join(COLUMNS))
    for row in _rows(store):
        typer.echo("\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row))


def _print_table(store: OutboxStore) -> None:
    table = Table(*COLUMNS)
    for row in _rows(store):
        table.add_row(*row)
    console().print(table)
    dropped = store.dropped()
    if dropped:
        console(stderr=True).print(f"[red]{len(dropped)} event(s) dropped for lack of disk[/] (see --json)")
