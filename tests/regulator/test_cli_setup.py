"""The regulator's first commands as a newcomer types them (issue 40): the quick start's PostgreSQL database
created when the server has none of that name (or the ``createdb`` line when the role may not), a regulator
user without a jurisdiction refused unless ``--all`` says so, and a city the map does not know named with the
``--province`` that files it."""

from __future__ import annotations

import secrets
import signal
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import typer
from typer.testing import CliRunner

from regulator.access.auth import Accounts
from regulator.cli import add_project, add_user
from regulator.storage.repository import Repository
from regulator.storage.scope import Actor
from tests.regulator.support import PG_ADMIN
from tests.regulator.test_demo_delivery import cli as sitegw_process
from tests.support import free_port, wait_port

PASSWORD = "choose-a-password"
SECRET = "a-secret-of-24-characters"


@pytest.fixture
def cli() -> typer.Typer:
    """``sitegw regulator`` with the commands used here."""
    app = typer.Typer()
    regulator = typer.Typer()
    app.add_typer(regulator, name="regulator")
    regulator.command("add-project")(add_project)
    regulator.command("add-user")(add_user)
    return app


@pytest.fixture
def server_root() -> Iterator[psycopg.Connection]:
    """A superuser connection to the test PostgreSQL's maintenance database."""
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as admin:
        yield admin


def test_the_quick_starts_database_is_created_when_missing(
    cli: typer.Typer, server_root: psycopg.Connection
) -> None:
    name = f"sitegw_test_{secrets.token_hex(4)}"
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    try:
        r = CliRunner().invoke(
            cli, ["regulator", "add-project", "GD-SZ-2026-0001", "--name", "前海", "--city", "深圳",
                  "--secret", SECRET, "--db", url],
        )  # fmt: skip
        assert r.exit_code == 0, r.output
        assert f'database "{name}" did not exist: created it' in r.output
        repo = Repository(url)
        assert repo.project("GD-SZ-2026-0001") is not None
        repo.close()
        # the next command finds it there and says nothing about it
        r = CliRunner().invoke(
            cli, ["regulator", "add-user", "admin", "--role", "admin", "--password", PASSWORD, "--db", url]
        )
        assert r.exit_code == 0 and "created" not in r.output, r.output
    finally:
        server_root.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_role_that_may_not_create_it_is_given_the_createdb_line(
    cli: typer.Typer, server_root: psycopg.Connection
) -> None:
    role, name = f"sitegw_plain_{secrets.token_hex(4)}", f"sitegw_test_{secrets.token_hex(4)}"
    server_root.execute(f'CREATE ROLE "{role}" LOGIN NOCREATEDB')
    host = PG_ADMIN.split("@", 1)[1].rsplit("/", 1)[0]  # 127.0.0.1:5432 (trust over loopback)
    try:
        r = CliRunner().invoke(
            cli, ["regulator", "add-user", "admin", "--role", "admin", "--password", PASSWORD,
                  "--db", f"postgresql://{role}@{host}/{name}"],
        )  # fmt: skip
        assert r.exit_code == 2, r.output
        assert f'database "{name}" does not exist' in r.output and "Traceback" not in r.output
        assert f"createdb -h {host.split(':')[0]} -p {host.split(':')[1]} -U {role} {name}" in r.output
        exists = server_root.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        assert exists is None
    finally:
        server_root.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_a_regulator_without_a_jurisdiction_needs_all(cli: typer.Typer, tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path}/reg.sqlite"]
    add = ["regulator", "add-user", "li.jian", "--role", "regulator", "--password", PASSWORD, *db]
    r = CliRunner().invoke(cli, add)
    assert r.exit_code == 2, r.output
    assert "needs --jurisdiction" in r.output and "--all" in r.output
    r = CliRunner().invoke(cli, [*add, "--all", "--jurisdiction", "广东省"])
    assert r.exit_code == 2 and "not both" in r.output, r.output
    r = CliRunner().invoke(cli, [*add, "--all"])
    assert r.exit_code == 0, r.output
    assert "every project of every province" in r.output and "every project" in r.output
    repo = Repository(db[1])
    token = Accounts(repo).login("li.jian", PASSWORD)
    assert Accounts(repo).actor(token) == Actor("li.jian", "regulator", None, None)
    repo.close()


def test_an_unknown_city_is_named_with_the_province_option(cli: typer.Typer, tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path}/reg.sqlite"]
    add = ["regulator", "add-project", "GX-NN-0001", "--name", "南宁项目", "--secret", SECRET, *db]
    r = CliRunner().invoke(cli, [*add, "--city", "南宁", "--district", "青秀区"])
    assert r.exit_code == 0, r.output
    assert "jurisdiction 未定省份/南宁市/青秀区" in r.output
    assert "'南宁' is not in the map's table" in r.output and "--province" in r.output
    r = CliRunner().invoke(cli, [*add, "--city", "Shenzen"])  # a typo of a city the table knows
    assert "did you mean --city shenzhen?" in r.output, r.output
    r = CliRunner().invoke(
        cli, [*add, "--city", "南宁", "--district", "青秀区", "--province", "广西壮族自治区"]
    )
    assert r.exit_code == 0 and "jurisdiction 广西壮族自治区/南宁市/青秀区" in r.output, r.output
    assert "not in the map's table" not in r.output


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_stops_at_ctrl_c_and_at_systemds_stop(tmp_path: Path, sig: signal.Signals) -> None:
    """The service's own stop handling (uvicorn's is off: it stopped embedded servers out of order)."""
    port = free_port()
    serve = sitegw_process(
        "regulator", "serve", "--port", str(port), "--db", f"sqlite:///{tmp_path}/reg.sqlite"
    )
    try:
        wait_port(port, timeout=30)
        serve.send_signal(sig)
        out, _ = serve.communicate(timeout=30)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
    assert serve.returncode == 0 and "Traceback" not in out, out
