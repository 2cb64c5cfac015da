"""安拆 windows of cranes and hoists, written from docs/standards.md §10, §13 and §19: while a crane or hoist is
erected, climbed or dismantled, every installer its papers name must be badged in at the gate with a valid
安装拆卸工 certificate of the machine's category that day (else critical, 建质规〔2024〕5号 第四条(三)); the
安拆 contractor's safety officer badged in (§19 (d), critical); the chief supervisor on site (旁站, practice: an
alarm); no load on a crane's hook while it is erected or dismantled (critical; the climb's hook carries its
balance load, §10); and after an erection or a climb the machine may not work before an acceptance dated on or
after that day (critical, 第八条(一)). A tower crane's jacking window is 安拆 work too (§10: jacking counts as
installation), judged as the climb for the crew, supervisor and safety officer.

The reference site: crane-1 erected by AZ-11 and AZ-12 (塔式起重机安装拆卸工, 08), its installer's safety officer
AQ-11; hoist-1 by AZ-21 (施工升降机, 09), AQ-21; the chief supervisor KP-04; crane-1 accepted on 2026-03-02."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from contract.readings import Reading
from rules import RuleEngine, RuleResult
from tests.rules.sites import reference_site, sample, site_variant

ERECT, CLIMB, DISMANTLE, CLOSED = 1.0, 2.0, 3.0, 0.0
T0 = datetime.fromisoformat("2026-11-26T08:00:00+08:00").timestamp()
HOOK = {"radius_m": 20.0, "slew_deg": 0.0, "height_m": 30.0, "operator_id": "OP-1001"}


def gate(ts: float, person: str, inside: bool = True) -> list[Reading]:
    return sample("gate-1", ts, point=person, on_site=1.0 if inside else 0.0)


def window(ts: float, device: str, stage: float) -> list[Reading]:
    return sample(device, ts, install_active=stage)


def crane(ts: float, load_t: float) -> list[Reading]:
    return sample("crane-1", ts, load_t=load_t, **HOOK)  # type: ignore[arg-type]


def verdicts(engine: RuleEngine, batches: list[list[Reading]], rule: str, point: str) -> list[RuleResult]:
    out: list[RuleResult] = []
    for batch in batches:
        found = engine.process(batch) + engine.tick(batch[0].ts)
        out.extend(r for r in found if r.rule == rule and r.point == point)
    return out


def levels(found: list[RuleResult]) -> list[str | None]:
    seq: list[str | None] = []
    for r in found:
        if not seq or seq[-1] != r.level:
            seq.append(r.level)
    return seq


CREW_IN = [gate(T0, "AZ-11"), gate(T0 + 1, "AZ-12"), gate(T0 + 2, "KP-04")]


def test_a_certified_crew_and_the_supervisor_badged_in_erect_the_crane_without_an_alert() -> None:
    batches = [*CREW_IN, window(T0 + 60, "crane-1", ERECT), window(T0 + 3600, "crane-1", CLOSED)]
    engine = RuleEngine(reference_site())
    for point in ("crew", "supervisor"):
        assert "critical" not in levels(verdicts(engine, batches, "crane.install", point))
    engine = RuleEngine(reference_site())
    crew = verdicts(engine, batches, "crane.install", "crew")
    assert [r.level for r in crew] == [None] and "安装作业人员持证在场" in crew[0].message


def test_an_installer_not_badged_in_is_critical_until_they_come_in() -> None:
    engine = RuleEngine(reference_site())
    batches = [
        gate(T0, "AZ-11"),
        gate(T0 + 2, "KP-04"),
        window(T0 + 60, "crane-1", ERECT),
        gate(T0 + 300, "AZ-12"),
    ]
    crew = verdicts(engine, batches, "crane.install", "crew")
    assert levels(crew) == ["critical", None]
    assert "何建军（AZ-12）未经闸机实名进场" in crew[0].message and "第四条(三)" in crew[0].clause
    assert "立即停止安拆作业" in crew[0].message


def test_the_installers_safety_officer_away_during_the_window_is_critical() -> None:
    # standards.md §19 (d): the 安拆 contractor's full-time safety officer badged in while the window is open
    engine = RuleEngine(reference_site())
    batches = [
        *CREW_IN,
        window(T0 + 60, "crane-1", ERECT),
        gate(T0 + 300, "AQ-11"),
        gate(T0 + 900, "AQ-11", inside=False),
        window(T0 + 1200, "crane-1", CLOSED),
    ]
    found = verdicts(engine, batches, "crane.install", "safety_officer")
    assert levels(found) == ["critical", None, "critical", None]
    assert "安装单位专职安全员（AQ-11）未经闸机进场" in found[0].message and "第十三条" in found[0].clause
    assert "立即停止安拆作业" in found[0].message


@pytest.mark.parametrize("machine", ["crane-1", "hoist-1"])
def test_papers_naming_no_safety_officer_are_no_safety_officer(tmp_path: Path, machine: str) -> None:
    """standards.md §19 (d) wants the installer's safety officer badged in, else critical: papers naming none
    cannot show one is there (as papers naming no installers are no crew, rules/install_crew.py). It used to
    be "not judged": a window opened with nobody answerable for its safety and no alert."""

    def none(data: dict[str, Any]) -> None:
        del next(d for d in data["devices"] if d["id"] == machine)["papers"]["safety_officers"]

    engine = RuleEngine(site_variant(tmp_path, none))
    rule = f"{machine.split('-')[0]}.install"
    batches = [*CREW_IN, gate(T0 + 3, "AZ-21"), window(T0 + 60, machine, ERECT)]
    batches += [gate(T0 + 120, "AQ-11"), gate(T0 + 121, "AQ-21")]  # anyone badged in names no one
    found = verdicts(engine, batches, rule, "safety_officer")
    assert levels(found) == ["critical"]
    assert "未登记安装单位专职安全员（papers.safety_officers）" in found[0].message
    assert "在站点文件 papers.safety_officers 中登记安拆单位专职安全员" in found[0].message
    assert "闸机实名进场" in found[0].message and "第十三条" in found[0].clause
    closed = verdicts(engine, [window(T0 + 600, machine, CLOSED)], rule, "safety_officer")
    assert [r.level for r in closed] == [None]


def test_an_installer_leaving_mid_window_is_critical_again() -> None:
    engine = RuleEngine(reference_site())
    batches = [*CREW_IN, window(T0 + 60, "crane-1", DISMANTLE), gate(T0 + 600, "AZ-11", inside=False)]
    assert levels(verdicts(engine, batches, "crane.install", "crew")) == [None, "critical"]


@pytest.mark.parametrize(
    ("until", "level"),
    [("2026-11-25", "critical"), ("2026-11-26", None), ("2026-11-27", None)],  # expired, expiry day, before
)
def test_an_installers_certificate_is_judged_on_the_day_of_the_window(
    tmp_path: Path, until: str, level: str | None
) -> None:
    def change(data: dict[str, Any]) -> None:
        next(op for op in data["operators"] if op["id"] == "AZ-12")["valid_until"] = until

    engine = RuleEngine(site_variant(tmp_path, change))
    crew = verdicts(engine, [*CREW_IN, window(T0 + 60, "crane-1", CLIMB)], "crane.install", "crew")
    assert [r.level for r in crew] == [level]
    if level:
        assert "何建军（AZ-12）操作资格证书已于 2026-11-25 过期" in crew[0].message


def test_a_certificate_expiring_during_a_window_is_caught_at_midnight(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        next(op for op in data["operators"] if op["id"] == "AZ-12")["valid_until"] = "2026-11-26"

    engine = RuleEngine(site_variant(tmp_path, change))
    assert "critical" not in levels(
        verdicts(engine, [*CREW_IN, window(T0 + 60, "crane-1", ERECT)], "crane.install", "crew")
    )
    midnight = datetime.fromisoformat("2026-11-27T00:00:01+08:00").timestamp()
    turned = [r for r in engine.tick(midnight) if r.rule == "crane.install" and r.point == "crew"]
    assert [r.level for r in turned] == ["critical"]


def test_a_hoist_installers_certificate_does_not_erect_a_tower_crane(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        next(d for d in data["devices"] if d["id"] == "crane-1")["papers"]["installers"] = ["AZ-21"]

    engine = RuleEngine(site_variant(tmp_path, change))
    batches = [gate(T0, "AZ-21"), gate(T0 + 1, "KP-04"), window(T0 + 60, "crane-1", ERECT)]
    [crew] = verdicts(engine, batches, "crane.install", "crew")
    assert crew.level == "critical"
    assert (
        "持建筑起重机械安装拆卸工（施工升降机）(09)证书，不是建筑起重机械安装拆卸工（塔式起重机）(08)证书"
        in crew.message
    )


def test_no_crew_named_is_no_certified_crew(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        del next(d for d in data["devices"] if d["id"] == "hoist-1")["papers"]["installers"]

    engine = RuleEngine(site_variant(tmp_path, change))
    crew = verdicts(engine, [window(T0, "hoist-1", ERECT)], "hoist.install", "crew")
    assert levels(crew) == ["critical"] and "未登记安拆人员" in crew[0].message


def test_the_supervisor_away_during_the_window_is_an_alarm_until_they_arrive() -> None:
    engine = RuleEngine(reference_site())
    batches = [gate(T0, "AZ-21"), window(T0 + 60, "hoist-1", CLIMB), gate(T0 + 900, "KP-04")]
    found = verdicts(engine, batches, "hoist.install", "supervisor")
    assert levels(found) == ["alarm", None]
    assert "监理人员未到场旁站" in found[0].message and "实践值" in found[0].clause


@pytest.mark.parametrize(("stage", "level"), [(ERECT, "critical"), (CLIMB, None), (DISMANTLE, "critical")])
def test_a_climbs_balance_load_on_the_hook_is_no_load_alert(stage: float, level: str | None) -> None:
    """standards.md §10: jacking wants the crane balanced (配平: a standard section hooked at the manual's
    radius), so a loaded hook during 顶升加节 is what the climb needs, not a hazard (crane.jacking_balance
    judges the balance); erecting and dismantling, no lifting at all. It used to be critical at every stage."""
    engine = RuleEngine(reference_site())
    batches = [*CREW_IN, window(T0 + 60, "crane-1", stage), crane(T0 + 120, 1.2), crane(T0 + 121, 1.2)]
    found = verdicts(engine, batches, "crane.install", "load")
    assert [r.level for r in found if r.level] == ([level, level] if level else [])


def test_a_jacking_window_inside_a_dismantling_holds_the_balance_load_without_a_load_alert() -> None:
    """降节 inside a dismantling is jacking: the hook holds the balance load while the jacking window is open
    (crane.jacking_balance judges it); the jacking window closed, a loaded hook is the dismantling's again."""
    engine = RuleEngine(reference_site())
    batches = [*CREW_IN, window(T0 + 60, "crane-1", DISMANTLE), crane(T0 + 120, 1.2)]
    batches += [jacking(T0 + 180, True), crane(T0 + 181, 1.2), crane(T0 + 182, 1.2)]
    batches += [jacking(T0 + 240, False), crane(T0 + 241, 1.2)]
    found = verdicts(engine, batches, "crane.install", "load")
    assert levels(found) == ["critical", None, "critical"]
    assert [r.ts for r in found if r.level is None] == [T0 + 180]
    assert "吊钩按说明书配平" in next(r for r in found if r.level is None).message


