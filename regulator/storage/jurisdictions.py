"""Jurisdictions (辖区): province → city → district/county, the tree every project sits in (one district)
and every regulator user belongs to (one level of it; regulator/storage/scope.py turns that into what they see).

A place is a row of ``jurisdictions`` named by its path, e.g. ``广东省/深圳市/南山区``. Projects carry a
city and a district (``add-project --city 深圳 --district 南山区``); their chain is derived from them: the
province from the map's table of cities (regulator/places.py) unless given, the city and province written
in full (深圳 -> 深圳市, 广东 -> 广东省). A project registered without a district goes to the city's
``未定区县``, one whose city the table does not know and no province given to ``未定省份``: only users
above them (the province, or the top) see such a project until its place is corrected.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Connection

from regulator.places import find_city
from regulator.storage.db import sql

LEVELS = ("province", "city", "district")
LEVEL_NAMES = {"province": "省级", "city": "市级", "district": "区县级"}
SEP = "/"
UNPLACED_PROVINCE = "未定省份"
UNPLACED_CITY = "未定城市"
UNPLACED_DISTRICT = "未定区县"
# the endings that already say a name's level; anything else gets the usual one (广东 -> 广东省)
PROVINCE_ENDINGS = ("省", "市", "自治区", "特别行政区")
CITY_ENDINGS = ("市", "自治州", "盟", "地区")  # 广州 is a 市: only 自治州 ends a name
EXAMPLE = "广东省/深圳市/南山区"


class UnknownPlace(ValueError):
    """A jurisdiction path that names no known place; the message says what is known and the fix."""


@dataclass(frozen=True, slots=True)
class Place:
    """One place of the tree."""

    id: int
    level: str
    name: str
    path: str


def _ended(name: str, endings: tuple[str, ...], ending: str) -> str:
    return name if name.endswith(endings) else name + ending


def chain(city: str, district: str, province: str = "") -> tuple[str, str, str]:
    """The (province, city, district) names of a project registered with this city and district."""
    known = find_city(city) if city.strip() else None
    province = province.strip() or (known.province if known else "")
    city_name = known.name if known else city.strip()
    return (
        _ended(province, PROVINCE_ENDINGS, "省") if province else UNPLACED_PROVINCE,
        _ended(city_name, CITY_ENDINGS, "市") if city_name else UNPLACED_CITY,
        district.strip() or UNPLACED_DISTRICT,
    )


def ensure(db: Connection, names: tuple[str, ...]) -> int:
    """The id of the place with these names from the province down (1 to 3), created with its parents
    where missing."""
    parent: int | None = None
    path = ""
    for level, name in zip(LEVELS, names, strict=False):
        path = f"{path}{SEP}{name}" if path else name
        db.execute(
            sql(
                "INSERT INTO jurisdictions(parent_id, level, name, path) VALUES (:parent, :level, :name, :path) "
                "ON CONFLICT (path) DO NOTHING"
            ),
            {"parent": parent, "level": level, "name": name, "path": path},
        )
        parent = db.execute(
            sql("SELECT id FROM jurisdictions WHERE path = :path"), {"path": path}
        ).scalar_one()
    assert parent is not None, "names is never empty"
    return parent


def place_projects(db: Connection) -> int:
    """Put every project without a district in the one its city and district name (``chain``); how many."""
    rows = db.execute(sql("SELECT code, city, district FROM projects WHERE district_id IS NULL")).all()
    for code, city, district in rows:
        db.execute(
            sql("UPDATE projects SET district_id = :d WHERE code = :code"),
            {"d": ensure(db, chain(city or "", district or "")), "code": code},
        )
    return len(rows)


def _key(name: str) -> str:
    """What two spellings of one place share: 广东 and 广东省, 深圳 and 深圳市."""
    return name.strip().removesuffix("省").removesuffix("市")


def children(db: Connection, parent: Place | None) -> list[Place]:
    """The places right under ``parent`` (None: the provinces), by name."""
    where = "parent_id IS NULL" if parent is None else "parent_id = :parent"
    rows = db.execute(
        sql(f"SELECT id, level, name, path FROM jurisdictions WHERE {where} ORDER BY name"),
        {"parent": parent.id if parent else None},
    ).all()
    return [Place(*r) for r in rows]


def find(db: Connection, text: str) -> Place:
    """The place a user writes as ``省/市/区县`` (1 to 3 levels, e.g. 广东省/深圳市/南山区; 广东/深圳 too).

    UnknownPlace names the first level that is not known, what is known there, and how to add it.
    """
    parts = [p.strip() for p in text.replace("／", SEP).split(SEP)]
    if not text.strip() or not 1 <= len(parts) <= len(LEVELS) or not all(parts):
        raise UnknownPlace(
            f"jurisdiction {text!r} is not a place: write 省/市/区县 from the province down, 1 to 3 levels, "
            f"e.g. {EXAMPLE}, 广东省/深圳市 or 广东省"
        )
    found: Place | None = None
    for part in parts:
        here = children(db, found)
        match = next((p for p in here if p.name == part), None) or next(
            (p for p in here if _key(p.name) == _key(part)), None
        )
        if match is None:
            where = f"under {found.path}" if found else "at the top (provinces)"
            known = "、".join(p.name for p in here) or "none yet"
            wanted = SEP.join(parts[: parts.index(part) + 1])
            raise UnknownPlace(
                f"unknown place {part!r} in jurisdiction {text!r}: known {where}: {known}. Check the spelling, "
                f"or add the place with `sitegw regulator add-place {wanted}` (registering a project there "
                "with add-project --city/--district adds it too)"
            )
        found = match
    assert found is not None
    return found


def add(db: Connection, text: str) -> Place:
    """Add a place written ``省/市/区县`` (1 to 3 levels) with its parents, province and city written in full
    (广东 -> 广东省, 深圳 -> 深圳市); the place, new or as it was."""
    parts = [p.strip() for p in text.replace("／", SEP).split(SEP)]
    if not 1 <= len(parts) <= len(LEVELS) or not all(parts):
        raise UnknownPlace(
            f"place {text!r}: write 省/市/区县 from the province down, 1 to 3 levels, e.g. {EXAMPLE}"
        )
    known = find_city(parts[1]) if len(parts) > 1 else None
    names = [_ended(parts[0], PROVINCE_ENDINGS, "省")]
    if len(parts) > 1:
        names.append(_ended(known.name if known else parts[1], CITY_ENDINGS, "市"))
    names += parts[2:]
    place_id = ensure(db, tuple(names))
    row = db.execute(
        sql("SELECT id, level, name, path FROM jurisdictions WHERE id = :i"), {"i": place_id}
    ).one()
    return Place(*row)
