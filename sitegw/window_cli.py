"""Work windows on a running gateway, over its API: ``sitegw pour`` (high-formwork pours), ``sitegw jacking``
(a tower crane's jacking: 顶升、加节、降节) and ``sitegw install`` (a crane's or hoist's 安拆), each to list, start
or end one; ``sitegw jacking recalibrated`` records a crane's limiters re-calibrated after its window.

A window is started by a supervisor (an API token from ``sitegw users token NAME --role supervisor``)
so that the rules watch the device as its work goes on; the gateway records the token's holder as
the one who started it. Every failure is one line saying what to do, never a traceback.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn
from urllib.parse import quote

import httpx
import typer
from rich.markup import escape
from rich.table import Table

from sitegw.console import console

pour_app = typer.Typer(
    help="High-formwork pours on a running gateway: list them, start or end one (supervisor token).",
    no_args_is_help=True,
)
jacking_app = typer.Typer(
    help="Tower-crane jacking windows (顶升、加节、降节) on a running gateway: list them, start one, end one "
    "with its checks, record the limiters re-calibrated after one (supervisor token).",
    no_args_is_help=True,
)
install_app = typer.Typer(
    help="安拆 windows of cranes and hoists (安装、顶升加节、拆卸) on a running gateway: list them, start one with "
    "its stage, end one with the installer's self-check (supervisor token).",
    no_args_is_help=True,
)
URL = typer.Option(
    "http://127.0.0.1:8080", "--url", envvar="SITEGW_URL", help="the gateway's dashboard/API address"
)
TOKEN = typer.Option(
    "",
    "--token",
    envvar="SITEGW_TOKEN",
    show_default=False,  # never print a token taken from the environment
    help="an API token (sitegw users token NAME --role supervisor); listing needs none where the "
    "gateway allows anonymous reading",
)
DEVICE = typer.Argument(..., help="the formwork device's id, e.g. formwork-1")
CRANE = typer.Argument(..., help="the crane's id, e.g. crane-1")
TIMEOUT_S = 10.0


class GatewayRefused(Exception):
    """The gateway could not be reached or refused the request; the message says what to do."""


def call(method: str, url: str, path: str, token: str, body: dict[str, Any] | None = None) -> Any:
    """The JSON answer of ``method path`` (with the JSON ``body``) on the gateway at ``url``;
    GatewayRefused with a clear message for a refused connection, a timeout or an error answer."""
    headers = {"Authorization": "Bearer " + token} if token else {}
    target = url.rstrip("/") + path
    try:
        r = httpx.request(method, target, headers=headers, json=body, timeout=TIMEOUT_S)
    except httpx.ConnectError as exc:
        raise GatewayRefused(
            f"cannot connect to the gateway at {url} ({exc}): is it running? (--url or SITEGW_URL)"
        ) from None
    except httpx.TimeoutException:
        raise GatewayRefused(f"the gateway at {url} did not answer within {TIMEOUT_S:g} s") from None
    except httpx.HTTPError as exc:
        raise GatewayRefused(f"cannot talk to the gateway at {url}: {exc}") from None
    if r.is_success:
        try:
            return r.json()
        except ValueError:
            raise GatewayRefused(f"{target} did not answer with JSON: is {url} a sitegw gateway?") from None
    raise GatewayRefused(_refusal(r, token))


def _refusal(r: httpx.Response, token: str) -> str:
    try:
        body = r.json()
        detail = str(body.get("detail", "") if isinstance(body, dict) else body)
    except ValueError:
        detail = r.text.strip()[:200]
    if r.status_code == 401:
        fix = (
            "the token is unknown or expired"
            if token
            else "this needs a token: pass --token or set SITEGW_TOKEN"
        )
        return f"{fix} (make one with `sitegw users token NAME --role supervisor --state-dir DIR`)"
    if r.status_code == 403:
        return f"not allowed: {detail} (use a supervisor's token)"
    if r.status_code == 404 and detail == "Not Found":  # the framework's own answer: no such route
        what = r.url.path.split("/")[3] if r.url.path.count("/") >= 3 else r.url.path
        return f"the gateway at {r.url.scheme}://{r.url.netloc.decode()} has no {what} API (an older sitegw?)"
    if r.status_code in (404, 409, 422):
        return detail
    return f"the gateway answered {r.status_code}: {detail}"


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _when(ts: float | None) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def _set(
    url: str, token: str, window: str, device: str, action: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Start or end ``window`` (its API path: pours, jacking) on ``device``; the device's window after."""
    try:
        p: dict[str, Any] = call(
            "POST", url, f"/api/v1/{window}/{quote(device, safe='')}/{action}", token, body
        )
    except GatewayRefused as exc:
        fail(str(exc))
    what = "started" if p["active"] else "ended"
    typer.echo(
        f"{p['device']} ({p['name']}): {window.rstrip('s')} {what} by {p['changed_by']} at {_when(p['changed_ts'])}"
    )
    return p