def test_a_load_alert_ends_when_the_window_turns_to_the_climb() -> None:
    engine = RuleEngine(reference_site())
    batches = [*CREW_IN, window(T0 + 60, "crane-1", ERECT), crane(T0 + 120, 1.2)]
    batches += [window(T0 + 180, "crane-1", CLIMB), crane(T0 + 181, 1.2)]
    found = verdicts(engine, batches, "crane.install", "load")
    assert levels(found) == ["critical", None] and found[-1].ts == T0 + 180


def test_the_load_clause_cites_the_practice_it_rests_on_only() -> None:
    # 建质规〔2024〕5号 第八条(三) is erecting without the checks before it, not a loaded hook: not cited
    engine = RuleEngine(reference_site())
    batches = [*CREW_IN, window(T0 + 60, "crane-1", ERECT), crane(T0 + 120, 1.5)]
    [found] = verdicts(engine, batches, "crane.install", "load")
    assert "第八条" not in found.clause and "不得进行起升、回转、变幅" in found.clause
    assert "实践值" in found.clause


def test_unverified_article_numbers_are_marked() -> None:
    # standards.md §19: 166号令's Art. 13, 21, 22 numbers are [U]; §10: GB 55034 §3.4.7's text is [U]
    engine = RuleEngine(reference_site())
    batches = [window(T0 + 60, "crane-1", ERECT), sample("anemo-1", T0 + 61, wind_ms=9.5)]
    crew = verdicts(engine, batches, "crane.install", "crew")
    supervisor = verdicts(RuleEngine(reference_site()), batches, "crane.install", "supervisor")
    wind = verdicts(RuleEngine(reference_site()), batches, "crane.jacking_wind", "")
    assert "第二十二条（条号未核实）" in supervisor[0].clause
    assert "第十三条（安装单位现场监督，条号未核实）" in crew[0].clause
    assert "第3.4.7条（条文经二手资料转录，未核实）" in wind[0].clause


