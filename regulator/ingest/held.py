"""Flood control: a warning the site resolves within minutes is counted, not put in the ledger.

The ledger takes every alarm and critical event at once. A warning (预警: approaching a limit) of an alert
that has no hazard yet is held: its events are kept in ``held_events`` and the alert in ``held_warnings``.
What becomes of it:

- the site resolves it within the hold (site time, resolution ``ts`` minus first ``ts``): the episode is
  counted in ``warning_counts`` (per project and rule: episodes and their events), and stays out of
  the review queue. A site flapping a warning a thousand times makes one counter of 1,000, no hazard;
- it is still open once the hold has passed, by the site's times (a later event of it shows so, or its
  resolution came after the hold) or by the regulator's clock since it first heard of it (the upkeep
  checks every minute, so a backfilled episode's resolution has the hold to arrive): it becomes a
  hazard, its held events moved into ``events`` as if they had gone there at once;
- the alert reaches alarm or critical: that event opens the hazard at once (the ordinary path), and the
  upkeep moves the held warning events into it (first time, peak) at its next run.

Either way the readings summaries of the alert's series from the time it was held count toward the
hazard's peak once it is one (storage.fold_hazard).

Events of a counted episode arriving late (a redelivered acknowledgement) are kept and counted as
events. Safe in several API processes at once: promotion claims the held row (``held`` -> ``promoted``)
before it moves anything.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from contract.alert_event import AlertEvent
from regulator.names import rule_name
from regulator.storage.db import sql
from regulator.storage.event_sql import (
    EVENT_ID_ROW,
    EVENT_ROW,
    EVIDENCE_ROW,
    HAZARD_ROW,
    IF_HAZARD,
    INSERT_EVENT_ID,
    INSERT_EVIDENCE,
    EventWriter,
    _event_args,
    one_statement,
    write_event,
)
from regulator.storage.readings import fold_hazard
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor

DEFAULT_HOLD_S = 600.0

HAZARD_OF = "SELECT 1 FROM hazards WHERE project = :p AND alert_id = :alert_id"
_HELD_ROW = (
    "INSERT INTO held_warnings(project, alert_id, rule, first_ts, last_ts, site_state, received_at, state) "
    "{source} :p, :alert_id, :rule, :ts, :ts, :s, :received, 'held'"
)
# first and newest site times; the site's state of the newest event
_HELD_MERGE = (
    "ON CONFLICT (project, alert_id) DO UPDATE SET "
    "first_ts=CASE WHEN excluded.first_ts < held_warnings.first_ts THEN excluded.first_ts "
    "ELSE held_warnings.first_ts END, "
    "site_state=CASE WHEN excluded.last_ts >= held_warnings.last_ts THEN excluded.site_state "
    "ELSE held_warnings.site_state END, "
    "last_ts=CASE WHEN excluded.last_ts > held_warnings.last_ts THEN excluded.last_ts ELSE held_warnings.last_ts END "
)
UPSERT_HELD = (
    _HELD_ROW.format(source="VALUES (")
    + ") "
    + _HELD_MERGE
    + "RETURNING state, first_ts, last_ts, site_state"
)
_HELD_EVENT = (
    "INSERT INTO held_events(event_id, project, alert_id, state, level, ts, backfill, received_at, body, "
    "has_evidence) {source} :e, :p, :alert_id, :s, :l, :ts, :b, :received, :body, :has_evidence"
)
INSERT_HELD_EVENT = _HELD_EVENT.format(source="VALUES (") + ")"
# PostgreSQL (regulator/ingest/on_loop.py): a warning's request in one statement. ONE_STATEMENT_IF_HAZARD's
# writes (the nonce; the event into its alert's hazard, if the alert is one already), and else WarningHold.write's
# usual case: it holds the event back when the nonce is fresh, the event new, the alert still no hazard, and
# the held warning stays held with nothing more to do: not resolved by the site and not yet past the hold
# (:hold) by the site's times. Otherwise only the nonce is written, and WarningHold.write decides in a
# transaction of its own. Answers (nonce fresh, event a duplicate, event written into a hazard, held
# warnings written: 0 or 1). One statement rather than two saves a third of a site's events (its warnings) a
# round trip and a commit; it is longer than psycopg keeps parsed, so the loop sends it with PostgreSQL's own
# $n placeholders (on_loop.positional).
STORE_OR_HOLD = one_statement(
    "AND " + IF_HAZARD,
    more=", held AS ("
    + _HELD_ROW.format(source="SELECT")
    + " WHERE :s <> 'resolved' AND EXISTS (SELECT 1 FROM nonce) AND NOT EXISTS (SELECT 1 FROM dup) "
    "AND NOT EXISTS (" + HAZARD_OF + ") " + _HELD_MERGE + "WHERE held_warnings.state = 'held' "
    "AND GREATEST(excluded.last_ts, held_warnings.last_ts) - LEAST(excluded.first_ts, held_warnings.first_ts) "
    "< :hold AND CASE WHEN excluded.last_ts >= held_warnings.last_ts THEN excluded.site_state "
    "ELSE held_warnings.site_state END <> 'resolved' RETURNING 1), "
    "held_event AS (" + _HELD_EVENT.format(source="SELECT") + " FROM held), "
    "held_known AS (" + INSERT_EVENT_ID.format(source="SELECT") + " FROM held), "
    "held_proof AS ("
    + INSERT_EVIDENCE.format(source="SELECT", h="CAST(NULL AS BIGINT)")
    + " FROM held WHERE :has_evidence)",
    answer=", (SELECT COUNT(*) FROM held)",
)
COUNT = (
    "INSERT INTO warning_counts(project, rule, episodes, events, first_ts, last_ts) "
    "VALUES (:p, :rule, :episodes, :events, :ts, :ts) "
    "ON CONFLICT (project, rule) DO UPDATE SET episodes = warning_counts.episodes + excluded.episodes, "
    "events = warning_counts.events + excluded.events, "
    "first_ts = CASE WHEN excluded.first_ts < warning_counts.first_ts THEN excluded.first_ts "
    "ELSE warning_counts.first_ts END, "
    "last_ts = CASE WHEN excluded.last_ts > warning_counts.last_ts THEN excluded.last_ts "
    "ELSE warning_counts.last_ts END"
)
COUNTED = "UPDATE held_warnings SET state = 'counted' WHERE project = :p AND alert_id = :alert_id"
CLAIM = "UPDATE held_warnings SET state = 'promoted' WHERE project = :p AND alert_id = :alert_id AND state = 'held'"
# the upkeep's: held past the hold by the regulator's clock, or the alert has a hazard already (it escalated)
WAITING = (
    "SELECT w.project, w.alert_id FROM held_warnings w WHERE w.state = 'held' AND (w.received_at <= :cutoff "
    "OR EXISTS (SELECT 1 FROM hazards h WHERE h.project = w.project AND h.alert_id = w.alert_id)) "
    "ORDER BY w.received_at LIMIT 1000"
)


@dataclass(frozen=True, slots=True)
class WarningHold:
    """Flood control with a hold of ``hold_s`` seconds (0: every warning goes to the ledger at once)."""

    hold_s: float = DEFAULT_HOLD_S

    def writer(self, event: AlertEvent) -> EventWriter | None:
        """How ingest writes ``event``: held back if it is a warning (None: the ordinary path)."""
        return self.write if event.level == "warning" and self.hold_s > 0 else None

    def write(self, db: Connection, args: dict[str, Any]) -> None:
        """Write an accepted warning event (storage's ``_event_args``) inside the ingest transaction."""
        if db.execute(sql(HAZARD_OF), args).first() is not None:  # the alert is a hazard already
            write_event(db, args)
            return
        state, first_ts, last_ts, site_state = db.execute(sql(UPSERT_HELD), args).one()
        db.execute(sql(INSERT_HELD_EVENT), args)
        db.execute(sql(EVENT_ID_ROW), args)
        if args["has_evidence"]:  # the picture's record, without a hazard until the alert becomes one
            db.execute(sql(EVIDENCE_ROW), args | {"h": None})
        if state == "held" and last_ts - first_ts >= self.hold_s:
            promote(db, args["p"], args["alert_id"])
        elif state == "held" and site_state == "resolved":
            db.execute(sql(COUNTED), args)
            episode = db.execute(
                sql("SELECT COUNT(*) FROM held_events WHERE project = :p AND alert_id = :alert_id"), args
            ).scalar_one()
            db.execute(sql(COUNT), args | {"episodes": 1, "events": episode})
        elif state == "counted":  # a late event of an episode already counted
            db.execute(sql(COUNT), args | {"episodes": 0, "events": 1})
        elif state == "promoted":  # promoted meanwhile by another process: follow it into the hazard
            move(db, args["p"], args["alert_id"])

    def promote_waiting(self, repo: Repository, now: float | None = None) -> int:
        """The upkeep's part: make hazards of held warnings still open past the hold (by the regulator's
        clock) and of those whose alert escalated to a hazard; how many."""
        cutoff = (time.time() if now is None else now) - self.hold_s
        with repo.engine.connect() as db:
            waiting = db.execute(sql(WAITING), {"cutoff": cutoff}).all()
        for project, alert_id in waiting:
            with repo.engine.begin() as db:
                promote(db, project, alert_id)
        return len(waiting)


def promote(db: Connection, project: str, alert_id: str) -> None:
    """Make a hazard of a held warning, if this transaction is the one to claim it."""
    if db.execute(sql(CLAIM), {"p": project, "alert_id": alert_id}).rowcount == 1:
        move(db, project, alert_id)


def move(db: Connection, project: str, alert_id: str) -> None:
    """Move a promoted alert's held events into its hazard (opening it), as ingest would have written them."""
    now = time.time()
    held = db.execute(
        sql(
            "SELECT id, event_id, received_at, has_evidence, body FROM held_events "
            "WHERE project = :p AND alert_id = :a ORDER BY ts, id"
        ),
        {"p": project, "a": alert_id},
    ).all()
    for row_id, event_id, received_at, has_evidence, body in held:
        args = _event_args(AlertEvent.model_validate_json(body), None, None, now, received_at)
        args |= {"body": body, "evidence_event": event_id if has_evidence else None}
        args["h"] = db.execute(sql(HAZARD_ROW), args).scalar_one()
        db.execute(sql(EVENT_ROW), args)
        db.execute(sql("UPDATE evidence SET hazard_id = :h WHERE event_id = :e AND hazard_id IS NULL"), args)
        db.execute(sql("DELETE FROM held_events WHERE id = :i"), {"i": row_id})
    # the readings summaries it holds from the time it was held (its worst may be one of them)
    fold_hazard(db, project, alert_id)


@dataclass(frozen=True, slots=True)
class WarningCount:
    """Warnings of one project and rule that the site resolved within the hold."""

    project: str
    project_name: str
    rule: str
    episodes: int
    events: int
    first_ts: float | None
    last_ts: float | None

    @property
    def rule_name(self) -> str:
        """The check's Chinese name."""
        return rule_name(self.rule)


def counts(repo: Repository, actor: Actor) -> tuple[list[WarningCount], int]:
    """The counters of the projects ``actor`` may see (most episodes first) and how many of their warnings
    are held now."""
    with repo.scoped(actor) as db:
        rows = db.execute(
            "SELECT c.project, p.name, c.rule, c.episodes, c.events, c.first_ts, c.last_ts "
            f"FROM warning_counts c JOIN {PROJECTS} p ON p.code = c.project "
            "ORDER BY c.episodes DESC, c.project, c.rule LIMIT 1000"
        ).all()
        held = db.execute(
            f"SELECT COUNT(*) FROM held_warnings w JOIN {PROJECTS} p ON p.code = w.project WHERE w.state = 'held'"
        ).scalar_one()
    return [WarningCount(*r) for r in rows], held
