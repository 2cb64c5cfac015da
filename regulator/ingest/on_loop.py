"""Gateways' events into PostgreSQL on the event loop (``POST /api/v1/events``).

Why a path beside regulator/ingest/receive.py's ``ingest``, which runs in a worker thread: handing a request to
a thread and back costs two thread switches and a contest for the GIL with every other worker, and on
the ingest benchmark (``bench/regulator_bench.py``) that was about 40 % of the API process's CPU per event
(0.92 ms a request in a worker thread, 0.54 ms with the same code run on the loop). An event is one
statement on PostgreSQL (storage.ONE_STATEMENT), so it runs on psycopg's asyncio pool instead, after the
same checks in the same order (ingest.py's functions) and with the same statement. A warning is one
statement too (held.STORE_OR_HOLD: into its alert's hazard, or held back when holding it is all there is to
do); an event that opens a hazard of a series the readings summaries carry takes two more (the summaries
that came first folded into its peak: storage.FOLD_HAZARD). These writes, and a heartbeat's, are committed
in batches with those of concurrent requests (group_commit.py: one commit and one synchronous standby's wait
for many events). The project's secret, read again once
the Repository's cache of it is PROJECT_CACHE_S old (a tenth of the requests of 500 gateways at 1,000 events/s),
is read on the loop too, and so are a heartbeat's nonce and last-seen time (storage.HEARTBEAT), a twentieth of
a gateway's requests: in a worker thread they cost the API process more CPU per request than the events
themselves. What is rarer still goes through a worker thread and the Repository: an evidence JPEG to keep, a
held warning's resolution or one past the hold (WarningHold.write's transaction). SQLite has no such path: it is in-process, and its writes take the database's one lock anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy.dialects import postgresql
from starlette.concurrency import run_in_threadpool

from regulator.ingest.group_commit import BatchAborted, GroupCommit
from regulator.ingest.held import STORE_OR_HOLD, WarningHold
from regulator.ingest.receive import (
    WINDOW_S,
    Accepted,
    claimed_project,
    decode_evidence,
    parse_event,
    refuse_replay,
    verify,
)
from regulator.storage.db import libpq_conninfo, sql
from regulator.storage.event_sql import ONE_STATEMENT, event_args
from regulator.storage.nonces import HEARTBEAT, SEEN_EVERY_S, SWEEP_NONCES
from regulator.storage.projects import PROJECT_OF, Project
from regulator.storage.readings import FOLD_HAZARD, opens_series
from regulator.storage.repository import Repository

CONNECTIONS = (
    10  # statements in flight at once; more requests wait for a connection on the loop, not in threads
)
WAIT_S = 10.0  # how long a request waits for a connection before its 503 (the gateway retries it)
# SQLAlchemy's compiler for PostgreSQL's own $1, $2, ... placeholders (each name one number)
# (its __init__ has no annotations in SQLAlchemy, hence the ignore)
_DOLLARS = postgresql.psycopg.dialect(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]


def positional(statement: str) -> tuple[str, tuple[str, ...]]:
    """``statement`` with its :name parameters as PostgreSQL's $n, and the names in $n order.

    The loop sends its statements so, on psycopg's raw cursors: psycopg turns %(name)s placeholders into $n
    itself on every execution unless the query is at most 4,096 characters (psycopg/_queries.py), and a
    warning's statement (held.STORE_OR_HOLD) is longer; parsing it cost 0.4 ms of the API process per
    warning. Raw, nothing is parsed, whatever the length; the statement is the same text the Repository's
    path runs but for the placeholders."""
    compiled = sql(statement).compile(dialect=_DOLLARS)
    return str(compiled), tuple(compiled.positiontup or ())


class LoopIngest:
    """``await ingest(...)``: one signed event stored, as ingest.ingest stores it, on PostgreSQL's asyncio
    pool; ``await close()`` when the app stops. The pool opens at the first event."""

    def __init__(self, repo: Repository, hold: WarningHold, connections: int = CONNECTIONS) -> None:
        if repo.dialect != "postgresql":
            raise ValueError(f"the loop's ingest is for PostgreSQL, not {repo.dialect}")
        self.repo = repo
        self.hold = hold
        self._pool = AsyncConnectionPool(
            libpq_conninfo(repo.engine.url),
            min_size=1,
            max_size=connections,
            timeout=WAIT_S,
            open=False,
            kwargs={"autocommit": True, "cursor_factory": psycopg.AsyncRawCursor},
            name="regulator-events",
        )
        self._opening: asyncio.Task[None] | None = None
        self._slots = asyncio.Semaphore(connections)
        # connections kept between statements (_connection), with when to hand each back and its last use
        self._idle: list[tuple[psycopg.AsyncConnection[Any], float, float]] = []
        self._group = GroupCommit(self._connection)
        self._sql = {
            s: positional(s)
            for s in (
                ONE_STATEMENT,
                STORE_OR_HOLD,
                HEARTBEAT,
                PROJECT_OF,
                SWEEP_NONCES,
                *FOLD_HAZARD,
            )
        }

    async def ingest(self, headers: Mapping[str, str], method: str, path: str, body: bytes) -> Accepted:
        """Authenticate, validate and durably store one request (ingest.ingest's contract and refusals)."""
        code = await self.authenticate(headers, method, path, body)
        event = parse_event(body, code)
        evidence = decode_evidence(event.evidence)
        picture = (
            await run_in_threadpool(self.repo.pictures.put, evidence.jpeg)
            if evidence is not None and evidence.jpeg
            else None
        )
        nonce = headers["X-Sitegw-Nonce"]
        # nonces outlive the window on both sides of now, so a replay can never fall outside both checks
        args = event_args(event, nonce, 2 * WINDOW_S, evidence, picture)
        write = self.hold.writer(event)
        if write is None:
            fresh, duplicate, written = await self._store(ONE_STATEMENT, args)
            held = 0
        else:  # a warning: into its alert's hazard, or held back by flood control
            fresh, duplicate, written, held = await self._store(
                STORE_OR_HOLD, args | {"hold": self.hold.hold_s}
            )
        if not fresh:
            raise refuse_replay(nonce)
        if written and opens_series(args):  # the readings summaries of its series that came first
            # at once: the two touch hazards of opposite directions, so their order is of no matter
            fold = {"p": code, "alert_id": event.alert_id, "yes": True}
            await asyncio.gather(*(self._committed(statement, fold) for statement in FOLD_HAZARD))
        if write is not None and not (duplicate or written or held):
            # resolved, past the hold, or changed meanwhile: flood control decides in a transaction
            stored = await run_in_threadpool(self.repo.store_held, args, write)
            return Accepted(event.event_id, duplicate=not stored)
        return Accepted(event.event_id, duplicate=bool(duplicate))

    async def authenticate(self, headers: Mapping[str, str], method: str, path: str, body: bytes) -> str:
        """ingest.authenticate with the project read on the loop when the Repository's cache has it no
        longer: the project code, or Refusal(401)."""
        code = claimed_project(headers)
        project = self.repo.cached_project(code)
        if project is None:
            row = await self._first(PROJECT_OF, {"code": code})
            project = self.repo.keep_project(code, Project(*row) if row else None)
        return verify(project, code, headers, method, path, body)

    async def heartbeat(self, project: str, nonce: str) -> None:
        """Repository.heartbeat in one statement: the nonce remembered (Refusal(401) if used before) and the
        project's last-seen time moved on."""
        now = time.time()
        args = {"p": project, "n": nonce, "exp": now + 2 * WINDOW_S, "now": now, "stale": now - SEEN_EVERY_S}
        (fresh,) = await self._row(HEARTBEAT, args)
        if not fresh:
            raise refuse_replay(nonce)

    async def _store(self, statement: str, args: dict[str, Any]) -> tuple[int, ...]:
        """Run one of the event statements: its answer (nonce fresh, event a duplicate, event written and,
        for a warning, held); a concurrent request storing the same event_id between its check and insert
        fails the statement on event_ids' key, and the retry finds it a duplicate (as Repository.store_event
        retries). Why a warning is held here rather than in WarningHold.write's worker thread: a third of a
        site's events can be warnings, and a worker thread's contest for the GIL with the event loop held
        every request back (the ingest benchmark's p50 at 1,000 events/s: 140-200 ms with every held
        warning in a thread, 2 ms with none)."""
        for attempt in (1, 2):
            try:
                return tuple(int(n) for n in await self._row(statement, args))
            except psycopg.errors.UniqueViolation:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _row(self, statement: str, args: dict[str, Any]) -> tuple[Any, ...]:
        """One of the writes' statements, whose last SELECT answers one row, always: that row."""
        row = await self._committed(statement, args)
        assert row is not None
        return row

    async def _committed(self, statement: str, args: dict[str, Any]) -> tuple[Any, ...] | None:
        """A write statement committed in a batch with those of concurrent requests (group_commit.py), the
        nonces' sweep before it when due: its first row, if any. Run alone, as _first runs it, when the
        database refused another statement of its batch (nothing of the batch committed)."""
        await self._sweep()
        query, names = self._sql[statement]
        try:
            key = (args["p"], args.get("alert_id", ""))  # the project's row, then its hazard's
            return await self._group.run(key, query, [args[name] for name in names])
        except BatchAborted:
            return await self._first(statement, args)

    async def _first(self, statement: str, args: dict[str, Any]) -> tuple[Any, ...] | None:
        """One statement on a pool connection (the nonces' sweep before it when due): its first row, if any."""
        await self._sweep()
        async with self._connection() as db:
            row = await (await self._execute(db, statement, args)).fetchone()
        return None if row is None else tuple(row)

    async def _sweep(self) -> None:
        """Forget expired nonces when a sweep is due (Repository.sweep_due), in a statement of its own: in a
        batch (group_commit.py) its deletes would hold every request of the batch."""
        sweep = self.repo.sweep_due()
        if sweep is not None:
            async with self._connection() as db:
                await self._execute(db, SWEEP_NONCES, {"now": sweep})

    async def _execute(
        self, db: psycopg.AsyncConnection[Any], statement: str, args: dict[str, Any]
    ) -> psycopg.AsyncCursor[Any]:
        """Execute one of the statements (positional) with its named ``args``."""
        query, names = self._sql[statement]
        return await db.execute(query, [args[name] for name in names])

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A connection of the pool for one statement: one the loop kept from an earlier statement, else the
        pool's; PoolTimeout (503) when none is free within WAIT_S.

        Why the loop keeps its connections between statements rather than handing each back to the pool:
        the pool's checkout and return (its lock, a queue entry and a timed wait for each of the hundreds of
        requests waiting at once) cost the API process about as much CPU per statement as the statement
        itself. A semaphore of the pool's size orders the waiting requests instead. What the pool would do
        with a connection handed back still happens, by handing it back: one that failed (the pool replaces
        it when broken: a database restarted or failed over), one past the pool's max_lifetime, and the
        least recently used once unused for the pool's max_idle (the pool closes it unless it is among
        min_size), so a quiet regulator keeps no more connections than it would have. The pool opens at the
        first."""
        if self._opening is None:
            self._opening = asyncio.ensure_future(self._pool.open(wait=False))
        await self._opening
        try:
            async with asyncio.timeout(WAIT_S):
                await self._slots.acquire()
        except TimeoutError:
            raise PoolTimeout(f"no connection of {self._pool.name!r} free after {WAIT_S:.0f} s") from None
        try:
            if self._idle:  # the most recently used: under light load the others stay unused, and go back
                db, retire_at, _ = self._idle.pop()
            else:
                db, retire_at = await self._pool.getconn(), time.monotonic() + self._pool.max_lifetime
            try:
                yield db
            except BaseException:
                await self._pool.putconn(db)
                raise
            now = time.monotonic()
            if now < retire_at:
                self._idle.append((db, retire_at, now))
            else:
                await self._pool.putconn(db)
            if self._idle and self._idle[0][2] < now - self._pool.max_idle:
                await self._pool.putconn(self._idle.pop(0)[0])
        finally:
            self._slots.release()

    async def close(self) -> None:
        """Close the pool's connections (once the server stopped taking requests)."""
        if self._opening is not None:
            await self._opening
            while self._idle:
                await self._pool.putconn(self._idle.pop()[0])
            await self._pool.close()
