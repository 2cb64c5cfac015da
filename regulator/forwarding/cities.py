"""The province's register of the cities that forward to it (``sitegw regulator add-city``:
regulator/commands/cities.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from regulator.storage.db import sql
from regulator.storage.jurisdictions import add
from regulator.storage.repository import Repository


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


class NotACity(ValueError):
    """A city registered with a place that is not a city (a province, a district)."""


def register(repo: Repository, city_id: str, name: str, jurisdiction: str, secret: str) -> str:
    """Register (or update) a city allowed to forward to this province; its place's path (created where
    missing). NotACity or UnknownPlace for a place that is not 省/市."""
    with repo.engine.begin() as db:
        place = add(db, jurisdiction)
        if place.level != "city":
            raise NotACity(
                f"--jurisdiction {jurisdiction!r} is a {place.level}: a forwarding city's place is 省/市, "
                "e.g. 广东省/深圳市"
            )
        db.execute(
            sql(
                "INSERT INTO forward_cities(id, name, jurisdiction, secret, created_at) "
                "VALUES (:i, :n, :j, :s, :now) ON CONFLICT (id) DO UPDATE SET name = excluded.name, "
                "jurisdiction = excluded.jurisdiction, secret = excluded.secret"
            ),
            {"i": city_id, "n": name, "j": place.path, "s": secret, "now": time.time()},
        )
    return place.path
