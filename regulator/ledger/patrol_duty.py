"""Patrols as a duty (远程巡查记录, issue #40): a patrol is a record of who looked at which projects' cameras
when, and what they found; the provincial video-monitoring set (regulator/ledger/video_set.py) is *covered* when
each of its projects was seen at least once in the period (by default a week, ``PERIOD_DAYS``), and the
ones not seen are listed so the next patrol starts with them.

A regulator starts a patrol, marks each project seen on the wall (a camera's picture, what was found: a
note and, where a hazard was recorded from the picture (regulator/channels), that hazard), and finishes
it with a summary. Everything reads through ``Repository.scoped(actor)``: a district's regulator patrols
and counts its own projects; another district's project or hazard answers 404 as if absent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from regulator.ledger.review import DAY_S, REGULATORS, ReviewError
from regulator.ledger.video_set import CATEGORIES
from regulator.names import beijing_text
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor

PERIOD_DAYS = 7.0  # the seed's duty: each project of the set seen at least once a week
PATROL_KEYS = ("id", "patrolled_by", "started_at", "ended_at", "note", "projects", "findings")
SIGHTING_KEYS = ("id", "patrol_id", "project", "name", "camera", "seen_at", "finding", "hazard_id")
COVER_KEYS = ("project", "name", "city", "district", "category", "last_seen_at", "last_seen_by", "sightings")


@dataclass(frozen=True, slots=True)
class Sighting:
    """A project looked at during a patrol: its camera, what was found, the hazard recorded from it."""

    project: str
    camera: str = ""
    finding: str = ""
    hazard_id: int | None = None


def _regulator(actor: Actor) -> None:
    if actor.role not in REGULATORS:
        raise ReviewError(403, f"a {actor.role} does not patrol: patrols are a regulator's duty")


def start(repo: Repository, actor: Actor) -> dict[str, Any]:
    """Open a patrol in ``actor``'s name; the record (409 while another of theirs is under way)."""
    _regulator(actor)
    with repo.engine.begin() as db:
        open_one = db.execute(
            sql("SELECT id FROM patrols WHERE patrolled_by = :by AND ended_at IS NULL"), {"by": actor.name}
        ).first()
        if open_one is not None:
            raise ReviewError(409, f"patrol {open_one[0]} of yours is under way: finish it first")
        new = db.execute(
            sql("INSERT INTO patrols(patrolled_by, started_at) VALUES (:by, :now) RETURNING id"),
            {"by": actor.name, "now": time.time()},
        ).scalar_one()
    return patrol(repo, actor, int(new))


def _own_open(db: Any, actor: Actor, patrol_id: int) -> None:
    row = db.execute(
        sql("SELECT patrolled_by, ended_at FROM patrols WHERE id = :id"), {"id": patrol_id}
    ).first()
    if row is None or row[0] != actor.name:
        raise ReviewError(404, f"no patrol {patrol_id} of yours")
    if row[1] is not None:
        raise ReviewError(409, f"patrol {patrol_id} is finished: start a new one")


def seen(repo: Repository, actor: Actor, patrol_id: int, s: Sighting) -> dict[str, Any]:
    """Record that ``actor`` looked at ``s.project`` in their open patrol; the sighting as kept. 404 for a
    project (or hazard) they may not see, 422 for a hazard of another project."""
    _regulator(actor)
    with repo.scoped(actor, write=True) as db:
        _own_open(db.db, actor, patrol_id)
        if db.execute(f"SELECT 1 FROM {PROJECTS} p WHERE p.code = :p", {"p": s.project}).first() is None:
            raise ReviewError(404, f"no project {s.project!r}")
        if s.hazard_id is not None:
            of = db.execute(
                f"SELECT h.project FROM hazards h JOIN {PROJECTS} p ON p.code = h.project WHERE h.id = :h",
                {"h": s.hazard_id},
            ).first()
            if of is None:
                raise ReviewError(404, f"no hazard {s.hazard_id}")
            if of[0] != s.project:
                raise ReviewError(
                    422, f"hazard {s.hazard_id} is of project {of[0]}, not {s.project}: link it to its own"
                )
        new = db.db.execute(
            sql(
                "INSERT INTO patrol_sightings(patrol_id, project, camera, seen_at, finding, hazard_id) "
                "VALUES (:id, :p, :c, :now, :f, :h) RETURNING id"
            ),
            {
                "id": patrol_id,
                "p": s.project,
                "c": s.camera,
                "now": time.time(),
                "f": s.finding.strip(),
                "h": s.hazard_id,
            },
        ).scalar_one()
    return next(x for x in sightings(repo, actor, patrol_id) if x["id"] == new)


