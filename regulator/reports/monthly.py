"""A jurisdiction's monthly report (隐患排查治理月报): what a bureau sends upward.

The month is a Beijing calendar month. Its figures, all read through the user's scope (regulator/storage/scope.py):

- hazards found in the month (first event within it): major and general, by kind of check (塔吊, 深基坑, ...)
  and by article of 建质规〔2024〕5号;
- hazards closed (销号) in the month and how long they took from the first event, in days;
- hazards open at the month's end (or now, for the month under way) and the rectifications overdue then (a
  listed hazard's by its listings' deadline, review.py's DUE), as the audit trail says they stood at that
  instant: a past month's report does not change when its hazards are closed later; and those escalated in
  the month;
- the riskiest projects: by the risk score (regulator/reports/risk.py) as the ledger stands when the report is made,
  with the month's hazards of each;
- the month's major hazards (classified major or listed for supervision) with their worst value and its
  time, as every notice states them (regulator/peaks.py);
- the patrol coverage of the video-monitoring set (regulator/ledger/patrol_duty.py): its projects seen by a patrol
  in the month and in each week of it, and those not seen;
- the inspection plans running in the month and their coverage (done, due, overdue, the unseen listed):
  ``PlanCoverage``, filled in by regulator/inspections/coverage.py's ``monthly_figures``, which sits above the
  reports (it grades key-risk projects with them).

`figures` works them out; regulator/reports/report_pdf.py typesets them.
"""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from regulator.ledger import classify
from regulator.ledger.patrol_duty import MonthCoverage, month_coverage
from regulator.ledger.review import DAY_S, HAZARD_COLUMNS, OPEN_STATES, Review, ReviewError
from regulator.names import BEIJING, kind_name
from regulator.reports.risk import GRADES, ranked
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
RISKIEST = 10
MAJOR_LISTED = 30  # the month's major hazards listed with their worst value; the rest are counted
NO_ARTICLE = "不属重大隐患条款（一般隐患）"


@dataclass(frozen=True, slots=True)
class ProjectRisk:
    """One project's line in the riskiest projects' table."""

    code: str
    name: str
    district: str
    grade: str  # 高, 中 or 低
    score: float
    open_major: int  # open hazards classified major or listed for supervision (挂牌督办)
    overdue: int
    found: int


@dataclass(frozen=True, slots=True)
class MajorHazard:
    """One of the month's major hazards: where, which check, its worst value and when."""

    project: str
    project_name: str
    check: str  # the check's Chinese name
    where: str  # device and point
    worst: str  # the worst value as the ledger says it, e.g. 59.0 kN（设计值 20 kN 的 295%）
    worst_ts: float | None
    first_ts: float


@dataclass(frozen=True, slots=True)
class PlanCoverage:
    """An inspection plan of the month and its coverage as the month's report states it."""

    title: str
    kind_name: str
    due_at: float
    done: int
    due: int
    overdue: int
    total: int
    unseen: list[tuple[str, ...]]  # (code, name, district, 待查/逾期未查), the overdue first


@dataclass(slots=True)
class MonthFigures:
    """The month's figures of the projects a user sees."""

    place: str  # the jurisdiction's path, or 全部辖区 for a user who sees every project
    month: str  # yyyy-MM
    start: float
    end: float
    as_of: float  # the month's end, or now while it runs
    projects: int = 0
    found: int = 0
    found_major: int = 0
    by_kind: list[tuple[str, int]] = field(default_factory=list)
    by_article: list[tuple[str, int]] = field(default_factory=list)
    closed: int = 0
    close_days_mean: float | None = None
    close_days_median: float | None = None
    close_days_max: float | None = None
    open_now: int = 0
    overdue: int = 0
    escalated: int = 0
    riskiest: list[ProjectRisk] = field(default_factory=list)
    major: list[MajorHazard] = field(default_factory=list)  # the first MAJOR_LISTED, oldest first
    major_more: int = 0  # the month's major hazards beyond those
    patrol: MonthCoverage | None = None  # the video-monitoring set's patrol coverage
    plans: list[PlanCoverage] = field(default_factory=list)  # the inspection plans running in the month

    @property
    def title(self) -> str:
        """The report's title: 《<place> 房屋市政工程安全隐患排查治理月报（yyyy年M月）》."""
        year, month = self.month.split("-")
        return f"{self.place} 房屋市政工程安全隐患排查治理月报（{year}年{int(month)}月）"


def month_bounds(month: str) -> tuple[float, float]:
    """Unix seconds of a Beijing month's first instant and of the next month's; ReviewError 422 if ``month``
    is not ``yyyy-MM``."""
    m = MONTH.match(month.strip())
    if not m or not 1 <= int(m[2]) <= 12:
        raise ReviewError(422, f"month {month!r} is not a month: write yyyy-MM, e.g. 2026-11")
    year, number = int(m[1]), int(m[2])
    start = datetime(year, number, 1, tzinfo=BEIJING)
    after = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=BEIJING)
    return start.timestamp(), after.timestamp()


def _kind(rule: str) -> str:
    return kind_name(rule) or "其他"


