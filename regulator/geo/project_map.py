"""Where projects are: their coordinates (set from ``add-project --lat/--lon`` or the admin's form) and
the map's points, each with its worst open hazard, for the places a user may see.

A coordinate is WGS-84 degrees as a phone or the site's survey gives it; China lies within latitudes
3–54 N and longitudes 73–136 E, so a pair outside is refused as a slip (swapped, or a minus sign).
"""

from __future__ import annotations

import time
from typing import Any

from contract.alert_event import LEVEL_RANK
from regulator.ledger.review import OPEN_STATES
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor

LAT_RANGE = (3.0, 54.0)
LON_RANGE = (73.0, 136.0)
LEVEL_OF_RANK = {rank: level for level, rank in LEVEL_RANK.items()}
HAZARDS_PER_POINT = 20  # a click lists the worst few; the queue filtered to the project has them all


class BadCoordinates(ValueError):
    """Coordinates that cannot be a site in China; the message names the field and the fix."""


def check(lat: float | None, lon: float | None) -> tuple[float, float] | None:
    """Both coordinates, or neither (None); BadCoordinates for one alone or one out of China."""
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise BadCoordinates("give both --lat and --lon (WGS-84 degrees, e.g. --lat 22.53 --lon 113.93)")
    if not LAT_RANGE[0] <= lat <= LAT_RANGE[1]:
        raise BadCoordinates(
            f"lat {lat} is outside China ({LAT_RANGE[0]}–{LAT_RANGE[1]} N): latitude comes first, "
            "e.g. --lat 22.53 --lon 113.93"
        )
    if not LON_RANGE[0] <= lon <= LON_RANGE[1]:
        raise BadCoordinates(
            f"lon {lon} is outside China ({LON_RANGE[0]}–{LON_RANGE[1]} E), e.g. --lon 113.93"
        )
    return lat, lon


def locate(repo: Repository, code: str, lat: float, lon: float) -> None:
    """Set a registered project's coordinates (checked); KeyError when no project has this code."""
    check(lat, lon)
    with repo.engine.begin() as db:
        done = db.execute(
            sql("UPDATE projects SET lat = :lat, lon = :lon WHERE code = :code"),
            {"lat": lat, "lon": lon, "code": code},
        ).rowcount
    if not done:
        raise KeyError(f"no project {code!r}: register it first (sitegw regulator add-project)")


def first_location(repo: Repository, code: str, lat: float, lon: float) -> bool:
    """The site's own coordinates (its gateway's heartbeat), kept only while the project has none: an
    admin's correction stays. Whether they were kept."""
    with repo.engine.begin() as db:
        kept = db.execute(
            sql("UPDATE projects SET lat = :lat, lon = :lon WHERE code = :code AND lat IS NULL"),
            {"lat": lat, "lon": lon, "code": code},
        ).rowcount
    return bool(kept)


def points(
    repo: Repository, actor: Actor, offline_after_s: float, now: float | None = None
) -> list[dict[str, Any]]:
    """Every project ``actor`` may see with its coordinates (None: not known yet), its place's path, when its
    gateway was last heard and whether that is longer ago than ``offline_after_s`` (the overview's offline),
    its open hazards' count, the worst level among them (``none``: no open hazard) and the worst few."""
    offline_before = (time.time() if now is None else now) - offline_after_s
    args = {f"s{i}": s for i, s in enumerate(OPEN_STATES)}
    states = ", ".join(f":s{i}" for i in range(len(OPEN_STATES)))
    with repo.scoped(actor) as db:
        projects = db.execute(
            f"SELECT p.code, p.name, p.district, p.lat, p.lon, j.path, p.last_seen_at FROM {PROJECTS} p "
            "LEFT JOIN jurisdictions j ON j.id = p.district_id ORDER BY p.code"
        ).all()
        hazards = db.execute(
            f"SELECT h.project, h.id, h.rule, h.level_rank, h.message, h.state, h.major FROM hazards h "
            f"JOIN {PROJECTS} p ON p.code = h.project WHERE h.state IN ({states}) "
            "ORDER BY h.project, h.level_rank DESC, h.last_ts DESC",
            args,
        ).all()
    found = {
        code: {
            "code": code,
            "name": name,
            "district": district,
            "lat": lat,
            "lon": lon,
            "place": path,
            "last_seen_at": seen,
            "offline": seen is None or seen < offline_before,
            "open": 0,
            "worst": "none",
            "hazards": [],
        }
        for code, name, district, lat, lon, path, seen in projects
    }
    for project, hazard_id, rule, rank, message, state, major in hazards:
        point = found[project]
        if point["open"] == 0:
            point["worst"] = LEVEL_OF_RANK.get(rank, "warning")
        point["open"] += 1
        if len(point["hazards"]) < HAZARDS_PER_POINT:
            point["hazards"].append(
                {
                    "id": hazard_id,
                    "rule": rule,
                    "level": LEVEL_OF_RANK.get(rank, "warning"),
                    "message": message,
                    "state": state,
                    "major": bool(major),
                }
            )
    return list(found.values())


def cameras(repo: Repository, actor: Actor) -> dict[str, list[str]]:
    """The patrol cameras of each project ``actor`` may see (those that sent a picture), by project."""
    with repo.scoped(actor) as db:
        rows = db.execute(
            f"SELECT c.project, c.camera FROM camera_pictures c JOIN {PROJECTS} p ON p.code = c.project "
            "ORDER BY c.project, c.camera"
        ).all()
    by_project: dict[str, list[str]] = {}
    for project, camera in rows:
        by_project.setdefault(project, []).append(camera)
    return by_project
