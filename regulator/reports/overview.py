"""The regulator's overview of a place, aggregated one level below it: a province's (or every project's, for a
user who sees them all) figures summed per city, a city's per district, a district's per project. Each
area's open hazards, their age, overdue rectification, listed and severe ones, time to close, false-alarm
rate and projects that stopped reporting; the same per check; and where each area sits on the map
(regulator/places.py) with the worst of its states.

A province's 20,000 projects never leave the database one row each: the figures are summed per area in SQL.
Above district level the projects listed are the provincial video-monitoring set's (``video_set``: their
category, None for the rest), which come first, and the ``ATTENTION`` projects with the most overdue
rectifications; at district level every project. ``place`` in `overview` is the user's own or one under it
(the API checks it as the monthly report's ``place``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from regulator.ledger.review import DAY_S, KEPT, OPEN_STATES, OVERDUE, STATES
from regulator.ledger.video_set import CATEGORIES
from regulator.places import Layout, find_city, layout, map_frame, position
from regulator.storage.db import sql
from regulator.storage.jurisdictions import LEVELS, SEP
from regulator.storage.projects import LIVENESS
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, SITE_ROLES, Actor

OPEN = f"h.state IN {OPEN_STATES}"
# the counters kept per project and check as hazards change (migration 0015, hazard_figures), summed over
# a group: a few rows per project instead of every hazard
SUMS = ", ".join(f"SUM(f.{c})" for c in (*STATES, "listed", "open_severe", "close_n", "close_s"))
# what a level's figures are grouped by in SQL, ``p`` a project of the scope: above district level its district
# (a number, named as its area by `_area_paths`: the jurisdictions tree's place, which the scope and the
# drill-down go by, where hazard_figures' own city and district are the names a hazard was stored with), at
# district level the project; a project in no place yet (seen only by a user who sees every project) falls
# in the NULL area
GROUPS = {"city": "p.district_id", "district": "p.district_id", "project": "p.code"}
# above district level, the projects listed: the video set's (the outer query keeps them to the user's
# scope) and the ATTENTION of the user's with the most overdue rectifications
ATTENTION = 20
SHOWN = (
    "SELECT v.project FROM video_set v UNION SELECT a.project FROM (SELECT h.project FROM hazards h "
    f"JOIN {PROJECTS} s ON s.code = h.project WHERE {OVERDUE} GROUP BY h.project "
    "ORDER BY COUNT(*) DESC, h.project LIMIT :attention) a"
)
# what the clock changes cannot be kept: read from the few hazards concerned (migration 0015's indexes), per
# group (GROUPS), listed project and check; ``{group}`` and ``{project}`` stand for the expressions
RECENT = (
    "SELECT {group}, {project}, h.rule, SUM(CASE WHEN h.first_ts >= :day1 THEN 1 ELSE 0 END), COUNT(*) "
    f"FROM hazards h JOIN {PROJECTS} p ON p.code = h.project WHERE {OPEN} AND h.first_ts >= :day7 "
    "GROUP BY {group}, {project}, h.rule"
)
OVERDUE_BY = (
    f"SELECT {{group}}, {{project}}, h.rule, COUNT(*) FROM hazards h JOIN {PROJECTS} p ON p.code = h.project "
    f"WHERE {OVERDUE} GROUP BY {{group}}, {{project}}, h.rule"
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
# a project's dot on the map takes the first of these that holds (the legend's order, worst first); an
# area's circle the first but ``offline`` (a province always has some project offline: its count is shown)
STATUSES = ("offline", "overdue", "severe", "open", "quiet")
EVERY_PLACE = "全部辖区"
UNPLACED = "未定辖区"


def _figures(row: dict[str, Any], close_s: float | None) -> dict[str, Any]:
    """Counters as ints, the false-alarm rate (dismissed of reviewed), the mean time to close in hours."""
    for key in COUNTS:
        row[key] = int(row[key] or 0)
    reviewed = row["dismissed"] + row["confirmed"]
    row["false_alarm_rate"] = round(row["dismissed"] / reviewed, 3) if reviewed else None
    row["mean_close_h"] = None if close_s is None else round(float(close_s) / 3600, 1)
    return row


class Clocked:
    """The figures that depend on the time now, per area, per project and per check: open hazards of the last
    day and of the last 7 days, rectification past its deadline."""

    def __init__(self, recent: Sequence[Any], overdue: Sequence[Any]) -> None:
        self.areas: dict[str | None, list[int]] = {}
        self.projects: dict[str, list[int]] = {}
        self.rules: dict[str, list[int]] = {}
        groups: tuple[dict[Any, list[int]], ...] = (self.areas, self.projects, self.rules)
        for area, project, rule, day, week in recent:
            for key, group in zip((area, project, rule), groups, strict=True):
                figures = group.setdefault(key, [0, 0, 0])
                figures[0] += int(day)
                figures[1] += int(week)
        for area, project, rule, count in overdue:
            for key, group in zip((area, project, rule), groups, strict=True):
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


def level_below(place: str | None) -> str:
    """What a place's overview is summed by: ``city`` for a province (and for every project, ``place``
    None), ``district`` for a city, ``project`` for a district."""
    depth = 0 if place is None else len(place.split(SEP))
    return ("city", "city", "district", "project")[depth]


def trail(home: str | None, place: str | None) -> list[dict[str, str]]:
    """The way back up from ``place`` to the user's own place ``home`` (None: every project), top first, for
    the breadcrumb: each step's ``path`` (empty for every project) and ``name``."""
    steps = [{"path": "", "name": EVERY_PLACE}] if home is None else []
    names = place.split(SEP) if place else []
    for depth in range(len(names)):
        path = SEP.join(names[: depth + 1])
        if home is None or len(path) >= len(home):
            steps.append({"path": path, "name": names[depth]})
    return steps


