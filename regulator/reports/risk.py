"""Risk grading (风险分级): projects and the companies behind them (施工单位 contractor, 监理单位 supervision
company) graded 高/中/低 from their open and recent hazards, overdue rectifications and accidents; the
lists of the riskiest per jurisdiction (重点风险企业、项目台账清单).

A project's score is a weighted count (``RiskPolicy``, defaults below; regulators at province level may
change any weight, kept in ``risk_weights``):

    score = open_major  × open hazards classified 重大事故隐患 or listed for supervision (挂牌督办)
          + open_general × its other open hazards
          + recent       × hazards found in the last ``recent_days`` (any state but dismissed as a false alarm)
          + overdue      × rectifications past their deadline (a listed hazard's: its listing's)
          + accident     × accidents in the last ``incident_days``
          + near_miss    × serious near misses (重大险情) in that window

and its grade is 高 from ``high_from``, 中 from ``medium_from``, else 低. A company is graded by its worst
project (a company is as risky as its riskiest site), and ranked by that grade, then by the sum of its
projects' scores. Everything is read through the user's scope: a district's lists hold its district.

The lists (`ranked`: the API's pages, the monthly report's riskiest) are worked out in one SQL statement, so
that of a province's 20,000 projects only what is shown leaves the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields, replace
from typing import Any

from regulator.ledger import classify
from regulator.ledger.review import DAY_S, KEPT, OVERDUE, ReviewError
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor, ScopedConnection

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


@dataclass(slots=True)
class RiskPage:
    """One page of the riskiest projects, the riskiest companies and the projects per grade, all of the
    user's projects counted."""

    grades: dict[str, int]
    total: int
    projects: list[ProjectScore]
    companies: list[CompanyScore]


# each project's counts, score and grade, in SQL from the kept figures (hazard_figures, migration 0015) and the
# clock's few hazards; ``{major}`` stands for the test of a group's class, ``{overdue}`` for review.py's OVERDUE,
# ``{projects}`` for the user's scope
GRADED = """
WITH opened AS (
    SELECT f.project,
        SUM(CASE WHEN {major} THEN {open} ELSE f.open_listed END) AS open_major,
        SUM(CASE WHEN {major} THEN 0 ELSE {open} - f.open_listed END) AS open_general
    FROM hazard_figures f JOIN {projects} p ON p.code = f.project GROUP BY f.project
), overdue AS (
    SELECT h.project, COUNT(*) AS n FROM hazards h JOIN {projects} p ON p.code = h.project
    WHERE {overdue} GROUP BY h.project
), recent AS (
    SELECT h.project, COUNT(*) AS n FROM hazards h JOIN {projects} p ON p.code = h.project
    WHERE h.first_ts >= :recent AND h.state <> 'dismissed' GROUP BY h.project
), harm AS (
    SELECT i.project, SUM(CASE WHEN i.kind = 'accident' THEN 1 ELSE 0 END) AS accidents,
        SUM(CASE WHEN i.kind = 'accident' THEN 0 ELSE 1 END) AS near_misses
    FROM incidents i JOIN {projects} p ON p.code = i.project WHERE i.occurred_at >= :incidents GROUP BY i.project
), counted AS (
    SELECT p.code, p.name, p.district, p.contractor, p.supervisor,
        COALESCE(o.open_major, 0) AS open_major, COALESCE(o.open_general, 0) AS open_general,
        COALESCE(r.n, 0) AS recent, COALESCE(d.n, 0) AS overdue,
        COALESCE(i.accidents, 0) AS accidents, COALESCE(i.near_misses, 0) AS near_misses
    FROM {projects} p LEFT JOIN opened o ON o.project = p.code LEFT JOIN overdue d ON d.project = p.code
    LEFT JOIN recent r ON r.project = p.code LEFT JOIN harm i ON i.project = p.code
), scored AS (
    SELECT counted.*, :w_open_major * open_major + :w_open_general * open_general + :w_recent * recent
        + :w_overdue * overdue + :w_accident * accidents + :w_near_miss * near_misses AS score
    FROM counted
), graded AS (
    SELECT scored.*, CASE WHEN score >= :high_from THEN 2 WHEN score >= :medium_from THEN 1 ELSE 0 END AS rank
    FROM scored
), roles AS (
    SELECT 'contractor' AS role, contractor AS company, code, score, rank FROM graded WHERE TRIM(contractor) <> ''
    UNION ALL
    SELECT 'supervisor', supervisor, code, score, rank FROM graded WHERE TRIM(supervisor) <> ''
), companies AS (
    SELECT role, company, SUM(score) AS score, MAX(rank) AS rank FROM roles GROUP BY role, company
    ORDER BY MAX(rank) DESC, SUM(score) DESC, role, company LIMIT :companies
)
"""
# one statement, so the graded projects are worked out once: rows of four kinds in one shape (kind, then the
# project's or company's columns, NULL where a kind has none)
RANKED = """
SELECT 'grade', NULL, NULL, NULL, NULL, NULL, COUNT(*), 0, 0, 0, 0, 0, 0, rank FROM graded GROUP BY rank
UNION ALL
SELECT * FROM (
    SELECT 'project', code, name, district, contractor, supervisor, open_major, open_general, recent, overdue,
        accidents, near_misses, score, rank FROM graded ORDER BY score DESC, code LIMIT :limit OFFSET :offset
) AS page
UNION ALL
SELECT 'company', role, company, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0, score, rank FROM companies
UNION ALL
SELECT 'member', r.role, r.company, r.code, NULL, NULL, 0, 0, 0, 0, 0, 0, r.score, r.rank
FROM roles r JOIN companies c ON c.role = r.role AND c.company = r.company
"""
BY_RANK = {rank: grade for grade, rank in RANK.items()}


