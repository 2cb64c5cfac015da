"""A city's batch kept whole (issue 50: an hour's backlog drains to the province in under two minutes).

Kept record by record, a batch of 500 hazards cost the province 500 savepoints, 500 look-ups of what each
record became, 500 inserts and 500 bookkeeping rows: some 85 % of its process once a city came back from an
hour without it. Here the batch's look-ups are one query (``forward_records`` for every record, project and
linked row it names), the rows a city's records already became one query a kind, the users its records name
one query, the new rows' ids drawn from their sequence in one query a kind, and what the batch writes goes in
one statement a kind (``jsonb_populate_recordset``: the table's own row type types every column), its
bookkeeping rows in one more. The checks are the same functions as record by record (rows.checked,
trust.check, ``owned``, ``linked``), in the batch's order.

What this does not keep in a set (a project, a record of the province's own come back, a liveness summary, a
site's log, a record named twice in the batch) is written as record by record does, after what was gathered
before it is written: the batch's order is the order the province sees. apply.py keeps the batch here inside
one savepoint and, when anything of it is refused, rolls it back and keeps it record by record, which names
the refused record as before."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from regulator.forwarding import evidence_links, trust
from regulator.forwarding.cities import City
from regulator.forwarding.outbox import PRIVATE, TABLES
from regulator.forwarding.rows import ACTORS, checked, refused
from regulator.forwarding.wire import Kind, Record
from regulator.storage.db import sql

# the columns that point at another forwarded row, and that row's kind
LINKS: dict[Kind, dict[str, Kind]] = {
    "action": {"hazard_id": "hazard"},
    "listing": {"hazard_id": "hazard"},
    "notice": {"listing_id": "listing", "hazard_id": "hazard"},
    "incident_report": {"incident_id": "incident"},
    "reinspection": {"hazard_id": "hazard"},
}


def _depth(kind: Kind) -> int:
    return 1 + max((_depth(k) for k in LINKS[kind].values()), default=0) if kind in LINKS else 0


# the order a batch's new rows are written in: each after the rows it points at (a project is never gathered)
ORDER: tuple[Kind, ...] = tuple(sorted((k for k in TABLES if k != "project"), key=_depth))

Known = tuple[str, bool] | None  # the province's id of a city's record and whether it is the province's own
Lookup = Callable[[str, str], Known]

# what the city's records (kind, ref) became here, for all of them in one query
MAPPED = sql(
    "SELECT f.kind, f.ref, f.local_id, f.adopted FROM forward_records f JOIN "
    "unnest(CAST(:k AS TEXT[]), CAST(:r AS TEXT[])) AS w(kind, ref) ON f.kind = w.kind AND f.ref = w.ref "
    "WHERE f.origin = :o"
)
NEXT_IDS = sql("SELECT nextval(pg_get_serial_sequence(:t, :c)) FROM generate_series(1, :n)")
REMEMBER = sql(
    "INSERT INTO forward_records(origin, kind, ref, local_id, received_at, updated_at, adopted) "
    "SELECT :o, w.kind, w.ref, w.local_id, :now, :now, false FROM "
    "unnest(CAST(:k AS TEXT[]), CAST(:r AS TEXT[]), CAST(:l AS TEXT[])) AS w(kind, ref, local_id)"
)


_COLUMN_CACHE: dict[tuple[str, str], frozenset[str]] = {}


def columns(db: Connection, table: str) -> frozenset[str]:
    """The columns ``table`` has in this database (read once per database and table)."""
    key = (db.engine.url.render_as_string(hide_password=True), table)
    if key not in _COLUMN_CACHE:
        _COLUMN_CACHE[key] = frozenset(c["name"] for c in sa.inspect(db).get_columns(table))
    return _COLUMN_CACHE[key]


def as_stored(db: Connection, table: str, row: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """A checked row as ``table`` keeps it (its columns only), and the hazard's evidence list taken out of it:
    the city's objects of the hazard, which become rows of the province's evidence (evidence_links.keep)."""
    listed = row.pop("evidence", None)
    return {k: v for k, v in row.items() if k in columns(db, table)}, listed


def mapped(db: Connection, origin: str, kind: str, ref: str) -> Known:
    """The province's id of the city's record and whether it is the province's own row come back
    (adopted), or None when it never arrived."""
    found = db.execute(
        sql("SELECT local_id, adopted FROM forward_records WHERE origin = :o AND kind = :k AND ref = :r"),
        {"o": origin, "k": kind, "r": ref},
    ).first()
    return None if found is None else (str(found[0]), bool(found[1]))


def where_of(sender: City, n: int, rec: Record) -> str:
    """Record ``n`` of the batch as a refusal names it."""
    return f"record {n} ({rec.kind} {rec.ref}, seq {rec.seq}) of city {sender.id}"


def owned(
    row: dict[str, Any], kind: Kind, at: str, where: str, sender: City, seen: set[str], known: Lookup
) -> None:
    """Refused (``unknown_project``) when the record's project is not one the city forwarded (``seen``: its
    projects already found in this batch, each looked up once a batch). A row of a project is the city's when
    the project is; one without (an incident's report) is when the row it belongs to is (``linked``)."""
    if "project" not in row and kind in LINKS:
        return
    code = str(row.get("project", ""))
    if code not in seen and known("project", code) is None:
        raise refused(
            422,
            f"{at}.row.project",
            f"is {code!r}, which city {sender.id} never forwarded",
            where,
            "unknown_project",
        )
    seen.add(code)


def linked(row: dict[str, Any], kind: Kind, at: str, where: str, known: Lookup) -> None:
    """The row's links to the city's other records turned into the province's ids; Refusal 409 when the row
    pointed at is not here yet, 422 when it is a listing or notice of the province's own."""
    for column, target in LINKS.get(kind, {}).items():
        if row.get(column) is None:
            continue
        mapped = known(target, str(row[column]))
        if mapped is None:
            raise refused(
                409,
                f"{at}.row.{column}",
                f"points at {target} {row[column]}, not received yet: send it first",
                where,
                "conflict",
            )
        if mapped[1] and target != "hazard":  # a hazard the province recorded is worked at the city
            raise refused(
                422,
                f"{at}.row.{column}",
                f"points at the province's own {target} {mapped[0]}: a city adds nothing to the province's "
                "listed supervision (挂牌督办), the province's regulators do",
                where,
            )
        row[column] = int(mapped[0])


@dataclass
class Whole:
    """One batch of one city kept whole: what its records became, gathered and written a kind at a time."""

    db: Connection
    sender: City
    now: float
    projects: set[str]  # the city's projects found in this batch (apply._Pass's)
    touched: dict[str, list[str]]  # the records updated, by kind (apply._Pass's)
    known: dict[tuple[str, str], Known] = field(default_factory=dict)
    stored: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)  # user name -> its place, of the names in the batch
    wanted: dict[Kind, int] = field(default_factory=dict)  # kind -> its records new here
    ids: dict[Kind, list[int]] = field(default_factory=dict)  # kind -> ids drawn and not yet given
    new_rows: dict[Kind, list[dict[str, Any]]] = field(default_factory=dict)
    changed_rows: dict[Kind, list[dict[str, Any]]] = field(default_factory=dict)
    remembered: list[tuple[str, str, str]] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)
    listed: list[tuple[int, str | None]] = field(
        default_factory=list
    )  # hazard id -> the city's objects of it

    def keep(self, records: list[Record], one: Callable[[int, Record], int]) -> int:
        """Keep every record, in order; the records new here. ``one`` keeps a record as record by record
        does (after what was gathered before it is written)."""
        self._look_up(records)
        new = 0
        for n, rec in enumerate(records):
            if self._gathered(rec):
                new += self._gather(n, rec)
            else:
                self.flush()
                new += one(n, rec)
                self.known.pop((rec.kind, rec.ref), None)  # what it became: read again when named
            self.seen.add((rec.kind, rec.ref))
        self.flush()
        return new

    def lookup(self, kind: str, ref: str) -> Known:
        """What the city's record became here (the batch's look-up, its new rows included)."""
        if (kind, ref) not in self.known:
            self.known[(kind, ref)] = mapped(self.db, self.sender.id, kind, ref)
        return self.known[(kind, ref)]

    def _look_up(self, records: list[Record]) -> None:
        """The batch's look-ups, each one query: what its records, their projects and the rows they point at
        became; the rows of the records already here (trust.check compares with them); the users named."""
        names: set[tuple[str, str]] = set()
        actors: set[str] = set()
        for rec in records:
            names.add((rec.kind, rec.ref))
            if "project" in rec.row:
                names.add(("project", str(rec.row["project"])))
            names.update(
                (k, str(rec.row[c])) for c, k in LINKS.get(rec.kind, {}).items() if rec.row.get(c) is not None
            )
            actors.update(v for c in ACTORS.get(rec.kind, ()) if isinstance(v := rec.row.get(c), str) and v)
        self.known = dict.fromkeys(names)
        pairs = sorted(names)
        for kind, ref, local, adopted in self.db.execute(
            MAPPED, {"o": self.sender.id, "k": [k for k, _ in pairs], "r": [r for _, r in pairs]}
        ):
            self.known[(str(kind), str(ref))] = (str(local), bool(adopted))
        here: dict[Kind, list[int]] = {}
        for rec in records:
            if rec.kind in TABLES and rec.kind != "project":
                found = self.known.get((rec.kind, rec.ref))
                if found is None:
                    self.wanted[rec.kind] = self.wanted.get(rec.kind, 0) + 1
                elif not found[1]:
                    here.setdefault(rec.kind, []).append(int(found[0]))
        for kind, keys in here.items():
            table, key = TABLES[kind]
            for row in self.db.execute(
                sa.text(f"SELECT * FROM {table} WHERE {key} = ANY(:keys)"), {"keys": keys}
            ):
                self.stored[(kind, str(row._mapping[key]))] = dict(row._mapping)
        if actors:
            self.users = {
                str(n): str(p or "") for n, p in self.db.execute(trust.USERS, {"names": sorted(actors)})
            }

    def _gathered(self, rec: Record) -> bool:
        """Whether the record is one of the city's own rows of a table, named once in the batch."""
        if rec.kind not in TABLES or rec.kind == "project" or rec.upstream_id is not None:
            return False
        if (rec.kind, rec.ref) in self.seen:
            return False
        found = self.lookup(rec.kind, rec.ref)
        return found is None or not found[1]

    def _gather(self, n: int, rec: Record) -> int:
        """Record ``n`` checked as record by record checks it, its row gathered to be written; 1 when new."""
        where, at = where_of(self.sender, n, rec), f"records.{n}"
        found = self.lookup(rec.kind, rec.ref)
        mine = None if found is None else found[0]
        row = checked(rec.kind, {k: v for k, v in rec.row.items() if k not in PRIVATE}, f"{at}.row", where)
        owned(row, rec.kind, at, where, self.sender, self.projects, self.lookup)
        linked(row, rec.kind, at, where, self.lookup)
        if rec.kind == "hazard" and mine is not None and row.get("state") in trust.ENDING:
            self.flush()  # trust.HELD reads the province's listings as the batch so far left them
        stored = None if mine is None else self.stored.get((rec.kind, mine))
        trust.check(self.db, self.sender, rec.kind, row, mine, at, where, stored=stored, users=self.users)
        table, key = TABLES[rec.kind]
        row, listed = as_stored(self.db, table, row)
        if mine is None:
            made = self._id(rec.kind)
            if rec.kind == "hazard":
                self.listed.append((made, listed))
            self.new_rows.setdefault(rec.kind, []).append({**row, key: made})
            self.remembered.append((rec.kind, rec.ref, str(made)))
            self.known[(rec.kind, rec.ref)] = (str(made), False)
            return 1
        row.pop("project", None)  # a record never moves to another project
        self.changed_rows.setdefault(rec.kind, []).append({**row, key: int(mine)})
        if rec.kind == "hazard":
            self.listed.append((int(mine), listed))
        self.touched.setdefault(rec.kind, []).append(rec.ref)
        return 0

    def _id(self, kind: Kind) -> int:
        """The next of the ids drawn for the batch's new rows of ``kind`` (drawn in one query a kind)."""
        free = self.ids.setdefault(kind, [])
        if not free:
            table, key = TABLES[kind]
            drawn = self.db.execute(NEXT_IDS, {"t": table, "c": key, "n": max(1, self.wanted.get(kind, 0))})
            free.extend(sorted((int(i) for i in drawn.scalars()), reverse=True))
        return free.pop()

    def flush(self) -> None:
        """Write what was gathered: the new rows a kind at a time (each after the rows it points at), their
        bookkeeping rows in one statement, the changed rows a kind at a time."""
        for kind in ORDER:
            for rows in _alike(self.new_rows.pop(kind, [])):
                table, _ = TABLES[kind]
                names = ", ".join(rows[0])
                self.db.execute(
                    sa.text(
                        f"INSERT INTO {table}({names}) SELECT {names} "
                        f"FROM jsonb_populate_recordset(NULL::{table}, CAST(:rows AS JSONB))"
                    ),
                    {"rows": json.dumps(rows)},
                )
        if self.remembered:
            kinds, refs, locals_ = (list(c) for c in zip(*self.remembered, strict=True))
            self.db.execute(
                REMEMBER, {"o": self.sender.id, "now": self.now, "k": kinds, "r": refs, "l": locals_}
            )
            self.remembered = []
        for kind, changed in self.changed_rows.items():
            table, key = TABLES[kind]
            for rows in _alike(changed):
                sets = ", ".join(f"{c} = v.{c}" for c in rows[0] if c != key)
                if sets:
                    self.db.execute(
                        sa.text(
                            f"UPDATE {table} t SET {sets} FROM jsonb_populate_recordset(NULL::{table}, "
                            f"CAST(:rows AS JSONB)) v WHERE t.{key} = v.{key}"
                        ),
                        {"rows": json.dumps(rows)},
                    )
        self.changed_rows = {}
        evidence_links.keep_all(
            self.db, self.listed
        )  # after the hazards' rows: the evidence rows point at them
        self.listed = []


def _alike(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The rows grouped by their columns (one statement writes rows of the same columns), in order."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return list(groups.values())