def test_a_loaded_hook_during_the_window_is_critical_and_closing_the_window_ends_it() -> None:
    engine = RuleEngine(reference_site())
    batches = [
        *CREW_IN,
        crane(T0 + 30, 0.0),
        window(T0 + 60, "crane-1", ERECT),
        crane(T0 + 120, 0.0),
        crane(T0 + 180, 1.5),
        crane(T0 + 181, 1.5),
        crane(T0 + 240, 0.0),
        crane(T0 + 300, 1.5),
        window(T0 + 400, "crane-1", CLOSED),
    ]
    found = verdicts(engine, batches, "crane.install", "load")
    assert levels(found) == [None, "critical", None, "critical", None]
    assert "安装作业中吊钩有载" in found[1].message and "安拆期间不得起升、回转、变幅" in found[1].message


@pytest.mark.parametrize(
    ("accepted_on", "level"),
    [("2026-11-25", "critical"), ("2026-11-26", None), ("2026-11-27", None)],  # before, on, after the day
)
def test_after_an_erection_the_crane_may_not_lift_before_an_acceptance_dated_since(
    tmp_path: Path, accepted_on: str, level: str | None
) -> None:
    def change(data: dict[str, Any]) -> None:
        next(d for d in data["devices"] if d["id"] == "crane-1")["papers"]["accepted_on"] = accepted_on

    engine = RuleEngine(site_variant(tmp_path, change))
    batches = [*CREW_IN, window(T0 + 60, "crane-1", ERECT), window(T0 + 3600, "crane-1", CLOSED)]
    batches += [crane(T0 + 7200, 1.5), crane(T0 + 7201, 1.5)]
    found = verdicts(engine, batches, "crane.install", "acceptance")
    assert [r.level for r in found][:1] == [level]
    if level:
        assert "2026-11-26 安拆作业结束后未经验收（验收日期：2026-11-25）" in found[0].message
        assert "第八条(一)" in found[0].clause and "办理使用登记后方可使用" in found[0].message


