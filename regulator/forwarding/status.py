"""What the forwarding page shows (regulator/routes/forwarding_page.py), read from either end of the chain: upward,
this city's link to its province (last contact, backlog, the records set aside with the reason and what to
do); downward, the cities forwarding to this province (last contact, backlog, the records refused)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.engine import Connection

from regulator.forwarding import quarantine
from regulator.forwarding.outbox import backlog
from regulator.storage.db import sql


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
    province_url: str
    city_id: str
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
    last_seen_at: float | None
    backlog: int | None
    refused: list[Refused]


class ForwardingStatus(BaseModel):
    up: Upward | None
    cities: list[CityRow]


def status(db: Connection) -> ForwardingStatus:
    """Both ends as this platform holds them (``up`` None: it forwards to no province)."""
    link = db.execute(sql("SELECT province_url, city_id, since, contact_at FROM forward_state")).first()
    up = None
    if link is not None:
        held = [
            HeldRow(
                kind=h.kind,
                ref=h.ref,
                project=h.project,
                code=h.code,
                reason=h.reason,
                what_to_do=h.what_to_do,
                first_at=h.first_at,
                last_at=h.last_at,
                refusals=h.refusals,
            )
            for h in quarantine.held(db)
        ]
        up = Upward(
            province_url=link[0],
            city_id=link[1],
            since=link[2],
            contact_at=link[3],
            backlog=backlog(db),
            held=held,
        )
    refused: dict[str, list[Refused]] = {}
    for origin, *rest in db.execute(
        sql(
            "SELECT origin, kind, ref, code, reason, first_at, last_at FROM forward_refusals ORDER BY first_at"
        )
    ):
        refused.setdefault(origin, []).append(Refused(**dict(zip(Refused.model_fields, rest, strict=True))))
    cities = [
        CityRow(id=i, name=n, jurisdiction=j, last_seen_at=seen, backlog=left, refused=refused.get(i, []))
        for i, n, j, seen, left in db.execute(
            sql("SELECT id, name, jurisdiction, last_seen_at, backlog FROM forward_cities ORDER BY id")
        )
    ]
    return ForwardingStatus(up=up, cities=cities)