# the project query's columns before its figures (SUMS), as a row of the overview's projects names them
PROJECT_NAMED = (
    "code", "name", "city", "district", "contractor", "last_seen_at", "gateway_release", *LIVENESS, "video_set",
)  # fmt: skip
LIVENESS_COLUMNS = ", ".join(f"p.{c}" for c in LIVENESS)


def overview(
    repo: Repository, actor: Actor, offline_after_s: float = 600.0, user: Actor | None = None
) -> dict[str, Any]:
    """The overview of the place ``actor`` sees (regulator/storage/scope.py; its ``jurisdiction``, None: every project),
    aggregated one level below it (`level_below`); a project user's, of their project. ``user``: the user
    who opened ``actor``'s place under their own (the breadcrumb goes back up to theirs); None: ``actor``
    is the user."""
    now = time.time()
    place = actor.jurisdiction
    by = "project" if actor.role in SITE_ROLES else level_below(place)
    group = GROUPS[by]
    args: dict[str, Any] = {
        "now": now,
        "day1": now - DAY_S,
        "day7": now - 7 * DAY_S,
        "seen": now - offline_after_s,
        "attention": ATTENTION,
    }
    shown, project = ("1=1", "h.project") if by == "project" else (
        f"p.code IN ({SHOWN})",
        f"CASE WHEN h.project IN ({SHOWN}) THEN h.project END",  # the clock's figures of the listed only
    )  # fmt: skip
    with repo.scoped(actor) as db:
        # the provincial video-monitoring set's projects first (regulator/ledger/video_set.py)
        projects = db.execute(
            "SELECT p.code, p.name, p.city, p.district, p.contractor, p.last_seen_at, p.gateway_release, "
            f"{LIVENESS_COLUMNS}, v.category, {SUMS} FROM {PROJECTS} p LEFT JOIN video_set v ON v.project = p.code "
            f"LEFT JOIN hazard_figures f ON f.project = p.code WHERE {shown} "
            "GROUP BY p.code, p.name, p.city, p.district, p.contractor, p.last_seen_at, p.gateway_release, "
            f"{LIVENESS_COLUMNS}, v.category "
            "ORDER BY CASE WHEN v.category IS NULL THEN 1 ELSE 0 END, p.code",
            args,
        ).all()
        open_by_rule = db.execute(
            f"SELECT f.project, f.rule, SUM({KEPT['open']}) FROM hazard_figures f "
            f"JOIN {PROJECTS} p ON p.code = f.project WHERE {shown} GROUP BY f.project, f.rule "
            f"HAVING SUM({KEPT['open']}) > 0",
            args,
        ).all()
        # the kept figures per group and check, in one pass over a province's 60,000 rows of them: summed
        # per check and per area below
        kept = db.execute(
            f"SELECT {group}, f.rule, {SUMS} FROM hazard_figures f JOIN {PROJECTS} p ON p.code = f.project "
            f"GROUP BY {group}, f.rule",
            args,
        ).all()
        recent, overdue = (
            db.execute(q.replace("{group}", group).replace("{project}", project), args).all()
            for q in (RECENT, OVERDUE_BY)
        )
        counted = (
            []
            if by == "project"
            else db.execute(
                f"SELECT {group}, COUNT(*), SUM(CASE WHEN p.last_seen_at IS NULL OR p.last_seen_at < :seen "
                f"THEN 1 ELSE 0 END) FROM {PROJECTS} p GROUP BY {group}",
                args,
            ).all()
        )
        area_of = _area_paths(db.db, by)
    clocked = Clocked(
        [(area_of(g), *rest) for g, *rest in recent], [(area_of(g), *rest) for g, *rest in overdue]
    )
    project_rows = _project_rows(projects, open_by_rule, clocked, now, offline_after_s)
    by_area, rules = _kept_sums(kept, area_of, clocked)
    areas = _areas(counted, area_of, by_area, clocked)
    if by == "project":
        placed = layout({row["code"]: row["city"] for row in project_rows})
        for row in project_rows:
            row.update(position(placed, row["code"]))
    else:
        placed = _place_areas(by, areas)
    return {
        "now": now,
        "offline_after_s": offline_after_s,
        "place": {"path": place or "", "name": place.split(SEP)[-1] if place else EVERY_PLACE},
        "level": LEVELS[len(place.split(SEP)) - 1] if place else None,
        "by": by,
        "trail": trail((user or actor).jurisdiction, place),
        "areas": areas,
        "projects": project_rows,
        "rules": rules,
        "map": map_frame(placed),
    }