def finish(repo: Repository, actor: Actor, patrol_id: int, note: str) -> dict[str, Any]:
    """Close ``actor``'s open patrol with its summary; the record."""
    _regulator(actor)
    with repo.engine.begin() as db:
        _own_open(db, actor, patrol_id)
        db.execute(
            sql("UPDATE patrols SET ended_at = :now, note = :note WHERE id = :id"),
            {"now": time.time(), "note": note.strip(), "id": patrol_id},
        )
    return patrol(repo, actor, patrol_id)


# a patrol with the number of projects and findings of it ``actor`` may see
PATROLS = (
    "SELECT t.id, t.patrolled_by, t.started_at, t.ended_at, t.note, COUNT(DISTINCT s.project), "
    "COUNT(CASE WHEN s.finding <> '' OR s.hazard_id IS NOT NULL THEN 1 END) FROM patrols t "
    f"LEFT JOIN (SELECT x.* FROM patrol_sightings x JOIN {PROJECTS} p ON p.code = x.project) s "
    "ON s.patrol_id = t.id {where} GROUP BY t.id, t.patrolled_by, t.started_at, t.ended_at, t.note "
    "ORDER BY t.id DESC LIMIT :limit"
)


def patrols(repo: Repository, actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
    """The latest patrols, newest first: a regulator's own, or (an admin) everyone's."""
    where, args = ("", {}) if actor.role == "admin" else ("WHERE t.patrolled_by = :by", {"by": actor.name})
    with repo.scoped(actor) as db:
        rows = db.execute(PATROLS.replace("{where}", where), {**args, "limit": limit}).all()
    return [dict(zip(PATROL_KEYS, r, strict=True)) for r in rows]


def patrol(repo: Repository, actor: Actor, patrol_id: int) -> dict[str, Any]:
    """One patrol with its sightings (of projects ``actor`` may see); 404 for another's (unless an admin)."""
    who = "" if actor.role == "admin" else "AND t.patrolled_by = :by"
    with repo.scoped(actor) as db:
        row = db.execute(
            PATROLS.replace("{where}", f"WHERE t.id = :id {who}"),
            {"id": patrol_id, "by": actor.name, "limit": 1},
        ).first()
    if row is None:
        raise ReviewError(404, f"no patrol {patrol_id} of yours")
    return dict(zip(PATROL_KEYS, row, strict=True)) | {"sightings": sightings(repo, actor, patrol_id)}


def sightings(repo: Repository, actor: Actor, patrol_id: int) -> list[dict[str, Any]]:
    """A patrol's sightings of projects ``actor`` may see, in the order recorded."""
    with repo.scoped(actor) as db:
        rows = db.execute(
            "SELECT s.id, s.patrol_id, s.project, p.name, s.camera, s.seen_at, s.finding, s.hazard_id "
            f"FROM patrol_sightings s JOIN {PROJECTS} p ON p.code = s.project WHERE s.patrol_id = :id "
            "ORDER BY s.id",
            {"id": patrol_id},
        ).all()
    return [dict(zip(SIGHTING_KEYS, r, strict=True)) for r in rows]


# each project of the set with its latest sighting in [since, until) and how many it had, the unseen first,
# then by the category's priority
COVERAGE = (
    "WITH seen AS (SELECT s.project, MAX(s.seen_at) AS last_at, COUNT(*) AS n FROM patrol_sightings s "
    f"JOIN {PROJECTS} p ON p.code = s.project WHERE s.seen_at >= :since AND s.seen_at < :until "
    "GROUP BY s.project) "
    "SELECT v.project, p.name, p.city, p.district, v.category, seen.last_at, "
    "(SELECT t.patrolled_by FROM patrol_sightings x JOIN patrols t ON t.id = x.patrol_id "
    " WHERE x.project = v.project AND x.seen_at = seen.last_at LIMIT 1), COALESCE(seen.n, 0) "
    f"FROM video_set v JOIN {PROJECTS} p ON p.code = v.project LEFT JOIN seen ON seen.project = v.project "
    "ORDER BY CASE WHEN seen.last_at IS NULL THEN 0 ELSE 1 END, {priority}, v.project"
).replace(
    # the plan's priorities in CATEGORIES' order: government-invested buildings, rail transit, tunnels, other
    "{priority}",
    "CASE v.category " + " ".join(f"WHEN '{k}' THEN {n}" for n, k in enumerate(CATEGORIES)) + " ELSE 99 END",
)


def coverage(repo: Repository, actor: Actor, since: float, until: float) -> dict[str, Any]:
    """The set's projects ``actor`` may see, each with its latest sighting in [since, until): ``unseen``
    (none) and ``covered``, each by its category's priority then code, with the counts and the patrols made
    in it."""
    with repo.scoped(actor) as db:
        rows = db.execute(COVERAGE, {"since": since, "until": until}).all()
        made = db.execute(
            "SELECT COUNT(DISTINCT s.patrol_id) FROM patrol_sightings s "
            f"JOIN {PROJECTS} p ON p.code = s.project WHERE s.seen_at >= :since AND s.seen_at < :until",
            {"since": since, "until": until},
        ).scalar_one()
    members = [dict(zip(COVER_KEYS, r, strict=True)) for r in rows]
    for m in members:
        m["category_name"] = CATEGORIES.get(m["category"], m["category"])
    unseen = [m for m in members if m["last_seen_at"] is None]
    seen_ = [m for m in members if m["last_seen_at"] is not None]
    total = len(members)
    return {
        "since": since,
        "until": until,
        "total": total,
        "seen": len(seen_),
        "share": round(len(seen_) / total, 4) if total else 1.0,
        "patrols": int(made),
        "unseen": unseen,
        "covered": seen_,
    }


def recent_coverage(
    repo: Repository, actor: Actor, days: float = PERIOD_DAYS, now: float | None = None
) -> dict[str, Any]:
    """Coverage of the last ``days`` up to now: who must be looked at to keep the duty."""
    now = time.time() if now is None else now
    return coverage(repo, actor, now - days * DAY_S, now + 1.0) | {"days": days}


@dataclass(frozen=True, slots=True)
class MonthCoverage:
    """The monthly report's patrol coverage: the set's projects seen in the month and in each of its
    periods (``PERIOD_DAYS`` from the month's first day, the last one shorter), and those never seen."""

    total: int
    seen: int
    patrols: int
    periods: list[tuple[str, int]]  # (MM-dd–MM-dd, projects seen in it)
    unseen: list[tuple[str, str, str]]  # (code, name, district) not seen in the month, by category then code


def month_coverage(repo: Repository, actor: Actor, start: float, end: float, as_of: float) -> MonthCoverage:
    """Coverage of [start, end) as it stood at ``as_of`` (a month under way: its periods up to now), of the
    set as it is now."""
    whole = coverage(repo, actor, start, end)
    periods = []
    at = start
    while at < min(end, as_of):
        until = min(at + PERIOD_DAYS * DAY_S, end)
        label = f"{beijing_text(at)[5:10]}–{beijing_text(until - 1)[5:10]}"
        periods.append((label, coverage(repo, actor, at, until)["seen"]))
        at = until
    return MonthCoverage(
        whole["total"],
        whole["seen"],
        whole["patrols"],
        periods,
        [(m["project"], m["name"], m["district"]) for m in whole["unseen"]],
    )
