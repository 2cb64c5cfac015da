"""What the forwarding page shows (regulator/routes/forwarding_page.py), read from either end of the chain: upward,
this platform's link to the level above (last contact, backlog, the records set aside with the reason and what
to do); downward, the platforms forwarding to this one (last contact, backlog, the records refused).

Each level is named from the places, never assumed: the level above from this platform's own place (its
``--forward-jurisdiction``, kept on the link's state row), a platform below from the place it is registered
with. A district forwarding to its city reads 市级 where a city forwarding to its province reads 省级."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from regulator.forwarding import quarantine
from regulator.forwarding.outbox import backlog
from regulator.storage.db import sql
from regulator.storage.jurisdictions import LEVEL_NAMES, LEVELS, SEP

UNKNOWN_ABOVE = "上级"  # a link whose place is not known yet (kept from the forwarder's next start)


class HeldRow(BaseModel):
    kind: str
    ref: str
    project: str | None
    code: str
    reason: str
    what_to_do: str
    first_at: float
    last_at: float
    refusals: int


class Upward(BaseModel):
    province_url: str = Field(description="the level above's URL (a province's, or a district's city's)")
    city_id: str = Field(description="this platform's id there")
    place: str | None = Field(description="this platform's own place; null: not known till the next start")
    parent_level: str | None = Field(description="the level above: province, city (null: not known)")
    parent_name: str = Field(description="its name: 省级, 市级 (上级 when not known)")
    own_name: str = Field(description="this platform's level's name: 市, 区县 (本级 when not known)")
    since: float
    contact_at: float | None
    backlog: int
    held: list[HeldRow]


class Refused(BaseModel):
    kind: str
    ref: str
    code: str
    reason: str
    first_at: float
    last_at: float


class CityRow(BaseModel):
    id: str
    name: str
    jurisdiction: str
    level: str | None = Field(description="the level forwarding here: city, district (from its place)")
    level_name: str = Field(description="its name: 市级, 区县级")
    public_url: str = Field(
        description="its address as this platform's users' browsers open its hazards' pictures and clips at "
        "(add-city --url); empty: not registered, so no link-through to its evidence"
    )
    linked: bool = Field(description="link-through to its evidence configured (an address registered)")
    last_seen_at: float | None
    backlog: int | None
    refused: list[Refused]


class ForwardingStatus(BaseModel):
    up: Upward | None
    cities: list[CityRow]


def level_of(place: str | None) -> str | None:
    """The level of a place (广东省/深圳市: city), None for none or one deeper than a district."""
    if not place:
        return None
    depth = place.count(SEP)
    return LEVELS[depth] if depth < len(LEVELS) else None


def above(place: str | None) -> str | None:
    """The level above a place's platform (a city's: province, a district's: city); None when not known."""
    level = level_of(place)
    return None if level is None or level == LEVELS[0] else LEVELS[LEVELS.index(level) - 1]


def _upward(db: Connection) -> Upward | None:
    link = db.execute(
        sql("SELECT province_url, city_id, since, contact_at, jurisdiction FROM forward_state")
    ).first()
    if link is None:
        return None
    parent = above(link[4])
    parent_name = LEVEL_NAMES[parent] if parent is not None else UNKNOWN_ABOVE
    own = level_of(link[4])
    own_name = {"city": "市", "district": "区县", "province": "省"}.get(own or "", "级")
    held = [
        HeldRow(
            kind=h.kind,
            ref=h.ref,
            project=h.project,
            code=h.code,
            reason=h.reason,
            # the words of what to do name the levels as a city's link has them (wire.WHAT_TO_DO)
            what_to_do=h.what_to_do.replace("省级平台", f"{parent_name}平台").replace(
                "本市", f"本{own_name}"
            ),
            first_at=h.first_at,
            last_at=h.last_at,
            refusals=h.refusals,
        )
        for h in quarantine.held(db)
    ]
    return Upward(
        province_url=link[0],
        city_id=link[1],
        place=link[4],
        parent_level=parent,
        parent_name=parent_name,
        own_name=own_name,
        since=link[2],
        contact_at=link[3],
        backlog=backlog(db),
        held=held,
    )


def status(db: Connection) -> ForwardingStatus:
    """Both ends as this platform holds them (``up`` None: it forwards to no level above)."""
    refused: dict[str, list[Refused]] = {}
    for origin, *rest in db.execute(
        sql(
            "SELECT origin, kind, ref, code, reason, first_at, last_at FROM forward_refusals ORDER BY first_at"
        )
    ):
        refused.setdefault(origin, []).append(Refused(**dict(zip(Refused.model_fields, rest, strict=True))))
    cities = [
        CityRow(
            id=i,
            name=n,
            jurisdiction=j,
            level=level_of(j),
            level_name=LEVEL_NAMES.get(level_of(j) or "", "下级"),
            public_url=url,
            linked=bool(url),
            last_seen_at=seen,
            backlog=left,
            refused=refused.get(i, []),
        )
        for i, n, j, url, seen, left in db.execute(
            sql(
                "SELECT id, name, jurisdiction, public_url, last_seen_at, backlog FROM forward_cities ORDER BY id"
            )
        )
    ]
    return ForwardingStatus(up=_upward(db), cities=cities)
