"""Group commit (regulator/ingest/group_commit.py): concurrent requests' events committed together on
PostgreSQL, each answered as if it had been stored alone, and none answered before its batch committed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from contract.wire import EVENTS_PATH
from regulator.ingest.group_commit import BatchAborted, GroupCommit
from regulator.ingest.held import WarningHold
from regulator.ingest.on_loop import LoopIngest
from regulator.ingest.receive import Refusal
from regulator.storage.repository import Repository
from tests.regulator.support import PROJECT, SECRET, make_event, pg_database, signed


async def send(loop: LoopIngest, body: bytes, nonce: str | None = None) -> str | int:
    """One event through the loop: ``stored``, ``duplicate`` or the refusal's status."""
    try:
        accepted = await loop.ingest(signed(EVENTS_PATH, body, nonce=nonce), "POST", EVENTS_PATH, body)
    except Refusal as refusal:
        return refusal.status
    return "duplicate" if accepted.duplicate else "stored"


@contextlib.asynccontextmanager
async def ingest_on(db: str, tmp_path: Path) -> AsyncIterator[LoopIngest]:
    repo = Repository(db, tmp_path / "evidence")
    repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    loop = LoopIngest(repo, WarningHold())
    try:
        yield loop
    finally:
        await loop.close()
        repo.close()


def transactions_of_events(db: str) -> tuple[int, int]:
    """(events stored, transactions that stored them): each event_ids row's xmin is its transaction."""
    with psycopg.connect(db) as check:
        row = check.execute("SELECT COUNT(*), COUNT(DISTINCT xmin::text) FROM event_ids").fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


async def test_concurrent_events_are_committed_together(tmp_path: Path) -> None:
    """60 events at once (each of its own alert, as 60 gateways' would be) take far fewer commits than
    events: before group commit each was a transaction of its own."""
    with pg_database() as db:
        async with ingest_on(db, tmp_path) as loop:
            bodies = [make_event(f"a{n}", n).model_dump_json().encode() for n in range(60)]
            assert await send(loop, bodies[0]) == "stored"  # the project's secret, read once
            answers = await asyncio.gather(*(send(loop, body) for body in bodies[1:]))
        assert answers == ["stored"] * 59
        events, transactions = transactions_of_events(db)
    assert events == 60
    assert transactions <= 30, f"{transactions} transactions for 60 events"


async def test_a_replayed_nonce_in_a_batch_is_refused_and_its_neighbours_stored(tmp_path: Path) -> None:
    """Two requests with one nonce among concurrent others: one of the two is 401, every other stored."""
    with pg_database() as db:
        async with ingest_on(db, tmp_path) as loop:
            await send(loop, make_event("warm", 99).model_dump_json().encode())
            bodies = [make_event(f"a{n}", n).model_dump_json().encode() for n in range(20)]
            nonces = [f"nonce-{n}" for n in range(20)]
            nonces[7] = nonces[3]
            answers = await asyncio.gather(*(send(loop, b, n) for b, n in zip(bodies, nonces, strict=True)))
    assert sorted([answers[3], answers[7]], key=str) == [401, "stored"]
    assert [a for n, a in enumerate(answers) if n not in (3, 7)] == ["stored"] * 18


async def test_a_key_taken_by_another_transaction_costs_the_batch_nothing(tmp_path: Path) -> None:
    """An event whose id another transaction is storing (a concurrent copy, uncommitted) waits for it and
    fails its batch on event_ids' key: the batch rolls back and each of its requests runs alone, so the
    copy is a duplicate and its neighbours are stored once each."""
    with pg_database() as db:
        async with ingest_on(db, tmp_path) as loop:
            await send(loop, make_event("warm", 99).model_dump_json().encode())
            events = [make_event(f"a{n}", n) for n in range(12)]
            with psycopg.connect(db) as copy:  # a transaction of its own, open while the batch runs
                copy.execute(
                    "INSERT INTO event_ids(event_id, received_at) VALUES (%s, 0)", (events[5].event_id,)
                )
                sending = asyncio.gather(*(send(loop, e.model_dump_json().encode()) for e in events))
                await asyncio.sleep(1.0)
                copy.commit()
            answers = await sending
        stored, _ = transactions_of_events(db)
        with psycopg.connect(db) as check:
            kept = check.execute("SELECT COUNT(*) FROM events").fetchone()
    assert answers[5] == "duplicate"
    assert [a for n, a in enumerate(answers) if n != 5] == ["stored"] * 11
    assert stored == 13 and kept == (12,)  # the warm-up, the 11 and the copy's id; 12 events


@contextlib.asynccontextmanager
async def one_connection(db: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    async with await psycopg.AsyncConnection.connect(
        db, autocommit=True, cursor_factory=psycopg.AsyncRawCursor
    ) as conn:
        yield conn


async def test_no_statement_is_answered_before_its_batch_committed(tmp_path: Path) -> None:
    """The connection lost mid-batch (its backend killed, as a primary's loss does): every statement of
    the batch gets the connection's error, not BatchAborted (which would send it again), and nothing of it
    is committed."""
    with pg_database() as db, psycopg.connect(db, autocommit=True) as admin:
        admin.execute("CREATE TABLE t(k int PRIMARY KEY)")
        group = GroupCommit(lambda: one_connection(db), flushers=1)
        insert = "INSERT INTO t VALUES ($1) RETURNING k"
        first = asyncio.ensure_future(group.run(("a",), insert, [0]))
        await asyncio.sleep(0)  # the first batch: this one alone
        batch = [
            group.run(("a",), insert, [1]),
            group.run(("a",), "SELECT pg_sleep(30)", []),
            group.run(("a",), insert, [2]),
        ]
        running = asyncio.ensure_future(asyncio.gather(*batch, return_exceptions=True))
        assert await first == (0,)
        await asyncio.sleep(1.0)
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        outcomes = await asyncio.wait_for(running, 10)
        kept = admin.execute("SELECT array_agg(k) FROM t").fetchone()
    assert all(isinstance(o, psycopg.OperationalError) for o in outcomes), outcomes
    assert not any(isinstance(o, BatchAborted) for o in outcomes)
    assert kept == ([0],)


@pytest.mark.parametrize("alone", [True, False])
async def test_a_refused_statement_alone_is_its_own_error_and_in_a_batch_aborts_it(
    tmp_path: Path, alone: bool
) -> None:
    """A lone statement's error is raised as it is (its request handles it, as before); in a batch of
    several, every statement of the batch gets BatchAborted and nothing of the batch is committed."""
    with pg_database() as db, psycopg.connect(db, autocommit=True) as admin:
        admin.execute("CREATE TABLE t(k int PRIMARY KEY)")
        admin.execute("INSERT INTO t VALUES (1)")
        group = GroupCommit(lambda: one_connection(db), flushers=1)
        insert = "INSERT INTO t VALUES ($1) RETURNING k"
        keys = [1] if alone else [2, 1, 3]
        outcomes = await asyncio.gather(
            *(group.run(("a",), insert, [k]) for k in keys), return_exceptions=True
        )
        kept = admin.execute("SELECT array_agg(k) FROM t").fetchone()
    if alone:
        assert [type(o) for o in outcomes] == [psycopg.errors.UniqueViolation]
    else:
        assert all(isinstance(o, BatchAborted) for o in outcomes), outcomes
    assert kept == ([1],)
