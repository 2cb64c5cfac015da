"""`sitegw users` command functions and the demo's supervisor login."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from gateway.api.auth_store import AuthStore
from sitegw.users_cli import demo_login, users_app

runner = CliRunner()


def test_add_list_token_and_remove(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEGW_PASSWORD", "a-good-password")
    out = runner.invoke(users_app, ["add", "li.ming", "--role", "supervisor", "--state-dir", str(tmp_path)])
    assert out.exit_code == 0, out.output
    store = AuthStore(tmp_path / "users.sqlite")
    assert store.verify_password("li.ming", "a-good-password") is not None
    listed = runner.invoke(users_app, ["list", "--state-dir", str(tmp_path)])
    assert "li.ming\tsupervisor" in listed.output
    token = runner.invoke(users_app, ["token", "screen", "--state-dir", str(tmp_path)]).output.strip()
    assert store.principal(token).role == "viewer"  # type: ignore[union-attr]
    assert runner.invoke(users_app, ["remove", "li.ming", "--state-dir", str(tmp_path)]).exit_code == 0
    assert store.verify_password("li.ming", "a-good-password") is None
    store.close()


def test_errors_name_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEGW_PASSWORD", "a-good-password")
    bad_role = runner.invoke(users_app, ["add", "x", "--role", "boss", "--state-dir", str(tmp_path)])
    assert bad_role.exit_code == 1 and "use one of viewer, supervisor, admin" in bad_role.output
    monkeypatch.setenv("SITEGW_PASSWORD", "short")
    short = runner.invoke(users_app, ["add", "x", "--state-dir", str(tmp_path)])
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    monkeypatch.setenv("SITEGW_PASSWORD", "a-good-password")
    runner.invoke(users_app, ["add", "x", "--state-dir", str(tmp_path)])
    twice = runner.invoke(users_app, ["add", "x", "--state-dir", str(tmp_path)])
    assert twice.exit_code == 1 and "--replace" in twice.output
    assert "Traceback" not in twice.output
    assert isinstance(users_app, typer.Typer)


def test_demo_login_is_made_once_and_kept(tmp_path: Path) -> None:
    name, password = demo_login(tmp_path)
    assert demo_login(tmp_path) == (name, password)
    store = AuthStore(tmp_path / "users.sqlite")
    who = store.verify_password(name, password)
    store.close()
    assert who is not None and who.role == "supervisor"
