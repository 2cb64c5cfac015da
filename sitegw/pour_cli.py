"""``sitegw pour``: start, end and list high-formwork pours on a running gateway, over its API.

A pour is started by a supervisor (an API token from ``sitegw users token NAME --role supervisor``)
so that the rules watch the formwork's points as a pour; the gateway records the token's holder as
the one who started it. Every failure is one line saying what to do, never a traceback.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn
from urllib.parse import quote

import httpx
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

pour_app = typer.Typer(
    help="High-formwork pours on a running gateway: list them, start or end one (supervisor token).",
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
TIMEOUT_S = 10.0


class GatewayRefused(Exception):
    """The gateway could not be reached or refused the request; the message says what to do."""


def call(method: str, url: str, path: str, token: str, body: dict[str, Any] | None = None) -> Any:
    """The JSON answer of ``method path`` (with the JSON ``body``) on the gateway at ``url``; GatewayRefused
    with a clear message for a refused connection, a timeout or an error answer."""
    headers = {"Authorization": "Bearer " + token} if token else {}
    target = url.rstrip("/") + path
    try:
        r = httpx.request(method, target, headers=headers, timeout=TIMEOUT_S, json=body)
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
        return f"the gateway at {r.url.scheme}://{r.url.netloc.decode()} has no pours API (a sitegw before pours?)"
    if r.status_code in (404, 409, 422):
        return detail
    return f"the gateway answered {r.status_code}: {detail}"


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _when(ts: float | None) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def _set(url: str, token: str, device: str, action: str) -> None:
    try:
        p = call("POST", url, f"/api/v1/pours/{quote(device, safe='')}/{action}", token)
    except GatewayRefused as exc:
        fail(str(exc))
    what = "started" if p["active"] else "ended"
    typer.echo(f"{p['device']} ({p['name']}): pour {what} by {p['changed_by']} at {_when(p['changed_ts'])}")


@pour_app.command("start")
def start(device: str = DEVICE, url: str = URL, token: str = TOKEN) -> None:
    """Start a pour: from now the rules watch the formwork's points as a pour (supervisor)."""
    _set(url, token, device, "start")


@pour_app.command("end")
def end(device: str = DEVICE, url: str = URL, token: str = TOKEN) -> None:
    """End the pour under way (supervisor)."""
    _set(url, token, device, "end")


@pour_app.command("list")
def list_pours(url: str = URL, token: str = TOKEN) -> None:
    """Every formwork device, pouring or not, with who last started or ended its pour."""
    try:
        pours = call("GET", url, "/api/v1/pours", token)
    except GatewayRefused as exc:
        fail(str(exc))
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
    console = Console(width=None if Console().is_terminal else 140)
    console.print(table)
