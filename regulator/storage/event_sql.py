"""The statements that store an accepted event: its hazard (one per alert: the highest level, the newest
facts and the worst value win), the event, its id and its evidence record; as statements of one transaction
(SQLite, `write_event`) or as one statement (PostgreSQL, `one_statement`). Used by the repository
(regulator/storage/events.py) and by ingest on the event loop (regulator/ingest/)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection

from contract.alert_event import LEVEL_RANK, AlertEvent
from regulator.peaks import direction, metric_of, number
from regulator.storage.db import sql
from regulator.storage.evidence import Evidence, StoredPicture
from regulator.storage.nonces import NONCE_AND_SEEN, SEEN_EVERY_S
from regulator.storage.readings import fold_hazard, opens_series


def stored_body(event: AlertEvent, picture: StoredPicture | None) -> str:
    """The event as kept: an inline picture (kept once, on disk) is replaced by ``sha256:<hex>``."""
    if picture is None:
        return event.model_dump_json()
    return event.model_copy(update={"evidence": f"sha256:{picture.sha256}"}).model_dump_json()


# The writes of one accepted event, shared by the one-statement path (PostgreSQL) and the
# statement-per-table path (SQLite). ``{guard}``, ``{h}`` and ``{source}`` are where the two differ.
_NEWER = "excluded.last_ts >= hazards.last_ts"
# the peak: the worst value of the hazard's firing and updated events (and of its readings summaries:
# FOLD_READINGS), by the hazard's direction (``peak_dir``: 1 higher is worse, -1 lower, a clearance; the
# firing event's, which is past its limit, else the first event's); an acknowledgement or the resolution,
# which carry the value at that moment (an overload resolved at 32 %), only stands in until a firing or
# updated event arrives; a text value (a licence number) has no direction, and the worst level's first
# event stands. Column by column from the row as it was (ON CONFLICT's SET reads the old row throughout).
_DIR = (
    "CASE WHEN excluded.site_state = 'firing' AND excluded.peak_dir IS NOT NULL THEN excluded.peak_dir "
    "ELSE COALESCE(hazards.peak_dir, excluded.peak_dir) END"
)
# (a NULL anywhere in the values' comparison, text or no direction, leaves it to the levels)
_PEAK = (
    "CASE WHEN excluded.peak_firing <> hazards.peak_firing THEN excluded.peak_firing "
    f"ELSE COALESCE((excluded.peak_value - hazards.peak_value) * {_DIR} > 0, "
    "excluded.level_rank > hazards.level_rank) END"
)
PEAK = ("peak_value", "peak_threshold", "peak_message", "peak_ts", "peak_firing")
# the clause of the worst level reached (a firing event's over a stand-in's of its level)
_CLAUSE = (
    "clause=CASE WHEN excluded.level_rank > hazards.level_rank OR (excluded.level_rank = hazards.level_rank "
    "AND excluded.peak_firing AND NOT hazards.peak_firing) THEN excluded.clause ELSE hazards.clause END, "
)
# the hazard (one per alert) an event belongs to, opened as ``pending`` on its first event; the highest
# level and the newest site-side facts win, so out-of-order redelivery cannot lower it
UPSERT_HAZARD = (
    "INSERT INTO hazards(project, alert_id, city, district, device, point, rule, clause, level, level_rank, "
    "message, value, threshold, unit, site_state, first_ts, last_ts, evidence_event, state, updated_at, "
    "peak_value, peak_threshold, peak_message, peak_ts, peak_firing, peak_dir, peak_metric) "
    "SELECT :p, :alert_id, p.city, p.district, :device, :point, :rule, :clause, :l, :rank, "
    ":message, :value, :threshold, :unit, :s, :ts, :ts, :evidence_event, 'pending', :now, "
    ":peak_value, :threshold, :message, :ts, :peak_firing, :dir, :metric "
    "FROM projects p WHERE p.code=:p {guard} "
    "ON CONFLICT (project, alert_id) DO UPDATE SET "
    # the peak's columns in one row-valued SET, so its condition is written (and evaluated) once: with it
    # six times the statement passed psycopg's 4,096-character limit for caching its parsed form, which
    # cost every event a parse
    f"({', '.join(PEAK)}, peak_dir) = (SELECT "
    + ", ".join(f"CASE WHEN better THEN excluded.{column} ELSE hazards.{column} END" for column in PEAK)
    + f", dir FROM (SELECT {_PEAK} AS better, {_DIR} AS dir) AS peak), "
    "peak_metric=COALESCE(hazards.peak_metric, excluded.peak_metric), "
    + _CLAUSE
    + "level=CASE WHEN excluded.level_rank > hazards.level_rank THEN excluded.level ELSE hazards.level END, "
    "level_rank=CASE WHEN excluded.level_rank > hazards.level_rank THEN excluded.level_rank "
    "ELSE hazards.level_rank END, "
    f"message=CASE WHEN {_NEWER} AND excluded.message <> '' THEN excluded.message ELSE hazards.message END, "
    f"value=CASE WHEN {_NEWER} THEN excluded.value ELSE hazards.value END, "
    f"threshold=CASE WHEN {_NEWER} THEN excluded.threshold ELSE hazards.threshold END, "
    f"site_state=CASE WHEN {_NEWER} THEN excluded.site_state ELSE hazards.site_state END, "
    "first_ts=CASE WHEN excluded.first_ts < hazards.first_ts THEN excluded.first_ts ELSE hazards.first_ts END, "
    f"last_ts=CASE WHEN {_NEWER} THEN excluded.last_ts ELSE hazards.last_ts END, "
    "evidence_event=COALESCE(excluded.evidence_event, hazards.evidence_event), "
    "updated_at=excluded.updated_at RETURNING id"
)
INSERT_EVENT = (
    "INSERT INTO events(event_id, hazard_id, project, state, level, ts, backfill, received_at, body) "
    "{source} :e, {h}, :p, :s, :l, :ts, :b, :received, :body"
)
# idempotency by event_id (events is partitioned on PostgreSQL, so it cannot keep UNIQUE(event_id));
# without ON CONFLICT, so a concurrent duplicate fails on this table's primary key and is retried
INSERT_EVENT_ID = "INSERT INTO event_ids(event_id, received_at) {source} :e, :received"
INSERT_EVIDENCE = (
    "INSERT INTO evidence(event_id, hazard_id, purpose, kind, sha256, size, url, created_at) "
    "{source} :e, {h}, 'event', :k, :sha, :size, :url, :received"
)


# SQLite: one statement per table inside a transaction, the hazard id passed on as ``:h``
HAZARD_ROW = UPSERT_HAZARD.format(guard="")
EVENT_ROW = INSERT_EVENT.format(source="VALUES (", h=":h") + ")"
EVIDENCE_ROW = INSERT_EVIDENCE.format(source="VALUES (", h=":h") + ")"
EVENT_ID_ROW = INSERT_EVENT_ID.format(source="VALUES (") + ")"
# PostgreSQL: all of it in one statement; each step runs only if the nonce is fresh and the event new


def one_statement(guard: str = "", more: str = "", answer: str = "") -> str:
    """The PostgreSQL statement; ``guard``: a further condition on writing the event (nothing but the nonce
    is written when it fails). Answers (nonce fresh, event a duplicate, event written); ``more``: CTEs of
    further writes, which may use those of the event (``nonce``, ``dup``), and ``answer``: further columns
    of the answer (flood control's, regulator/ingest/held.py)."""
    return (
        "WITH " + NONCE_AND_SEEN + ", "
        "dup AS (SELECT 1 FROM event_ids WHERE event_id = :e), "
        "hazard AS ("
        + UPSERT_HAZARD.format(
            guard=f"AND EXISTS (SELECT 1 FROM nonce) AND NOT EXISTS (SELECT 1 FROM dup) {guard}"
        )
        + "), "
        "event AS ("
        + INSERT_EVENT.format(source="SELECT", h="hazard.id")
        + " FROM hazard RETURNING hazard_id), "
        "known AS (" + INSERT_EVENT_ID.format(source="SELECT") + " FROM hazard), "
        "proof AS ("
        + INSERT_EVIDENCE.format(source="SELECT", h="event.hazard_id")
        + " FROM event WHERE :has_evidence)"
        + more
        + " SELECT (SELECT COUNT(*) FROM nonce), (SELECT COUNT(*) FROM dup), (SELECT COUNT(*) FROM hazard)"
        + answer
    )


ONE_STATEMENT = one_statement()
# an event held back unless its alert is a hazard already (flood control's warnings, regulator/ingest/held.py)
IF_HAZARD = "EXISTS (SELECT 1 FROM hazards h WHERE h.project = :p AND h.alert_id = :alert_id)"
ONE_STATEMENT_IF_HAZARD = one_statement("AND " + IF_HAZARD)


def _event_args(
    event: AlertEvent,
    evidence: Evidence | None,
    picture: StoredPicture | None,
    now: float,
    received_at: float,
) -> dict[str, Any]:
    """The bind parameters of UPSERT_HAZARD, INSERT_EVENT and INSERT_EVIDENCE for one event."""
    return {
        "e": event.event_id,
        "p": event.project,
        "alert_id": event.alert_id,
        "device": event.device,
        "point": event.point,
        "rule": event.rule,
        "clause": event.clause,
        "l": event.level,
        "rank": LEVEL_RANK[event.level],
        "message": event.message,
        "value": "" if event.value is None else str(event.value),
        "peak_value": number(event.value),
        "peak_firing": event.state in ("firing", "updated"),
        "dir": direction(event),
        "metric": metric_of(event.rule),
        "threshold": event.threshold,
        "unit": event.unit,
        "s": event.state,
        "ts": event.ts,
        "b": event.backfill,
        "now": now,
        "received": received_at,
        "body": stored_body(event, picture),
        "evidence_event": event.event_id if evidence is not None else None,
        "has_evidence": evidence is not None,
        "k": "url" if picture is None else "stored",
        "sha": picture and picture.sha256,
        "size": picture and picture.size,
        "url": evidence and evidence.url,
    }


def event_args(
    event: AlertEvent,
    nonce: str,
    keep_nonce_s: float,
    evidence: Evidence | None,
    picture: StoredPicture | None,
    received_at: float | None = None,
) -> dict[str, Any]:
    """The bind parameters of storing one event and using its request's nonce (ONE_STATEMENT and the
    statements of write_event), as of now; ``picture``: the event's JPEG once kept in the evidence store."""
    now = time.time()
    args = _event_args(event, evidence, picture, now, now if received_at is None else received_at)
    args.update({"n": nonce, "exp": now + keep_nonce_s, "keep": keep_nonce_s, "stale": now - SEEN_EVERY_S})
    return args


EventWriter = Callable[[Connection, dict[str, Any]], None]


def write_event(db: Connection, args: dict[str, Any]) -> None:
    """Write an accepted event (``_event_args``) into its hazard, opening the hazard on its first event:
    the hazard, the event, its id and its evidence record; the hazard's id is left in ``args["h"]``."""
    args["h"] = db.execute(sql(HAZARD_ROW), args).scalar_one()
    db.execute(sql(EVENT_ROW), args)
    db.execute(sql(EVENT_ID_ROW), args)
    if args["has_evidence"]:
        db.execute(sql(EVIDENCE_ROW), args)
    if opens_series(args):  # the readings summaries of its series that came before it
        fold_hazard(db, args["p"], args["alert_id"])