def _listed(url: str, token: str, window: str) -> list[dict[str, Any]]:
    try:
        found: list[dict[str, Any]] = call("GET", url, f"/api/v1/{window}", token)
    except GatewayRefused as exc:
        fail(str(exc))
    return found


def _print(table: Table) -> None:
    console().print(table)


@pour_app.command("start")
def start(device: str = DEVICE, url: str = URL, token: str = TOKEN) -> None:
    """Start a pour: from now the rules watch the formwork's points as a pour (supervisor)."""
    _set(url, token, "pours", device, "start")


@pour_app.command("end")
def end(device: str = DEVICE, url: str = URL, token: str = TOKEN) -> None:
    """End the pour under way (supervisor)."""
    _set(url, token, "pours", device, "end")


@pour_app.command("list")
def list_pours(url: str = URL, token: str = TOKEN) -> None:
    """Every formwork device, pouring or not, with who last started or ended its pour."""
    pours = _listed(url, token, "pours")
    if not pours:
        typer.echo("this site has no formwork device")
        return
    table = Table("device", "name", "area", "pour", "since", "by")
    for p in pours:
        table.add_row(
            escape(p["device"]),
            escape(p["name"]),
            escape(p["area"]),
            "[bold red]pouring[/]" if p["active"] else "idle",
            _when(p["changed_ts"]),
            escape(p["changed_by"]),
        )
    _print(table)


@jacking_app.command("start")
def start_jacking(device: str = CRANE, url: str = URL, token: str = TOKEN) -> None:
    """Open a jacking window: from now no slewing, trolley or hoisting, wind at most 9.0 m/s, the balance
    point kept, daytime only (supervisor)."""
    _set(url, token, "jacking", device, "start")


@jacking_app.command("end")
def end_jacking(
    device: str = CRANE,
    verticality: float = typer.Option(
        ..., "--verticality", help="the tower's verticality measured after the climb, ‰ (JGJ 196-2010)"
    ),
    ties_checked: bool = typer.Option(
        False, "--ties-checked", help="the ties (附着), bolts and pins were checked (required)"
    ),
    height: float | None = typer.Option(
        None, "--height", help="the jib's new height above site datum, m (default: unchanged)"
    ),
    ties_added: int = typer.Option(
        0, "--ties-added", help="new ties (附着) fitted: the crane is accepted again before it works"
    ),
    limiters: bool = typer.Option(
        False,
        "--limiters-recalibrated",
        help="the hoisting-height, load and moment limiters were re-adjusted and tested for the new height "
        "(else crane.recalibration warns until `sitegw jacking recalibrated` records it)",
    ),
    note: str = typer.Option("", "--note", help="what was done, e.g. 加2节标准节"),
    url: str = URL,
    token: str = TOKEN,
) -> None:
    """Close the jacking window with its checks; the crane's new height is its geometry from now (supervisor)."""
    body = {
        "verticality_per_mille": verticality,
        "ties_checked": ties_checked,
        "height_m": height,
        "ties_added": ties_added,
        "limiters_recalibrated": limiters,
        "note": note,
    }
    p = _set(url, token, "jacking", device, "end", body)
    added = f", {ties_added} ties added: accept them before the crane works" if ties_added else ""
    said = "limiters re-calibrated" if limiters else "limiters NOT re-calibrated: crane.recalibration warns"
    typer.echo(f"height {p['height_m']:g} m, verticality {verticality:g}‰, ties checked{added}, {said}")


