"""What a city may not assert in its own records (issue 56 finding 3): anything of its parent's level.

The row's columns are already of the contract's types and enumerations (rows.py); these checks need the
province's database. A city's record is refused with 422 naming the column when it

- names one of the province's users as the one who acted (``actor``, a ``*_by``): a province's user acts in
  the province's UI, where the province records it itself;
- is a listing at the province's level, or by an authority outside the city's place, or escalated anywhere
  but the city's own places and its province (the level above, where an overdue listing goes);
- closes or dismisses a hazard the province's own listed supervision (挂牌督办) still holds: the province
  closes it by its re-inspection (销号), and that comes down to the city.

The province's own rows that come back up (``upstream_id``) are never written at all (apply.py), so its
decisions and its audit trail stay as its regulators left them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from regulator.access.jurisdictions import SEP
from regulator.forwarding.rows import ACTORS, refused
from regulator.forwarding.wire import Kind

if TYPE_CHECKING:  # apply.py imports this module
    from regulator.forwarding.apply import City

ENDING = ("closed", "dismissed")

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
    db: Connection, sender: City, kind: Kind, row: dict[str, Any], mine: str | None, at: str, where: str
) -> None:
    """Refusal(422) naming ``{at}.row.COLUMN`` when ``row`` asserts anything of the province's level."""
    city = sender.jurisdiction
    province = city.split(SEP)[0]
    named = {row[c]: c for c in ACTORS[kind] if isinstance(row.get(c), str) and row[c]}
    if named:
        for name, path in db.execute(USERS, {"names": sorted(named)}).all():
            if not under(path or "", city):
                raise refused(
                    422,
                    f"{at}.row.{named[name]}",
                    f"names {name!r}, a user of the province's platform: a city records its own users' "
                    "acts, the province records its own",
                    where,
                )
    if kind == "listing":
        if row["level"] == "province":
            raise refused(
                422,
                f"{at}.row.level",
                "is the province's level: only the province's regulators list at it (省级挂牌督办)",
                where,
            )
        if not under(row["authority"], city):
            raise refused(422, f"{at}.row.authority", f"is not the city's place {city} or under it", where)
        escalated = row.get("escalated_to")
        if escalated and escalated != province and not under(escalated, city):
            raise refused(
                422,
                f"{at}.row.escalated_to",
                f"is neither under the city's place nor its province {province}",
                where,
            )
    if kind == "hazard" and mine is not None and row["state"] in ENDING:
        held = db.execute(HELD, {"h": int(mine), "o": sender.id, "up": province}).scalar()
        now = db.execute(sa.text("SELECT state FROM hazards WHERE id = :h"), {"h": int(mine)}).scalar()
        if held is not None and now != row["state"]:
            raise refused(
                422,
                f"{at}.row.state",
                f"is {row['state']}, but the province's listed supervision (listing {held}) holds the hazard: "
                "the province closes it by its re-inspection (销号), which comes down to the city",
                where,
            )
