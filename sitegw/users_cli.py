"""``sitegw users``: the dashboard's users and API tokens, in ``<state-dir>/users.sqlite``.

The first admin is made here (there is no default password); a running gateway sees changes at
once. Passwords come from a prompt, or from ``SITEGW_PASSWORD`` for scripts.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from pathlib import Path

import typer

from gateway.api.auth_store import ROLES, AuthError, AuthStore, check_role

users_app = typer.Typer(
    help="Dashboard users and API tokens (roles: viewer, supervisor, admin).", no_args_is_help=True
)
STATE_DIR = typer.Option(Path("state"), "--state-dir", help="the gateway's state folder (holds users.sqlite)")
DEMO_USER = "supervisor"
DEMO_LOGIN_FILE = "demo-login.txt"


def _store(state_dir: Path) -> AuthStore:
    return AuthStore(state_dir / "users.sqlite")


def _fail(exc: AuthError) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(1)


@users_app.command("add")
def add(
    name: str = typer.Argument(..., help="login name, e.g. zhang.wei"),
    role: str = typer.Option("viewer", "--role", help=f"one of {', '.join(ROLES)}"),
    replace: bool = typer.Option(False, "--replace", help="reset an existing user's password and role"),
    state_dir: Path = STATE_DIR,
) -> None:
    """Add a user; the password is asked for (or read from SITEGW_PASSWORD)."""
    password = os.environ.get("SITEGW_PASSWORD") or typer.prompt(
        f"password for {name}", hide_input=True, confirmation_prompt=True
    )
    store = _store(state_dir)
    try:
        user = store.add_user(name, role, password, replace=replace)
    except AuthError as exc:
        _fail(exc)
    finally:
        store.close()
    typer.echo(f"user {user.name} ({user.role}) saved in {state_dir / 'users.sqlite'}")


@users_app.command("list")
def list_users(state_dir: Path = STATE_DIR) -> None:
    """List users and their roles."""
    store = _store(state_dir)
    try:
        for u in store.users():
            typer.echo(f"{u.name}\t{u.role}\t{datetime.fromtimestamp(u.created_ts):%Y-%m-%d %H:%M}")
    finally:
        store.close()


@users_app.command("remove")
def remove(name: str = typer.Argument(...), state_dir: Path = STATE_DIR) -> None:
    """Remove a user and end their sessions."""
    store = _store(state_dir)
    try:
        store.remove_user(name)
    except AuthError as exc:
        _fail(exc)
    finally:
        store.close()
    typer.echo(f"user {name} removed")


@users_app.command("token")
def token(
    label: str = typer.Argument(..., help="what holds the token, e.g. office-screen"),
    role: str = typer.Option("viewer", "--role", help=f"one of {', '.join(ROLES)}"),
    days: float = typer.Option(0, "--days", help="valid for this many days; 0: never expires"),
    state_dir: Path = STATE_DIR,
) -> None:
    """Issue an API token (printed once: only its hash is kept)."""
    store = _store(state_dir)
    try:
        issued = store.issue(
            label,
            check_role(role),
            kind="api",
            label="issued by sitegw users token",
            ttl_s=days * 86400 if days > 0 else None,
        )
    except AuthError as exc:
        _fail(exc)
    finally:
        store.close()
    typer.echo(issued.token)


def demo_login(state_dir: Path) -> tuple[str, str]:
    """The demo's supervisor login (name, password): made on the first run, the same on later runs.

    Its password is kept in plain text in the demo's state folder, which is only acceptable
    because the demo is a simulated site on one machine.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    saved = state_dir / DEMO_LOGIN_FILE
    store = _store(state_dir)
    try:
        if saved.exists():
            password = saved.read_text(encoding="utf-8").strip()
            if store.verify_password(DEMO_USER, password) is not None:
                return DEMO_USER, password
        password = secrets.token_urlsafe(9)
        store.add_user(DEMO_USER, "supervisor", password, replace=True)
        saved.write_text(password + "\n", encoding="utf-8")
        saved.chmod(0o600)
        return DEMO_USER, password
    finally:
        store.close()
