"""The provincial video-monitoring project set (省级视频监控项目集): the projects the province watches by video,
kept up to date by regulators. A project is included (纳入) with its category, a reason and the decision's
date, its category may change, and it is removed (移出) with a reason and date; every step is kept in
``video_set_changes``, so the set of any past day can be told. The plan's focus categories are
government-invested large public buildings, rail transit and municipal tunnels (``CATEGORIES``).

Regulators and admins keep it, each for the projects their jurisdiction sees (regulator/storage/scope.py); a
project outside it answers 404 as if absent. The overview lists the set's projects first.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from regulator.ledger.review import REGULATORS, ReviewError
from regulator.names import beijing_text
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor, ScopedConnection

CATEGORIES = {
    "public_building": "政府投资大型公共建筑",
    "rail_transit": "轨道交通",
    "municipal_tunnel": "市政隧道",
    "other": "其他",
}
ACTIONS = {"include": "纳入", "change": "变更类别", "remove": "移出"}
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DECISION = "category, reason, effective_on, decided_by, decided_at"
MEMBER_KEYS = (
    "project",
    "name",
    "city",
    "district",
    "category",
    "reason",
    "effective_on",
    "decided_by",
    "decided_at",
)
CHANGE_KEYS = (
    "id",
    "project",
    "name",
    "action",
    "category",
    "reason",
    "effective_on",
    "decided_by",
    "decided_at",
)


@dataclass(frozen=True, slots=True)
class Decision:
    """A regulator's decision on one project: why, from which day, and (to include) its category."""

    project: str
    reason: str
    effective_on: str = ""  # yyyy-MM-dd; empty: today (Beijing)
    category: str = ""


def _checked(actor: Actor, decision: Decision, now: float) -> tuple[str, str]:
    """The decision's reason and day, or ReviewError naming what is wrong and the fix."""
    if actor.role not in REGULATORS:
        raise ReviewError(403, f"a {actor.role} may not change the provincial video-monitoring set")
    reason = decision.reason.strip()
    if not reason:
        raise ReviewError(422, "a change of the video-monitoring set needs a reason (纳入/移出原因)")
    day = decision.effective_on.strip() or beijing_text(now)[:10]
    try:
        if not DAY.match(day):
            raise ValueError(day)
        date.fromisoformat(day)
    except ValueError:
        raise ReviewError(
            422, f"effective_on {day!r} is not a day: write yyyy-MM-dd, e.g. 2026-11-23"
        ) from None
    return reason, day


def _current(db: ScopedConnection, project: str) -> str | None:
    """The project's category in the set (None: not in it); 404 if ``db``'s actor may not see it."""
    row = db.execute(
        f"SELECT p.code, v.category FROM {PROJECTS} p LEFT JOIN video_set v ON v.project = p.code "
        "WHERE p.code = :p",
        {"p": project},
    ).first()
    if row is None:
        raise ReviewError(404, f"no project {project!r}")
    category: str | None = row[1]
    return category


def _record(
    db: ScopedConnection,
    action: str,
    d: Decision,
    category: str,
    reason: str,
    day: str,
    actor: Actor,
    now: float,
) -> None:
    db.db.execute(
        sql(
            f"INSERT INTO video_set_changes(project, action, {DECISION}) "
            "VALUES (:p, :a, :c, :r, :d, :by, :at)"
        ),
        {"p": d.project, "a": action, "c": category, "r": reason, "d": day, "by": actor.name, "at": now},
    )


def include(repo: Repository, actor: Actor, d: Decision) -> dict[str, Any]:
    """Put a project in the set with ``d.category`` (or change its category); the change as kept."""
    if d.category not in CATEGORIES:
        known = ", ".join(f"{k} ({v})" for k, v in CATEGORIES.items())
        raise ReviewError(422, f"unknown category {d.category!r}: one of {known}")
    now = time.time()
    reason, day = _checked(actor, d, now)
    with repo.scoped(actor, write=True) as db:
        was = _current(db, d.project)
        if was == d.category:
            raise ReviewError(409, f"{d.project} is in the set as {CATEGORIES[was]} already")
        args = {"p": d.project, "c": d.category, "r": reason, "d": day, "by": actor.name, "at": now}
        if was is None:
            db.db.execute(
                sql(f"INSERT INTO video_set(project, {DECISION}) VALUES (:p, :c, :r, :d, :by, :at)"), args
            )
        else:
            db.db.execute(
                sql(
                    "UPDATE video_set SET category = :c, reason = :r, effective_on = :d, decided_by = :by, "
                    "decided_at = :at WHERE project = :p"
                ),
                args,
            )
        _record(db, "include" if was is None else "change", d, d.category, reason, day, actor, now)
    return changes(repo, actor, d.project)[-1]


def remove(repo: Repository, actor: Actor, d: Decision) -> dict[str, Any]:
    """Take a project out of the set; the change as kept (its history stays)."""
    now = time.time()
    reason, day = _checked(actor, d, now)
    with repo.scoped(actor, write=True) as db:
        was = _current(db, d.project)
        if was is None:
            raise ReviewError(409, f"{d.project} is not in the video-monitoring set")
        db.db.execute(sql("DELETE FROM video_set WHERE project = :p"), {"p": d.project})
        _record(db, "remove", d, was, reason, day, actor, now)
    return changes(repo, actor, d.project)[-1]


def members(repo: Repository, actor: Actor) -> list[dict[str, Any]]:
    """The set's projects ``actor`` may see, by category then code."""
    with repo.scoped(actor) as db:
        rows = db.execute(
            f"SELECT v.project, p.name, p.city, p.district, v.{', v.'.join(DECISION.split(', '))} "
            f"FROM video_set v JOIN {PROJECTS} p ON p.code = v.project ORDER BY v.category, v.project"
        ).all()
    return [_named(dict(zip(MEMBER_KEYS, r, strict=True))) for r in rows]


def changes(repo: Repository, actor: Actor, project: str | None = None) -> list[dict[str, Any]]:
    """Every inclusion, change and removal of the projects ``actor`` may see (or of one), oldest first."""
    where, args = ("WHERE c.project = :p", {"p": project}) if project else ("", {})
    with repo.scoped(actor) as db:
        rows = db.execute(
            f"SELECT c.id, c.project, p.name, c.action, c.{', c.'.join(DECISION.split(', '))} "
            f"FROM video_set_changes c JOIN {PROJECTS} p ON p.code = c.project {where} ORDER BY c.id",
            args,
        ).all()
    return [_named(dict(zip(CHANGE_KEYS, r, strict=True))) for r in rows]


def _named(row: dict[str, Any]) -> dict[str, Any]:
    row["category_name"] = CATEGORIES.get(row["category"], row["category"])
    if "action" in row:
        row["action_name"] = ACTIONS[row["action"]]
    return row
