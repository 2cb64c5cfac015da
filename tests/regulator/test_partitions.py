"""Monthly partitions of events and readings on PostgreSQL (migration 0003, Repository.ensure_partitions):
where rows land, an upgrade from 0002 that keeps every row and id, duplicates still stored once (also when
two requests race), and upkeep as time moves on. Each test gets a fresh PostgreSQL database of its own."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from contract.wire import EVENTS_PATH
from regulator.ledger.review import Review
from regulator.server import RegulatorServer, upkeep_forever
from regulator.storage.db import create_engine, downgrade, head, migrate
from regulator.storage.event_sql import EVENT_ROW, ONE_STATEMENT, _event_args
from regulator.storage.partitions import Month
from regulator.storage.readings import ReadingRecord
from regulator.storage.repository import Repository
from tests.regulator.support import HAZARD_0002, PROJECT, SECRET, make_event, pg_database, signed

JAN_2025 = 1736942400.0  # 2025-01-15 12:00 UTC
JUN_2025 = 1749988800.0  # 2025-06-15 12:00 UTC
MAR_2025 = 1741996800.0  # 2025-03-15 00:00 UTC
IN_MS = 1741996800000.0  # a gateway that sent milliseconds: tens of millennia ahead, the default partition


@pytest.fixture
def pg() -> Iterator[str]:
    """A fresh PostgreSQL database's URL."""
    with pg_database() as url:
        yield url


@pytest.fixture
def repo(pg: str, tmp_path: Path) -> Iterator[Repository]:
    """The regulator's repository on it, at head, with the test project registered."""
    repo = Repository(pg, tmp_path / "evidence")
    repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    yield repo
    repo.close()


def partitions(engine: sa.Engine, table: str) -> set[str]:
    """Names of ``table``'s partitions."""
    with engine.connect() as db:
        return set(
            db.execute(
                sa.text(
                    "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = CAST(:t AS regclass)"
                ),
                {"t": table},
            ).scalars()
        )


def rows(engine: sa.Engine, table: str, column: str) -> list[tuple[int, float, str]]:
    """(id, partition key, the partition the row is in) of every row, by id."""
    with engine.connect() as db:
        return [
            tuple(r)
            for r in db.execute(
                sa.text(  # type: ignore[misc]
                    f"SELECT id, {column}, tableoid::regclass::text FROM {table} ORDER BY id"
                )
            ).all()
        ]


def reading(ts: float, metric: str = "load_pct") -> ReadingRecord:
    return ReadingRecord("crane-1", "", metric, ts, 87.5, "%")


def test_events_and_readings_are_partitioned_by_month_and_rows_land_in_theirs(repo: Repository) -> None:
    with repo.engine.connect() as db:
        assert db.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == head()
        keys = dict(
            db.execute(
                sa.text(
                    "SELECT c.relname, pg_get_partkeydef(c.oid) FROM pg_partitioned_table "
                    "p JOIN pg_class c ON c.oid = p.partrelid"
                )
            ).all()
        )
    assert keys == {"events": "RANGE (received_at)", "readings": "RANGE (ts)"}
    this = Month.of(time.time())
    for table in ("events", "readings"):
        months = {this.next(i).partition(table) for i in range(3)}
        assert months | {f"{table}_default"} <= partitions(repo.engine, table)
    assert repo.store_event(make_event(), "n1", 60.0)
    in_2040 = 2209032000.0  # 2040-01-01: no month partition that far ahead; caught by the default one
    repo.store_readings(PROJECT, "n2", 60.0, [reading(time.time()), reading(in_2040)])
    assert [where for *_, where in rows(repo.engine, "events", "received_at")] == [this.partition("events")]
    assert [where for *_, where in rows(repo.engine, "readings", "ts")] == [
        this.partition("readings"),
        "readings_default",
    ]