def stood_at(
    hazards: list[dict[str, Any]], steps: Sequence[Any], at: float
) -> dict[int, tuple[str, float | None]]:
    """Each hazard's state and rectification deadline at instant ``at``: as the ledger holds them, or, for a
    hazard acted on since, replayed from the audit trail (``steps``: its actions' hazard_id, to_state,
    deadline and ts, in the order they were taken, at least those before ``at``): it starts pending when first
    seen, every action before ``at`` moves it to its ``to_state``, and one that set a deadline (an order, a
    rejected report) sets it. Hazards first seen at or after ``at`` are left out."""
    stood = {h["id"]: (h["state"], h["deadline"]) for h in hazards if h["first_ts"] < at}
    since = {step.hazard_id for step in steps if step.ts >= at and step.hazard_id in stood}
    for hazard_id in since:
        stood[hazard_id] = ("pending", None)
    for step in steps:
        if step.ts < at and step.hazard_id in since:
            deadline = stood[step.hazard_id][1] if step.deadline is None else step.deadline
            stood[step.hazard_id] = (step.to_state, deadline)
    return stood


def listed_due(listings: Sequence[Any], at: float) -> dict[int, float]:
    """The deadline each hazard under listed supervision (挂牌督办) ran to at instant ``at``: the first of its
    listings open then (listed before ``at``, not closed by then), which it escalates on instead of its
    order's (review.py's DUE); ``listings``: hazard_id, deadline, listed_at, closed_at."""
    due: dict[int, float] = {}
    for hazard_id, deadline, listed_at, closed_at in listings:
        if listed_at < at and (closed_at is None or closed_at >= at):
            due[hazard_id] = min(deadline, due.get(hazard_id, deadline))
    return due


def figures(repo: Repository, actor: Actor, month: str, now: float | None = None) -> MonthFigures:
    """The month's figures of the projects ``actor`` may see."""
    start, end = month_bounds(month)
    now = time.time() if now is None else now
    as_of = min(now, end)
    found = MonthFigures(actor.jurisdiction or "全部辖区", month, start, end, as_of)
    args: dict[str, Any] = {"start": start, "end": end}
    with repo.scoped(actor) as db:
        found.projects = db.execute(f"SELECT COUNT(*) FROM {PROJECTS} p").scalar_one()
        # the month's hazards, and every one that was open at its end: still open, or closed (or dismissed) since
        where = (
            "(h.first_ts >= :start AND h.first_ts < :end) "
            f"OR (h.first_ts < :end AND (h.state IN {OPEN_STATES} OR h.closed_at >= :start))"
        )
        rows = db.execute(
            f"SELECT {HAZARD_COLUMNS} FROM hazards h JOIN {PROJECTS} p ON p.code = h.project WHERE {where}",
            args,
        ).all()
        steps = db.execute(
            "SELECT a.hazard_id, a.action, a.to_state, a.deadline, a.ts FROM actions a "
            f"JOIN hazards h ON h.id = a.hazard_id JOIN {PROJECTS} p ON p.code = h.project "
            f"WHERE {where} ORDER BY a.id",
            args,
        ).all()
        listings = db.execute(
            "SELECT l.hazard_id, l.deadline, l.listed_at, l.closed_at FROM listings l "
            f"JOIN hazards h ON h.id = l.hazard_id JOIN {PROJECTS} p ON p.code = h.project WHERE {where}",
            args,
        ).all()
        table = classify.load(db.db)
    hazards = [Review.hazard_dict(r, as_of, table) for r in rows]
    month_hazards = [h for h in hazards if start <= h["first_ts"] < end]
    found.found = len(month_hazards)
    found.found_major = sum(h["classification"] == "major" for h in month_hazards)
    found.by_kind = Counter(_kind(h["rule"]) for h in month_hazards).most_common()
    found.by_article = Counter(
        h["article"] if h["classification"] == "major" and h["article"] else NO_ARTICLE for h in month_hazards
    ).most_common()
    days = [
        (h["closed_at"] - h["first_ts"]) / DAY_S
        for h in hazards
        if h["state"] == "closed" and h["closed_at"] is not None and start <= h["closed_at"] < end
    ]
    found.closed = len(days)
    if days:
        found.close_days_mean = round(statistics.fmean(days), 1)
        found.close_days_median = round(statistics.median(days), 1)
        found.close_days_max = round(max(days), 1)
    then = stood_at(hazards, steps, as_of)
    found.open_now = sum(state in OPEN_STATES for state, _ in then.values())
    listed = listed_due(listings, as_of)
    found.overdue = sum(
        state == "rectifying" and due is not None and due < as_of
        for due, state in ((listed.get(i, deadline), state) for i, (state, deadline) in then.items())
    )
    found.escalated = len({s.hazard_id for s in steps if s.action == "escalate" and start <= s.ts < end})
    majors = sorted(
        (h for h in month_hazards if h["classification"] == "major" or h["major"]),
        key=lambda h: h["first_ts"],
    )
    found.major = [
        MajorHazard(
            h["project"],
            h["project_name"],
            h["rule_name"],
            f"{h['device']} {h['point']}".strip(),
            h["peak_text"] or h["peak_message"] or h["message"],
            h["peak_ts"] if h["peak_text"] else None,
            h["first_ts"],
        )
        for h in majors[:MAJOR_LISTED]
    ]
    found.major_more = max(0, len(majors) - MAJOR_LISTED)
    month_count = Counter(h["project"] for h in month_hazards)
    found.riskiest = [
        ProjectRisk(
            p.code, p.name, p.district, GRADES[p.grade], p.score, p.open_major, p.overdue, month_count[p.code]
        )
        for p in ranked(repo, actor, 1, RISKIEST, 0, now).projects
        if p.score > 0
    ]
    found.patrol = month_coverage(repo, actor, start, end, as_of)
    return found
