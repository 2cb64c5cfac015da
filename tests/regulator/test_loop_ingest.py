"""PostgreSQL's events path on the event loop (regulator/ingest/on_loop.py): what it costs a database and what
keeps it cheap. Its answers (stored, duplicate, 401, 422, held warnings) are the receiver's, tested on both
engines in test_receiver.py and test_flood_control.py."""

from __future__ import annotations

import asyncio
import importlib
import time
from pathlib import Path

import httpx
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from contract.wire import EVENTS_PATH
from regulator.ingest import on_loop
from regulator.ingest.held import WarningHold
from regulator.ingest.on_loop import LoopIngest
from regulator.ingest.receive import Refusal
from regulator.server import RegulatorServer
from regulator.storage import projects
from regulator.storage.db import sql
from regulator.storage.event_sql import ONE_STATEMENT, ONE_STATEMENT_IF_HAZARD
from regulator.storage.nonces import SWEEP_NONCES
from regulator.storage.repository import Repository
from tests.regulator.support import PG_ADMIN, PROJECT, SECRET, make_event, pg_database, signed


def test_every_event_statement_is_short_enough_for_psycopg_to_keep_it_parsed() -> None:
    """psycopg turns a query's %(name)s placeholders into PostgreSQL's $n on every execution unless the
    query is at most MAX_CACHED_STATEMENT_LENGTH characters (4,096: psycopg/_queries.py), when it keeps
    the converted form. The event statement once grew past it (the hazard's peak columns, 4,784 characters)
    and every event paid a parse of it: a seventh of the API process's CPU on the ingest benchmark. The
    loop sends its statements with $n already (next test); the Repository's path runs these through
    SQLAlchemy and psycopg's conversion."""
    limit = getattr(importlib.import_module("psycopg._queries"), "MAX_CACHED_STATEMENT_LENGTH", 4096)
    dialect = postgresql.psycopg.dialect()
    for name, statement in [
        ("ONE_STATEMENT", ONE_STATEMENT),
        ("ONE_STATEMENT_IF_HAZARD", ONE_STATEMENT_IF_HAZARD),
        ("SWEEP_NONCES", SWEEP_NONCES),
    ]:
        sent = str(sql(statement).compile(dialect=dialect))
        assert len(sent) <= limit, f"{name} is {len(sent)} characters as psycopg gets it: over {limit}"