def test_a_database_at_0002_keeps_every_row_and_id_through_upgrade_and_downgrade(
    pg: str, tmp_path: Path
) -> None:
    engine = create_engine(pg)
    migrate(engine, "0002")
    with engine.begin() as db:  # rows as the 0002 release stored them, ids with gaps
        db.execute(
            sa.text(
                "INSERT INTO projects(code, name, city, secret, created_at) "
                "VALUES (:p, '示范项目', '深圳', :s, 1)"
            ),
            {"p": PROJECT, "s": SECRET},
        )
        old_events = [
            make_event("a1", 0, event_id="old-jan"),
            make_event("a1", 1, event_id="old-jun"),
            make_event("a2", 0, event_id="old-now"),
        ]
        received = (JAN_2025, JUN_2025, time.time())
        for event, received_at, next_id in zip(old_events, received, (42, 100, 101), strict=True):
            db.execute(sa.text("SELECT setval('events_id_seq', :i, false)"), {"i": next_id})
            args = _event_args(event, None, None, received_at, received_at)
            args["h"] = db.execute(sa.text(HAZARD_0002), args).scalar_one()
            db.execute(sa.text(EVENT_ROW), args)
        db.execute(sa.text("SELECT setval('readings_id_seq', 7, false)"))
        for ts in (MAR_2025, time.time(), IN_MS):
            db.execute(
                sa.text(
                    "INSERT INTO readings(project, device, point, metric, ts, value, unit) "
                    "VALUES (:p, 'crane-1', '', 'load_pct', :ts, 87.5, '%')"
                ),
                {"p": PROJECT, "ts": ts},
            )
    before = {
        t: [r[:2] for r in rows(engine, t, c)] for t, c in (("events", "received_at"), ("readings", "ts"))
    }

    repo = Repository(pg, tmp_path / "evidence")  # opening migrates to head
    this = Month.of(time.time())
    assert rows(repo.engine, "events", "received_at") == [
        (42, JAN_2025, "events_y2025m01"),
        (100, JUN_2025, "events_y2025m06"),
        (101, before["events"][2][1], this.partition("events")),
    ]
    assert rows(repo.engine, "readings", "ts") == [
        (7, MAR_2025, "readings_y2025m03"),
        (8, before["readings"][1][1], this.partition("readings")),
        (9, IN_MS, "readings_default"),
    ]
    with repo.engine.connect() as db:
        sequence = db.execute(sa.text("SELECT pg_get_serial_sequence('events', 'id')")).scalar()
        indexes = set(
            db.execute(
                sa.text("SELECT indexname FROM pg_indexes WHERE tablename IN ('events', 'readings')")
            ).scalars()
        )
    assert sequence == "public.events_id_seq"
    assert indexes == {
        "events_pkey",
        "events_by_hazard",
        "events_by_project",
        "readings_pkey",
        "readings_by_device",
        "readings_once",
    }
    # an event stored before the upgrade is still known (event_ids was filled), and ids continue
    assert repo.store_event(old_events[0], "after-1", 60.0) is False
    assert repo.store_event(make_event("a3", event_id="new"), "after-2", 60.0) is True
    # another metric: a value of row 8's own minute would replace it (one value per series and minute)
    repo.store_readings(PROJECT, "after-3", 60.0, [reading(time.time(), "moment_pct")])
    assert [r[0] for r in rows(repo.engine, "events", "received_at")] == [42, 100, 101, 102]
    assert [r[0] for r in rows(repo.engine, "readings", "ts")] == [7, 8, 9, 10]

    downgrade(repo.engine, "0002")  # plain tables again, the same rows and ids, UNIQUE(event_id) back
    with repo.engine.begin() as db:
        assert db.execute(sa.text("SELECT COUNT(*) FROM pg_partitioned_table")).scalar() == 0
        assert (
            db.execute(
                sa.text(
                    "SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'events'::regclass AND contype = 'u'"
                )
            ).scalar()
            == 1
        )
        db.execute(
            sa.text(
                "INSERT INTO readings(project, device, point, metric, ts, value, unit) "
                "VALUES (:p, 'crane-1', '', 'load_pct', 1, 1, '%')"
            ),
            {"p": PROJECT},
        )
    assert [r[:2] for r in rows(repo.engine, "events", "received_at")][:3] == before["events"]
    assert [r[0] for r in rows(repo.engine, "readings", "ts")] == [7, 8, 9, 10, 11]
    migrate(repo.engine)
    assert [r[0] for r in rows(repo.engine, "events", "received_at")] == [42, 100, 101, 102]
    repo.close()
    engine.dispose()


async def test_duplicates_are_answered_duplicate_and_stored_once(pg: str, tmp_path: Path) -> None:
    """Six posts of one event at once, each with its own nonce (a gateway retrying over several
    connections)."""
    server = RegulatorServer(pg, evidence_dir=tmp_path / "evidence")
    server.repo.add_project(PROJECT, "示范项目", "深圳", SECRET)
    await server.start()
    try:
        body = make_event().model_dump_json().encode()
        async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
            answers = await asyncio.gather(
                *(client.post(EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body)) for _ in range(6))
            )
            again = await client.post(EVENTS_PATH, content=body, headers=signed(EVENTS_PATH, body))
        assert sorted(a.json()["status"] for a in answers) == ["duplicate"] * 5 + ["stored"]
        assert again.json()["status"] == "duplicate"
        assert len(server.repo.events()) == 1
    finally:
        await server.stop()


