"""Grading by the campaign's criteria (重点风险项目、企业): a project is key-risk when one of the named facts
holds, each shown with the record it comes from; key-risk projects owe an inspection and a monthly
report every month; companies with many of their sites stopped are published.

The facts (the campaign's; the numbers are the policy's, set at province level):

* an accident (生产安全事故) in the last ``accident_days`` (two years): regulator/ledger/incidents.py's ledger;
* dynamic deductions (动态扣分) adding up to ``deduction_points`` or more (达到 = >=) over the last
  ``deduction_days``: regulator/ledger/enforcement.py's records, per project and per company;
* a stop-work order (责令停工) in the last ``stop_work_days`` or still in force: enforcement's records and
  the stop-work notices (停工整改通知书) of listed supervision (regulator/ledger/supervision.py);
* a major hazard not rectified on time (重大事故隐患未按期整改): one classified major or under listed
  supervision, rectifying past its deadline now (review.py's OVERDUE);
* an administrative penalty (行政处罚), a talk (约谈) or a circulated notice (通报) on the project in the last
  ``sanction_days`` (regulator/ledger/enforcement_records.py). The campaign's list does not name these: a
  local rule, on by default (a project its station penalised is one it means to watch), off with 0 days.

An inspection this month is a record of one, a hazard an inspector recorded on the site (the inspection
channel), a rectification re-inspected there or an inspection record of a plan (regulator/inspections/).

A company (施工单位, a project's contractor) is key-risk when one of its projects is or its own deductions
reach the threshold. A company is published (曝光) when its sites stopped now are ``publish_ratio`` or more
of its sites under construction (every registered project of it the user sees), at least one stopped.
A person (项目经理, 总监理工程师) is listed when their scores (个人记分, regulator/ledger/person_scores.py) over
the last ``score_days`` reach ``score_points``: both set to the province's scoring rules (the defaults, 12
points over 12 months, are a placeholder to set).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from regulator.ledger import person_scores
from regulator.ledger.enforcement_records import KINDS as ACTION_KINDS
from regulator.ledger.review import DAY_S, DUE, LISTED, OVERDUE, ReviewError
from regulator.names import BEIJING, beijing_text
from regulator.reports.monthly import month_bounds
from regulator.storage.db import sql
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor

PREFIX = "grading."  # the policy's rows in risk_weights (migration 0011), beside the risk score's weights


@dataclass(frozen=True, slots=True)
class GradingPolicy:
    """The campaign's numbers."""

    accident_days: float = 730.0  # 近两年
    deduction_points: float = 40.0  # 动态扣分达到 40 分
    deduction_days: float = 365.0  # the cycle deductions add up over
    stop_work_days: float = 365.0
    inspections_per_month: float = 1.0  # 每月至少检查一次
    reports_per_month: float = 1.0  # 每月报告一次
    publish_ratio: float = 0.3  # 停工项目数 / 在建项目数
    sanction_days: float = 365.0  # a local rule: penalties, 约谈, 通报 counted back (0: not counted)
    score_points: float = 12.0  # 个人记分: a person listed at this running total (the province's rules)
    score_days: float = 365.0  # 个人记分's period (12 months)


POLICY = tuple(f.name for f in fields(GradingPolicy))
FACTS = {
    "accident": "近两年发生生产安全事故",
    "deductions": "动态扣分达到阈值",
    "stop_work": "被责令停工",
    "major_overdue": "重大事故隐患未按期整改",
    "sanction": "受到行政处罚、约谈或通报",
}


@dataclass(frozen=True, slots=True)
class Fact:
    """One named fact of a project or company and the record it comes from."""

    fact: str  # a key of FACTS
    project: str
    source: str  # the record: 事故 #12, 扣分记录 #3, 通知书 SZ-2026-001, 隐患 #40
    at: float  # when it happened (an overdue hazard: its deadline)
    detail: str

    def as_dict(self) -> dict[str, Any]:
        """With the fact's Chinese name and the time as Beijing time."""
        return {
            "fact": self.fact,
            "fact_name": FACTS[self.fact],
            "project": self.project,
            "source": self.source,
            "at": self.at,
            "at_text": beijing_text(self.at),
            "detail": self.detail,
        }


@dataclass(slots=True)
class GradedProject:
    """A project, its facts and (key-risk) this month's duties."""

    code: str
    name: str
    contractor: str
    place: str | None
    facts: list[Fact] = field(default_factory=list)
    deduction_total: float = 0.0
    stopped: bool = False
    inspections: int = 0  # this month: inspection records, hazards an inspector recorded, re-inspections
    reports: int = 0

    @property
    def key(self) -> bool:
        """Key-risk: one fact holds."""
        return bool(self.facts)