@pytest.mark.parametrize(
    ("ties", "accepted_on", "level"),
    [(2, "2026-11-25", "critical"), (2, "2026-11-26", None), (0, "2026-11-25", None)],
)
def test_ties_added_by_a_jacking_window_are_accepted_before_the_crane_lifts_again(
    tmp_path: Path, ties: int, accepted_on: str, level: str | None
) -> None:
    """§13: added ties need acceptance again; a climb alone does not. A jacking window closed with new ties (its
    ties_added reading, as the gateway publishes it before the window's own) leaves the crane owing an acceptance
    dated that day or later before it lifts: critical under 第八条(一) until then."""

    def change(data: dict[str, Any]) -> None:
        next(d for d in data["devices"] if d["id"] == "crane-1")["papers"]["accepted_on"] = accepted_on

    engine = RuleEngine(site_variant(tmp_path, change))
    closing = jacking(T0 + 3600, False)
    if ties:
        closing = sample("crane-1", T0 + 3600, ties_added=float(ties)) + closing
    batches = [*CREW_IN, gate(T0 + 3, "AQ-11"), jacking(T0 + 60, True), closing]
    found = verdicts(
        engine, [*batches, crane(T0 + 7200, 1.5), crane(T0 + 7201, 1.5)], "crane.install", "acceptance"
    )
    assert [r.level for r in found][:1] == ([level] if ties else [])
    if level:
        assert "于 2026-11-26 新增2道附着后未经验收（验收日期：2026-11-25）即" in found[0].message
        assert "第八条(一)" in found[0].clause and "新增附着须重新验收" in found[0].clause