def test_a_duplicate_committed_while_ingest_waits_is_retried_and_answered_duplicate(repo: Repository) -> None:
    """The race made certain: a first request's statement is held uncommitted while a second request
    (another nonce) of the same event runs, then committed. The second one failed on event_ids' key and,
    retried, finds the event stored."""
    event, now = make_event(), time.time()
    args = _event_args(event, None, None, now, now) | {"n": "first", "exp": now + 60, "stale": now}
    with repo.engine.connect() as first, ThreadPoolExecutor(1) as pool:
        first.execute(sa.text(ONE_STATEMENT), args)  # in an open transaction
        second = pool.submit(repo.store_event, event, "second", 60.0)
        deadline = time.monotonic() + 10
        while not _someone_waits_for_a_lock(repo.engine):
            assert time.monotonic() < deadline and not second.done(), "the second request never waited"
            time.sleep(0.02)
        first.commit()
        assert second.result(10) is False
    assert len(repo.events()) == 1
    with repo.engine.connect() as db:
        assert db.execute(sa.text("SELECT COUNT(*) FROM event_ids")).scalar() == 1


def _someone_waits_for_a_lock(engine: sa.Engine) -> bool:
    with engine.connect() as db:
        waiting = db.execute(
            sa.text(
                "SELECT COUNT(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar()
    return bool(waiting)


def test_upkeep_is_idempotent_and_creates_next_months_when_time_moves_on(repo: Repository) -> None:
    assert repo.ensure_partitions() == []  # opening made them
    later = Month.of(time.time()).next(3)
    created = repo.ensure_partitions(later.start + 86400)
    assert created == [later.next(i).partition(t) for i in range(3) for t in ("events", "readings")]
    assert repo.ensure_partitions(later.start + 86400) == []
    repo.store_readings(PROJECT, "n1", 60.0, [reading(later.start + 3600)])
    assert [where for *_, where in rows(repo.engine, "readings", "ts")] == [later.partition("readings")]


def test_rows_already_in_the_default_partition_are_warned_about_and_ingest_goes_on(
    repo: Repository, caplog: pytest.LogCaptureFixture
) -> None:
    """A gateway whose clock ran months ahead put readings in the default partition: that month's
    partition cannot be created. Upkeep says which month and what to do, and creates the rest."""
    ahead = Month.of(time.time()).next(4)
    repo.store_readings(PROJECT, "n1", 60.0, [reading(ahead.start + 60)])
    with caplog.at_level(logging.WARNING, logger="regulator.storage.partitions"):
        created = repo.ensure_partitions(ahead.start - 86400)  # the month before becomes current
    assert ahead.partition("events") in created and ahead.partition("readings") not in created
    warning = caplog.records[-1].getMessage()
    assert ahead.partition("readings") in warning and "readings_default" in warning
    assert "move them out" in warning
    repo.store_readings(PROJECT, "n2", 60.0, [reading(ahead.start + 120)])  # still accepted, in the default
    assert [where for *_, where in rows(repo.engine, "readings", "ts")] == ["readings_default"] * 2


async def test_the_periodic_loop_keeps_partitions_once_a_day(repo: Repository) -> None:
    """A month's partition dropped by hand is back after the loop's first sweep; later sweeps of the
    same day do not ask the database again (the calls are counted around the real method)."""
    gone = Month.of(time.time()).next(2).partition("events")
    with repo.engine.begin() as db:
        db.execute(sa.text(f"DROP TABLE {gone}"))
    calls = []
    ensure = repo.ensure_partitions
    repo.ensure_partitions = lambda now=None: calls.append(now) or ensure(now)  # type: ignore[method-assign]
    loop = asyncio.create_task(upkeep_forever(Review(repo), every_s=0.01))
    try:
        deadline = time.monotonic() + 10
        while gone not in partitions(repo.engine, "events") or len(calls) < 1:
            assert time.monotonic() < deadline, "the loop never recreated the partition"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # a few dozen more sweeps
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop
    assert len(calls) == 1
