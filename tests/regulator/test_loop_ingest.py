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
from sqlalchemy.dialects import postgresql

from contract.wire import EVENTS_PATH
from regulator.ingest.held import HOLD_IN_ONE_STATEMENT
from regulator.server import RegulatorServer
from regulator.storage.db import sql
from regulator.storage.repository import ONE_STATEMENT, ONE_STATEMENT_IF_HAZARD, SWEEP_NONCES
from tests.regulator.support import PG_ADMIN, PROJECT, SECRET, make_event, pg_database, signed


def test_every_event_statement_is_short_enough_for_psycopg_to_keep_it_parsed() -> None:
    """psycopg turns a query's %(name)s placeholders into PostgreSQL's $n on every execution unless the
    query is at most MAX_CACHED_STATEMENT_LENGTH characters (4,096: psycopg/_queries.py), when it keeps
    the converted form. The event statement once grew past it (the hazard's peak columns, 4,784 characters)
    and every event paid a parse of it: a seventh of the API process's CPU on the ingest benchmark."""
    limit = getattr(importlib.import_module("psycopg._queries"), "MAX_CACHED_STATEMENT_LENGTH", 4096)
    dialect = postgresql.psycopg.dialect()
    for name, statement in [
        ("ONE_STATEMENT", ONE_STATEMENT),
        ("ONE_STATEMENT_IF_HAZARD", ONE_STATEMENT_IF_HAZARD),
        ("HOLD_IN_ONE_STATEMENT", HOLD_IN_ONE_STATEMENT),
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