@dataclass(slots=True)
class GradedCompany:
    """A contractor over the projects the user sees."""

    name: str
    projects: list[str] = field(default_factory=list)
    key_projects: list[str] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)
    deduction_total: float = 0.0
    facts: list[Fact] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """Stopped sites over sites under construction."""
        return len(self.stopped) / len(self.projects) if self.projects else 0.0


@dataclass(slots=True)
class Grading:
    """The user's projects graded, the companies, the published list, for ``month``."""

    policy: GradingPolicy
    month: str
    projects: list[GradedProject]
    companies: list[GradedCompany]
    scored: list[dict[str, Any]] = field(default_factory=list)  # persons at or over score_points

    def key_projects(self) -> list[GradedProject]:
        """The key-risk projects, by code."""
        return [p for p in self.projects if p.key]

    def published(self) -> list[GradedCompany]:
        """The companies to publish, the highest ratio first."""
        found = [c for c in self.companies if c.stopped and c.ratio >= self.policy.publish_ratio]
        return sorted(found, key=lambda c: (-c.ratio, -len(c.stopped), c.name))


def policy(repo: Repository) -> GradingPolicy:
    """The policy in force: the defaults, with the numbers the province set."""
    with repo.engine.connect() as db:
        rows = db.execute(sql("SELECT name, value FROM risk_weights WHERE name LIKE 'grading.%'")).all()
    return replace(
        GradingPolicy(),
        **{n.removeprefix(PREFIX): float(v) for n, v in rows if n.removeprefix(PREFIX) in POLICY},
    )


def set_policy(repo: Repository, actor: Actor, numbers: dict[str, float]) -> GradingPolicy:
    """Change the policy's numbers (province level, as the risk weights); the new policy."""
    if actor.role not in ("regulator", "admin") or (actor.jurisdiction and "/" in actor.jurisdiction):
        raise ReviewError(403, "the grading policy is set at province level")
    unknown = sorted(set(numbers) - set(POLICY))
    if unknown:
        raise ReviewError(422, f"unknown setting {', '.join(unknown)}: one of {', '.join(POLICY)}")
    if any(v < 0 for v in numbers.values()):
        raise ReviewError(422, "the grading policy's numbers are never negative")
    now = time.time()
    with repo.engine.begin() as db:
        for name, value in numbers.items():
            db.execute(
                sql(
                    "INSERT INTO risk_weights(name, value, updated_by, updated_at) VALUES (:n, :v, :by, :at) "
                    "ON CONFLICT (name) DO UPDATE SET value=excluded.value, updated_by=excluded.updated_by, "
                    "updated_at=excluded.updated_at"
                ),
                {"n": PREFIX + name, "v": value, "by": actor.name, "at": now},
            )
    return policy(repo)


def this_month(now: float) -> str:
    """yyyy-MM of ``now``, Beijing time."""
    return datetime.fromtimestamp(now, BEIJING).strftime("%Y-%m")


def grade(repo: Repository, actor: Actor, now: float | None = None) -> Grading:
    """Every project ``actor`` may see graded by the policy's facts at ``now``, with this month's duties."""
    now = time.time() if now is None else now
    rules = policy(repo)
    month = this_month(now)
    found = _read(repo, actor, rules, now, month)
    projects = {
        code: GradedProject(code, name, contractor or "", path)
        for code, name, contractor, path in found.projects
    }
    companies: dict[str, GradedCompany] = {}
    for p in projects.values():
        if p.contractor.strip():
            companies.setdefault(p.contractor, GradedCompany(p.contractor)).projects.append(p.code)
    for code, count in found.visited:
        projects[code].inspections += int(count)
    for incident_id, code, at, deaths, injuries, description in found.accidents:
        detail = f"死亡 {deaths}，受伤 {injuries}：{description}"
        projects[code].facts.append(Fact("accident", code, f"事故险情台账 #{incident_id}", at, detail))
    deductions = _enforcement(found.records, projects, companies, now)
    for code, number, at, state in found.notices:
        p = projects[code]
        p.stopped = p.stopped or state != "closed"
        status = "督办中，停工" if state != "closed" else "督办已销号"
        p.facts.append(Fact("stop_work", code, f"停工整改通知书 {number}", at, status))
    _deduction_facts(deductions, projects, rules)
    for hazard_id, code, rule, message, due in found.overdue:
        detail = f"{rule}：{message}，整改期限 {beijing_text(due)}"
        projects[code].facts.append(Fact("major_overdue", code, f"隐患 #{hazard_id}", due or now, detail))
    for action_id, code, kind, case_number, party, amount, at, reason in found.actions:
        source = (
            f"{ACTION_KINDS[kind]} {case_number}" if case_number else f"{ACTION_KINDS[kind]}记录 #{action_id}"
        )
        fined = f"，罚款 {amount:g} 元" if amount else ""
        projects[code].facts.append(
            Fact("sanction", code, source, at, f"{party}{fined}：{reason}".rstrip("："))
        )
    _grade_companies(companies, projects, rules, now)
    for p in projects.values():
        p.facts.sort(key=lambda f: (f.at, f.fact))
    ordered = sorted(companies.values(), key=lambda c: (not c.facts, -len(c.key_projects), c.name))
    people = person_scores.totals(repo, actor, now, rules.score_days)
    scored = [p for p in people if p["total"] >= rules.score_points]
    return Grading(rules, month, list(projects.values()), ordered, scored)


