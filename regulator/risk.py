"""Risk grading (风险分级): projects and the companies behind them (施工单位 contractor, 监理单位 supervision
company) graded 高/中/低 from their open and recent hazards, overdue rectifications and accidents; the
lists of the riskiest per jurisdiction (重点风险企业、项目台账清单).

A project's score is a weighted count (``RiskPolicy``, defaults below; regulators at province level may
change any weight, kept in ``risk_weights``):

    score = open_major  × open hazards classified 重大事故隐患 or listed for supervision (挂牌督办)
          + open_general × its other open hazards
          + recent       × hazards found in the last ``recent_days`` (any state but dismissed as a false alarm)
          + overdue      × rectifications past their deadline
          + accident     × accidents in the last ``incident_days``
          + near_miss    × serious near misses (重大险情) in that window

and its grade is 高 from ``high_from``, 中 from ``medium_from``, else 低. A company is graded by its worst
project (a company is as risky as its riskiest site), and ranked by that grade, then by the sum of its
projects' scores. Everything is read through the user's scope: a district's lists hold its district.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields, replace
from typing import Any

from regulator import classify
from regulator.db import sql
from regulator.review import DAY_S, KEPT, ReviewError
from regulator.scope import PROJECTS, Actor
from regulator.storage import Repository

GRADES = {"high": "高", "medium": "中", "low": "低"}
RANK = {"high": 2, "medium": 1, "low": 0}
COMPANY_ROLES = {"contractor": "施工单位", "supervisor": "监理单位"}


@dataclass(frozen=True, slots=True)
class RiskPolicy:
    """The score's weights and the grades' thresholds (see the module's docstring)."""

    open_major: float = 10.0
    open_general: float = 2.0
    recent: float = 1.0
    overdue: float = 5.0
    accident: float = 20.0
    near_miss: float = 8.0
    recent_days: float = 30.0
    incident_days: float = 365.0
    high_from: float = 30.0
    medium_from: float = 10.0

    def grade(self, score: float) -> str:
        """high, medium or low."""
        return "high" if score >= self.high_from else "medium" if score >= self.medium_from else "low"


WEIGHTS = tuple(f.name for f in fields(RiskPolicy))


@dataclass(slots=True)
class ProjectScore:
    """A project's counts, score and grade."""

    code: str
    name: str
    district: str
    contractor: str
    supervisor: str
    open_major: int = 0
    open_general: int = 0
    recent: int = 0
    overdue: int = 0
    accidents: int = 0
    near_misses: int = 0
    score: float = 0.0
    grade: str = "low"


@dataclass(slots=True)
class CompanyScore:
    """A company's projects (those the user sees), its summed score and its worst project's grade."""

    name: str
    role: str
    projects: list[str] = field(default_factory=list)
    score: float = 0.0
    grade: str = "low"


def policy(repo: Repository) -> RiskPolicy:
    """The policy in force: the defaults, with the weights regulators set."""
    with repo.engine.connect() as db:
        rows = db.execute(sql("SELECT name, value FROM risk_weights")).all()
    return replace(RiskPolicy(), **{name: float(value) for name, value in rows if name in WEIGHTS})


def set_weights(repo: Repository, actor: Actor, weights: dict[str, float]) -> RiskPolicy:
    """Change weights (regulators and admins without a jurisdiction or at province level); the new policy.
    ReviewError names an unknown weight, a negative value or thresholds out of order."""
    if actor.role not in ("regulator", "admin") or (actor.jurisdiction and "/" in actor.jurisdiction):
        raise ReviewError(403, "the risk score's weights are set at province level")
    unknown = sorted(set(weights) - set(WEIGHTS))
    if unknown:
        raise ReviewError(422, f"unknown weight {', '.join(unknown)}: one of {', '.join(WEIGHTS)}")
    if any(v < 0 for v in weights.values()):
        raise ReviewError(422, "weights, windows and thresholds are never negative")
    new = replace(policy(repo), **weights)
    if new.medium_from > new.high_from:
        raise ReviewError(422, f"medium_from ({new.medium_from}) must not exceed high_from ({new.high_from})")
    now = time.time()
    with repo.engine.begin() as db:
        for name, value in weights.items():
            db.execute(
                sql(
                    "INSERT INTO risk_weights(name, value, updated_by, updated_at) VALUES (:n, :v, :by, :at) "
                    "ON CONFLICT (name) DO UPDATE SET value=excluded.value, updated_by=excluded.updated_by, "
                    "updated_at=excluded.updated_at"
                ),
                {"n": name, "v": value, "by": actor.name, "at": now},
            )
    return new


def grade_projects(repo: Repository, actor: Actor, now: float | None = None) -> list[ProjectScore]:
    """Every project ``actor`` may see with its score and grade, riskiest first."""
    now = time.time() if now is None else now
    rules = policy(repo)
    args = {
        "now": now,
        "recent": now - rules.recent_days * DAY_S,
        "incidents": now - rules.incident_days * DAY_S,
    }
    with repo.scoped(actor) as db:
        projects = {
            r[0]: ProjectScore(*r)
            for r in db.execute(
                f"SELECT code, name, district, contractor, supervisor FROM {PROJECTS} p"
            ).all()
        }
        # open hazards by what classifies them, kept per project as hazards change (hazard_figures, migration
        # 0015), so each group is classified once; listed ones are graded major whatever their class
        open_groups = db.execute(
            f"SELECT f.project, f.rule, f.clause, f.class_major, SUM({KEPT['open']}), SUM(f.open_listed) "
            f"FROM hazard_figures f JOIN {PROJECTS} p ON p.code = f.project "
            "GROUP BY f.project, f.rule, f.clause, f.class_major "
            f"HAVING SUM({KEPT['open']}) > 0",
        ).all()
        overdue = db.execute(
            f"SELECT h.project, COUNT(*) FROM hazards h JOIN {PROJECTS} p ON p.code = h.project "
            "WHERE h.state = 'rectifying' AND h.deadline < :now GROUP BY h.project",
            args,
        ).all()
        recent = db.execute(
            f"SELECT h.project, COUNT(*) FROM hazards h JOIN {PROJECTS} p ON p.code = h.project "
            "WHERE h.first_ts >= :recent AND h.state <> 'dismissed' GROUP BY h.project",
            args,
        ).all()
        incidents = db.execute(
            f"SELECT i.project, i.kind, COUNT(*) FROM incidents i JOIN {PROJECTS} p ON p.code = i.project "
            "WHERE i.occurred_at >= :incidents GROUP BY i.project, i.kind",
            args,
        ).all()
        table = classify.load(db.db)
    by_table: dict[tuple[str, str], bool] = {}  # a province's projects share a few dozen (rule, clause)
    for project, rule, clause, class_major, count, listed in open_groups:
        p = projects[project]
        if (rule, clause) not in by_table:
            by_table[rule, clause] = classify.classify(table, rule, clause)["classification"] == "major"
        # an inspector's class (1 major, 0 general) stands over the table's row for the clause (-1: none)
        major = class_major > 0 or (class_major < 0 and by_table[rule, clause])
        p.open_major += int(count) if major else int(listed)
        p.open_general += 0 if major else int(count) - int(listed)
    for project, count in overdue:
        projects[project].overdue = int(count)
    for project, count in recent:
        projects[project].recent = int(count)
    for project, kind, count in incidents:
        if kind == "accident":
            projects[project].accidents += int(count)
        else:
            projects[project].near_misses += int(count)
    for p in projects.values():
        p.score = (
            rules.open_major * p.open_major
            + rules.open_general * p.open_general
            + rules.recent * p.recent
            + rules.overdue * p.overdue
            + rules.accident * p.accidents
            + rules.near_miss * p.near_misses
        )
        p.grade = rules.grade(p.score)
    return sorted(projects.values(), key=lambda p: (-p.score, p.code))


def grade_companies(projects: list[ProjectScore]) -> list[CompanyScore]:
    """The contractors and supervision companies of ``projects``, riskiest first (a project without one
    names none)."""
    companies: dict[tuple[str, str], CompanyScore] = {}
    for p in projects:
        for role, name in (("contractor", p.contractor), ("supervisor", p.supervisor)):
            if not name.strip():
                continue
            company = companies.setdefault((role, name), CompanyScore(name, role))
            company.projects.append(p.code)
            company.score += p.score
            if RANK[p.grade] > RANK[company.grade]:
                company.grade = p.grade
    return sorted(companies.values(), key=lambda c: (-RANK[c.grade], -c.score, c.role, c.name))


def as_dict(score: ProjectScore | CompanyScore) -> dict[str, Any]:
    """A score with its grade's Chinese name (and a company's role's)."""
    row = {f.name: getattr(score, f.name) for f in fields(score)}
    row["grade_name"] = GRADES[score.grade]
    if isinstance(score, CompanyScore):
        row["role_name"] = COMPANY_ROLES[score.role]
    return row
