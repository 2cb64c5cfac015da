"""What a city may not assert in its own records (issue 56 finding 3): anything of its parent's level. A
district forwarding to its city is held to the same a level down (issue 50 §5): "the province" below reads
"the level above the sender", "the city's place" the sender's.

The row's columns are already of the contract's types and enumerations (rows.py); these checks need the
province's database. A city's record is refused with 422 naming the column when it

- names one of the province's users as the one who acted (``actor``, ``inspector``, a ``*_by``): a
  province's user acts in the province's UI, where the province records it itself;
- is a listing at the province's level, a listing, an enforcement record (行政处罚, 约谈, 通报) or a
  re-inspection by an authority outside the city's place, or a listing escalated anywhere but the city's own
  places and its province (the level above, where an overdue listing goes);
- closes or dismisses a hazard the province's own listed supervision (挂牌督办) still holds: the province
  closes it by its re-inspection (销号), and that comes down to the city.

The province's own rows that come back up (``upstream_id``) are never written at all (apply.py), so its
decisions and its audit trail stay as its regulators left them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from regulator.forwarding.cities import City
from regulator.forwarding.outbox import TABLES
from regulator.forwarding.rows import ACTORS, refused
from regulator.forwarding.wire import Kind
from regulator.storage.jurisdictions import LEVELS, SEP

ENDING = ("closed", "dismissed")
# kind -> its column naming the place whose authority acted (a re-inspection's: the inspector's then, or none)
AUTHORED: dict[Kind, str] = {
    "listing": "authority",
    "enforcement_action": "authority",
    "reinspection": "jurisdiction",
}

USERS = sa.text(
    "SELECT u.username, COALESCE(j.path, pj.path, '') FROM users u "
    "LEFT JOIN jurisdictions j ON j.id = u.jurisdiction_id LEFT JOIN projects p ON p.code = u.project "
    "LEFT JOIN jurisdictions pj ON pj.id = p.district_id WHERE u.username IN :names"
).bindparams(sa.bindparam("names", expanding=True))

# an open listing of a hazard that is the province's to close: one the province made (no city forwarded it),
# or a city's escalated to the province
HELD = sa.text(
    "SELECT l.id FROM listings l WHERE l.hazard_id = :h AND l.state <> 'closed' AND ("
    "NOT EXISTS (SELECT 1 FROM forward_records f WHERE f.kind = 'listing' AND f.local_id = CAST(l.id AS TEXT) "
    "AND f.origin = :o AND NOT f.adopted) OR (l.state = 'escalated' AND l.escalated_to = :up)) LIMIT 1"
)


def under(path: str, place: str) -> bool:
    """Whether ``path`` is ``place`` or lies under it."""
    return path == place or path.startswith(place + SEP)


def check(
    db: Connection,
    sender: City,
    kind: Kind,
    row: dict[str, Any],
    mine: str | None,
    at: str,
    where: str,
    stored: dict[str, Any] | None = None,
    users: dict[str, str] | None = None,
) -> None:
    """Refusal(422) naming ``{at}.row.COLUMN`` when ``row`` asserts anything of the province's level. A value
    the province's row holds already is no assertion: the city echoes what came down from the province (a
    listing of the city's that the province's re-inspection closed, ``closed_by`` a province user).

    A batch kept whole (whole.py) read beforehand, for all its records at once, the province's row of the
    record (``stored``) and the places of the users its records name (``users``: name -> place); else each is
    read here."""
    city = (
        sender.jurisdiction
    )  # a city's place, or a district's forwarding to its city (the same rules a level down)
    province = city.rsplit(SEP, 1)[0]  # the level above the sender: the one its overdue listings go up to
    if stored is None:
        stored = _stored(db, kind, mine)
    new = {c: v for c, v in row.items() if c not in stored or stored[c] != v}
    named = {new[c]: c for c in ACTORS[kind] if isinstance(new.get(c), str) and new[c]}
    if named:
        found = (
            db.execute(USERS, {"names": sorted(named)}).all()
            if users is None
            else [(name, users[name]) for name in sorted(named) if name in users]
        )
        for name, path in found:
            if not under(path or "", city):
                raise refused(
                    422,
                    f"{at}.row.{named[name]}",
                    f"names {name!r}, a user of the province's platform: a city records its own users' "
                    "acts, the province records its own (a city's user of the same name: user names are one "
                    "namespace along the chain, rename one of them, e.g. sz.NAME)",
                    where,
                )
    level = new.get("level")
    if kind == "listing" and level in LEVELS and LEVELS.index(level) < city.count(SEP):
        raise refused(
            422,
            f"{at}.row.level",
            f"is the {level}'s level, above the sender's: only that level's regulators list at it "
            "(省级/市级挂牌督办)",
            where,
        )
    place = AUTHORED.get(kind)
    if place is not None and isinstance(new.get(place), str) and not under(new[place], city):
        raise refused(422, f"{at}.row.{place}", f"is not the city's place {city} or under it", where)
    if kind == "listing":
        escalated = new.get("escalated_to")
        if escalated and escalated != province and not under(escalated, city):
            raise refused(
                422,
                f"{at}.row.escalated_to",
                f"is neither under the city's place nor its province {province}",
                where,
            )
    if kind == "hazard" and mine is not None and new.get("state") in ENDING:
        held = db.execute(HELD, {"h": int(mine), "o": sender.id, "up": province}).scalar()
        if held is not None:
            raise refused(
                422,
                f"{at}.row.state",
                f"is {row['state']}, but the province's listed supervision (listing {held}) holds the hazard: "
                "the province closes it by its re-inspection (销号), which comes down to the city",
                where,
            )


def _stored(db: Connection, kind: Kind, mine: str | None) -> dict[str, Any]:
    """The province's row of the city's record as it is now (empty: a new record)."""
    if mine is None:
        return {}
    table, key = TABLES[kind]
    found = db.execute(
        sa.text(f"SELECT * FROM {table} WHERE {key} = :k"), {"k": mine if key == "code" else int(mine)}
    ).first()
    return {} if found is None else dict(found._mapping)