def _project_rows(
    projects: Sequence[Any], open_by_rule: Sequence[Any], clocked: Clocked, now: float, offline_after_s: float
) -> list[dict[str, Any]]:
    """Each project's row: its figures, its open hazards per check, whether it is offline and its status."""
    rules_open: dict[str, dict[str, int]] = {}
    for code, rule, count in open_by_rule:
        rules_open.setdefault(code, {})[rule] = int(count)
    project_rows = []
    for r in projects:
        row = dict(zip(PROJECT_NAMED, r[: len(PROJECT_NAMED)], strict=True))
        row |= clocked.figures(tuple(r[len(PROJECT_NAMED) :]), clocked.projects.get(row["code"]))
        row["video_set_name"] = CATEGORIES.get(row["video_set"] or "", "")
        row["open_by_rule"] = rules_open.get(row["code"], {})
        row["offline"] = row["last_seen_at"] is None or now - row["last_seen_at"] > offline_after_s
        row["status"] = status(row, row["offline"])
        project_rows.append(row)
    return project_rows


def _kept_sums(
    kept: Sequence[Any], area_of: Callable[[Any], Any], clocked: Clocked
) -> tuple[dict[str | None, tuple[Any, ...]], list[dict[str, Any]]]:
    """The kept figures summed per area below, and per check (the checks with hazards of the user's
    projects, with their figures)."""
    by_area: dict[str | None, tuple[Any, ...]] = {}
    by_rule: dict[str, tuple[Any, ...]] = {}
    for g, rule, *sums in kept:
        by_area[area_of(g)] = _add(by_area.get(area_of(g)), sums)
        by_rule[rule] = _add(by_rule.get(rule), sums)
    rules = [
        {"rule": rule, **clocked.figures(sums, clocked.rules.get(rule))}
        for rule, sums in sorted(by_rule.items())
        if any(sums[: len(STATES)])  # a check with hazards of the user's projects
    ]
    return by_area, rules


def _area_paths(db: Connection, by: str) -> Callable[[Any], Any]:
    """What names a group (GROUPS) as its area: above district level, a district's id -> the path of its
    city (``by`` city) or its own (district), None for none; at district level the project's code as is."""
    if by == "project":
        return lambda code: code
    named = "c.path" if by == "city" else "d.path"
    paths: dict[int, str] = dict(
        db.execute(
            sql(f"SELECT d.id, {named} FROM jurisdictions d JOIN jurisdictions c ON c.id = d.parent_id")
        ).all()
    )
    return paths.get


def status(row: dict[str, Any], offline: bool) -> str:
    """The worst of a project's or an area's states (STATUSES): what its dot or circle on the map shows."""
    holds = (offline, row["overdue"], row["open_severe"], row["open"], True)
    return next(name for name, hit in zip(STATUSES, holds, strict=True) if hit)


def _add(sums: tuple[Any, ...] | None, more: Sequence[Any]) -> tuple[Any, ...]:
    """Two groups' SUMS added up (None: no group yet; a NULL sum counts 0)."""
    return (
        tuple(more) if sums is None else tuple((a or 0) + (b or 0) for a, b in zip(sums, more, strict=True))
    )


def _areas(
    counted: Sequence[Any],
    area_of: Callable[[Any], Any],
    kept: dict[str | None, tuple[Any, ...]],
    clocked: Clocked,
) -> list[dict[str, Any]]:
    """Each area's row: its projects and those offline (``counted`` per group), its summed SUMS (``kept``)
    and clocked figures; the most open hazards first."""
    areas: dict[str | None, dict[str, Any]] = {}
    for g, projects, offline in counted:
        path = area_of(g)
        row = areas.setdefault(
            path,
            {"path": path, "name": path.split(SEP)[-1] if path else UNPLACED, "projects": 0, "offline": 0},
        )
        row["projects"] += int(projects)
        row["offline"] += int(offline or 0)
    for path, row in areas.items():
        row |= Clocked.figures(kept.get(path, (0,) * (len(STATES) + 4)), clocked.areas.get(path))
        row["status"] = status(row, offline=False)
    return sorted(areas.values(), key=lambda a: (-a["open"], a["name"]))


def _place_areas(by: str, areas: list[dict[str, Any]]) -> Layout:
    """Put each area on the map: a city at its point (regulator/places.py), a city's districts around its
    point as a city's projects are (no district has a point of its own: the same sunflower spiral, in the
    order of their paths, so they stay put); the layout, to frame the map by."""
    cities = {a["path"]: a["path"].split(SEP)[1] for a in areas if a["path"]}
    placed = layout(cities)
    for a in areas:
        city = find_city(cities[a["path"]]) if a["path"] else None
        if by == "city":
            a["lon"], a["lat"] = (city.lon, city.lat) if city else (None, None)
        else:
            a.update(position(placed, a["path"]) if a["path"] else {"lon": None, "lat": None})
    return placed
