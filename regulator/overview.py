"""The regulator's overview: open hazards by project, city and check, their age, overdue items,
time to close, false-alarm rates, which projects stopped reporting, and where each project sits on
the map (regulator/places.py) with the worst of its states. The projects of the provincial
video-monitoring set come first (``video_set``: their category, None for the rest)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from regulator.places import find_city, layout, map_frame, position
from regulator.review import DAY_S, KEPT, OPEN_STATES, STATES
from regulator.scope import PROJECTS, Actor
from regulator.storage import Repository
from regulator.video_set import CATEGORIES

OPEN = f"h.state IN {OPEN_STATES}"
# the counters kept per project and check as hazards change (migration 0015, hazard_figures), summed over
# a group: a few rows per project instead of every hazard
SUMS = ", ".join(f"SUM(f.{c})" for c in (*STATES, "listed", "open_severe", "close_n", "close_s"))
# what the clock changes cannot be kept: read from the few hazards concerned (migration 0015's indexes)
RECENT = (
    "SELECT h.project, h.rule, SUM(CASE WHEN h.first_ts >= :day1 THEN 1 ELSE 0 END), COUNT(*) "
    f"FROM hazards h JOIN {PROJECTS} p ON p.code = h.project WHERE {OPEN} AND h.first_ts >= :day7 "
    "GROUP BY h.project, h.rule"
)
OVERDUE = (
    f"SELECT h.project, h.rule, COUNT(*) FROM hazards h JOIN {PROJECTS} p ON p.code = h.project "
    "WHERE h.state = 'rectifying' AND h.deadline < :now GROUP BY h.project, h.rule"
)
COUNTS = (
    "open",
    "open_lt_1d",
    "open_1_7d",
    "open_gt_7d",
    "pending",
    "overdue",
    "listed",
    "open_severe",
    "closed",
    "dismissed",
    "confirmed",
)
# a project's dot on the map takes the first of these that holds (the legend's order, worst first)
STATUSES = ("offline", "overdue", "severe", "open", "quiet")


def _figures(row: dict[str, Any], close_s: float | None) -> dict[str, Any]:
    """Counters as ints, the false-alarm rate (dismissed of reviewed), the mean time to close in hours."""
    for key in COUNTS:
        row[key] = int(row[key] or 0)
    reviewed = row["dismissed"] + row["confirmed"]
    row["false_alarm_rate"] = round(row["dismissed"] / reviewed, 3) if reviewed else None
    row["mean_close_h"] = None if close_s is None else round(float(close_s) / 3600, 1)
    return row


class Clocked:
    """The figures that depend on the time now, per project and per check: open hazards of the last day
    and of the last 7 days, rectification past its deadline."""

    def __init__(self, recent: Sequence[Any], overdue: Sequence[Any]) -> None:
        self.projects: dict[str, list[int]] = {}
        self.rules: dict[str, list[int]] = {}
        for project, rule, day, week in recent:
            for key, group in ((project, self.projects), (rule, self.rules)):
                figures = group.setdefault(key, [0, 0, 0])
                figures[0] += int(day)
                figures[1] += int(week)
        for project, rule, count in overdue:
            for key, group in ((project, self.projects), (rule, self.rules)):
                group.setdefault(key, [0, 0, 0])[2] += int(count)

    @staticmethod
    def figures(kept: tuple[Any, ...], clocked: list[int] | None) -> dict[str, Any]:
        """COUNTS and the false-alarm rate and mean time to close of a group, from its summed SUMS
        (``kept``) and its clocked figures."""
        *counts, close_s = kept
        pending, confirmed, rectifying, reported, dismissed, closed, listed, severe, close_n = (
            int(v or 0) for v in counts
        )
        day, week, overdue = clocked or (0, 0, 0)
        open_ = pending + confirmed + rectifying + reported
        row = {
            "open": open_,
            "open_lt_1d": day,
            "open_1_7d": week - day,
            "open_gt_7d": open_ - week,
            "pending": pending,
            "overdue": overdue,
            "listed": listed,
            "open_severe": severe,
            "closed": closed,
            "dismissed": dismissed,
            "confirmed": confirmed + rectifying + reported + closed,  # reviewed and not a false alarm
        }
        return _figures(row, float(close_s) / close_n if close_n else None)


def overview(repo: Repository, actor: Actor, offline_after_s: float = 600.0) -> dict[str, Any]:
    """Per-project, per-city and per-check figures of the projects ``actor`` may see (regulator/scope.py)."""
    now = time.time()
    args: dict[str, Any] = {"now": now, "day1": now - DAY_S, "day7": now - 7 * DAY_S}
    with repo.scoped(actor) as db:
        # the provincial video-monitoring set's projects first (regulator/video_set.py)
        projects = db.execute(
            f"SELECT p.code, p.name, p.city, p.district, p.contractor, p.last_seen_at, v.category, {SUMS} "
            f"FROM {PROJECTS} p LEFT JOIN video_set v ON v.project = p.code "
            "LEFT JOIN hazard_figures f ON f.project = p.code "
            "GROUP BY p.code, p.name, p.city, p.district, p.contractor, p.last_seen_at, v.category "
            "ORDER BY CASE WHEN v.category IS NULL THEN 1 ELSE 0 END, p.code",
            args,
        ).all()
        by_rule = db.execute(
            f"SELECT f.rule, {SUMS} FROM hazard_figures f JOIN {PROJECTS} p ON p.code = f.project "
            f"GROUP BY f.rule HAVING SUM({KEPT['all']}) > 0 ORDER BY f.rule",
            args,
        ).all()
        open_by_rule = db.execute(
            f"SELECT f.project, f.rule, SUM({KEPT['open']}) FROM hazard_figures f "
            f"JOIN {PROJECTS} p ON p.code = f.project GROUP BY f.project, f.rule HAVING SUM({KEPT['open']}) > 0",
            args,
        ).all()
        clocked = Clocked(db.execute(RECENT, args).all(), db.execute(OVERDUE, args).all())
    rules_open: dict[str, dict[str, int]] = {}
    for project, rule, count in open_by_rule:
        rules_open.setdefault(project, {})[rule] = int(count)
    project_rows = []
    for r in projects:
        row = dict(
            zip(
                ("code", "name", "city", "district", "contractor", "last_seen_at", "video_set"),
                r[:7],
                strict=True,
            )
        )
        row |= clocked.figures(tuple(r[7:]), clocked.projects.get(row["code"]))
        row["video_set_name"] = CATEGORIES.get(row["video_set"] or "", "")
        row["open_by_rule"] = rules_open.get(row["code"], {})
        row["offline"] = row["last_seen_at"] is None or now - row["last_seen_at"] > offline_after_s
        project_rows.append(row)
    rules = [{"rule": r[0], **clocked.figures(tuple(r[1:]), clocked.rules.get(r[0]))} for r in by_rule]
    placed = layout({row["code"]: row["city"] for row in project_rows})
    for row in project_rows:
        row["status"] = status(row)
        row.update(position(placed, row["code"]))
    return {
        "now": now,
        "offline_after_s": offline_after_s,
        "projects": project_rows,
        "cities": _cities(project_rows),
        "rules": rules,
        "map": map_frame(placed),
    }


def status(project: dict[str, Any]) -> str:
    """The worst of a project's states (STATUSES): what its dot on the map shows."""
    holds = (project["offline"], project["overdue"], project["open_severe"], project["open"], True)
    return next(name for name, hit in zip(STATUSES, holds, strict=True) if hit)


def _cities(projects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The projects' figures summed per city, cities with the most open hazards first."""
    cities: dict[str, dict[str, Any]] = {}
    closed_hours: dict[str, float] = {}
    for row in projects:
        name = row["city"] or "—"
        city = cities.setdefault(
            name, {"city": name, "projects": 0, "offline": 0, **dict.fromkeys(COUNTS, 0)}
        )
        city["projects"] += 1
        city["offline"] += int(row["offline"])
        for key in COUNTS:
            city[key] += row[key]
        if row["mean_close_h"] is not None:
            closed_hours[name] = closed_hours.get(name, 0.0) + row["mean_close_h"] * row["closed"]
    for name, city in cities.items():
        hours = closed_hours.get(name)
        _figures(city, None if hours is None else hours * 3600 / city["closed"])
        known = find_city(name)
        city["lon"], city["lat"] = (known.lon, known.lat) if known else (None, None)
    return sorted(cities.values(), key=lambda c: (-c["open"], c["city"]))
