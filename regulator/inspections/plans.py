"""Inspection plans (检查计划, issue 53 §1): a 全覆盖 round with its deadline (第一轮 by 30 June, 第二轮 by 31
October), a 一月一主题 theme with its checklist (themes.py), or a 双随机 draw (draws.py makes those). A plan
covers a place (a jurisdiction's path) and lists the projects it must reach: by default every project of
that place the planner may see. An inspection record (who, when, which project, which plan) marks a
project covered.

Only regulators and admins plan and inspect; a plan is seen by those above, at or below its place, and its
projects through each one's scope, so a district's inspector sees the city's round with their own district's
projects only. A plan the user may not see answers 404 as if absent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from regulator.inspections.themes import theme
from regulator.ledger.review import REGULATORS, ReviewError
from regulator.names import BEIJING
from regulator.storage.db import sql
from regulator.storage.jurisdictions import SEP, UnknownPlace, find
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor, ScopedConnection

KINDS = {"round": "全覆盖排查", "theme": "一月一主题专项排查", "draw": "双随机抽查", "sweep": "举一反三排查"}
THEMED = ("theme", "sweep")  # the kinds with a theme's checklist (a sweep: its kind of work's, sweeps.py)
PLAN_KEYS = (
    "id",
    "kind",
    "title",
    "theme",
    "place",
    "starts_at",
    "due_at",
    "created_by",
    "created_at",
    "incident_id",
    "work",
)
PLAN_COLUMNS = ", ".join(f"ip.{k}" for k in PLAN_KEYS)
RECORD_KEYS = ("id", "plan_id", "project", "inspector", "inspected_at", "note")
# the projects under a place ('' : every one); ``p`` is the scoped projects' relation
UNDER_PLACE = (
    "(:place = '' OR p.district_id IN (SELECT id FROM jurisdictions WHERE path = :place "
    "OR substr(path, 1, :place_len) = :place_prefix))"
)


@dataclass(frozen=True, slots=True)
class NewPlan:
    """What a planner gives: the kind, a title, a theme's key (a theme plan), the place ('' : the planner's
    own), the window and the projects (empty: every project of the place the planner may see)."""

    kind: str
    title: str
    starts_at: float
    due_at: float
    place: str = ""
    theme: str | None = None
    projects: tuple[str, ...] = ()


def regulator_only(actor: Actor) -> None:
    """403 for a project user or a gateway: plans and draws are the authority's."""
    if actor.role not in REGULATORS:
        raise ReviewError(403, f"a {actor.role} user has no inspection plans: they are the authority's")


def day_end(text: str, field: str) -> float:
    """Unix seconds at the end of the Beijing day ``yyyy-MM-dd`` (a deadline is met on its day); 422 naming
    ``field`` otherwise."""
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").replace(tzinfo=BEIJING)
    except ValueError:
        raise ReviewError(422, f"{field} {text!r} is not a day: write yyyy-MM-dd, e.g. 2026-06-30") from None
    return (day + timedelta(days=1)).timestamp()


def place_args(place: str) -> dict[str, Any]:
    """The bind parameters of UNDER_PLACE."""
    prefix = place + SEP
    return {"place": place, "place_prefix": prefix, "place_len": len(prefix)}


def within(inner: str, outer: str) -> bool:
    """Whether place ``inner`` is ``outer`` or below it ('' is everywhere)."""
    return not outer or inner == outer or inner.startswith(outer + SEP)


def visible(actor: Actor, place: str) -> bool:
    """Whether ``actor`` sees a plan of ``place``: it is at or below theirs, or above it (a district's
    inspector takes part in the city's round, for their own projects)."""
    own = actor.jurisdiction or ""
    return within(place, own) or within(own, place)


def _place(db: Connection, actor: Actor, text: str) -> str:
    own = actor.jurisdiction or ""
    if not text.strip():
        return own
    try:
        path = find(db, text).path
    except UnknownPlace as exc:
        raise ReviewError(422, str(exc)) from None
    if not within(path, own):
        raise ReviewError(403, f"{path} is outside your jurisdiction {own}: plan for {own} or below it")
    return path


def create(repo: Repository, actor: Actor, new: NewPlan) -> dict[str, Any]:
    """Save a plan and its targets; the plan as ``plan`` reads it. 422 for an unknown kind or theme, a window
    that ends before it starts, or a plan that reaches no project; 404 for a project the planner may not see
    or one outside the plan's place."""
    regulator_only(actor)
    if new.kind not in KINDS:
        raise ReviewError(422, f"kind {new.kind!r} is not a plan: choose one of {', '.join(KINDS)}")
    if new.kind in THEMED:
        try:
            theme(new.theme or "")
        except ValueError as exc:
            raise ReviewError(422, str(exc)) from None
    if new.due_at <= new.starts_at:
        raise ReviewError(422, "the deadline is before the plan starts: give a deadline after its start")
    if not new.title.strip():
        raise ReviewError(422, "a plan needs a title, e.g. 2026年第一轮全覆盖排查")
    with repo.scoped(actor, write=True) as db:
        place = _place(db.db, actor, new.place)
        args = place_args(place)
        found = {r[0] for r in db.execute(f"SELECT p.code FROM {PROJECTS} p WHERE {UNDER_PLACE}", args).all()}
        targets = sorted(new.projects) if new.projects else sorted(found)
        missing = [code for code in targets if code not in found]
        if missing:
            raise ReviewError(404, f"no project {missing[0]!r} in {place or 'your jurisdiction'}")
        if not targets:
            raise ReviewError(422, f"no project in {place or 'your jurisdiction'} for the plan to reach")
        plan_id = insert_plan(db, actor, new, place, targets)
    return plan(repo, actor, plan_id)


