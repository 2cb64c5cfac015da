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
    # where the province's users' browsers reach the city's platform (add-city --url): its evidence is opened
    # there by a signed link (evidence_links.py); empty: not known, the province shows no link
    public_url: str = ""


def city(db: Connection, city_id: str) -> City | None:
    """The registered city of that id, or None."""
    row = db.execute(
        sql("SELECT id, name, jurisdiction, secret, public_url FROM forward_cities WHERE id = :i"),
        {"i": city_id},
    ).first()
    return City(*row) if row is not None else None


class NotACity(ValueError):
    """A platform registered with a province's place (a city forwards to its province, a district to its
    city: issue 50 §5)."""


def register(
    repo: Repository, city_id: str, name: str, jurisdiction: str, secret: str, public_url: str | None = None
) -> str:
    """Register (or update) a city allowed to forward to this province (or a district to this city); its
    place's path (created where missing). NotACity or UnknownPlace for a place that is not 省/市 or 省/市/区县.
    ``public_url``: the city's address for its evidence's links (None: as it was, none for a new city)."""
    with repo.engine.begin() as db:
        place = add(db, jurisdiction)
        if place.level == "province":
            raise NotACity(
                f"--jurisdiction {jurisdiction!r} is a province: a forwarding platform's place is a city, 省/市 "
                "(广东省/深圳市), or a district forwarding to its city, 省/市/区县 (广东省/深圳市/南山区)"
            )
        db.execute(
            sql(
                "INSERT INTO forward_cities(id, name, jurisdiction, secret, created_at, public_url) "
                "VALUES (:i, :n, :j, :s, :now, COALESCE(:u, '')) ON CONFLICT (id) DO UPDATE SET "
                "name = excluded.name, jurisdiction = excluded.jurisdiction, secret = excluded.secret, "
                "public_url = COALESCE(:u, forward_cities.public_url)"
            ),
            {"i": city_id, "n": name, "j": place.path, "s": secret, "now": time.time(), "u": public_url},
        )
    return place.path
