"""What goes back down: the decisions the province takes on a city's hazards in its own UI (listing one for
supervision, 挂牌督办, with its notice; another notice; its re-inspection and 销号), into the city's ledger,
on the hazard they were taken on.

The province's decisions are the rows of its audit trail (``actions``) on the city's hazards that the city
did not send; the city asks for those after the last one it took, and with each gets what the decision
left: the hazard's state, and the hazard's listings and notices as the province holds them. It keeps the
action, creates or updates the listings, adds the notices it lacks, and moves the hazard to the province's
state, in one transaction with the cursor. The province's id of each row it made is kept in
``forward_down``, so a decision taken twice is kept once, and the row goes back up as the province's own
(regulator/forwarding/apply.py _adopt), not as a second one.

Why the city polls rather than the province pushing: the city already holds the one link that is signed
and retried (its forwarder), a province does not need to know where each city's platform can be reached
(cities sit behind their own firewalls, as sites do behind 4G), and a poll after a cursor loses nothing
while either side was down, just as a gateway's feedback poll does.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from regulator.forwarding import came_down
from regulator.forwarding.whole import columns
from regulator.forwarding.wire import Decision, Decisions, DownRow
from regulator.storage.db import sql

MAX_DECISIONS = 200  # decisions a poll answers at most; the city asks again from the last one's id
HAZARD_STATE = ("state", "major", "deadline", "closed_at")  # what a province's decision may change
LISTING_STATE = ("state", "deadline", "escalated_to", "escalated_at", "closed_by", "closed_at")


def _row(found: Any) -> dict[str, Any]:
    return {k: v for k, v in dict(found._mapping).items() if k != "id"}


def _down_rows(
    db: Connection, city_id: str, kind: str, table: str, hazards: set[int]
) -> dict[int, list[DownRow]]:
    """The ``hazards``' rows of ``table`` at the province by hazard, each with the city's id of it where the
    city sent it: one query for a whole poll's decisions."""
    found = db.execute(
        sa.text(
            f"SELECT t.*, f.ref AS city_ref FROM {table} t LEFT JOIN forward_records f ON f.origin = :c "
            "AND f.kind = :k AND f.local_id = CAST(t.id AS TEXT) WHERE t.hazard_id IN :hs ORDER BY t.id"
        ).bindparams(sa.bindparam("hs", expanding=True)),
        {"c": city_id, "k": kind, "hs": sorted(hazards)},
    ).all()
    out: dict[int, list[DownRow]] = {}
    for r in found:
        row = _row(r)
        ref = row.pop("city_ref")
        out.setdefault(r.hazard_id, []).append(DownRow(id=r.id, city_ref=ref, row=row))
    return out


# a hazard the province recorded itself on one of the city's projects (``made``: issue 50), whose copy the city
# has not sent back yet: no record of the city's names it, and the project is one the city forwarded
MADE_HERE = (
    "(r.ref IS NULL AND :made AND EXISTS (SELECT 1 FROM forward_records p WHERE p.origin = :c "
    "AND p.kind = 'project' AND p.local_id = h.project AND NOT p.adopted))"
)


def decisions_for(db: Connection, city_id: str, after: int, made: bool = False) -> Decisions:
    """The province's own actions on hazards city ``city_id`` forwarded, after action ``after``, each with
    the state it left (three queries a poll, whatever its size); ``made`` (a city that asks): and on the
    hazards the province recorded on the city's projects, each with the hazard whole until the city's copy of
    it came back up (four queries)."""
    state = ", ".join(f"h.{c} AS hazard_{c}" for c in HAZARD_STATE)
    actions = db.execute(
        sql(
            f"SELECT a.*, r.ref AS hazard_ref, {state} FROM actions a JOIN hazards h ON h.id = a.hazard_id "
            "LEFT JOIN forward_records r ON r.origin = :c AND r.kind = 'hazard' "
            f"AND r.local_id = CAST(a.hazard_id AS TEXT) WHERE a.id > :after AND (r.ref IS NOT NULL OR {MADE_HERE}) "
            "AND NOT EXISTS (SELECT 1 FROM forward_records f WHERE f.origin = :c "
            "AND f.kind = 'action' AND f.local_id = CAST(a.id AS TEXT)) ORDER BY a.id LIMIT :n"
        ),
        {"c": city_id, "after": after, "n": MAX_DECISIONS, "made": made},
    ).all()
    if not actions:
        return Decisions(decisions=[])
    hazards = {found.hazard_id for found in actions}
    listings = _down_rows(db, city_id, "listing", "listings", hazards)
    notices = _down_rows(db, city_id, "notice", "notices", hazards)
    wholes = _made(db, {found.hazard_id for found in actions if found.hazard_ref is None})
    out = []
    for found in actions:
        action = _row(found)
        ref = action.pop("hazard_ref")
        left = {c: action.pop(f"hazard_{c}") for c in HAZARD_STATE}
        out.append(
            Decision(
                id=found.id,
                hazard_ref="" if ref is None else str(ref),
                action=action,
                hazard=left,
                listings=listings.get(found.hazard_id, []),
                notices=notices.get(found.hazard_id, []),
                made=wholes.get(found.hazard_id),
            )
        )
    return Decisions(decisions=out)


