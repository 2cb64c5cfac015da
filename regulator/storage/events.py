"""Storing what a gateway's alert says: the event into its hazard, with its evidence picture, durable before
the answer (regulator/storage/event_sql.py holds the statements), and reading the events back. Part of the
repository (regulator/storage/repository.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from contract.alert_event import AlertEvent
from regulator.storage.db import sql
from regulator.storage.event_sql import (
    ONE_STATEMENT,
    ONE_STATEMENT_IF_HAZARD,
    EventWriter,
    event_args,
    write_event,
)
from regulator.storage.evidence import Evidence, PictureStore
from regulator.storage.nonces import IS_STORED, NonceReused, Nonces
from regulator.storage.readings import fold_hazard, opens_series


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as the regulator keeps it: receive order ``id`` and time, and the event."""

    id: int
    received_at: float
    event: AlertEvent


class Events(Nonces):
    """Storing accepted events and reading them back."""

    pictures: PictureStore

    def store_event(
        self,
        event: AlertEvent,
        nonce: str,
        keep_nonce_s: float,
        evidence: Evidence | None = None,
        received_at: float | None = None,
        write: EventWriter | None = None,
    ) -> bool:
        """Remember the request's nonce and store the event, its hazard and its evidence in one commit.

        Returns False if this event_id was stored before (the nonce is still remembered); raises
        `NonceReused` if the nonce was seen within ``keep_nonce_s`` (nothing is written then).
        ``received_at`` is now unless an older database is being adopted (regulator/storage/legacy.py).
        ``write`` writes the event once its nonce and id passed (default `write_event`: into its hazard);
        flood control (regulator/ingest/held.py) holds warnings back with its own.
        """
        picture = self.pictures.put(evidence.jpeg) if evidence is not None and evidence.jpeg else None
        args = event_args(event, nonce, keep_nonce_s, evidence, picture, received_at)
        for attempt in (1, 2):
            try:
                if self.dialect == "postgresql" and write is None:
                    return self._store_event_one_statement(args)
                if self.dialect == "postgresql" and write is not None:
                    return self._store_event_unless_held(args, write)
                return self._store_event_statements(args, write or write_event)
            except sa.exc.IntegrityError:
                # the same event_id committed by a concurrent request between our check and insert
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _store_event_one_statement(self, args: dict[str, Any]) -> bool:
        """PostgreSQL: nonce, duplicate check, hazard, event and evidence in one autocommitted statement.

        One round trip instead of seven: at a few hundred events a second the receiver spends its time
        waiting on the network to the database, not computing. A statement is atomic, so a reused nonce
        (the ``nonce`` CTE inserts nothing) or a duplicate event (``dup``) writes nothing else.
        """
        _, duplicate, written = self._one_statement(ONE_STATEMENT, args)
        if written:
            self.fold_opened(args)
        return not duplicate

    def fold_opened(self, args: dict[str, Any]) -> None:
        """PostgreSQL, after the one statement stored an event: `fold_hazard` in a transaction of its own
        when the event opens a hazard of a series the readings summaries carry."""
        if opens_series(args):
            with self.engine.begin() as db:
                fold_hazard(db, args["p"], args["alert_id"])

    def _one_statement(self, statement: str, args: dict[str, Any]) -> tuple[int, int, int]:
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
            self._sweep_nonces(db)
            fresh, duplicate, written = db.execute(sql(statement), args).one()
        if not fresh:
            raise NonceReused(args["n"])
        return fresh, duplicate, written

    def _store_event_unless_held(self, args: dict[str, Any], write: EventWriter) -> bool:
        """PostgreSQL, an event ``write`` may hold back (a warning): into its hazard in one statement as
        above when the alert is one already (most of a hazard's later events), else ``write`` in a
        transaction of its own (the nonce is used by then; the event id is asked again, since a
        concurrent copy may have been stored meanwhile, and its key on event_ids catches one that commits
        while this one writes: a duplicate either way, never a retry that would find the nonce used)."""
        _, duplicate, written = self._one_statement(ONE_STATEMENT_IF_HAZARD, args)
        if written:
            self.fold_opened(args)
        if duplicate or written:
            return not duplicate
        return self.store_held(args, write)

    def store_held(self, args: dict[str, Any], write: EventWriter) -> bool:
        """PostgreSQL, the second step of an event flood control may hold back, once ONE_STATEMENT_IF_HAZARD
        found no hazard for its alert (and used the request's nonce): ``write`` in a transaction of its
        own; whether the event was stored (False: a concurrent copy was)."""
        try:
            with self.engine.begin() as db:
                if db.execute(sql(IS_STORED), args).scalar():
                    return False
                write(db, args)
        except sa.exc.IntegrityError:  # event_ids' key: a concurrent copy committed between the two steps
            return False
        return True

    def _store_event_statements(self, args: dict[str, Any], write: EventWriter) -> bool:
        """SQLite (and a ``write`` of its own): the same writes as statements of one transaction (no
        data-modifying CTEs on SQLite; the database is in-process, so extra statements cost no round trips)."""
        with self.engine.begin() as db:
            if self.use_nonce(db, args["p"], args["n"], args["keep"], args["e"]):
                return False
            write(db, args)
        return True

    def events(self, project: str | None = None) -> list[StoredEvent]:
        """Every accepted event in the order they were received: those of hazards and the warnings flood
        control holds or counted (``held_events``; ``id`` numbers each table on its own)."""
        where, args = ("WHERE project=:p", {"p": project}) if project else ("", {})
        with self.engine.connect() as db:
            rows = db.execute(
                sql(
                    f"SELECT id, received_at, body FROM events {where} UNION ALL "
                    f"SELECT id, received_at, body FROM held_events {where} ORDER BY 2, 1"
                ),
                args,
            ).all()
        return [StoredEvent(i, at, AlertEvent.model_validate_json(body)) for i, at, body in rows]

    def evidence_jpeg(self, event_id: str) -> bytes | None:
        """The evidence JPEG stored with an event, if it came inline."""
        with self.engine.connect() as db:
            row = db.execute(
                sql("SELECT sha256 FROM evidence WHERE event_id=:e AND kind='stored'"), {"e": event_id}
            ).first()
        return self.pictures.get(row[0]) if row else None