@dataclass(frozen=True, slots=True)
class _Found:
    """The rows grading reads, of the projects the user sees."""

    projects: list[Any]  # code, name, contractor, district path
    accidents: list[Any]  # within accident_days
    records: list[Any]  # enforcement: deductions and stop-work orders in their windows, this month's duties
    notices: list[Any]  # stop-work notices of listed supervision
    overdue: list[Any]  # major or listed hazards past their deadline
    visited: list[Any]  # (project, count): an inspector on the site this month, as the ledger shows
    actions: list[Any]  # penalties, 约谈, 通报 within sanction_days


def _read(repo: Repository, actor: Actor, rules: GradingPolicy, now: float, month: str) -> _Found:
    """What grading at ``now`` reads, within the policy's windows and ``month`` (the duties')."""
    start, end = month_bounds(month)
    args = {
        "now": now,
        "accidents": now - rules.accident_days * DAY_S,
        "deductions": now - rules.deduction_days * DAY_S,
        "stops": now - rules.stop_work_days * DAY_S,
        "sanctions": now - rules.sanction_days * DAY_S,
        "start": start,
        "end": end,
    }
    with repo.scoped(actor) as db:
        rows = db.execute(
            f"SELECT p.code, p.name, p.contractor, j.path FROM {PROJECTS} p "
            "LEFT JOIN jurisdictions j ON j.id = p.district_id ORDER BY p.code"
        ).all()
        accidents = db.execute(
            f"SELECT i.id, i.project, i.occurred_at, i.deaths, i.injuries, i.description FROM incidents i "
            f"JOIN {PROJECTS} p ON p.code = i.project WHERE i.kind = 'accident' AND i.occurred_at >= :accidents "
            "AND i.occurred_at <= :now ORDER BY i.occurred_at",
            args,
        ).all()
        records = db.execute(
            f"SELECT e.id, e.project, e.kind, e.company, e.points, e.happened_at, e.lifted_at, e.note "
            f"FROM enforcement e JOIN {PROJECTS} p ON p.code = e.project WHERE "
            "(e.kind = 'deduction' AND e.happened_at >= :deductions AND e.happened_at <= :now) OR "
            "(e.kind = 'stop_work' AND (e.happened_at >= :stops OR e.lifted_at IS NULL OR e.lifted_at > :now)) OR "
            "(e.kind IN ('inspection', 'report') AND e.happened_at >= :start AND e.happened_at < :end) "
            "ORDER BY e.happened_at, e.id",
            args,
        ).all()
        notices = db.execute(
            f"SELECT n.project, n.number, n.issued_at, l.state FROM notices n "
            f"JOIN listings l ON l.id = n.listing_id JOIN {PROJECTS} p ON p.code = n.project "
            "WHERE n.kind = 'stop_work' AND (n.issued_at >= :stops OR l.state <> 'closed') ORDER BY n.issued_at",
            args,
        ).all()
        overdue = db.execute(
            f"SELECT h.id, h.project, h.rule, h.message, {DUE} FROM hazards h "
            f"JOIN {PROJECTS} p ON p.code = h.project WHERE {OVERDUE} AND (h.major OR {LISTED}) ORDER BY h.id",
            args,
        ).all()
        # an inspector on the site this month also shows in the ledger: a hazard they recorded there
        # (the inspection channel), a rectification they re-inspected or an inspection of a plan
        # (regulator/inspections/plans.py)
        visited = db.execute(
            f"SELECT h.project, COUNT(*) FROM hazards h JOIN {PROJECTS} p ON p.code = h.project "
            "WHERE h.source = 'inspection' AND h.first_ts >= :start AND h.first_ts < :end GROUP BY h.project "
            f"UNION ALL SELECT r.project, COUNT(*) FROM reinspections r JOIN {PROJECTS} p ON p.code = r.project "
            "WHERE r.ts >= :start AND r.ts < :end GROUP BY r.project "
            "UNION ALL SELECT i.project, COUNT(*) FROM inspection_records i "
            f"JOIN {PROJECTS} p ON p.code = i.project "
            "WHERE i.inspected_at >= :start AND i.inspected_at < :end GROUP BY i.project",
            args,
        ).all()
        actions = db.execute(
            "SELECT a.id, a.project, a.kind, a.case_number, a.party, a.amount, a.happened_at, a.reason "
            f"FROM enforcement_actions a JOIN {PROJECTS} p ON p.code = a.project "
            "WHERE a.happened_at > :sanctions AND a.happened_at <= :now ORDER BY a.happened_at, a.id",
            args,
        ).all()
    return _Found(
        list(rows), list(accidents), list(records), list(notices), list(overdue), list(visited), list(actions)
    )