def test_after_dismantling_no_acceptance_is_owed() -> None:
    engine = RuleEngine(reference_site())
    batches = [*CREW_IN, window(T0 + 60, "crane-1", DISMANTLE), window(T0 + 3600, "crane-1", CLOSED)]
    batches += [crane(T0 + 7200, 1.5)]
    assert verdicts(engine, batches, "crane.install", "acceptance") == []


@pytest.mark.parametrize(("wind", "level"), [(8.99, None), (9.0, None), (9.01, "critical")])
def test_wind_above_9_ms_at_the_top_stops_an_erection_as_it_stops_jacking(
    wind: float, level: str | None
) -> None:
    engine = RuleEngine(reference_site())
    batches = [*CREW_IN, window(T0 + 60, "crane-1", ERECT), sample("anemo-1", T0 + 61, wind_ms=wind)]
    found = [r for r in verdicts(engine, batches, "crane.jacking_wind", "") if r.level]
    assert [r.level for r in found] == ([level] if level else [])
    if level:
        assert (
            found[0].message.startswith("1号塔吊安装作业中风速 9.01 m/s")
            and "立即停止安装" in found[0].message
        )
        assert "GB 55034-2022 第3.4.7条" in found[0].clause and "安装、拆卸" in found[0].clause


def test_an_erections_wind_stop_holds_in_its_band_and_closing_the_window_ends_it() -> None:
    engine = RuleEngine(reference_site())
    batches = [
        *CREW_IN,
        window(T0 + 60, "crane-1", DISMANTLE),
        sample("anemo-1", T0 + 61, wind_ms=9.5),
        sample("anemo-1", T0 + 62, wind_ms=8.6),  # inside the 5 % band (8.55 m/s): held
        window(T0 + 120, "crane-1", CLOSED),
        sample("anemo-1", T0 + 121, wind_ms=12.0),  # no window: crane.wind's business, not this rule's
    ]
    found = verdicts(engine, batches, "crane.jacking_wind", "")
    assert levels(found) == ["critical", None]
    assert found[-1].ts == T0 + 120 and "1号塔吊拆卸作业结束" in found[-1].message


# ---- a tower crane's jacking window is 安拆 work (standards.md §10): its crew, supervisor and safety officer


def jacking(ts: float, active: bool, device: str = "crane-1") -> list[Reading]:
    return sample(device, ts, jacking_active=1.0 if active else 0.0)


CREW_POINTS = ("crew", "supervisor", "safety_officer")
PAPER_POINTS = ("installer", "plan")  # tests/rules/test_install_papers.py


