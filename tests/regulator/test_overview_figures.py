"""The overview's figures are kept per project and check as hazards change (migration 0015: hazard_figures,
kept by triggers). Whatever happens to hazards, in whatever order, every figure the overview shows must be
the one a full recount over the hazards gives: here a random sequence of what happens in a province
(gateways' alerts of rising level and of various ages, confirm, dismiss, order, report, close, reject,
reclassify, listing, re-inspection, the upkeep's escalation, a project moved to another district) on
PostgreSQL and on SQLite, checked after every step against the straightforward aggregation the overview used to run
per request: per city for the province, per district for a city, per project for each district opened below
them and for a district's own user; risk grading's counts against the hazards classified one by one; the
queue's totals against a count of the hazards. Orders of general hazards are due at once and listings may be,
so that overdue rectification is counted too: a listed hazard's by its listing's deadline, not its order's.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regulator.ledger import classify
from regulator.ledger.review import (
    DAY_S,
    KEPT,
    OPEN_STATES,
    STATES,
    TRANSITIONS,
    DeadlinePolicy,
    QueueFilter,
    Review,
    ReviewError,
)
from regulator.ledger.supervision import Supervision
from regulator.names import BEIJING
from regulator.reports.monthly import figures
from regulator.reports.overview import COUNTS, overview
from regulator.reports.risk import RANK, CompanyScore, ProjectScore, policy, ranked
from regulator.storage.db import downgrade, migrate
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS as SCOPED
from regulator.storage.scope import Actor
from tests.regulator.support import make_event, pg_database, real_jpeg

pytestmark = pytest.mark.slow  # make test-long: docs/testing.md, what make test leaves to it

# three projects in two districts of 深圳 and one of 广州, two by one contractor (a company's score sums its
# projects'), one supervised by a company with none
PROJECTS = (
    ("GD-SZ-NS", "深圳", "南山区"),
    ("GD-SZ-FT", "深圳", "福田区"),
    ("GD-GZ-TH", "广州", "天河区"),
)
COMPANIES = {"GD-SZ-NS": ("甲建设", "乙监理"), "GD-SZ-FT": ("甲建设", ""), "GD-GZ-TH": ("丙建设", "乙监理")}
ADMIN = Actor("root", "admin")
SHENZHEN = Actor("sz", "regulator", jurisdiction="广东省/深圳市")
NANSHAN = Actor("ns", "regulator", jurisdiction="广东省/深圳市/南山区")
# the test's districts, as the tree names them (a project may move between the first two)
DISTRICTS = ("广东省/深圳市/南山区", "广东省/深圳市/福田区", "广东省/广州市/天河区")
# an everyday hazard's rectification is due at once, so overdue is counted; a major one's (listed) in 15 days
DEADLINES = DeadlinePolicy(general_days=-1.0, major_days=15.0)
PHOTO = real_jpeg("FIXED")
ACTIONS = ("confirm", "dismiss", "order", "report", "close", "reject")

# the straightforward aggregation over every hazard (the overview's query before migration 0015); overdue: past
# the first deadline of its open listings for a hazard under listed supervision, else past its order's
OPEN = "h.state IN ('pending', 'confirmed', 'rectifying', 'reported')"
DUE = (
    "COALESCE((SELECT MIN(l.deadline) FROM listings l WHERE l.hazard_id = h.id AND l.state <> 'closed'), "
    "h.deadline)"
)
RECOUNT = (
    f"SUM(CASE WHEN {OPEN} THEN 1 ELSE 0 END), "
    f"SUM(CASE WHEN {OPEN} AND h.first_ts >= :day1 THEN 1 ELSE 0 END), "
    f"SUM(CASE WHEN {OPEN} AND h.first_ts < :day1 AND h.first_ts >= :day7 THEN 1 ELSE 0 END), "
    f"SUM(CASE WHEN {OPEN} AND h.first_ts < :day7 THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN h.state = 'pending' THEN 1 ELSE 0 END), "
    f"SUM(CASE WHEN h.state = 'rectifying' AND {DUE} < :now THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN h.major AND h.state IN ('rectifying', 'reported') THEN 1 ELSE 0 END), "
    f"SUM(CASE WHEN {OPEN} AND (h.major OR h.level = 'critical') THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN h.state = 'closed' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN h.state = 'dismissed' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN h.state NOT IN ('pending', 'dismissed') THEN 1 ELSE 0 END), "
    "AVG(CASE WHEN h.state = 'closed' THEN h.closed_at - h.first_ts END)"
)


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def province(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Repository, Review, Supervision]]:
    """One regulator for every example (the ledger grows across them, as a province's does): on PostgreSQL,
    and on the embedded SQLite, whose triggers are its own."""
    folder = tmp_path_factory.mktemp("regulator")
    with (
        pg_database() if request.param == "postgresql" else nullcontext(f"sqlite:///{folder}/r.sqlite") as url
    ):
        repo = Repository(url, folder / "evidence")
        for code, city, district in PROJECTS:
            contractor, supervisor = COMPANIES[code]
            repo.add_project(code, code, city, "secret", district, contractor, supervisor=supervisor)
        review = Review(repo, DEADLINES)
        yield repo, review, Supervision(repo, review)
        repo.close()


def recount(
    repo: Repository, now: float, where: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Per project, per check and open per project and check, counted over every hazard of the projects
    ``where`` selects (``p`` the project, ``place`` its district)."""
    with repo.engine.connect() as db:
        open_by_rule = db.execute(
            sa.text(
                "SELECT h.project, h.rule, COUNT(*) FROM projects p JOIN hazards h ON h.project = p.code "
                "JOIN jurisdictions place ON place.id = p.district_id "
                f"WHERE {where} AND {OPEN} GROUP BY h.project, h.rule"
            ),
        ).all()
    by_rule: dict[str, dict[str, int]] = {}
    for project, rule, count in open_by_rule:
        by_rule.setdefault(project, {})[rule] = count
    return recount_by(repo, now, where, "p.code"), recount_by(repo, now, where, "h.rule"), by_rule


def recount_by(repo: Repository, now: float, where: str, key: str) -> dict[str, Any]:
    """The figures of the hazards of the projects ``where`` selects, per ``key``: an expression of ``p`` the
    project, ``h`` the hazard, ``place`` the project's district and ``city`` its city (jurisdictions)."""
    args = {"now": now, "day1": now - DAY_S, "day7": now - 7 * DAY_S}
    with repo.engine.connect() as db:
        rows = db.execute(
            sa.text(
                f"SELECT {key}, {RECOUNT} FROM projects p JOIN hazards h ON h.project = p.code "
                "JOIN jurisdictions place ON place.id = p.district_id JOIN jurisdictions city ON city.id = place.parent_id "
                f"WHERE {where} GROUP BY {key}"
            ),
            args,
        ).all()

    def figures(row: Any) -> dict[str, Any]:
        counts = {key: int(v or 0) for key, v in zip(COUNTS, row[1:-1], strict=True)}
        close = row[-1]
        return counts | {"mean_close_h": None if close is None else round(float(close) / 3600, 1)}

    return {r[0]: figures(r) for r in rows}


def figures_of(row: dict[str, Any]) -> dict[str, Any]:
    """The figures of an overview's row that a recount gives."""
    return {key: row[key] for key in (*COUNTS, "mean_close_h")}


def shown(view: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The same figures as a district's overview shows them (projects without hazards left out, as a join
    does)."""
    assert view["by"] == "project" and not view["areas"]
    with_hazards = [p for p in view["projects"] if p["open"] + p["closed"] + p["dismissed"]]
    return (
        {p["code"]: figures_of(p) for p in with_hazards},
        {r["rule"]: figures_of(r) for r in view["rules"]},
        {p["code"]: p["open_by_rule"] for p in view["projects"] if p["open_by_rule"]},
    )


def shown_areas(view: dict[str, Any]) -> dict[str, Any]:
    """An overview's figures per area (city or district), those without hazards left out."""
    return {a["path"]: figures_of(a) for a in view["areas"] if a["open"] + a["closed"] + a["dismissed"]}


def opened(repo: Repository, user: Actor, place: str) -> dict[str, Any]:
    """The overview of ``place`` as ``user`` opens it below their own (the API's ``?place=``)."""
    return overview(repo, dataclasses.replace(user, jurisdiction=place), user=user)


def check_overview(repo: Repository, now: float) -> None:
    """Every level's figures against a recount of the hazards: the province per city, a city per district, each
    district opened by the province per project (all of them: every project), a district's own user."""
    province = overview(repo, ADMIN)
    assert province["by"] == "city"
    assert shown_areas(province) == recount_by(repo, now, "1=1", "city.path")
    assert sum(a["projects"] for a in province["areas"]) == len(PROJECTS)
    assert {r["rule"]: figures_of(r) for r in province["rules"]} == recount_by(repo, now, "1=1", "h.rule")
    city = overview(repo, SHENZHEN)
    in_shenzhen = "city.path = '广东省/深圳市'"
    assert city["by"] == "district"
    assert shown_areas(city) == recount_by(repo, now, in_shenzhen, "place.path")
    projects: dict[str, Any] = {}
    open_by_rule: dict[str, Any] = {}
    for district in DISTRICTS:
        view = shown(opened(repo, ADMIN, district))
        projects |= view[0]
        open_by_rule |= view[2]
    every = recount(repo, now, "1=1")
    assert (projects, open_by_rule) == (every[0], every[2])
    in_nanshan = "place.path = '广东省/深圳市/南山区'"
    assert shown(overview(repo, NANSHAN)) == recount(repo, now, in_nanshan)
    assert shown(opened(repo, SHENZHEN, NANSHAN.jurisdiction or "")) == recount(repo, now, in_nanshan)


QUEUE_TOTALS = (
    QueueFilter(state="open"),
    QueueFilter(state="pending", city="深圳"),
    QueueFilter(state="all", district="南山区", rule="crane.load"),
    QueueFilter(state="closed", project=PROJECTS[2][0]),
)


def count(repo: Repository, f: QueueFilter) -> int:
    """Hazards matching ``f``'s state, place, project and check, counted one by one."""
    where = ["1=1"] + [f"{c} = :{c}" for c in ("city", "district", "project", "rule") if getattr(f, c)]
    if f.state == "open":
        where.append(OPEN)
    elif f.state != "all":
        where.append("state = :state")
    with repo.engine.connect() as db:
        query = f"SELECT COUNT(*) FROM hazards h WHERE {' AND '.join(where)}"
        return int(db.execute(sa.text(query), dataclasses.asdict(f)).scalar_one())


def graded(repo: Repository, actor: Actor) -> dict[str, tuple[int, int, int, int]]:
    """Risk grading's counts per project: open major or listed, other open, overdue, recent."""
    return {
        p.code: (p.open_major, p.open_general, p.overdue, p.recent)
        for p in grade_projects(repo, actor)
        if (p.open_major, p.open_general, p.overdue, p.recent) != (0, 0, 0, 0)
    }


def regraded(repo: Repository, now: float) -> dict[str, tuple[int, int, int, int]]:
    """The same counted hazard by hazard, each classified as the queue shows it."""
    with repo.engine.connect() as db:
        rows = (
            db.execute(
                sa.text(
                    "SELECT id, project, state, major, deadline, first_ts, rule, clause, class_major, class_article, "
                    "class_item, class_basis, class_by FROM hazards"
                )
            )
            .mappings()
            .all()
        )
        listed = dict(
            db.execute(
                sa.text(
                    "SELECT hazard_id, MIN(deadline) FROM listings WHERE state <> 'closed' GROUP BY hazard_id"
                )
            ).all()
        )
        table = classify.load(db)
    counts: dict[str, list[int]] = {}
    for h in rows:
        c = counts.setdefault(h["project"], [0, 0, 0, 0])
        if h["state"] in OPEN_STATES:
            major = h["major"] or classify.of_hazard(table, dict(h))["classification"] == "major"
            c[0 if major else 1] += 1
        c[2] += h["state"] == "rectifying" and listed.get(h["id"], h["deadline"]) < now
        c[3] += h["state"] != "dismissed" and h["first_ts"] >= now - 30 * DAY_S
    return {code: (a, b, o, r) for code, (a, b, o, r) in counts.items() if (a, b, o, r) != (0, 0, 0, 0)}


def grade_projects(repo: Repository, actor: Actor, now: float | None = None) -> list[ProjectScore]:
    """Every project ``actor`` may see with its score and grade, riskiest first, graded project by project in
    Python (what risk grading did per request before it was worked out in SQL): the reference `ranked` is
    held to."""
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
            for r in db.execute(f"SELECT code, name, district, contractor, supervisor FROM {SCOPED} p").all()
        }
        # open hazards by what classifies them, kept per project as hazards change (hazard_figures, migration
        # 0015), so each group is classified once; listed ones are graded major whatever their class
        open_groups = db.execute(
            f"SELECT f.project, f.rule, f.clause, f.class_major, SUM({KEPT['open']}), SUM(f.open_listed) "
            f"FROM hazard_figures f JOIN {SCOPED} p ON p.code = f.project "
            "GROUP BY f.project, f.rule, f.clause, f.class_major "
            f"HAVING SUM({KEPT['open']}) > 0",
        ).all()
        overdue = db.execute(
            f"SELECT h.project, COUNT(*) FROM hazards h JOIN {SCOPED} p ON p.code = h.project "
            f"WHERE h.state = 'rectifying' AND {DUE} < :now GROUP BY h.project",
            args,
        ).all()
        recent = db.execute(
            f"SELECT h.project, COUNT(*) FROM hazards h JOIN {SCOPED} p ON p.code = h.project "
            "WHERE h.first_ts >= :recent AND h.state <> 'dismissed' GROUP BY h.project",
            args,
        ).all()
        incidents = db.execute(
            f"SELECT i.project, i.kind, COUNT(*) FROM incidents i JOIN {SCOPED} p ON p.code = i.project "
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
    """The straightforward grading of companies: each contractor and supervision company of ``projects``
    with its projects' summed score and its worst project's grade, riskiest first."""
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


def check_ranking(repo: Repository, actor: Actor) -> None:
    """Every page of risk grading's ranking (worked out in SQL), its counts per grade and its riskiest
    companies are what grading every project one by one gives."""
    now = time.time()
    every = grade_projects(repo, actor, now)
    for page_size in (1, 2, 50):
        pages = [ranked(repo, actor, n, page_size, 2, now) for n in range(1, len(every) // page_size + 2)]
        assert [p for found in pages for p in found.projects] == every, page_size
        for found in pages:
            assert found.grades == {g: sum(p.grade == g for p in every) for g in RANK}
            assert found.total == len(every)
            assert found.companies == grade_companies(every)[:2]
    assert ranked(repo, actor, 1, 50, 50, now).companies == grade_companies(every)


STEP = st.one_of(
    st.tuples(
        st.just("ingest"),
        st.integers(0, len(PROJECTS) - 1),
        st.integers(0, 7),  # the alert: a few per project, so later events raise a hazard's level
        st.sampled_from(("warning", "alarm", "critical")),
        st.sampled_from((0.1, 3.0, 10.0)),  # days ago: the last day, the week, older
        st.sampled_from(("crane.load", "crane.wind", "pit.rate")),
    ),
    st.tuples(st.sampled_from(ACTIONS), st.integers(0, 40)),
    st.tuples(st.just("reclassify"), st.integers(0, 40), st.booleans()),
    st.tuples(
        st.just("list"), st.integers(0, 40), st.sampled_from((None, -1.0))
    ),  # a listing due at once too
    st.tuples(st.just("reinspect"), st.integers(0, 40), st.booleans()),
    st.tuples(st.just("escalate"), st.sampled_from((8.0, 16.0, 31.0))),
    st.tuples(st.just("move"), st.integers(0, len(PROJECTS) - 1), st.sampled_from(("南山区", "福田区"))),
)


def take(repo: Repository, review: Review, supervision: Supervision, step: tuple[Any, ...]) -> None:
    """One thing that happens to the ledger; what the loop refuses (a wrong state, a general hazard to
    list) is refused as it would be for a user, and changes nothing."""
    kind = step[0]
    # an action picks among the hazards it applies to, so that sequences reach every state
    states = (
        TRANSITIONS[kind].sources if kind in TRANSITIONS else ("reported",) if kind == "reinspect" else STATES
    )
    with repo.engine.connect() as db:
        ids = (
            db.execute(
                sa.text("SELECT id FROM hazards WHERE state IN :states ORDER BY id").bindparams(
                    sa.bindparam("states", expanding=True)
                ),
                {"states": list(states)},
            )
            .scalars()
            .all()
        )
    hazard = (
        ids[step[1] % len(ids)] if ids and kind in (*ACTIONS, "reclassify", "list", "reinspect") else None
    )
    try:
        if kind == "ingest":
            _, project, alert, level, days, rule = step
            event = make_event(
                f"a{alert}-{rule}", project=PROJECTS[project][0], level=level, rule=rule,
                ts=time.time() - days * DAY_S,
            )  # fmt: skip
            repo.store_event(event, secrets.token_hex(8), 300.0)
        elif kind == "escalate":
            review.escalate_overdue(time.time() + step[1] * DAY_S)
        elif kind == "move":
            code = PROJECTS[step[1]][0]
            contractor, supervisor = COMPANIES[code]  # to a district (and city) of 深圳
            repo.add_project(code, code, "深圳", "secret", step[2], contractor, supervisor=supervisor)
        elif hazard is None:
            return
        elif kind == "reclassify":
            review.reclassify(hazard, ADMIN, step[2], "第八条" if step[2] else "", "", "复核")
        elif kind == "list":
            supervision.list_by_hand(hazard, ADMIN, "district", "rectify", step[2])
        elif kind == "reinspect":
            supervision.reinspect(hazard, ADMIN, step[2], "复查", PHOTO)
        else:
            review.act(hazard, kind, ADMIN, "理由", photo=PHOTO if kind == "report" else None)
    except ReviewError:
        pass


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(STEP, min_size=1, max_size=20))
def test_kept_figures_equal_a_full_recount_after_any_sequence_of_changes(
    province: tuple[Repository, Review, Supervision], steps: list[tuple[Any, ...]]
) -> None:
    repo, review, supervision = province
    for step in steps:
        take(repo, review, supervision, step)
        now = time.time()
        check_overview(repo, now)
        # overdue as the queue's filter and the month's report count it
        overdue = sum(f["overdue"] for f in recount_by(repo, now, "1=1", "city.parent_id").values())
        assert review.queue(QueueFilter(state="all", overdue=True), ADMIN).total == overdue, step
        month = datetime.fromtimestamp(now, BEIJING).strftime("%Y-%m")
        assert figures(repo, ADMIN, month, now).overdue == overdue, step
        assert graded(repo, ADMIN) == regraded(repo, now), step
        check_ranking(repo, ADMIN)
        check_ranking(repo, NANSHAN)
        for f in QUEUE_TOTALS:  # the queue's totals of the common filters, read from the kept figures
            assert review.queue(f, ADMIN).total == count(repo, f), (f, step)


def test_an_upgrade_to_0015_counts_the_hazards_there_are(
    province: tuple[Repository, Review, Supervision],
) -> None:
    """A ledger from before migration 0015 is counted by the upgrade (and down and up again is the same)."""
    repo, review, supervision = province
    for step in (
        ("ingest", 0, 1, "critical", 3.0, "crane.load"),
        ("ingest", 2, 2, "alarm", 10.0, "pit.rate"),
    ):
        take(repo, review, supervision, step)
    take(repo, review, supervision, ("dismiss", 0))
    downgrade(repo.engine, "0014")
    migrate(repo.engine)
    check_overview(repo, time.time())


def test_above_district_level_the_most_overdue_of_the_users_own_projects_are_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The projects listed above district level beside the video set's are the most overdue of the user's
    own projects, not of the province's cut down to theirs (a city would see none of its own)."""
    repo = Repository(f"sqlite:///{tmp_path}/r.sqlite", tmp_path / "evidence")
    review = Review(repo, DEADLINES)  # an everyday hazard's order is due at once
    for code, city, district in PROJECTS:
        repo.add_project(code, code, city, "secret", district)
    for project, alerts in ((0, 1), (2, 2)):  # 广州's project more overdue than 南山's
        for alert in range(alerts):
            event = make_event(f"a{alert}", project=PROJECTS[project][0], level="alarm")
            repo.store_event(event, secrets.token_hex(8), 300.0)
    for hazard in review.queue(QueueFilter(state="pending"), ADMIN).hazards:
        review.act(hazard["id"], "order", ADMIN)
    monkeypatch.setattr("regulator.reports.overview.ATTENTION", 1)
    assert [p["code"] for p in overview(repo, ADMIN)["projects"]] == ["GD-GZ-TH"]
    assert [p["code"] for p in overview(repo, SHENZHEN)["projects"]] == ["GD-SZ-NS"]
    repo.close()