def graded_with(db: ScopedConnection, rules: RiskPolicy, now: float) -> tuple[str, dict[str, Any]]:
    """GRADED, its tests filled in for the open hazards ``db`` sees, and its arguments but ``:companies``:
    a statement that follows it reads each project's grade from ``graded`` (its ``rank``: RANK's)."""
    args: dict[str, Any] = {
        "now": now,
        "recent": now - rules.recent_days * DAY_S,
        "incidents": now - rules.incident_days * DAY_S,
        "high_from": rules.high_from,
        "medium_from": rules.medium_from,
    }
    args |= {
        f"w_{name}": getattr(rules, name) for name in ("open_major", "open_general", "recent", "overdue")
    }
    args |= {"w_accident": rules.accident, "w_near_miss": rules.near_miss}
    # the (check, clause) pairs of open hazards are a few dozen in a province: classified here once each
    pairs = db.execute(
        f"SELECT DISTINCT f.rule, f.clause FROM hazard_figures f JOIN {PROJECTS} p ON p.code = f.project "
        f"WHERE f.class_major < 0 AND {KEPT['open']} > 0"
    ).all()
    table = classify.load(db.db)
    majors = [pair for pair in pairs if classify.classify(table, *pair)["classification"] == "major"]
    # an inspector's class (1 major, 0 general) stands over the table's row for the clause (-1: none)
    by_table = " OR ".join(f"(f.rule = :rule{n} AND f.clause = :clause{n})" for n in range(len(majors)))
    args |= {f"rule{n}": rule for n, (rule, _) in enumerate(majors)}
    args |= {f"clause{n}": clause for n, (_, clause) in enumerate(majors)}
    major = f"f.class_major > 0 OR (f.class_major < 0 AND ({by_table or '1 = 0'}))"
    return GRADED.replace("{major}", major).replace("{open}", KEPT["open"]).replace(
        "{overdue}", OVERDUE
    ), args


def ranked(
    repo: Repository, actor: Actor, page: int, page_size: int, companies: int, now: float | None = None
) -> RiskPage:
    """Page ``page`` (from 1) of ``page_size`` of the projects ``actor`` may see, riskiest first, the
    ``companies`` riskiest companies, and the projects per grade: the grading described above, worked
    out in SQL so that only what is shown leaves the database."""
    now = time.time() if now is None else now
    with repo.scoped(actor) as db:
        graded, args = graded_with(db, policy(repo), now)
        args |= {"limit": page_size, "offset": (page - 1) * page_size, "companies": companies}
        rows = db.execute(graded + RANKED, args).all()
    grades = dict.fromkeys(GRADES, 0)
    found: list[ProjectScore] = []
    listed: dict[tuple[str, str], CompanyScore] = {}
    members: list[tuple[float, str, tuple[str, str]]] = []
    for kind, a, b, c, d, e, *counts, score, rank in rows:
        if kind == "grade":
            grades[BY_RANK[rank]] = int(counts[0])
        elif kind == "project":
            open_major, open_general, recent, overdue, accidents, near_misses = (int(n) for n in counts)
            found.append(
                ProjectScore(
                    a, b, c, d, e, open_major, open_general, recent, overdue, accidents, near_misses, float(score),
                    BY_RANK[rank],
                )
            )  # fmt: skip
        elif kind == "company":
            listed[a, b] = CompanyScore(b, a, [], float(score), BY_RANK[rank])
        else:
            members.append((-float(score), c, (a, b)))
    for _, code, company in sorted(members):  # a company's projects riskiest first, as the page's
        listed[company].projects.append(code)
    # a union's rows come in no set order: each list sorted again as SQL chose it
    found.sort(key=lambda p: (-p.score, p.code))
    by_risk = sorted(listed.values(), key=lambda c: (-RANK[c.grade], -c.score, c.role, c.name))
    return RiskPage(grades, sum(grades.values()), found, by_risk)


def as_dict(score: ProjectScore | CompanyScore) -> dict[str, Any]:
    """A score with its grade's Chinese name (and a company's role's)."""
    row = {f.name: getattr(score, f.name) for f in fields(score)}
    row["grade_name"] = GRADES[score.grade]
    if isinstance(score, CompanyScore):
        row["role_name"] = COMPANY_ROLES[score.role]
    return row
