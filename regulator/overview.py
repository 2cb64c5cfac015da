"""The regulator's overview: open hazards by project, city and check, their age, overdue items,
time to close, false-alarm rates, which projects stopped reporting, and where each project sits on
the map (regulator/places.py) with the worst of its states. The projects of the provincial
video-monitoring set come first (``video_set``: their category, None for the rest)."""

from __future__ import annotations

import time
from typing import Any

from regulator.places import find_city, layout, map_frame, position
from regulator.review import DAY_S, OPEN_STATES
from regulator.scope import PROJECTS, Actor
from regulator.storage import Repository
from regulator.video_set import CATEGORIES

OPEN = f"h.state IN {OPEN_STATES}"
# one row of figures per group: each a conditional sum over the group's hazards, then the close time
FIGURES = (
    f"SUM(CASE WHEN {OPEN} THEN 1 ELSE 0 END), "
    f"SUM(CASE WHEN {OPEN} AND h.first_ts >= :day1 THEN 1 ELSE 0 END), "
    f"SUM(CASE WHEN {OPEN} AND h.first_ts < :day1 AND h.first_ts >= :day7 THEN 1 ELSE 0 END), "
    f"SUM(CASE WHEN {OPEN} AND h.first_ts < :day7 THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN h.state = 'pending' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN h.state = 'rectifying' AND h.deadline < :now THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN h.major AND h.state IN ('rectifying', 'reported') THEN 1 ELSE 0 END), "
    f"SUM(CASE WHEN {OPEN} AND (h.major OR h.level = 'critical') THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN h.state = 'closed' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN h.state = 'dismissed' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN h.state NOT IN ('pending', 'dismissed') THEN 1 ELSE 0 END), "
    "AVG(CASE WHEN h.state = 'closed' THEN h.closed_at - h.first_ts END)"
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


def overview(repo: Repository, actor: Actor, offline_after_s: float = 600.0) -> dict[str, Any]:
    """Per-project, per-city and per-check figures of the projects ``actor`` may see (regulator/scope.py)."""
    now = time.time()
    args: dict[str, Any] = {"now": now, "day1": now - DAY_S, "day7": now - 7 * DAY_S}
    with repo.scoped(actor) as db:
        # the provincial video-monitoring set's projects first (regulator/video_set.py)
        projects = db.execute(
            f"SELECT p.code, p.name, p.city, p.district, p.contractor, p.last_seen_at, v.category, {FIGURES} "
            f"FROM {PROJECTS} p LEFT JOIN video_set v ON v.project = p.code "
            "LEFT JOIN hazards h ON h.project = p.code "
            "GROUP BY p.code, p.name, p.city, p.district, p.contractor, p.last_seen_at, v.category "
            "ORDER BY CASE WHEN v.category IS NULL THEN 1 ELSE 0 END, p.code",
            args,
        ).all()
        by_rule = db.execute(
            f"SELECT h.rule, {FIGURES} FROM hazards h JOIN {PROJECTS} p ON p.code = h.project "
            "GROUP BY h.rule ORDER BY h.rule",
            args,
        ).all()
        open_by_rule = db.execute(
            f"SELECT h.project, h.rule, COUNT(*) FROM hazards h JOIN {PROJECTS} p ON p.code = h.project "
            f"WHERE {OPEN} GROUP BY h.project, h.rule",
            args,
        ).all()
    rules_open: dict[str, dict[str, int]] = {}
    for project, rule, count in open_by_rule:
        rules_open.setdefault(project, {})[rule] = int(count)
    project_rows = []
    for r in projects:
        row = _figures(
            dict(
                zip(
                    ("code", "name", "city", "district", "contractor", "last_seen_at", "video_set", *COUNTS),
                    r[:-1],
                    strict=True,
                )
            ),
            r[-1],
        )
        row["video_set_name"] = CATEGORIES.get(row["video_set"] or "", "")
        row["open_by_rule"] = rules_open.get(row["code"], {})
        row["offline"] = row["last_seen_at"] is None or now - row["last_seen_at"] > offline_after_s
        project_rows.append(row)
    rules = [_figures(dict(zip(("rule", *COUNTS), r[:-1], strict=True)), r[-1]) for r in by_rule]
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
