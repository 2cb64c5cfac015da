"""A plan's coverage (覆盖情况, issue 53 §1): each of its projects the user sees is *done* (an inspection
record of the plan), *due* (not yet, the deadline ahead) or *overdue* (not, and the deadline passed), the
unseen first; counted per district and per inspector (the ones assigned to the project, else the one who
inspected it, else 未分派). Beside it, differentiated supervision's duty (差异化监管): the grading's key-risk
projects (regulator/reports/grading.py) owe an inspection every month, done or due this month. The
month's report (``monthly_figures``) states the coverage of the plans running in the month.
"""

from __future__ import annotations

import time
from typing import Any

from regulator.inspections.plans import plan, plans
from regulator.reports.grading import duties, grade
from regulator.reports.monthly import MonthFigures, PlanCoverage, figures
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor

STATES = {"overdue": "逾期未查", "due": "待查", "done": "已查"}
UNASSIGNED = "未分派"
ORDER = ("overdue", "due", "done")  # the unseen first
TARGET_KEYS = ("project", "name", "district", "inspected_at", "inspected_by")


def _counts() -> dict[str, int]:
    return dict.fromkeys((*ORDER, "total"), 0)


def _tally(groups: dict[str, dict[str, int]], key: str, state: str) -> None:
    counts = groups.setdefault(key, _counts())
    counts[state] += 1
    counts["total"] += 1


def coverage(repo: Repository, actor: Actor, plan_id: int, now: float | None = None) -> dict[str, Any]:
    """The plan's coverage (``plan_coverage``) and, in the same view, the key-risk projects' monthly duty."""
    now = time.time() if now is None else now
    return plan_coverage(repo, actor, plan(repo, actor, plan_id), now) | {
        "key_risk": key_risk_duty(repo, actor, now)
    }


def plan_coverage(repo: Repository, actor: Actor, the_plan: dict[str, Any], now: float) -> dict[str, Any]:
    """The plan's projects ``actor`` sees with their state at ``now`` and the counts per district and per
    inspector."""
    plan_id = the_plan["id"]
    with repo.scoped(actor) as db:
        rows = db.execute(
            "SELECT t.project, p.name, COALESCE(j.path, ''), MIN(r.inspected_at), "
            "(SELECT x.inspector FROM inspection_records x WHERE x.plan_id = t.plan_id AND x.project = t.project "
            " ORDER BY x.inspected_at, x.id LIMIT 1) "
            f"FROM inspection_targets t JOIN {PROJECTS} p ON p.code = t.project "
            "LEFT JOIN jurisdictions j ON j.id = p.district_id "
            "LEFT JOIN inspection_records r ON r.plan_id = t.plan_id AND r.project = t.project "
            "WHERE t.plan_id = :id GROUP BY t.plan_id, t.project, p.name, j.path",
            {"id": plan_id},
        ).all()
        assigned = db.execute(
            f"SELECT a.project, a.inspector FROM inspection_assignments a JOIN {PROJECTS} p ON p.code = a.project "
            "WHERE a.plan_id = :id ORDER BY a.project, a.inspector",
            {"id": plan_id},
        ).all()
    inspectors: dict[str, list[str]] = {}
    for code, name in assigned:
        inspectors.setdefault(code, []).append(name)
    projects = []
    by_district: dict[str, dict[str, int]] = {}
    by_inspector: dict[str, dict[str, int]] = {}
    for row in rows:
        one = dict(zip(TARGET_KEYS, row, strict=True))
        state = (
            "done" if one["inspected_at"] is not None else "overdue" if now >= the_plan["due_at"] else "due"
        )
        one |= {"state": state, "state_name": STATES[state], "inspectors": inspectors.get(one["project"], [])}
        projects.append(one)
        _tally(by_district, one["district"], state)
        for who in one["inspectors"] or [one["inspected_by"] or UNASSIGNED]:
            _tally(by_inspector, who, state)
    projects.sort(key=lambda p: (ORDER.index(p["state"]), p["district"], p["project"]))
    totals = _counts()
    for p in projects:
        totals[p["state"]] += 1
        totals["total"] += 1
    return {
        "plan": the_plan,
        "as_of": now,
        "totals": totals,
        "share": round(totals["done"] / totals["total"], 4) if totals["total"] else 1.0,
        "projects": projects,
        "districts": [{"district": k, **v} for k, v in sorted(by_district.items(), key=_unseen_first)],
        "inspectors": [{"inspector": k, **v} for k, v in sorted(by_inspector.items(), key=_unseen_first)],
    }


def _unseen_first(item: tuple[str, dict[str, int]]) -> tuple[int, int, str]:
    key, counts = item
    return (-counts["overdue"], -counts["due"], key)


def key_risk_duty(repo: Repository, actor: Actor, now: float) -> dict[str, Any]:
    """This month's key-risk projects ``actor`` sees, each with its inspections this month and the duty
    done or due, the due first."""
    graded = grade(repo, actor, now)
    found = []
    for p in graded.key_projects():
        done = duties(p, graded.policy)["inspection_done"]
        state = "done" if done else "due"
        found.append(
            {
                "project": p.code,
                "name": p.name,
                "district": p.place or "",
                "facts": [f.as_dict()["fact_name"] for f in p.facts],
                "inspections": p.inspections,
                "state": state,
                "state_name": STATES[state],
            }
        )
    found.sort(key=lambda p: (p["state"] == "done", p["district"], p["project"]))
    return {
        "month": graded.month,
        "per_month": graded.policy.inspections_per_month,
        "due": sum(1 for p in found if p["state"] == "due"),
        "projects": found,
    }


def monthly_figures(repo: Repository, actor: Actor, month: str, now: float | None = None) -> MonthFigures:
    """The month's report's figures (regulator/reports/monthly.py) with the inspection plans running in the
    month (started before its end, due after its start) and their coverage as the month's end, or now, finds
    them."""
    fig = figures(repo, actor, month, now)
    for one in plans(repo, actor):
        if one["starts_at"] < fig.end and one["due_at"] > fig.start and one["projects"]:
            c = plan_coverage(repo, actor, one, fig.as_of)
            unseen: list[tuple[str, ...]] = [
                (p["project"], p["name"], p["district"], p["state_name"])
                for p in c["projects"]
                if p["state"] != "done"
            ]
            t = c["totals"]
            fig.plans.append(
                PlanCoverage(
                    one["title"],
                    one["kind_name"],
                    one["due_at"],
                    t["done"],
                    t["due"],
                    t["overdue"],
                    t["total"],
                    unseen,
                )
            )
    return fig
