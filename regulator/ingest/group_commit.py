"""Group commit: the write statements of concurrent requests committed together, on PostgreSQL.

Why: each event was one autocommitted statement, so one commit, one WAL flush and, on a highly available
database (tests/servers/pg_ha.py), one wait for the synchronous standby, with the walsender, the standby's
walreceiver and its startup process woken for every event. Per event that cost PostgreSQL more CPU than the
statement itself. Here the statements queued while a batch runs go in the next batch: one transaction sent
in one round trip (psycopg's pipeline mode), one commit and one standby wait for all of them.

A statement's answer is handed back only once its batch committed, so a request answered 2xx has its
writes on the primary and, where there is one, the synchronous standby. A batch that fails leaves nothing
committed: when the database refused one of its statements (a key a concurrent request took, a deadlock)
every statement of it gets BatchAborted, and its request runs it alone as before, so one request's
refusal is never its neighbours'; when the connection failed (a primary lost) the outcome is unknown and
every request gets the error (a 5xx: the gateway sends it again, freshly signed, and finds it stored).

A batch holds the row locks its statements took until it commits, so it must never take them in an order
another transaction could take the other way round (a deadlock, which PostgreSQL breaks only after
deadlock_timeout, a second, failing one of the two). An event's statement locks its hazard, then the
project's kept figures (hazard_figures, by its hazards' triggers); two statements of one project in one
batch would lock the second's hazard after the first's figures, the opposite of every lone statement, and
40 concurrent events of one project deadlocked so. So a batch takes at most one statement of each project
(``key``'s first item), the others waiting for the next batch in the order they came, and its statements
run sorted by ``key`` (the project, then the alert), so that any two batches take the projects' rows in one
order. A lone statement that loses a deadlock all the same (with a reviewer's transaction) is rolled back
whole, and run again like a refused batch.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import psycopg

Connect = Callable[[], contextlib.AbstractAsyncContextManager[psycopg.AsyncConnection[Any]]]
Key = tuple[str, ...]
Queued = tuple[Key, str, Sequence[Any], "asyncio.Future[tuple[Any, ...] | None]"]
# a connection's failure, not the statements': whether the batch committed is unknown (connection
# exceptions, operator intervention such as a server shutting down)
UNKNOWN = ("08", "57")
AGAIN = ("40P01", "40001")  # deadlock detected, serialization failure: the statement may simply run again

FLUSHERS = 2  # batches in flight at once: one executes while another waits for its commit
MOST = 100  # statements in one batch at most (a batch's execution time is every request's wait)


class BatchAborted(Exception):
    """The database refused a statement of the batch: nothing of the batch is committed (run it alone)."""


class GroupCommit:
    """``await run(key, query, params)``: one statement (PostgreSQL's $n placeholders) committed in a batch
    with those of concurrent requests; its first row, if any. Connections come from ``connect``."""

    def __init__(self, connect: Connect, flushers: int = FLUSHERS, most: int = MOST) -> None:
        self._connect = connect
        self._flushers = flushers
        self._most = most
        self._queue: list[Queued] = []
        self._running: set[asyncio.Task[None]] = set()  # kept referenced: the loop holds tasks weakly

    async def run(self, key: Key, query: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        """The statement's first row once its batch committed; BatchAborted when the database refused a
        statement of the batch (nothing committed), the connection's error when it failed. ``key``: the
        rows it locks, in order (module docstring)."""
        done: asyncio.Future[tuple[Any, ...] | None] = asyncio.get_running_loop().create_future()
        self._queue.append((key, query, params, done))
        if len(self._running) < self._flushers:
            task = asyncio.ensure_future(self._flush())
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        return await done

    async def _flush(self) -> None:
        """Commit batches of what is queued until nothing is."""
        while self._queue:
            batch, self._queue = self._next_batch()
            try:
                rows = await self._commit(batch)
            except Exception as e:  # no statement is left waiting, whatever failed
                _answer(batch, e)
            except BaseException as e:  # cancelled (the loop stops): neither is anything queued
                _answer(batch + self._queue, e)
                self._queue = []
                raise
            else:
                for (_, _, _, done), row in zip(batch, rows, strict=True):
                    if not done.done():  # its request may have been cancelled meanwhile
                        done.set_result(row)

    def _next_batch(self) -> tuple[list[Queued], list[Queued]]:
        """The next batch, sorted by key: at most ``most`` statements and one of each project, in the order
        they came (module docstring); and what stays queued."""
        batch: list[Queued] = []
        waiting: list[Queued] = []
        projects: set[str] = set()
        for queued in self._queue:
            project = queued[0][0]
            if len(batch) < self._most and project not in projects:
                projects.add(project)
                batch.append(queued)
            else:
                waiting.append(queued)
        batch.sort(key=lambda queued: queued[0])
        return batch, waiting

    async def _commit(self, batch: list[Queued]) -> list[tuple[Any, ...] | None]:
        """The batch in one transaction and one round trip; each statement's first row. BatchAborted when
        the database refused a statement of several (the transaction rolled back, the connection fine);
        a lone statement's error, or the connection's (PoolTimeout: none free), as it is."""
        async with self._connect() as db:
            try:
                if len(batch) == 1:  # autocommitted: BEGIN and COMMIT would be two statements more to send
                    cursors = [await db.execute(batch[0][1], batch[0][2])]
                else:
                    async with db.pipeline(), db.transaction():
                        cursors = [await db.execute(query, params) for _, query, params, _ in batch]
            except psycopg.Error as e:
                unknown = db.broken or db.closed or e.sqlstate is None or e.sqlstate.startswith(UNKNOWN)
                # a lone statement's error is its own (it ran alone already), but for losing a deadlock or
                # a serialization conflict: rolled back whole, it runs again
                if unknown or (len(batch) == 1 and e.sqlstate not in AGAIN):
                    raise
                raise BatchAborted(f"{type(e).__name__}: {e}") from e
            # a statement without RETURNING (an UPDATE) answers no row
            rows = [await cursor.fetchone() if cursor.description else None for cursor in cursors]
        return [None if row is None else tuple(row) for row in rows]


def _answer(batch: list[Queued], error: BaseException) -> None:
    """Every statement of a failed batch gets ``error``."""
    for _, _, _, done in batch:
        if not done.done():
            done.set_exception(error)
