"""``sitegw warning``: set, clear and list the regional warning signals (气象灾害预警信号) of a running
gateway, over its API (set and clear: a supervisor's token). A signal in force holds its stops: machines
still at work under them are 冒险作业 (README, "Weather")."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import typer
from rich.markup import escape
from rich.table import Table

from contract.weather import COLOUR_ZH, TYPE_ZH
from sitegw.console import console
from sitegw.window_cli import TOKEN, URL, GatewayRefused, call, fail

warning_app = typer.Typer(
    help="Regional warning signals on a running gateway: list them, set or clear one (supervisor token).",
    no_args_is_help=True,
)


def _time(text: str | None, option: str) -> str | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not an ISO 8601 time (e.g. 2026-11-25T08:00:00+08:00)")
    return (when if when.tzinfo else when.astimezone()).isoformat()


def _line(s: dict[str, Any]) -> str:
    title = f"{TYPE_ZH[s['type']]}{COLOUR_ZH[s['colour']]}预警"
    until = s["valid_to"] or "until cleared"
    return f"{s['id']} {title} ({s['type']} {s['colour']}, {s['source']}) from {s['valid_from']} to {until}"


@warning_app.command("set")
def set_warning(
    type: str = typer.Argument(..., help="typhoon, gale, rainstorm, lightning, heat or cold"),
    colour: str = typer.Argument(..., help="blue, yellow, orange or red"),
    valid_from: str = typer.Option("", "--from", help="in force from (ISO 8601); default now"),
    valid_to: str = typer.Option("", "--to", help="in force until (ISO 8601); default until cleared"),
    measure: str = typer.Option("", "--measure", help="the site's own measure; default per type and colour"),
    url: str = URL,
    token: str = TOKEN,
) -> None:
    """Set a warning signal: its stops hold while it is in force (supervisor)."""
    if type not in TYPE_ZH:
        fail(f"unknown type {type!r}: one of {', '.join(TYPE_ZH)}")
    if colour not in COLOUR_ZH:
        fail(f"unknown colour {colour!r}: one of {', '.join(COLOUR_ZH)}")
    body = {
        "type": type,
        "colour": colour,
        "valid_from": _time(valid_from, "--from"),
        "valid_to": _time(valid_to, "--to"),
        "measure": measure,
    }
    try:
        s = call("POST", url, "/api/v1/warnings", token, body)
    except GatewayRefused as exc:
        fail(str(exc))
    typer.echo(f"set {_line(s)} by {s['set_by']}")
    typer.echo(f"measure: {s['measure'] or '(default)'}")


@warning_app.command("clear")
def clear_warning(
    signal_id: str = typer.Argument(..., help="the signal's id (sitegw warning list)"),
    url: str = URL,
    token: str = TOKEN,
) -> None:
    """Clear a warning signal (supervisor)."""
    try:
        s = call("POST", url, f"/api/v1/warnings/{quote(signal_id, safe='')}/clear", token)
    except GatewayRefused as exc:
        fail(str(exc))
    typer.echo(f"cleared {_line(s)} by {s['cleared_by']}")


@warning_app.command("list")
def list_warnings(
    active: bool = typer.Option(False, "--active", help="only those in force now"),
    url: str = URL,
    token: str = TOKEN,
) -> None:
    """Every warning signal kept, latest first."""
    try:
        signals = call("GET", url, f"/api/v1/warnings?active={'true' if active else 'false'}", token)
    except GatewayRefused as exc:
        fail(str(exc))
    if not signals:
        typer.echo("no warning signals")
        return
    table = Table("id", "signal", "source", "from", "to", "set by", "cleared")
    for s in signals:
        table.add_row(
            escape(s["id"]),
            f"{TYPE_ZH[s['type']]}{COLOUR_ZH[s['colour']]}预警",
            s["source"],
            s["valid_from"],
            s["valid_to"] or "-",
            escape(s["set_by"]),
            escape(s["cleared_by"] or ("yes" if s["cleared_ts"] else "")),
        )
    console(width=160).print(table)