def _made(db: Connection, hazards: set[int]) -> dict[int, DownRow]:
    """The province's ``hazards`` whole, by id: what a city makes its copy of each from."""
    if not hazards:
        return {}
    found = db.execute(
        sa.text("SELECT * FROM hazards WHERE id IN :hs").bindparams(sa.bindparam("hs", expanding=True)),
        {"hs": sorted(hazards)},
    ).all()
    return {r.id: DownRow(id=r.id, row=_row(r)) for r in found}


def cursor(engine: Engine) -> int:
    """The id of the last province decision the city took."""
    with engine.connect() as db:
        return int(db.execute(sql("SELECT decisions_after FROM forward_state")).scalar() or 0)


def take(engine: Engine, decisions: Decisions) -> int:
    """Keep the province's decisions on the city's hazards (one transaction, the cursor moved with them);
    how many were new here."""
    if not decisions.decisions:
        return 0
    new = 0
    with engine.begin() as db:
        for d in decisions.decisions:
            hazard = db.execute(
                sql("SELECT id, project FROM hazards WHERE id = :h"), {"h": _hazard(db, d)}
            ).first()
            if hazard is None or came_down.local(db, "action", d.id) is not None:
                continue  # taken before (or the hazard is gone: hazards are never deleted)
            on_hazard = {"hazard_id": hazard.id, "project": hazard.project}
            listings: dict[int, int] = {}  # the province's listing id -> the city's
            for listing in d.listings:
                listings[listing.id] = _keep(db, "listing", "listings", listing, on_hazard, LISTING_STATE)
            for notice in d.notices:
                link = {"listing_id": listings.get(int(str(notice.row.get("listing_id"))))}
                _keep(db, "notice", "notices", notice, on_hazard | link, ())
            came_down.remember(db, "action", _insert(db, "actions", {**d.action, **on_hazard}), d.id)
            state = {k: d.hazard[k] for k in HAZARD_STATE if k in d.hazard}
            if state:
                sets = ", ".join(f"{k} = :{k}" for k in state)
                db.execute(sa.text(f"UPDATE hazards SET {sets} WHERE id = :h"), {**state, "h": hazard.id})
            new += 1
        db.execute(
            sql("UPDATE forward_state SET decisions_after = :d"),
            {"d": max(d.id for d in decisions.decisions)},
        )
    return new


def _hazard(db: Connection, d: Decision) -> int | None:
    """The city's id of the hazard ``d`` was taken on: the one the city sent, or its copy of one the province
    recorded on the city's project (``made``), made now the first time it comes down; None when there is
    none to take it on (a hazard the city sent and no longer has, a decision of a province before ``made``)."""
    if d.hazard_ref.isdigit():
        return int(d.hazard_ref)
    if d.made is None:
        return None
    mine = came_down.local(db, "hazard", d.made.id)
    if mine is None:
        mine = _insert(db, "hazards", d.made.row)
        came_down.remember(db, "hazard", mine, d.made.id)
    return mine


def _keep(
    db: Connection, kind: str, table: str, down: DownRow, link: dict[str, Any], changing: tuple[str, ...]
) -> int:
    """The city's id of the province's row: made where the city has none, its ``changing`` columns set to
    the province's otherwise."""
    # the city's row for the province's: one the city sent (``city_ref``), or one that came down
    mine = int(down.city_ref) if down.city_ref is not None else came_down.local(db, kind, down.id)
    if mine is None:
        mine = _insert(db, table, {**down.row, **link})
        came_down.remember(db, kind, mine, down.id)
    elif changing:
        state = {k: down.row[k] for k in changing if k in down.row}
        sets = ", ".join(f"{k} = :{k}" for k in state)
        db.execute(sa.text(f"UPDATE {table} SET {sets} WHERE id = :id"), {**state, "id": mine})
    return mine


def _insert(db: Connection, table: str, row: dict[str, Any]) -> int:
    # only the columns this table has: the names come from the province's answer
    row = {k: v for k, v in row.items() if k in columns(db, table)}
    names = ", ".join(row)
    values = ", ".join(f":{c}" for c in row)
    return int(
        db.execute(sa.text(f"INSERT INTO {table}({names}) VALUES ({values}) RETURNING id"), row).scalar_one()
    )