def insert_plan(db: ScopedConnection, actor: Actor, new: NewPlan, place: str, targets: list[str]) -> int:
    """Insert the plan and its targets on ``db`` (the caller's transaction); its id."""
    plan_id = db.db.execute(
        sql(
            "INSERT INTO inspection_plans(kind, title, theme, place, starts_at, due_at, created_by, created_at) "
            "VALUES (:kind, :title, :theme, :place, :starts, :due, :by, :now) RETURNING id"
        ),
        {
            "kind": new.kind,
            "title": new.title.strip(),
            "theme": new.theme if new.kind in THEMED else None,
            "place": place,
            "starts": new.starts_at,
            "due": new.due_at,
            "by": actor.name,
            "now": time.time(),
        },
    ).scalar_one()
    db.db.execute(
        sql("INSERT INTO inspection_targets(plan_id, project) VALUES (:id, :p)"),
        [{"id": plan_id, "p": code} for code in targets],
    )
    return int(plan_id)


def _with_theme(row: dict[str, Any]) -> dict[str, Any]:
    row["kind_name"] = KINDS[row["kind"]]
    found = theme(row["theme"]) if row["theme"] else None
    row["theme_name"] = found.name if found else None
    row["checklist"] = [{"text": i.text, "article": i.article} for i in found.items] if found else []
    return row


def plans(repo: Repository, actor: Actor) -> list[dict[str, Any]]:
    """The plans ``actor`` sees, the latest deadline first, each with how many of its projects they see."""
    regulator_only(actor)
    with repo.scoped(actor) as db:
        rows = db.execute(
            f"SELECT {PLAN_COLUMNS}, COUNT(t.project) FROM inspection_plans ip LEFT JOIN (SELECT x.* FROM "
            f"inspection_targets x JOIN {PROJECTS} p ON p.code = x.project) t ON t.plan_id = ip.id "
            f"GROUP BY {PLAN_COLUMNS} ORDER BY ip.due_at DESC, ip.id DESC"
        ).all()
    found = []
    for r in rows:
        one = dict(zip(PLAN_KEYS, r[:-1], strict=True))
        if visible(actor, one["place"]):
            found.append(_with_theme(one) | {"projects": int(r[-1])})
    return found


def plan(repo: Repository, actor: Actor, plan_id: int) -> dict[str, Any]:
    """One plan ``actor`` sees (404 otherwise), with its checklist and how many of its projects they see."""
    for one in plans(repo, actor):
        if one["id"] == plan_id:
            return one
    raise ReviewError(404, f"no inspection plan {plan_id}")


def listed(db: ScopedConnection, plan_id: int, project: str) -> None:
    """404 for a project the connection's actor may not see, 422 for one the plan does not list."""
    if db.execute(f"SELECT 1 FROM {PROJECTS} p WHERE p.code = :p", {"p": project}).first() is None:
        raise ReviewError(404, f"no project {project!r}")
    found = db.db.execute(
        sql("SELECT 1 FROM inspection_targets WHERE plan_id = :id AND project = :p"),
        {"id": plan_id, "p": project},
    ).first()
    if found is None:
        raise ReviewError(422, f"project {project} is not in plan {plan_id}: record it under its own plan")


def record(
    repo: Repository, actor: Actor, plan_id: int, project: str, note: str, at: float | None = None
) -> dict[str, Any]:
    """Record that ``actor`` inspected ``project`` for the plan: it is covered. 404 for a plan or project
    they may not see, 422 for a project the plan does not list."""
    plan(repo, actor, plan_id)  # 404 unless seen
    with repo.scoped(actor, write=True) as db:
        listed(db, plan_id, project)
        row = db.db.execute(
            sql(
                "INSERT INTO inspection_records(plan_id, project, inspector, inspected_at, note) "
                "VALUES (:id, :p, :by, :at, :note) RETURNING id, plan_id, project, inspector, inspected_at, note"
            ),
            {
                "id": plan_id,
                "p": project,
                "by": actor.name,
                "at": time.time() if at is None else at,
                "note": note.strip(),
            },
        ).one()
    return dict(zip(RECORD_KEYS, row, strict=True))