def connections_to(db: str) -> int:
    """The sessions PostgreSQL has open on ``db`` (the admin's own is on another database)."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        row = admin.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s", (db.rsplit("/", 1)[1],)
        ).fetchone()
    assert row is not None
    return int(row[0])


async def test_a_stopped_regulator_leaves_no_connection_open(tmp_path: Path) -> None:
    """Events stored from the event loop use a pool of their own beside the Repository's: a regulator
    started and stopped (as tests, the demo and a restarted service do, many times over on one database
    server) must close both, or PostgreSQL runs out of connections."""
    with pg_database() as db:
        for run in range(3):
            server = RegulatorServer(db, evidence_dir=tmp_path / "evidence")
            if server.repo.project(PROJECT) is None:
                server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
            await server.start()
            try:
                async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:

                    async def send(n: int, run: int = run) -> int:
                        body = make_event(f"a{n % 5}", n, event_id=f"{run}-{n}").model_dump_json()
                        answer = await client.post(
                            EVENTS_PATH, content=body.encode(), headers=signed(EVENTS_PATH, body.encode())
                        )
                        return answer.status_code

                    assert await asyncio.gather(*(send(n) for n in range(40))) == [200] * 40
                assert connections_to(db) >= 1
            finally:
                await server.stop()
            # a backend ends a moment after its client closed the socket: give it a second
            deadline = time.monotonic() + 5
            while connections_to(db) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert connections_to(db) == 0
        with psycopg.connect(db) as check:
            stored = check.execute("SELECT COUNT(*) FROM event_ids").fetchone()
        assert stored == (3 * 40,)


def unparsed(*_: object) -> None:
    raise AssertionError("psycopg parsed a statement of the loop's")


async def test_the_loop_sends_its_statements_unparsed_and_takes_no_worker_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Events, a held warning, the project's secret and a heartbeat, each one statement on the loop with
    PostgreSQL's own $n placeholders (on_loop.positional): psycopg converts no placeholders (the warnings'
    statement is longer than it keeps converted), and no worker thread is used."""
    with pg_database() as db:
        repo = Repository(db, tmp_path / "evidence")
        repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
        repo.close()
        repo = Repository(db, tmp_path / "evidence")  # a replica's: the project not in its cache
        loop = LoopIngest(repo, WarningHold(60.0))
        # from here only the loop's statements (the Repository's, through SQLAlchemy, are converted)
        monkeypatch.setattr(importlib.import_module("psycopg._queries"), "_query2pg_nocache", unparsed)
        monkeypatch.setattr(importlib.import_module("psycopg._queries"), "_query2pg", unparsed)
        monkeypatch.setattr(on_loop, "run_in_threadpool", unparsed)
        try:
            now = time.time()
            sent = [
                make_event("a1", 0, level="alarm", ts=now - 5),
                make_event("a1", 1, level="warning", state="updated", ts=now - 4),  # into a1's hazard
                make_event("a2", 2, level="warning", ts=now - 3),  # held back
            ]
            answers = []
            for event in sent:
                body = event.model_dump_json().encode()
                answers.append(await loop.ingest(signed(EVENTS_PATH, body), "POST", EVENTS_PATH, body))
            again = sent[2].model_dump_json().encode()
            answers.append(await loop.ingest(signed(EVENTS_PATH, again), "POST", EVENTS_PATH, again))
            assert [a.duplicate for a in answers] == [False, False, False, True]
            await loop.heartbeat(PROJECT, "beat-1")
        finally:
            await loop.close()
            monkeypatch.undo()
        with repo.engine.connect() as check:
            hazards = check.execute(sa.text("SELECT alert_id FROM hazards")).scalars().all()
            held = check.execute(sa.text("SELECT alert_id FROM held_warnings")).scalars().all()
            seen = check.execute(sa.text("SELECT last_seen_at FROM projects")).scalar_one()
        repo.close()
    assert hazards == ["a1"] and held == ["a2"]
    assert seen is not None and seen >= now


async def test_a_heartbeat_on_the_loop_refuses_its_nonce_again(tmp_path: Path) -> None:
    """The heartbeat's nonce is remembered as an event's is: the same nonce again is a replay (401)."""
    with pg_database() as db:
        repo = Repository(db, tmp_path / "evidence")
        repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
        loop = LoopIngest(repo, WarningHold())
        try:
            await loop.heartbeat(PROJECT, "beat-1")
            with pytest.raises(Refusal) as refused:
                await loop.heartbeat(PROJECT, "beat-1")
            await loop.heartbeat(PROJECT, "beat-2")
        finally:
            await loop.close()
            repo.close()
    assert refused.value.status == 401 and "nonce already used" in refused.value.reason


async def test_a_secret_changed_by_another_replica_is_used_once_the_loops_cache_of_it_expires(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loop reads a project's secret through the Repository's cache (PROJECT_CACHE_S, shortened here):
    a secret changed elsewhere (another replica's add-project) is refused no longer than that after, the new
    one accepted; an unknown project is 401 and not cached (it is asked again once registered)."""
    monkeypatch.setattr(projects, "PROJECT_CACHE_S", 0.3)
    with pg_database() as db:
        repo = Repository(db, tmp_path / "evidence")
        repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
        other = Repository(db, tmp_path / "evidence")
        loop = LoopIngest(repo, WarningHold())

        async def send(n: int, secret: str, project: str = PROJECT) -> int:
            body = make_event("a1", n, project=project).model_dump_json().encode()
            headers = signed(EVENTS_PATH, body, secret=secret, project=project)
            try:
                await loop.ingest(headers, "POST", EVENTS_PATH, body)
            except Refusal as refusal:
                return refusal.status
            return 200

        try:
            assert await send(0, SECRET) == 200
            assert await send(1, "s3cret-new", project="GD-NEW-1") == 401
            other.add_project(PROJECT, "示范项目", "深圳", "s3cret-new")
            other.add_project("GD-NEW-1", "新项目", "深圳", "s3cret-new")
            assert await send(2, "s3cret-new", project="GD-NEW-1") == 200
            await asyncio.sleep(0.4)
            assert await send(3, SECRET) == 401
            assert await send(4, "s3cret-new") == 200
        finally:
            await loop.close()
            other.close()
            repo.close()