def crew_verdicts(engine: RuleEngine, batches: list[list[Reading]]) -> dict[str, list[RuleResult]]:
    out: dict[str, list[RuleResult]] = {p: [] for p in CREW_POINTS}
    for batch in batches:
        for r in engine.process(batch) + engine.tick(batch[0].ts):
            if r.rule == "crane.install":
                assert r.point in (*CREW_POINTS, *PAPER_POINTS, "load"), (
                    r
                )  # no zone nor acceptance of a jacking
                if r.point in out:
                    out[r.point].append(r)
    return out


def test_a_jacking_window_judges_the_crew_supervisor_and_safety_officer_as_a_climb() -> None:
    """§19: an 安拆/jacking window may open only with every installer badged in with a valid 08 certificate and
    the installer's safety officer badged in, else critical; the supervisor's 旁站 as for any 安拆 window. A
    jacking window used to judge none of them."""
    engine = RuleEngine(reference_site())
    found = crew_verdicts(engine, [gate(T0, "AZ-11"), jacking(T0 + 60, True)])
    assert [r.level for r in found["crew"]] == ["critical"]
    assert [r.level for r in found["supervisor"]] == ["alarm"]
    assert [r.level for r in found["safety_officer"]] == ["critical"]
    crew = found["crew"][0]
    assert (
        crew.message.startswith("1号塔吊顶升加节作业：") and "何建军（AZ-12）未经闸机实名进场" in crew.message
    )
    assert "第四条(三)" in crew.clause and crew.details["stage"] == "顶升加节"
    assert "安装单位专职安全员（AQ-11）未经闸机进场" in found["safety_officer"][0].message
    came = crew_verdicts(engine, [gate(T0 + 120, "AZ-12"), gate(T0 + 121, "KP-04"), gate(T0 + 122, "AQ-11")])
    assert [came[p][-1].level for p in CREW_POINTS] == [None, None, None]
    left = crew_verdicts(engine, [gate(T0 + 300, "AZ-12", inside=False)])
    assert [r.level for r in left["crew"]] == ["critical"]
    closed = crew_verdicts(engine, [jacking(T0 + 600, False)])
    assert [r.level for r in closed["crew"]] == [None] and "1号塔吊顶升作业结束" in closed["crew"][0].message
    # no acceptance owed after a jacking (not in scope: standards.md §13, jacking needs none)
    assert verdicts(engine, [crane(T0 + 900, 1.5), crane(T0 + 901, 1.5)], "crane.install", "acceptance") == []


def test_a_jacking_window_with_the_crew_in_raises_nothing() -> None:
    engine = RuleEngine(reference_site())
    batches = [*CREW_IN, gate(T0 + 3, "AQ-11"), jacking(T0 + 60, True), jacking(T0 + 600, False)]
    found = crew_verdicts(engine, batches)
    assert all(r.level is None for p in CREW_POINTS for r in found[p])


def test_a_jacking_window_on_a_crane_whose_papers_name_nobody_is_critical_until_it_closes() -> None:
    """§19: a jacking window may open only with a 告知 record, the plan, every installer badged in with a valid 08
    certificate and the installer's safety officer badged in, else critical (Art. 4(三)/(四)). A crane whose site
    file names no installers, no safety officer, no installer company and no notice shows none of them: each is
    critical, as for an 安拆 window. Its jacking used to be judged by the crane.jacking_* rules only, so a climb
    by an uncertified crew raised nothing."""
    engine = RuleEngine(reference_site())  # crane-2's site file has no papers
    opened = run_all(engine, [*CREW_IN, jacking(T0 + 700, True, "crane-2")])
    found = {r.point: r for r in opened if r.rule == "crane.install" and r.device == "crane-2"}
    assert {p: found[p].level for p in (*CREW_POINTS, *PAPER_POINTS)} == {
        "crew": "critical",
        "supervisor": None,  # KP-04 came in
        "safety_officer": "critical",
        "installer": "critical",
        "plan": "critical",
    }
    crew = found["crew"]
    assert crew.message.startswith("2号塔吊顶升加节作业：站点文件未登记安拆人员（papers.installers）")
    assert "第四条(三)" in crew.clause and "立即停止安拆作业" in crew.message
    assert "papers.safety_officers" in found["safety_officer"].message
    # the supervisor leaving is an alarm, as for crane-1's climb; the other points stay critical
    left = run_all(engine, [gate(T0 + 800, "KP-04", inside=False)])
    now = {r.point: r.level for r in left if r.rule == "crane.install" and r.device == "crane-2"}
    assert now == {
        **dict.fromkeys(("crew", "safety_officer", "installer", "plan"), "critical"),
        "supervisor": "alarm",
    }
    closed = run_all(engine, [jacking(T0 + 900, False, "crane-2")])
    ended = {r.point: r.level for r in closed if r.rule == "crane.install" and r.device == "crane-2"}
    assert ended == dict.fromkeys((*CREW_POINTS, *PAPER_POINTS))


