"""The province keeps a city's records as its own (regulator/forwarding/): each record lands in the
province's table of its kind (projects, hazards, actions, listings, notices, incidents and their reports),
its links to other rows turned into the province's ids, and ``forward_records`` remembers which row it
became, so a record sent again (a retry, a later change of it) updates that row instead of adding one.

A city writes only into its own: a project must lie under the city's registered place, and every other
record must belong to a project that city forwarded."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from regulator.access.jurisdictions import SEP, ensure
from regulator.forwarding.outbox import PRIVATE, TABLES
from regulator.forwarding.wire import Batch, BatchReceipt, Kind, Record
from regulator.ingest.receive import Refusal
from regulator.storage.db import sql

# the columns that point at another forwarded row, and that row's kind
LINKS: dict[Kind, dict[str, Kind]] = {
    "action": {"hazard_id": "hazard"},
    "listing": {"hazard_id": "hazard"},
    "notice": {"listing_id": "listing", "hazard_id": "hazard"},
    "incident_report": {"incident_id": "incident"},
}


@dataclass(frozen=True, slots=True)
class City:
    """A city registered to forward to this province."""

    id: str
    name: str
    jurisdiction: str
    secret: str


def city(db: Connection, city_id: str) -> City | None:
    """The registered city of that id, or None."""
    row = db.execute(
        sql("SELECT id, name, jurisdiction, secret FROM forward_cities WHERE id = :i"), {"i": city_id}
    ).first()
    return City(*row) if row is not None else None


_COLUMN_CACHE: dict[tuple[str, str], frozenset[str]] = {}


def columns(db: Connection, table: str) -> frozenset[str]:
    """The columns ``table`` has in this database (read once per database and table)."""
    key = (db.engine.url.render_as_string(hide_password=True), table)
    if key not in _COLUMN_CACHE:
        _COLUMN_CACHE[key] = frozenset(c["name"] for c in sa.inspect(db).get_columns(table))
    return _COLUMN_CACHE[key]


def apply(db: Connection, sender: City, batch: Batch) -> BatchReceipt:
    """Keep every record of ``batch`` (one transaction, the caller's); the receipt. Refusal(409/422) names
    the record that cannot be kept and why, and nothing of the batch is kept then."""
    if batch.jurisdiction != sender.jurisdiction:
        raise Refusal(
            422,
            f"city {sender.id} forwards as {batch.jurisdiction!r} but is registered here as "
            f"{sender.jurisdiction!r}: correct --forward-jurisdiction at the city, or the province's "
            "`sitegw regulator add-city`",
        )
    new = 0
    now = time.time()
    for rec in batch.records:
        new += _keep(db, sender, rec, now)
    db.execute(
        sql("UPDATE forward_cities SET last_seen_at = :now WHERE id = :i"), {"now": now, "i": sender.id}
    )
    last = max((r.seq for r in batch.records), default=0)
    return BatchReceipt(city=sender.id, records=len(batch.records), last_seq=last, new=new)


def local_id(db: Connection, origin: str, kind: str, ref: str) -> str | None:
    """The province's id of the city's record, or None when it never arrived."""
    found = db.execute(
        sql("SELECT local_id FROM forward_records WHERE origin = :o AND kind = :k AND ref = :r"),
        {"o": origin, "k": kind, "r": ref},
    ).scalar()
    return None if found is None else str(found)


def _keep(db: Connection, sender: City, rec: Record, now: float) -> int:
    """Keep one record; 1 when it is new here."""
    where = f"{rec.kind} {rec.ref} of city {sender.id}"
    row = {k: v for k, v in rec.row.items() if k != "id" and k not in PRIVATE}
    if rec.kind == "project":
        _check_place(sender, rec, where)
        row["district_id"] = ensure(db, tuple((rec.place or "").split(SEP)))
    elif "project" in row or rec.kind not in LINKS:
        # a row of a project is the city's when the project is; one without (an incident's report) is when
        # the row it belongs to is, which the links below look up among the city's records
        code = str(row.get("project", ""))
        if local_id(db, sender.id, "project", code) is None:
            raise Refusal(422, f"{where} belongs to project {code!r}, which city {sender.id} never forwarded")
    for column, kind in LINKS.get(rec.kind, {}).items():
        if row.get(column) is None:
            continue
        mapped = local_id(db, sender.id, kind, str(row[column]))
        if mapped is None:
            raise Refusal(409, f"{where} points at {kind} {row[column]}, not received yet: send it first")
        row[column] = int(mapped)
    table, key = TABLES[rec.kind]
    row = {k: v for k, v in row.items() if k in columns(db, table)}
    mine = local_id(db, sender.id, rec.kind, rec.ref)
    if mine is None:
        # a row that came down from the province goes back up as that row, anything else is new here
        made = rec.upstream_id is None
        mine = _insert(db, rec, table, key, row, where) if made else _adopt(db, sender, rec, where)
        db.execute(
            sql(
                "INSERT INTO forward_records(origin, kind, ref, local_id, received_at, updated_at) "
                "VALUES (:o, :k, :r, :l, :now, :now)"
            ),
            {"o": sender.id, "k": rec.kind, "r": rec.ref, "l": mine, "now": now},
        )
        if made:
            return 1
    if rec.kind != "project":
        row.pop("project", None)  # a record never moves to another project
    sets = ", ".join(f"{c} = :{c}" for c in row if c != key)
    if sets:
        db.execute(
            sa.text(f"UPDATE {table} SET {sets} WHERE {key} = :_key"), {**row, "_key": _typed(key, mine)}
        )
    db.execute(
        sql(
            "UPDATE forward_records SET updated_at = :now, versions = versions + 1 "
            "WHERE origin = :o AND kind = :k AND ref = :r"
        ),
        {"o": sender.id, "k": rec.kind, "r": rec.ref, "now": now},
    )
    return 0


def _check_place(sender: City, rec: Record, where: str) -> None:
    place = rec.place or ""
    if not (place + SEP).startswith(sender.jurisdiction + SEP) or place.count(SEP) != 2:
        raise Refusal(
            422,
            f"{where} lies in {place or 'no district'!r}, not under the city's place {sender.jurisdiction}: "
            "register the project's city and district at the city (add-project --city/--district)",
        )


def _insert(db: Connection, rec: Record, table: str, key: str, row: dict[str, Any], where: str) -> str:
    if rec.kind == "project":
        taken = db.execute(sql("SELECT 1 FROM projects WHERE code = :c"), {"c": rec.ref}).first()
        if taken:
            raise Refusal(
                409,
                f"{where}: the province already holds a project {rec.ref} of its own or another city's; "
                "one project reports through one platform (its code is registered twice)",
            )
        # the province never hears from this project's gateways: a key nobody holds
        row = {
            **row,
            "code": rec.ref,
            "secret": secrets.token_hex(16),
            "created_at": row.get("created_at") or 0,
        }
    names = ", ".join(row)
    values = ", ".join(f":{c}" for c in row)
    made = db.execute(
        sa.text(f"INSERT INTO {table}({names}) VALUES ({values}) RETURNING {key}"), row
    ).scalar_one()
    return str(made)


def _adopt(db: Connection, sender: City, rec: Record, where: str) -> str:
    """A row that came down from the province and goes back up: it is the province's own row (upstream_id),
    which must belong to one of this city's records."""
    table, key = TABLES[rec.kind]
    hazard = db.execute(
        sa.text(f"SELECT hazard_id FROM {table} WHERE {key} = :id"),
        {"id": _typed(key, rec.upstream_id or "")},
    ).scalar()
    if (
        hazard is None
        or db.execute(
            sql("SELECT 1 FROM forward_records WHERE origin = :o AND kind = 'hazard' AND local_id = :l"),
            {"o": sender.id, "l": str(hazard)},
        ).first()
        is None
    ):
        raise Refusal(
            422, f"{where} names the province's {rec.kind} {rec.upstream_id}, not one of the city's"
        )
    return str(rec.upstream_id)


def _typed(key: str, value: str) -> str | int:
    """A key's value as its column takes it (ids are integers, a project's code text)."""
    return value if key == "code" else int(value)
