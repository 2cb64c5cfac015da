"""A read-only regulator (``serve --read-only``, regulator/routes/read_only.py) over real HTTP on PostgreSQL: it
answers every page and API a user reads with what the primary's regulator stored, refuses every change with
503 naming the primary, writes nothing (not even a session's idle clock), and will not start on a schema the
primary has not brought up to this release. tests/regulator/test_read_only_standby.py runs the same against
a real standby (pg_auto_failover)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from contract.wire import EVENTS_PATH
from regulator.routes.read_only import ReadOnly
from regulator.server import RegulatorServer
from regulator.storage.db import migrate, open_engine
from regulator.storage.repository import Repository, SchemaBehind
from tests.regulator.support import PROJECT, SECRET, make_event, pg_database, signed

PASSWORD = "correct horse 9"
PRIMARY_URL = "https://regulator.example.cn/"


async def primary_with_a_hazard(db: str, tmp_path: Path) -> tuple[RegulatorServer, int]:
    """The primary's regulator with a project, a regulator user and one hazard from a signed event."""
    primary = RegulatorServer(db, evidence_dir=tmp_path / "evidence")
    primary.repo.add_project(PROJECT, "示范项目", "深圳", SECRET, "南山区", "中建某局")
    primary._app.state.accounts.add_user("li.jian", PASSWORD, "regulator")
    await primary.start()
    body = make_event(alert="crane-1:crane.load:1", level="alarm").model_dump_json().encode()
    async with httpx.AsyncClient(base_url=primary.base_url, timeout=30) as client:
        stored = await client.post(EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body))
    assert stored.status_code == 200, stored.text
    with primary.repo.engine.connect() as conn:
        hazard = conn.execute(sa.text("SELECT id FROM hazards")).scalar_one()
    return primary, hazard


async def check_reads_and_refusals(
    primary: RegulatorServer, reader: RegulatorServer, hazard: int
) -> httpx.Cookies:
    """What a user of the read-only regulator ``reader`` sees, signed in at ``primary``; their cookies."""
    async with httpx.AsyncClient(base_url=primary.base_url, timeout=30) as at_primary:
        login = {"username": "li.jian", "password": PASSWORD}
        assert (await at_primary.post("/ui/api/login", json=login)).status_code == 200
        cookies = at_primary.cookies
    with (
        primary.repo.engine.begin() as conn
    ):  # last used a minute ago: a read would move it on, on the primary
        conn.execute(sa.text("UPDATE sessions SET last_seen = last_seen - 60"))
        seen = conn.execute(sa.text("SELECT last_seen FROM sessions")).scalar_one()
    async with httpx.AsyncClient(base_url=reader.base_url, timeout=30, cookies=cookies) as client:
        queue = await client.get("/ui/api/hazards", params={"state": "all"})
        assert queue.status_code == 200, queue.text
        assert [h["id"] for h in queue.json()["hazards"]] == [hazard]
        assert (await client.get(f"/ui/api/hazards/{hazard}")).status_code == 200
        assert (await client.get("/ui/api/me")).json()["username"] == "li.jian"
        assert (await client.get("/")).status_code == 200
        # every read the API offers (those without a path parameter): none may want to write
        paths = reader._app.openapi()["paths"]
        reads = sorted(p for p, methods in paths.items() if "get" in methods and "{" not in p)
        failed = {p: r.status_code for p in reads if (r := await client.get(p)).status_code >= 500}
        assert len(reads) > 30 and not failed, f"reads that failed on the read-only regulator: {failed}"

        for method, path, body in [
            ("POST", "/ui/api/login", login),
            ("POST", f"/ui/api/hazards/{hazard}/dismiss", {"note": "误报"}),
            ("POST", "/ui/api/logout", {}),
            ("DELETE", "/ui/api/users/li.jian", {}),
        ]:
            refused = await client.request(method, path, json=body)
            assert refused.status_code == 503, (path, refused.text)
            said = refused.json()
            assert said["read_only"] is True and said["primary"] == PRIMARY_URL and "只读" in said["error"]
        event = make_event(alert="crane-1:crane.load:2").model_dump_json().encode()
        posted = await client.post(EVENTS_PATH, content=event, headers=signed(EVENTS_PATH, event))
        assert posted.status_code == 503 and PRIMARY_URL in posted.json()["error"]
    with primary.repo.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM events")).scalar_one() == 1, "nothing stored"
        assert conn.execute(sa.text("SELECT last_seen FROM sessions")).scalar_one() == seen, "nor touched"
    return cookies


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_database() as url:
        yield url


async def test_a_read_only_regulator_serves_reads_and_refuses_writes(pg_url: str, tmp_path: Path) -> None:
    primary, hazard = await primary_with_a_hazard(pg_url, tmp_path)
    reader = RegulatorServer(pg_url, evidence_dir=tmp_path / "evidence", read_only=ReadOnly(PRIMARY_URL))
    await reader.start()
    try:
        await check_reads_and_refusals(primary, reader, hazard)
        with reader.repo.engine.connect() as conn:  # its transactions cannot write, whatever asks
            assert conn.execute(sa.text("SHOW transaction_read_only")).scalar_one() == "on"
    finally:
        await reader.stop()
        await primary.stop()


def test_a_read_only_regulator_does_not_start_on_an_older_schema(pg_url: str) -> None:
    engine = open_engine(pg_url)
    migrate(engine, "0021_accidents")
    engine.dispose()
    with pytest.raises(SchemaBehind, match="start \\(or upgrade\\) the primary"):
        Repository(pg_url, read_only=True)
    engine = open_engine(pg_url)
    with engine.connect() as conn:  # and it did not migrate it
        assert (
            conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "0021_accidents"
        )
    engine.dispose()


def test_read_only_needs_postgresql(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SQLite, which has none"):
        Repository(f"sqlite:///{tmp_path}/reg.sqlite", read_only=True)