def run_all(engine: RuleEngine, batches: list[list[Reading]]) -> list[RuleResult]:
    out: list[RuleResult] = []
    for batch in batches:
        out.extend(engine.process(batch) + engine.tick(batch[0].ts))
    return out


@pytest.mark.parametrize("first", ["install", "jacking"])
def test_both_windows_open_are_judged_once_and_closing_one_keeps_the_others_points(first: str) -> None:
    """An 安拆 window and a jacking window on one crane are one set of crew points: opening the second judges
    nothing again, and closing either one clears nothing while the other is open."""
    engine = RuleEngine(reference_site())
    install_open, jacking_open = window(T0 + 60, "crane-1", DISMANTLE), jacking(T0 + 60, True)
    opened = [install_open, jacking_open] if first == "install" else [jacking_open, install_open]
    found = crew_verdicts(engine, [gate(T0, "AZ-11"), opened[0]])  # AZ-12, KP-04, AQ-11 not in
    assert [[r.level for r in found[p]] for p in CREW_POINTS] == [["critical"], ["alarm"], ["critical"]]
    again = crew_verdicts(engine, [opened[1]])
    assert all(r.level == found[p][0].level for p in CREW_POINTS for r in again[p]), again
    closes = [window(T0 + 600, "crane-1", CLOSED), jacking(T0 + 600, False)]
    if first == "jacking":
        closes.reverse()
    held = crew_verdicts(engine, [closes[0]])
    assert all(r.level is not None for p in CREW_POINTS for r in held[p]), held
    ended = crew_verdicts(engine, [[*closes[1]]])
    assert [[r.level for r in ended[p]] for p in CREW_POINTS] == [[None], [None], [None]]


def test_closing_a_jacking_window_keeps_the_wind_stop_of_an_install_window_still_open() -> None:
    """GB 55034-2022 §3.4.7 stops erection and dismantling above 9.0 m/s as it stops jacking: a jacking
    window closed inside an 安拆 window that is still open leaves that work stopped (it used to clear the
    alert); the anemometer falling silent is no all-clear either. Closing the 安拆 window ends it."""
    engine = RuleEngine(reference_site())
    batches = [
        *CREW_IN,
        window(T0 + 60, "crane-1", DISMANTLE),
        jacking(T0 + 70, True),
        sample("anemo-1", T0 + 80, wind_ms=9.5),
        jacking(T0 + 90, False),
    ]
    found = [r for r in run_all(engine, batches) if r.rule == "crane.jacking_wind"]
    assert [r.level for r in found] == ["critical"], found
    for ts in range(int(T0) + 100, int(T0) + 1300, 30):  # 20 minutes without a wind reading
        assert [r for r in engine.tick(float(ts)) if r.rule == "crane.jacking_wind"] == []
    [ended] = [
        r for r in run_all(engine, [window(T0 + 1300, "crane-1", CLOSED)]) if r.rule == "crane.jacking_wind"
    ]
    assert ended.level is None and "1号塔吊拆卸作业结束" in ended.message
