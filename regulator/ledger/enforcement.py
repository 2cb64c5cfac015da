"""What a supervision station did to a project that no other ledger keeps (migration 0018): a dynamic
deduction (动态扣分) from a company, a stop-work order (责令停工) and its lifting (复工), a routine
inspection (监督检查), a project's monthly report (月度报告) received. The campaign's grading
(regulator/reports/grading.py) reads them, each fact shown with the record it comes from."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from regulator.ledger.review import REGULATORS, ReviewError
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor, ScopedConnection

KINDS = {
    "deduction": "动态扣分",
    "stop_work": "责令停工",
    "inspection": "监督检查",
    "report": "月度报告",
}
MAX_POINTS = 100.0  # one deduction; a company's cycle starts from 100 points in the usual schemes


@dataclass(frozen=True, slots=True)
class Entry:
    """One record as entered."""

    project: str
    kind: str
    happened_at: float
    company: str = ""
    points: float = 0.0
    note: str = ""


def check(entry: Entry) -> None:
    """ReviewError (422) naming the field and the fix for an entry that cannot be right."""
    if entry.kind not in KINDS:
        raise ReviewError(
            422, f"kind {entry.kind!r}: one of {', '.join(KINDS)} ({', '.join(KINDS.values())})"
        )
    if entry.kind == "deduction":
        if not entry.company.strip():
            raise ReviewError(422, "a deduction (动态扣分) names the company whose points it takes: company")
        if not 0 < entry.points <= MAX_POINTS:
            raise ReviewError(
                422, f"points {entry.points}: a deduction takes more than 0 and at most {MAX_POINTS}"
            )
    elif entry.points:
        raise ReviewError(422, f"points are a deduction's only; a {entry.kind} has none")
    if entry.happened_at > time.time() + 3600:
        raise ReviewError(422, "happened_at is in the future: give the date it happened")


def require_project(db: ScopedConnection, code: str) -> None:
    """ReviewError(404) when project ``code`` is not one the scoped actor sees (as if absent)."""
    if db.execute(f"SELECT 1 FROM {PROJECTS} p WHERE p.code = :code", {"code": code}).first() is None:
        raise ReviewError(404, f"no project {code!r} in your jurisdiction")


def record(repo: Repository, actor: Actor, entry: Entry) -> int:
    """Keep a record of a project ``actor`` (a regulator or admin) may see; its id. 403 for a project
    user, 404 for a project outside their jurisdiction (as if absent)."""
    if actor.role not in REGULATORS:
        raise ReviewError(403, "supervision records are entered by regulators")
    check(entry)
    with repo.scoped(actor, write=True) as db:
        require_project(db, entry.project)
        return int(
            db.db.execute(
                sql(
                    "INSERT INTO enforcement(project, kind, company, points, happened_at, note, recorded_by, "
                    "recorded_at) VALUES (:project, :kind, :company, :points, :at, :note, :by, :now) RETURNING id"
                ),
                {
                    "project": entry.project,
                    "kind": entry.kind,
                    "company": entry.company.strip(),
                    "points": entry.points,
                    "at": entry.happened_at,
                    "note": entry.note,
                    "by": actor.name,
                    "now": time.time(),
                },
            ).scalar_one()
        )


def lift(repo: Repository, actor: Actor, record_id: int, lifted_at: float) -> None:
    """A stop-work order lifted (复工) at ``lifted_at``; 404 for no such order the actor may see."""
    if actor.role not in REGULATORS:
        raise ReviewError(403, "supervision records are entered by regulators")
    with repo.scoped(actor, write=True) as db:
        found = db.execute(
            f"SELECT e.happened_at FROM enforcement e JOIN {PROJECTS} p ON p.code = e.project "
            "WHERE e.id = :id AND e.kind = 'stop_work'",
            {"id": record_id},
        ).first()
        if found is None:
            raise ReviewError(404, f"no stop-work order #{record_id} in your jurisdiction")
        if lifted_at < found[0]:
            raise ReviewError(422, "lifted_at is before the order: give the date work resumed")
        db.db.execute(
            sql("UPDATE enforcement SET lifted_at = :at WHERE id = :id"), {"at": lifted_at, "id": record_id}
        )


RECORD_KEYS = (
    "id",
    "project",
    "project_name",
    "kind",
    "company",
    "points",
    "happened_at",
    "lifted_at",
    "note",
    "recorded_by",
    "recorded_at",
)


def between(repo: Repository, actor: Actor, start: float, end: float) -> list[dict[str, Any]]:
    """The records of the projects ``actor`` may see that happened in [start, end) (a period's, for the
    national export), oldest first, each with its kind's Chinese name (``kind_name``)."""
    with repo.scoped(actor) as db:
        rows = db.execute(
            "SELECT e.id, e.project, p.name, e.kind, e.company, e.points, e.happened_at, e.lifted_at, e.note, "
            f"e.recorded_by, e.recorded_at FROM enforcement e JOIN {PROJECTS} p ON p.code = e.project "
            "WHERE e.happened_at >= :start AND e.happened_at < :end ORDER BY e.happened_at, e.id",
            {"start": start, "end": end},
        ).all()
    return [dict(zip(RECORD_KEYS, r, strict=True)) | {"kind_name": KINDS.get(r[3], r[3])} for r in rows]
