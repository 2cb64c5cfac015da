"""Person-level scoring (个人记分, issue 53 §4): points a supervision station gives a project manager
(项目经理) or a chief supervising engineer (总监理工程师) for what it found on their project, by an item of
the province's scoring rules, and each person's running total over the scoring period.

A person is kept as little as names them: their name and certificate number (注册/执业证书编号, the key a
running total adds up by, across projects); never an ID number, and the certificate is never published.
The period and the threshold are the grading policy's (regulator/reports/grading.py ``score_days``,
``score_points``), set at province level to the province's rules.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from regulator.ledger.enforcement import require_project
from regulator.ledger.enforcement_records import ID_NUMBER
from regulator.ledger.review import DAY_S, REGULATORS, ReviewError
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor

ROLES = {"manager": "项目经理", "chief_supervisor": "总监理工程师"}
MAX_POINTS = 100.0  # one record; the provinces' items take from 1 to 12 points


@dataclass(frozen=True, slots=True)
class Score:
    """Points given to a person on a project, as entered."""

    project: str
    person: str
    certificate: str
    role: str
    points: float
    rule_item: str
    happened_at: float


def check(score: Score) -> None:
    """ReviewError (422) naming the field and the fix for a score that cannot be right."""
    if score.role not in ROLES:
        raise ReviewError(422, f"role {score.role!r}: manager (项目经理) or chief_supervisor (总监理工程师)")
    if not score.person.strip() or ID_NUMBER.search(score.person):
        raise ReviewError(422, "person: the person's name only, never an ID number")
    certificate = score.certificate.strip()
    if not certificate or ID_NUMBER.fullmatch(certificate):
        raise ReviewError(
            422, "certificate: the registration or practice certificate number, not an ID number"
        )
    if not math.isfinite(score.points) or not 0 < score.points <= MAX_POINTS:
        raise ReviewError(422, f"points {score.points}: more than 0 and at most {MAX_POINTS:g}")
    if not score.rule_item.strip():
        raise ReviewError(422, "rule_item: the item of the province's scoring rules applied")
    if score.happened_at > time.time() + 3600:
        raise ReviewError(422, "happened_at is in the future: give the date the points were given")


def record(repo: Repository, actor: Actor, score: Score) -> int:
    """Keep a score on a project ``actor`` (a regulator or admin) may see; its id (403, 404 as
    enforcement's records)."""
    if actor.role not in REGULATORS:
        raise ReviewError(403, "person scores are entered by regulators")
    check(score)
    with repo.scoped(actor, write=True) as db:
        require_project(db, score.project)
        return int(
            db.db.execute(
                sql(
                    "INSERT INTO person_scores(project, person, certificate, role, points, rule_item, happened_at, "
                    "recorded_by, recorded_at) VALUES (:project, :person, :cert, :role, :points, :item, :at, :by, "
                    ":now) RETURNING id"
                ),
                {
                    "project": score.project,
                    "person": score.person.strip(),
                    "cert": score.certificate.strip(),
                    "role": score.role,
                    "points": score.points,
                    "item": score.rule_item.strip(),
                    "at": score.happened_at,
                    "by": actor.name,
                    "now": time.time(),
                },
            ).scalar_one()
        )


def totals(repo: Repository, actor: Actor, now: float, days: float) -> list[dict[str, Any]]:
    """Each person scored on the projects ``actor`` may see within the ``days`` before ``now``: their running
    total over that period and the records it adds up, the highest total first."""
    with repo.scoped(actor) as db:
        rows = db.execute(
            "SELECT s.id, s.project, s.person, s.certificate, s.role, s.points, s.rule_item, s.happened_at "
            f"FROM person_scores s JOIN {PROJECTS} p ON p.code = s.project "
            "WHERE s.happened_at >= :since AND s.happened_at <= :now ORDER BY s.happened_at, s.id",
            {"since": now - days * DAY_S, "now": now},
        ).all()
    people: dict[str, dict[str, Any]] = {}
    for score_id, project, person, certificate, role, points, item, at in rows:
        one = people.setdefault(
            certificate,
            {
                "person": person,
                "certificate": certificate,
                "role": role,
                "role_name": ROLES[role],
                "total": 0.0,
                "records": [],
            },
        )
        one["total"] += points
        one["records"].append(
            {"id": score_id, "project": project, "points": points, "rule_item": item, "at": at}
        )
    return sorted(people.values(), key=lambda p: (-p["total"], p["person"]))
