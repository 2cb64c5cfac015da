"""The nonces of signed requests (a gateway's, a city's): each used once within its replay window, and the
project's ``last_seen_at`` moved on by a fresh one. Part of the repository (regulator/storage/repository.py)."""

from __future__ import annotations

import time

from sqlalchemy.engine import Connection, Engine

from regulator.storage.db import sql

NONCE_SWEEP_S = 10.0  # expired nonces are swept at most this often (a sweep per request costs PostgreSQL)
SEEN_EVERY_S = 10.0  # last_seen_at is rewritten at most this often per project


class NonceReused(Exception):
    """The request's nonce was already used within the replay window."""


INSERT_NONCE = "INSERT INTO nonces VALUES (:p, :n, :exp) ON CONFLICT DO NOTHING"
SWEEP_NONCES = "DELETE FROM nonces WHERE expires_at < :now"
TOUCH_PROJECT = (
    "UPDATE projects SET last_seen_at=:now WHERE code=:p AND (last_seen_at IS NULL OR last_seen_at < :stale)"
)
# the request's nonce, and last_seen_at moved on only if the nonce is fresh: the CTEs that begin PostgreSQL's
# one-statement writes (an event's, a heartbeat's)
NONCE_AND_SEEN = (
    "nonce AS (" + INSERT_NONCE + " RETURNING 1), "
    "seen AS (" + TOUCH_PROJECT + " AND EXISTS (SELECT 1 FROM nonce) RETURNING 1)"
)
# PostgreSQL (regulator/ingest/on_loop.py): a heartbeat's writes (Repository.heartbeat's transaction) in one
# statement; answers whether the nonce was fresh (1) or used before (0)
HEARTBEAT = "WITH " + NONCE_AND_SEEN + " SELECT COUNT(*) FROM nonce"
# whether an event id is stored already (idempotency by event_id: regulator/storage/event_sql.py)
IS_STORED = "SELECT COUNT(*) FROM event_ids WHERE event_id = :e"


class Nonces:
    """Using a request's nonce once, and forgetting expired ones (at most every NONCE_SWEEP_S)."""

    engine: Engine
    _next_sweep: float

    @property
    def dialect(self) -> str:
        """``postgresql`` or ``sqlite``."""
        return self.engine.dialect.name

    def sweep_due(self) -> float | None:
        """The time to forget expired nonces before, if a sweep is due: at most one every NONCE_SWEEP_S (a
        sweep per request would cost more than ingest); the caller runs SWEEP_NONCES with it."""
        now = time.time()
        if now < self._next_sweep:
            return None
        self._next_sweep = now + NONCE_SWEEP_S
        return now

    def _sweep_nonces(self, db: Connection) -> None:
        """Forget expired nonces when a sweep is due (sweep_due)."""
        now = self.sweep_due()
        if now is not None:
            db.execute(sql(SWEEP_NONCES), {"now": now})

    def use_nonce(self, db: Connection, project: str, nonce: str, keep_s: float, event_id: str = "") -> bool:
        """Remember a request's nonce inside the caller's transaction; `NonceReused` if seen before.

        Returns whether ``event_id`` is already stored (asked in the same statement: one round trip less).
        """
        self._sweep_nonces(db)
        now = time.time()
        args = {
            "p": project,
            "n": nonce,
            "exp": now + keep_s,
            "e": event_id,
            "now": now,
            "stale": now - SEEN_EVERY_S,
        }
        stored = db.execute(sql(INSERT_NONCE + f" RETURNING ({IS_STORED})"), args).scalar()
        if stored is None:
            raise NonceReused(nonce)
        db.execute(sql(TOUCH_PROJECT), args)
        return bool(stored)

    def heartbeat(self, project: str, nonce: str, keep_nonce_s: float) -> None:
        """Remember the nonce; the project's last_seen_at moves on (a gateway with nothing to report)."""
        with self.engine.begin() as db:
            self.use_nonce(db, project, nonce, keep_nonce_s)
