"""What goes back down: the province lists supervision (挂牌督办) over a city's hazard in its own UI, and
the city takes that listing with its notices into its ledger, on the hazard it came from.

Why the city polls rather than the province pushing: the city already holds the one link that is signed
and retried (its forwarder), a province does not need to know where each city's platform can be reached
(cities sit behind their own firewalls, as sites do behind 4G), and a poll after a cursor loses nothing
while either side was down, just as a gateway's feedback poll does. The city keeps the cursor in
``forward_state`` and the province's id of each row it took in ``forward_down``, so a decision taken twice
is kept once, and the row goes back up as the province's own (regulator/forwarding/apply.py _adopt).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from regulator.db import sql
from regulator.forwarding.apply import columns
from regulator.forwarding.wire import Decision, Decisions

MAX_DECISIONS = 200  # listings a poll answers at most; the city asks again from the last one's id


def _row(found: Any) -> dict[str, Any]:
    return {k: v for k, v in dict(found._mapping).items() if k != "id"}


def decisions_for(db: Connection, city_id: str, after: int) -> Decisions:
    """The province's own listings over hazards city ``city_id`` forwarded, after listing ``after``."""
    rows = db.execute(
        sql(
            "SELECT l.*, r.ref AS hazard_ref FROM listings l "
            "JOIN forward_records r ON r.origin = :c AND r.kind = 'hazard' AND r.local_id = CAST(l.hazard_id AS TEXT) "
            "WHERE l.id > :after AND NOT EXISTS (SELECT 1 FROM forward_records f WHERE f.origin = :c "
            "AND f.kind = 'listing' AND f.local_id = CAST(l.id AS TEXT)) ORDER BY l.id LIMIT :n"
        ),
        {"c": city_id, "after": after, "n": MAX_DECISIONS},
    ).all()
    out = []
    for found in rows:
        listing = _row(found)
        ref = str(listing.pop("hazard_ref"))
        notices = db.execute(
            sql("SELECT * FROM notices WHERE listing_id = :l ORDER BY id"), {"l": found.id}
        ).all()
        # the listing's own audit row, written with it (supervision.py _list), so the city's trail shows it
        actions = db.execute(
            sql("SELECT * FROM actions WHERE hazard_id = :h AND action = 'list' AND ts = :t ORDER BY id"),
            {"h": found.hazard_id, "t": found.listed_at},
        ).all()
        out.append(
            Decision(
                id=found.id,
                hazard_ref=ref,
                listing=listing,
                notices=[{**_row(n), "id": n.id} for n in notices],
                actions=[{**_row(a), "id": a.id} for a in actions],
            )
        )
    return Decisions(decisions=out)


def cursor(engine: Engine) -> int:
    """The id of the last province decision the city took."""
    with engine.connect() as db:
        return int(db.execute(sql("SELECT decisions_after FROM forward_state")).scalar() or 0)


def take(engine: Engine, decisions: Decisions) -> int:
    """Keep the province's listings on the city's hazards (one transaction, the cursor moved with them);
    how many were new here."""
    if not decisions.decisions:
        return 0
    new = 0
    with engine.begin() as db:
        for d in decisions.decisions:
            if _came_down(db, "listing", d.id):
                continue
            hazard = db.execute(
                sql("SELECT id, project FROM hazards WHERE id = :h"), {"h": int(d.hazard_ref)}
            ).first()
            if hazard is None:
                continue  # the city's hazard is gone (never happens: hazards are not deleted); nothing to list
            listing = {**d.listing, "hazard_id": hazard.id, "project": hazard.project}
            listing_id = _insert(db, "listings", listing)
            _remember(db, "listing", listing_id, d.id)
            on_hazard = {"hazard_id": hazard.id, "project": hazard.project}
            for kind, table, rows, extra in (
                ("notice", "notices", d.notices, {**on_hazard, "listing_id": listing_id}),
                ("action", "actions", d.actions, on_hazard),
            ):
                for row in rows:
                    remote = int(str(row.pop("id")))
                    if not _came_down(db, kind, remote):
                        _remember(db, kind, _insert(db, table, {**row, **extra}), remote)
            db.execute(sql("UPDATE hazards SET major = :yes WHERE id = :h"), {"yes": True, "h": hazard.id})
            new += 1
        db.execute(
            sql("UPDATE forward_state SET decisions_after = :d"),
            {"d": max(d.id for d in decisions.decisions)},
        )
    return new


def _came_down(db: Connection, kind: str, remote: int) -> bool:
    return (
        db.execute(
            sql("SELECT 1 FROM forward_down WHERE kind = :k AND remote_id = :r"),
            {"k": kind, "r": str(remote)},
        ).first()
        is not None
    )


def _remember(db: Connection, kind: str, local: int, remote: int) -> None:
    db.execute(
        sql("INSERT INTO forward_down(kind, local_id, remote_id) VALUES (:k, :l, :r)"),
        {"k": kind, "l": str(local), "r": str(remote)},
    )


def _insert(db: Connection, table: str, row: dict[str, Any]) -> int:
    # only the columns this table has: the names come from the province's answer
    row = {k: v for k, v in row.items() if k in columns(db, table)}
    names = ", ".join(row)
    values = ", ".join(f":{c}" for c in row)
    return int(
        db.execute(sa.text(f"INSERT INTO {table}({names}) VALUES ({values}) RETURNING id"), row).scalar_one()
    )
