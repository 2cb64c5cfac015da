"""``sitegw hot-work``: list, issue and close the hot-work permits (动火许可证) of a running gateway, over
its API (issue and close: a supervisor's token, who is recorded as the signer who confirmed the measures
on the spot, GB 50720-2011 §6.3.1(1)). Every failure is one line saying what to do."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

import typer
from rich.markup import escape
from rich.table import Table

from contract.hot_work import METHOD_ZH
from sitegw.warning_cli import _time
from sitegw.window_cli import TOKEN, URL, GatewayRefused, _print, _when, call, fail

hot_work_app = typer.Typer(
    help="Hot-work permits (动火许可证) on a running gateway: list them, issue one, close one with its "
    "post-work check (supervisor token).",
    no_args_is_help=True,
)
STATE_ZH = {
    "upcoming": "未开始",
    "in_force": "[bold red]作业中[/]",
    "expired": "[bold red]已过期[/]",
    "unclosed": "[yellow]待检查关闭[/]",
    "closed": "已关闭",
}


def _answer(method: str, url: str, path: str, token: str, body: dict[str, Any] | None = None) -> Any:
    try:
        return call(method, url, path, token, body)
    except GatewayRefused as exc:
        fail(str(exc))


@hot_work_app.command("list")
def list_permits(url: str = URL, token: str = TOKEN) -> None:
    """Every permit kept, the latest window first, with its state now (expired: past its level's validity
    under the site's hot_work_permits as it stands now, the reason below the table)."""
    permits: list[dict[str, Any]] = _answer("GET", url, "/api/v1/hot-work", token)
    if not permits:
        typer.echo("no hot-work permit issued on this gateway")
        return
    table = Table("permit", "place", "method", "window", "operator", "fire watch", "state", "signer")
    for p in permits:
        table.add_row(
            escape(p["id"]),
            escape(p["place"]) + (" (露天)" if p["outdoor"] else ""),
            METHOD_ZH.get(p["method"], p["method"]),
            f"{p['start']} — {p['end']}",
            escape(f"{p['operator']['name']} {p['operator']['certificate_no']}"),
            escape(f"{p['fire_watch']['name']} ({p['fire_watch']['person_id']})"),
            STATE_ZH[p["state"]] + (f" {_when(p['closed_ts'])}" if p["closed_ts"] else ""),
            escape(p["signer"]),
        )
    _print(table)
    for p in permits:
        if p.get("expired_reason"):  # an older gateway says nothing of it
            typer.echo(p["expired_reason"])


@hot_work_app.command("issue")
def issue(
    place: str = typer.Option(..., "--place", help="the hot-work place, as the welders' `place` names it"),
    start: str = typer.Option(
        ..., "--start", help="the window's start (ISO 8601, e.g. 2026-11-26T08:00+08:00)"
    ),
    end: str = typer.Option(..., "--end", help="the window's end (ISO 8601)"),
    operator: str = typer.Option(..., "--operator", help="the operator's name"),
    operator_badge: str = typer.Option("", "--operator-badge", help="the operator's badge id at the gates"),
    certificate: str = typer.Option(..., "--certificate", help="the operator's certificate number"),
    certificate_kind: str = typer.Option(
        "熔化焊接与热切割作业", "--certificate-kind", help="what it certifies"
    ),
    valid_until: str = typer.Option(
        ..., "--valid-until", help="the card's last valid day (issuer's register)"
    ),
    fire_watch: str = typer.Option(..., "--fire-watch", help="the fire watch's (监火人) name"),
    fire_watch_badge: str = typer.Option(..., "--fire-watch-badge", help="the fire watch's badge id"),
    extinguishers: int = typer.Option(..., "--extinguishers", help="extinguishers at the place (at least 2)"),
    checked: bool = typer.Option(False, "--extinguishers-checked", help="their pressure and seals checked"),
    cleared: bool = typer.Option(False, "--combustibles-cleared", help="combustibles removed or covered"),
    method: str = typer.Option("electric_welding", "--method", help=", ".join(METHOD_ZH)),
    outdoor: bool = typer.Option(False, "--outdoor", help="open-air work (五级以上风力 stops it)"),
    windbreak: bool = typer.Option(
        False, "--windbreak", help="open-air work behind a reliable windbreak you confirmed (wind then warns)"
    ),
    cylinders_apart_m: float | None = typer.Option(
        None, "--cylinders-apart-m", help="gas welding/cutting: oxygen to fuel-gas cylinder, m (at least 5)"
    ),
    cylinders_to_flame_m: float | None = typer.Option(
        None, "--cylinders-to-flame-m", help="gas welding/cutting: cylinders to the flame, m (at least 10)"
    ),
    cylinders_checked: bool = typer.Option(
        False, "--cylinders-checked", help="regulators and flashback arrestors checked sound"
    ),
    level: str = typer.Option("", "--level", help="一级, 二级 or 三级 where a local scheme applies [U]"),
    note: str = typer.Option("", "--note"),
    url: str = URL,
    token: str = TOKEN,
) -> None:
    """Issue a permit once you have confirmed its measures on the spot (supervisor: the signer)."""
    if method not in METHOD_ZH:
        fail(f"unknown --method {method!r}: one of {', '.join(METHOD_ZH)}")
    try:
        last_day = date.fromisoformat(valid_until)
    except ValueError:
        fail(f"--valid-until {valid_until!r} is not a date (e.g. 2027-06-30)")
    cylinders = None
    if cylinders_apart_m is not None or cylinders_to_flame_m is not None or cylinders_checked:
        if cylinders_apart_m is None or cylinders_to_flame_m is None:
            fail(
                "gas cylinders need both --cylinders-apart-m and --cylinders-to-flame-m (metres, as measured)"
            )
        cylinders = {
            "apart_m": cylinders_apart_m,
            "to_flame_m": cylinders_to_flame_m,
            "regulators_checked": cylinders_checked,
        }
    body = {
        "place": place,
        "start": _time(start, "--start"),
        "end": _time(end, "--end"),
        "operator": {
            "name": operator,
            "person_id": operator_badge,
            "certificate_no": certificate,
            "certificate_kind": certificate_kind,
            "valid_until": last_day.isoformat(),
        },
        "fire_watch": {"name": fire_watch, "person_id": fire_watch_badge},
        "extinguishers": extinguishers,
        "extinguishers_checked": checked,
        "combustibles_cleared": cleared,
        "method": method,
        "outdoor": outdoor,
        "windbreak": windbreak,
        "cylinders": cylinders,
        "level": level or None,
        "note": note,
    }
    p = _answer("POST", url, "/api/v1/hot-work", token, body)
    typer.echo(f"{p['id']}: {p['place']} {p['start']} — {p['end']}, signed by {p['signer']} ({p['state']})")


@hot_work_app.command("close")
def close(
    permit: str = typer.Argument(..., help="the permit's number, e.g. DH-20261126-001"),
    checked: bool = typer.Option(
        False, "--checked", help="the place and around it inspected, no fire risk left (required)"
    ),
    url: str = URL,
    token: str = TOKEN,
) -> None:
    """Close a permit with its post-work check (supervisor)."""
    p = _answer("POST", url, f"/api/v1/hot-work/{quote(permit, safe='')}/close", token, {"checked": checked})
    typer.echo(f"{p['id']}: closed by {p['closed_by']} at {_when(p['closed_ts'])}")