@jacking_app.command("recalibrated")
def recalibrated_jacking(
    device: str = CRANE,
    note: str = typer.Option("", "--note", help="what was done, e.g. 起升高度限位器按新高度调整并试验合格"),
    url: str = URL,
    token: str = TOKEN,
) -> None:
    """Record the crane's limiters re-adjusted and tested after its last jacking window closed without: ends
    crane.recalibration (supervisor)."""
    path = f"/api/v1/jacking/{quote(device, safe='')}/recalibrated"
    try:
        p: dict[str, Any] = call("POST", url, path, token, {"note": note})
    except GatewayRefused as exc:
        fail(str(exc))
    by = p["record"].get("limiters_recalibrated_by", "")
    typer.echo(f"{p['device']} ({p['name']}): limiters recorded re-calibrated by {by}")


@jacking_app.command("list")
def list_jacking(url: str = URL, token: str = TOKEN) -> None:
    """Every crane, jacking or not, with its height now and any proposal to open a window."""
    cranes = _listed(url, token, "jacking")
    if not cranes:
        typer.echo("this site has no tower crane")
        return
    table = Table("crane", "name", "height", "jacking", "since", "by", "proposal")
    for p in cranes:
        table.add_row(
            escape(p["device"]),
            escape(p["name"]),
            f"{p['height_m']:g} m",
            "[bold red]jacking[/]" if p["active"] else "idle",
            _when(p["changed_ts"]),
            escape(p["changed_by"]),
            escape(p["proposal"]),
        )
    _print(table)


MACHINE = typer.Argument(..., help="the crane's or hoist's id, e.g. hoist-1")


@install_app.command("start")
def start_install(
    device: str = MACHINE,
    stage: str = typer.Option(..., "--stage", help="erect (安装), climb (顶升加节) or dismantle (拆卸)"),
    url: str = URL,
    token: str = TOKEN,
) -> None:
    """Open an 安拆 window: from now the crew's certificates at the gate, the supervisor on site and (a
    crane) an empty hook are watched (supervisor)."""
    _set(url, token, "install", device, "start", {"stage": stage})


@install_app.command("end")
def end_install(
    device: str = MACHINE,
    self_checked: bool = typer.Option(
        False, "--self-checked", help="the installer's self-check passed (required after erect or climb)"
    ),
    note: str = typer.Option("", "--note", help="what was done, e.g. 安装至 45 m"),
    url: str = URL,
    token: str = TOKEN,
) -> None:
    """Close the 安拆 window; after an erection or a climb the machine works only once accepted (supervisor)."""
    _set(url, token, "install", device, "end", {"self_checked": self_checked, "note": note})


@install_app.command("list")
def list_install(url: str = URL, token: str = TOKEN) -> None:
    """Every crane and hoist, with its 安拆 window and stage."""
    machines = _listed(url, token, "install")
    if not machines:
        typer.echo("this site has no crane or hoist")
        return
    table = Table("device", "name", "model", "安拆", "since", "by")
    for p in machines:
        table.add_row(
            escape(p["device"]),
            escape(p["name"]),
            escape(p["area"]),
            f"[bold red]{escape(p['stage'])} {escape(p['stage_zh'])}[/]" if p["active"] else "idle",
            _when(p["changed_ts"]),
            escape(p["changed_by"]),
        )
    _print(table)
