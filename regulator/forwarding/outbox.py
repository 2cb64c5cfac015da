"""The city's side of forwarding in its database: switching it on, the queued changes, the rows they
stand for, and deleting what the province took.

Why a table filled by a trigger rather than a change log read by position: ids from a sequence are handed
out when a row is written, not when its transaction commits, so a reader that remembers "sent up to id N"
can pass over a row whose transaction commits after a higher one was read, and lose it for good. Rows of
an outbox are deleted one by one once the province has taken them: a late commit is simply still there
at the next read. A trigger writes the row in the changing transaction, so a change and its queued row
commit or vanish together, whichever code path made it (the events' one-statement path, the review loop,
the CLI, a future one). The triggers are installed when forwarding is switched on, not by a migration: a
province, or a city that never forwards, would otherwise run one on every ingested event for nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from regulator.forwarding import evidence_links, liveness, pictures, project_lists, site_logs, warnings
from regulator.forwarding.wire import KINDS, MAX_BATCH, Kind, Record
from regulator.storage.db import sql
from regulator.storage.projects import LIVENESS

# kind -> (table, key column)
TABLES: dict[Kind, tuple[str, str]] = {
    "project": ("projects", "code"),
    "hazard": ("hazards", "id"),
    "action": ("actions", "id"),
    "listing": ("listings", "id"),
    "notice": ("notices", "id"),
    "incident": ("incidents", "id"),
    "incident_report": ("incident_reports", "id"),
    "enforcement_action": ("enforcement_actions", "id"),
    "person_score": ("person_scores", "id"),
    "enforcement": ("enforcement", "id"),
    "reinspection": ("reinspections", "id"),
}
# kind -> the columns whose update is a change worth forwarding (absent: any); not a project's last_seen_at,
# rewritten every few seconds while a gateway is online
WATCHED: dict[Kind, tuple[str, ...]] = {
    "project": ("name", "city", "district", "contractor", "supervisor", "district_id", "lat", "lon"),
}
# a key of two columns (a warning's site: warning_id, project) is queued as ``A:B``; a row deleted (a kind of
# REMOVED) is queued by its key as it was
ENQUEUE = """
CREATE OR REPLACE FUNCTION forward_enqueue() RETURNS trigger AS $$
DECLARE r jsonb;
BEGIN
  IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;
  INSERT INTO forward_outbox(kind, ref, queued_at)
  VALUES (TG_ARGV[0], CASE WHEN TG_NARGS > 2 THEN (r ->> TG_ARGV[1]) || ':' || (r ->> TG_ARGV[2])
    ELSE r ->> TG_ARGV[1] END, extract(epoch FROM clock_timestamp()));
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""
# kind -> (table, key columns) of every table whose changes a trigger queues: the ledger's, and the sites'
# receipts and acknowledgements of warnings, sent for the warnings that came down only (warnings.site_row) and
# never queued whole at switching on (no warning came down from that parent yet), and the cameras' latest
# pictures, sent for the video set's projects only (pictures.row), each camera's next one going up as it comes
QUEUED: dict[Kind, tuple[str, tuple[str, ...]]] = {
    **{kind: (table, (key,)) for kind, (table, key) in TABLES.items()},
    "warning_site": ("weather_warning_sites", ("warning_id", "project")),
    "camera_picture": ("camera_pictures", ("project", "camera")),
    "safety_log": ("safety_logs", ("project", "day")),
    "attendance_day": ("key_attendance", ("project", "day")),
    "dangerous_works": ("dangerous_works", ("project",)),
    "video_set": ("video_set", ("project",)),
}
# kinds whose row's deletion is a change the parent hears (its record then says the row is gone)
REMOVED: frozenset[Kind] = frozenset({"dangerous_works", "video_set"})
# kind -> the column whose change alone is worth forwarding, checked by value: a heartbeat rewrites the 危大
# list every few seconds as it was (``UPDATE OF`` fires on a column written, changed or not)
CHANGED: dict[Kind, str] = {"dangerous_works": "items"}
# a project joining the video set (its row inserted: included, or included again after a removal; a change of
# category is no join) queues the latest picture of each of its cameras at once, in the joining transaction:
# they go up now, not each with its camera's next picture (up to its period, 10 minutes by default), so the
# parent's patrol wall shows the project within seconds. The newest MAX_JOIN_PICTURES cameras' only: a
# gateway names its cameras, and a join must not queue an unbounded backlog (the rest go with their next).
# The trigger's name sorts after the set's own (forward_video_set), so the membership is queued first.
MAX_JOIN_PICTURES = 64
JOIN_TRIGGER = "forward_video_set_pictures"
JOIN_PICTURES = f"""
CREATE OR REPLACE FUNCTION forward_enqueue_join_pictures() RETURNS trigger AS $$
BEGIN
  INSERT INTO forward_outbox(kind, ref, queued_at)
  SELECT 'camera_picture', ref, extract(epoch FROM clock_timestamp()) FROM (
    SELECT project || ':' || camera AS ref FROM camera_pictures WHERE project = NEW.project
    ORDER BY taken_at DESC LIMIT {MAX_JOIN_PICTURES}) newest ORDER BY ref;
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""
# kinds made of a row (MADE) whose rows already held are queued as the ledger's are, at a first switch-on and
# when a release brings their trigger: a site's logs of the last months are what the province's look-back reads
WHOLE: tuple[Kind, ...] = ("safety_log", "attendance_day", "dangerous_works", "video_set")
# a project's columns that stay at the city: its gateways' key, and what the province derives itself; its
# liveness goes up in its own records (liveness.py), and a province's summary columns are none of the city's
PRIVATE = {"secret", "last_seen_at", "district_id", "liveness_at", *LIVENESS}


# the kinds whose record is made of more than a row of their table, and what makes it
MADE: dict[Kind, Callable[[Connection, str], dict[str, Any] | None]] = {
    "liveness": liveness.row,
    "warning_site": warnings.site_row,
    "camera_picture": pictures.row,
    "safety_log": site_logs.log_row,
    "attendance_day": site_logs.attendance_row,
    "dangerous_works": project_lists.works_row,
    "video_set": project_lists.member_row,
}


class NotPostgres(RuntimeError):
    """Forwarding was asked of a SQLite database (the triggers that queue changes are PostgreSQL's)."""


@dataclass
class Pending:
    """One record to send: the outbox rows (ids) it stands for, oldest first."""

    kind: Kind
    ref: str
    ids: list[int] = field(default_factory=list)


# a stored picture or clip kept with a hazard queues the hazard: its record lists them (evidence_links.py), and a
# clip comes after its hazard's event, a rectification photo with a review's action, a re-inspection's with its
# row. Not an event's own picture: it is written in the statement that writes the event into its hazard's row,
# whose own trigger has queued the hazard (one outbox row less for every event with a picture)
EVIDENCE_TRIGGER = (
    "CREATE TRIGGER forward_evidence AFTER INSERT ON evidence FOR EACH ROW "
    "WHEN (NEW.hazard_id IS NOT NULL AND NEW.kind = 'stored' AND NEW.purpose <> 'event') "
    "EXECUTE FUNCTION forward_enqueue('hazard', 'hazard_id')"
)


def _install_triggers(db: Connection) -> list[Kind]:
    """The triggers that queue every change of a forwarded table from now on, those not there yet; the kinds
    of the ledger (TABLES) and of WHOLE that had none till now (``hazard``, the evidence's trigger new: the
    hazards with evidence, whose records listed none before, are to be queued)."""
    db.execute(sa.text(ENQUEUE))
    present = set(
        db.execute(
            sql("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'forward%' AND NOT tgisinternal")
        ).scalars()
    )
    made: list[Kind] = []
    if "forward_evidence" not in present:
        db.execute(sa.text(EVIDENCE_TRIGGER))
        made.append("hazard")
    for kind, (table, keys) in QUEUED.items():
        if f"forward_{table}" in present:
            continue
        if kind in TABLES or kind in WHOLE:
            made.append(kind)
        args = ", ".join(f"'{a}'" for a in (kind, *keys))
        for name, events, when in _triggers(kind, table):
            db.execute(
                sa.text(
                    f"CREATE TRIGGER {name} AFTER {events} ON {table} "
                    f"FOR EACH ROW {when}EXECUTE FUNCTION forward_enqueue({args})"
                )
            )
    db.execute(sa.text(JOIN_PICTURES))
    if JOIN_TRIGGER not in present:
        db.execute(
            sa.text(
                f"CREATE TRIGGER {JOIN_TRIGGER} AFTER INSERT ON video_set "
                "FOR EACH ROW EXECUTE FUNCTION forward_enqueue_join_pictures()"
            )
        )
    return made


def _triggers(kind: Kind, table: str) -> list[tuple[str, str, str]]:
    """The triggers that queue ``kind``'s changes: each one's name, events and condition. A kind of CHANGED
    has a second, for an update that changed its column (a WHEN naming OLD is no INSERT's or DELETE's), made
    with the first and so there whenever the first is."""
    events = ["INSERT"]
    if kind not in CHANGED:
        events.append("UPDATE" + (f" OF {', '.join(WATCHED[kind])}" if kind in WATCHED else ""))
    if kind in REMOVED:
        events.append("DELETE")
    made = [(f"forward_{table}", " OR ".join(events), "")]
    if kind in CHANGED:
        column = CHANGED[kind]
        made.append(
            (f"forward_{table}_changed", "UPDATE", f"WHEN (OLD.{column} IS DISTINCT FROM NEW.{column}) ")
        )
    return made


def switch_on(engine: Engine, province_url: str, city_id: str, jurisdiction: str | None = None) -> bool:
    """Install the triggers that queue changes from now on, and queue the whole ledger as it is the first
    time, or when the province or the city's id there changed (that province has never seen it); True when
    that happened now. The ledger's tables are locked against writes while the triggers and the state row
    change and the ledger is queued, so no change falls between the two. ``jurisdiction``: this platform's
    own place (--forward-jurisdiction), kept on the state row for the forwarding page's names of the levels."""
    if engine.dialect.name != "postgresql":
        raise NotPostgres(
            "forwarding to the province runs on PostgreSQL only (its triggers queue every ledger change): "
            "give --db postgresql://USER@HOST:PORT/DB"
        )
    with engine.begin() as db:
        was = db.execute(sql("SELECT province_url, city_id FROM forward_state")).first()
        if was is not None and tuple(was) == (province_url, city_id):
            # there since it was first switched on: the function is refreshed, no trigger made twice; a kind
            # a newer release forwards (its trigger new) has its rows queued as a first switch-on queues all.
            # CREATE TRIGGER holds its table against writes till this commits, so none falls in between
            for kind in _install_triggers(db):
                if kind == "hazard":  # the evidence's trigger: the hazards that have some, listed now
                    _queue_listed(db)
                else:
                    _queue_all(db, kind)
            if jurisdiction is not None:
                db.execute(sql("UPDATE forward_state SET jurisdiction = :j"), {"j": jurisdiction})
            return False
        tables = ", ".join([*(table for table, _ in TABLES.values()), *(QUEUED[k][0] for k in WHOLE)])
        db.execute(sa.text(f"LOCK TABLE {tables} IN SHARE MODE"))
        _install_triggers(db)
        db.execute(sql("DELETE FROM forward_state"))
        db.execute(sql("DELETE FROM forward_outbox"))  # all of it is queued again below
        # another province: what came down from the last one is the city's own to this one, and its cursor
        # of decisions (with the state row) starts again
        db.execute(sql("DELETE FROM forward_down"))
        db.execute(
            sql(
                "INSERT INTO forward_state(id, province_url, city_id, since, jurisdiction) "
                "VALUES (1, :u, :c, :now, :j)"
            ),
            {"u": province_url, "c": city_id, "now": time.time(), "j": jurisdiction},
        )
        for kind in (*KINDS, *WHOLE):
            _queue_all(db, kind)
    return True


def _queue_listed(db: Connection) -> None:
    """Queue the hazards with stored evidence: a release that lists it in their records sends them again."""
    db.execute(
        sql(
            "INSERT INTO forward_outbox(kind, ref, queued_at) SELECT 'hazard', CAST(hazard_id AS TEXT), :now "
            "FROM (SELECT DISTINCT hazard_id FROM evidence WHERE kind = 'stored' AND hazard_id IS NOT NULL) s "
            "ORDER BY hazard_id"
        ),
        {"now": time.time()},
    )


def _queue_all(db: Connection, kind: Kind) -> None:
    """Queue every row of ``kind``'s table as it is now, oldest first (a WHOLE kind's by its key's order); with
    the video set's members, their cameras' latest pictures (JOIN_PICTURES): queued whole, they join the
    parent's set now."""
    if kind in WHOLE:
        table, keys = QUEUED[kind]
        ref = " || ':' || ".join(f"CAST({k} AS TEXT)" for k in keys)
        db.execute(
            sa.text(
                f"INSERT INTO forward_outbox(kind, ref, queued_at) SELECT :k, ref, :now "
                f"FROM (SELECT DISTINCT {ref} AS ref FROM {table}) s ORDER BY ref"
            ),
            {"k": kind, "now": time.time()},
        )
        if kind == "video_set":
            _queue_members_pictures(db)
        return
    table, key = TABLES[kind]
    db.execute(
        sa.text(
            f"INSERT INTO forward_outbox(kind, ref, queued_at) SELECT :k, CAST({key} AS TEXT), :now "
            f"FROM {table} ORDER BY {key}"
        ),
        {"k": kind, "now": time.time()},
    )


def _queue_members_pictures(db: Connection) -> None:
    """Queue the latest picture of each camera of every project in the video set, the newest
    MAX_JOIN_PICTURES of each project (queued after the members themselves)."""
    db.execute(
        sa.text(
            "INSERT INTO forward_outbox(kind, ref, queued_at) SELECT 'camera_picture', ref, :now FROM ("
            "SELECT c.project || ':' || c.camera AS ref, row_number() OVER (PARTITION BY c.project "
            "ORDER BY c.taken_at DESC) AS n FROM camera_pictures c JOIN video_set v ON v.project = c.project"
            ") newest WHERE n <= :most ORDER BY ref"
        ),
        {"now": time.time(), "most": MAX_JOIN_PICTURES},
    )


def pending(
    db: Connection, limit: int, most: int = MAX_BATCH, sent: list[int] | None = None
) -> list[Pending]:
    """The oldest ``limit`` queued changes as records, each once at its first change's place (a row points
    only at rows changed before it, so what it points at comes first), the first ``most`` of them: a record
    changed many times while the province was away is sent once for all its changes, and a batch holds no more
    records than a province takes (the changes of the records left out stay queued for the next). ``sent``: the
    queued rows of the batch on its way, passed over."""
    rows = db.execute(
        sql("SELECT id, kind, ref FROM forward_outbox WHERE id <> ALL(:sent) ORDER BY id LIMIT :n"),
        {"n": limit, "sent": sent or []},
    ).all()
    records: dict[tuple[str, str], Pending] = {}
    for row_id, kind, ref in rows:
        item = records.get((kind, ref))
        if item is None:
            if len(records) == most:
                continue
            item = records[(kind, ref)] = Pending(kind, ref)
        item.ids.append(row_id)
    return list(records.values())


def backlog(db: Connection) -> int:
    """Changes queued and not yet taken by the province."""
    return int(db.execute(sql("SELECT COUNT(*) FROM forward_outbox")).scalar_one())


def records(db: Connection, items: list[Pending]) -> list[Record]:
    """The records as they are now, in ``items``' order (one whose row is gone has nothing to send). The rows
    of a kind are read in one query by their typed key, and what came down from the province in one more: a
    backlog of hours is read a batch at a time, not a row at a time."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for kind in {item.kind for item in items if item.kind not in MADE}:
        table, key = TABLES[kind]
        refs = [item.ref for item in items if item.kind == kind]
        keys: list[Any] = refs if key == "code" else [int(r) for r in refs if r.lstrip("-").isdigit()]
        for found in db.execute(sa.text(f"SELECT * FROM {table} WHERE {key} = ANY(:keys)"), {"keys": keys}):
            rows[(kind, str(found._mapping[key]))] = dict(found._mapping)
    upstream = {
        (str(k), str(local)): str(remote)
        for k, local, remote in db.execute(
            sql("SELECT kind, local_id, remote_id FROM forward_down WHERE local_id = ANY(:refs)"),
            {"refs": [item.ref for item in items]},
        )
    }
    places = {
        int(d): str(path)
        for d, path in db.execute(
            sql("SELECT id, path FROM jurisdictions WHERE id = ANY(:ids)"),
            {
                "ids": [
                    r.get("district_id")
                    for (k, _), r in rows.items()
                    if k == "project" and r.get("district_id")
                ]
            },
        )
    }
    listed = evidence_links.listing(db, [int(ref) for kind, ref in rows if kind == "hazard"])
    out = []
    for item in items:
        seq = max(item.ids)
        if item.kind in MADE:
            made = MADE[item.kind](db, item.ref)
            if made is not None:
                out.append(Record(seq=seq, kind=item.kind, ref=item.ref, row=made))
            continue
        current = rows.get((item.kind, item.ref))
        if current is None:
            continue
        row: dict[str, Any] = current
        place = None
        if item.kind == "project":
            place = places.get(row.get("district_id") or 0)
            row = {k: v for k, v in row.items() if k not in PRIVATE}
        else:
            row = {k: v for k, v in row.items() if k != "id"}
        if item.kind == "hazard":
            row["evidence"] = listed[int(item.ref)]
        up = upstream.get((item.kind, item.ref))
        out.append(Record(seq=seq, kind=item.kind, ref=item.ref, row=row, place=place, upstream_id=up))
    return out


def taken(engine: Engine, ids: list[int]) -> None:
    """Delete the queued changes the province took."""
    with engine.begin() as db:
        db.execute(sa.text("DELETE FROM forward_outbox WHERE id = ANY(:ids)"), {"ids": ids})
