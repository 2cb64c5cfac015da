"""Group commit (regulator/ingest/group_commit.py): concurrent requests' events committed together on
PostgreSQL, each answered as if it had been stored alone, and none answered before its batch committed."""

from __future__ import annotations

import asyncio
import contextlib
import json
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

PROJECTS = [f"GD-SZ-2026-{n:04d}" for n in range(100, 112)]  # as many sites' gateways, sending at once


def event_of(n: int, project: str | None = None) -> bytes:
    """Event ``n`` of its own alert, of ``project`` (default: the n-th of PROJECTS, in turn)."""
    return make_event(f"a{n}", n, project=project or PROJECTS[n % len(PROJECTS)]).model_dump_json().encode()


async def send(loop: LoopIngest, body: bytes, nonce: str | None = None) -> str | int:
    """One event through the loop, signed by its project: ``stored``, ``duplicate`` or the refusal's status."""
    project = json.loads(body)["project"]
    try:
        headers = signed(EVENTS_PATH, body, nonce=nonce, project=project)
        accepted = await loop.ingest(headers, "POST", EVENTS_PATH, body)
    except Refusal as refusal:
        return refusal.status
    return "duplicate" if accepted.duplicate else "stored"


@contextlib.asynccontextmanager
async def ingest_on(db: str, tmp_path: Path) -> AsyncIterator[LoopIngest]:
    repo = Repository(db, tmp_path / "evidence")
    for code in (PROJECT, *PROJECTS):
        repo.add_project(code, "示范项目", "深圳", SECRET)
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
    """60 events at once from 12 sites' gateways take far fewer commits than events: before group commit
    each was a transaction of its own."""
    with pg_database() as db:
        async with ingest_on(db, tmp_path) as loop:
            bodies = [event_of(n) for n in range(60)]
            # each project's secret, read once
            assert await asyncio.gather(*(send(loop, body) for body in bodies[:12])) == ["stored"] * 12
            answers = await asyncio.gather(*(send(loop, body) for body in bodies[12:]))
        assert answers == ["stored"] * 48
        events, transactions = transactions_of_events(db)
    assert events == 60
    assert transactions <= 40, f"{transactions} transactions for 60 events"


async def test_many_events_of_one_project_at_once_are_all_stored(tmp_path: Path) -> None:
    """40 events of one site at once, each of its own alert: two statements of one project in one batch would
    take its kept figures before the second's hazard, the opposite of a lone statement, and deadlocked
    (one answered 503 after a second); a batch takes one statement of each project."""
    with pg_database() as db:
        async with ingest_on(db, tmp_path) as loop:
            answers = await asyncio.gather(*(send(loop, event_of(n, PROJECT)) for n in range(40)))
    assert answers == ["stored"] * 40


def test_a_batch_takes_one_statement_of_each_project_in_the_order_they_came() -> None:
    async def never() -> Any:  # no connection is made: only the batches are formed
        raise AssertionError

    group = GroupCommit(never, most=3)  # type: ignore[arg-type]
    loop = asyncio.new_event_loop()
    future: asyncio.Future[tuple[Any, ...] | None] = loop.create_future()
    group._queue = [((p, a), f"{p}{a}", [], future) for p, a in ("b1", "a1", "b2", "c1", "a2", "d1")]
    batch, waiting = group._next_batch()
    loop.close()
    assert [q[1] for q in batch] == ["a1", "b1", "c1"]  # one of each, at most 3, sorted by key
    assert [q[1] for q in waiting] == ["b2", "a2", "d1"]  # the rest, in the order they came


async def test_a_replayed_nonce_in_a_batch_is_refused_and_its_neighbours_stored(tmp_path: Path) -> None:
    """Two requests with one nonce among concurrent others: one of the two is 401, every other stored."""
    with pg_database() as db:
        async with ingest_on(db, tmp_path) as loop:
            await asyncio.gather(*(send(loop, event_of(n + 100)) for n in range(12)))  # the secrets, read
            bodies = [event_of(n) for n in range(20)]
            bodies[7] = event_of(7, PROJECTS[3])  # the same site as request 3, with request 3's nonce
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
            await asyncio.gather(*(send(loop, event_of(n + 100)) for n in range(12)))  # the secrets, read
            events = [make_event(f"a{n}", n, project=PROJECTS[n]) for n in range(12)]
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
    assert stored == 24 and kept == (23,)  # ids: the 12 warm-ups, the 11 and the copy's; their 23 events


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
            group.run(("b",), insert, [1]),
            group.run(("c",), "SELECT pg_sleep(30)", []),
            group.run(("d",), insert, [2]),
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
            *(group.run((f"p{k}",), insert, [k]) for k in keys), return_exceptions=True
        )
        kept = admin.execute("SELECT array_agg(k) FROM t").fetchone()
    if alone:
        assert [type(o) for o in outcomes] == [psycopg.errors.UniqueViolation]
    else:
        assert all(isinstance(o, BatchAborted) for o in outcomes), outcomes
    assert kept == ([1],)