def _enforcement(
    records: list[Any], projects: dict[str, GradedProject], companies: dict[str, GradedCompany], now: float
) -> dict[str, list[tuple[int, float, float, str]]]:
    """Enforcement's records onto the projects (stop-work orders, this month's inspections and reports) and
    the companies (their deductions); the deductions per project, to add up."""
    deductions: dict[str, list[tuple[int, float, float, str]]] = {}
    for record_id, code, kind, company, points, at, lifted_at, note in records:
        p = projects[code]
        if kind == "deduction":
            deductions.setdefault(code, []).append((record_id, at, points, company))
            if company:
                company_of = companies.setdefault(company, GradedCompany(company))
                company_of.deduction_total += points
        elif kind == "stop_work":
            stopped_now = lifted_at is None or lifted_at > now
            p.stopped = p.stopped or stopped_now
            state = "停工中" if stopped_now else f"{beijing_text(lifted_at)} 复工"
            p.facts.append(
                Fact("stop_work", code, f"执法记录 #{record_id}", at, f"{state}；{note}".rstrip("；"))
            )
        elif kind == "inspection":
            p.inspections += 1
        else:
            p.reports += 1
    return deductions


def _deduction_facts(
    deductions: dict[str, list[tuple[int, float, float, str]]],
    projects: dict[str, GradedProject],
    rules: GradingPolicy,
) -> None:
    """Each project's deductions added up, a fact where they reach the threshold."""
    for code, taken in deductions.items():
        p = projects[code]
        p.deduction_total = sum(points for _, _, points, _ in taken)
        if p.deduction_total >= rules.deduction_points:
            ids = "、".join(f"#{record_id}" for record_id, *_ in taken)
            by = "；".join(f"{company} {points:g} 分" for _, _, points, company in taken)
            p.facts.append(
                Fact(
                    "deductions",
                    code,
                    f"扣分记录 {ids}",
                    taken[-1][1],
                    f"累计 {p.deduction_total:g} 分（{by}）",
                )
            )


def _grade_companies(
    companies: dict[str, GradedCompany], projects: dict[str, GradedProject], rules: GradingPolicy, now: float
) -> None:
    """A company's key-risk and stopped projects, their facts, and its own deductions' fact."""
    for c in companies.values():
        for code in c.projects:
            p = projects[code]
            if p.key:
                c.key_projects.append(code)
                c.facts += p.facts
            if p.stopped:
                c.stopped.append(code)
        if c.deduction_total >= rules.deduction_points:
            c.facts.append(
                Fact("deductions", "", "扣分记录", now, f"企业累计动态扣分 {c.deduction_total:g} 分")
            )


def duties(p: GradedProject, rules: GradingPolicy) -> dict[str, Any]:
    """A key-risk project's duties this month: inspections and reports done, and whether each is met."""
    return {
        "inspections": p.inspections,
        "inspection_done": p.inspections >= rules.inspections_per_month,
        "reports": p.reports,
        "report_done": p.reports >= rules.reports_per_month,
    }
