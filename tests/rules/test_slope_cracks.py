"""slope.crack_width, slope.crack_growth and GB 50330-2013 §19.1.1's mandatory items on slope-1 of the reference
site (docs/standards.md §15): BLF-02, a crack in the support whose allowable width is the design's 0.3 mm (GB 50330
gives none), and BLF-01, a ground crack at the top judged on its growth from its first reading. Each line at,
below and above, as its clause words it: a support crack's width 达到 its allowable (on it, the alarm: §19.1.6
(1)); a growing crack wider than its baseline by more than (大于) the meter's noise, 0.2 mm (practice), the
alarm of §19.1.6 (3) (a building's) or §18.5.1 (the ground's); and a 一级 slope with important buildings in its
sliding zone refused by check-config unless it monitors the top's displacement, the ground cracks and the
buildings (§19.1.1, 强制性条文)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contract.config import ConfigError, LoadedSite
from contract.readings import Quality, Reading
from kinds.slope.card import slope_points
from kinds.slope.sim import SlopeSim
from rules import RuleEngine, RuleResult
from rules.wording import PRACTICE_ZH
from tests.rules.sites import PROJECT, device, levels, reference_site, run, sample, site_variant
from tests.rules.test_slope import H, of, readings
from tests.rules.test_slope_buildings import index_of, points_of

Change = Callable[[dict[str, Any]], None]


def widths(point: str, values: list[float], rule: str, site: LoadedSite | None = None) -> list[RuleResult]:
    """``values`` of ``point``'s crack_mm, an hour apart: the verdicts of ``rule``."""
    engine = RuleEngine(site or reference_site())
    return of(readings(point, "crack_mm", values, engine), rule)


def with_point(code: str, **fields: Any) -> Change:
    """A change of the reference site: slope-1's point ``code`` given ``fields``."""
    return lambda data: points_of(data)[index_of(data, code)].update(fields)


# ---- slope.crack_width: 支护结构裂缝宽度达到允许值 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mm", "level"),
    # BLF-02's allowable 0.3 mm: reaching it (达到) is the alarm, on it too; 70 % of it (0.21 mm) the pre-warning
    [(0.0, None), (0.209, None), (0.21, "warning"), (0.299, "warning"), (0.3, "alarm"), (0.31, "alarm")],
)
def test_a_support_cracks_width_at_below_and_above_its_allowable(mm: float, level: str | None) -> None:
    [result] = widths("BLF-02", [mm], "slope.crack_width")
    assert result.level == level
    assert result.clause.startswith("GB 50330-2013 第19.1.6条第1款 支护结构裂缝宽度达到允许值应及时报警")
    assert "设计取 0.3 mm" in result.clause and "GB 50330 未给数值" in result.clause
    assert "录自二手资料" in result.clause  # §19.1.6's crack items were read in a scrambled copy [U]
    assert (PRACTICE_ZH in result.clause) is (level == "warning")  # the 70 % is practice and says so
    if level:
        assert "测点 BLF-02 支护结构裂缝宽度" in result.message and "允许值 0.3 mm" in result.message
        # the alarm's action is §18.5.1's: stop the works and tell the investigator and the designer
        alarm = level == "alarm"
        assert ("暂停施工" in result.message) is alarm and ("第18.5.1条" in result.message) is alarm
        assert ("通知勘察、设计" in result.message) is alarm
        assert result.unit == "mm" and result.message_en


def test_a_support_cracks_alarm_holds_within_its_clearing_band() -> None:
    """5 % of 0.3 mm: the alarm holds down to 0.285 mm, falls to the warning below it, clears below 95 % of
    0.21 mm."""
    found = widths("BLF-02", [0.3, 0.286, 0.28, 0.2, 0.19], "slope.crack_width")
    assert [r.level for r in found] == ["alarm", "alarm", "warning", "warning", None]
    assert found[0].threshold == pytest.approx(0.3) and found[2].threshold == pytest.approx(0.21)


# ---- slope.crack_growth: 原有裂缝有新发展 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grown", "level"),
    # more than (大于) 0.2 mm above its first reading is the alarm: on it is the meter's noise; a crack closing
    # is no growth; below the line there is no pre-warning (it is the noise)
    [(-0.5, None), (0.0, None), (0.15, None), (0.2, None), (0.21, "alarm"), (3.0, "alarm")],
)
def test_a_ground_cracks_growth_at_below_and_above_its_line(grown: float, level: str | None) -> None:
    found = widths("BLF-01", [2.0, 2.0 + grown], "slope.crack_growth")
    # the first reading is the baseline (told, as every rule's first verdict); a second clear one is not told
    assert [r.level for r in found] == [None, level] if level else [None]
    last = found[-1]
    if level:
        assert last.value == pytest.approx(grown, abs=1e-3) and last.threshold == pytest.approx(0.2)
    assert last.clause.startswith("GB 50330-2013 第18.5.1条 边坡周边出现开裂等险情时应暂停施工")
    assert "第19.1.1条强制监测项目" in last.clause and "扩展大于 0.2 mm" in last.clause
    assert PRACTICE_ZH in last.clause and "录自二手资料" in last.clause
    if level:
        assert "测点 BLF-01 坡顶地表裂缝宽度" in last.message and "较基准 2.00 mm 扩展" in last.message
        assert (
            "暂停施工" in last.message and "第18.5.1条" in last.message and "巡查坡顶地表裂缝" in last.message
        )


def test_a_building_cracks_growth_cites_19_1_6_item_3(tmp_path: Path) -> None:
    def building_crack(data: dict[str, Any]) -> None:
        points_of(data).append({"code": "BLF-03", "kind": "crack", "crack_in": "building"})

    site = site_variant(tmp_path, building_crack)
    found = widths("BLF-03", [0.5, 0.6, 0.75], "slope.crack_growth", site)
    assert [r.level for r in found] == [None, "alarm"]  # 0.1 mm grown is noise, 0.25 mm is not
    assert found[-1].clause.startswith(
        "GB 50330-2013 第19.1.6条第3款 坡顶建筑物出现新的裂缝、原有裂缝有新发展"
    )
    assert (
        "测点 BLF-03 坡顶建筑物裂缝宽度" in found[-1].message
        and "检查坡顶建筑物结构安全" in found[-1].message
    )


def test_a_new_crack_point_grows_from_its_first_reading() -> None:
    """A crack found new gets a point: however wide it is found, its first reading raises nothing (the people
    who found it report it), and its growth is measured from there."""
    assert levels(widths("BLF-01", [12.0, 12.1, 12.2, 12.3], "slope.crack_growth")) == [None, "alarm"]


def test_a_baseline_from_the_site_file_is_the_growths_start(tmp_path: Path) -> None:
    """baseline_mm 1.5: a first reading of 1.8 mm has grown 0.3 mm, more than 0.2 mm, the alarm at once."""
    site = site_variant(tmp_path, with_point("BLF-01", baseline_mm=1.5))
    [result] = widths("BLF-01", [1.8], "slope.crack_growth", site)
    assert result.level == "alarm" and result.details["baseline_mm"] == 1.5


def test_the_growth_line_is_the_points_else_the_sites(tmp_path: Path) -> None:
    def wider(data: dict[str, Any]) -> None:
        data["rules"]["slope"] = {"crack_growth_mm": 0.5}

    site = site_variant(tmp_path, wider)
    assert levels(widths("BLF-01", [2.0, 2.4, 2.5, 2.51], "slope.crack_growth", site)) == [None, "alarm"]
    own = site_variant(tmp_path, with_point("BLF-01", growth_mm=1.0))
    assert levels(widths("BLF-01", [2.0, 2.9, 3.0, 3.01], "slope.crack_growth", own)) == [None, "alarm"]


# ---- fail safe: nothing but a valid reading inside the lines clears a firing alert ------------------------------


def one(ts: float, point: str, value: float, quality: Quality = Quality.OK) -> list[Reading]:
    return [Reading(ts, PROJECT, "slope-1", "crack_mm", value, quality=quality, point=point)]


@pytest.mark.parametrize(
    ("point", "firing", "clear", "rule"),
    [("BLF-02", [0.35], 0.05, "slope.crack_width"), ("BLF-01", [2.0, 2.5], 2.0, "slope.crack_growth")],
)
def test_a_broken_stale_or_missing_reading_never_clears_a_firing_crack_alert(
    point: str, firing: list[float], clear: float, rule: str
) -> None:
    engine = RuleEngine(reference_site())
    assert levels(of(readings(point, "crack_mm", firing, engine), rule))[-1] == "alarm"
    after = run(
        engine,
        [
            one(3 * H, point, -9999.0),  # the station's failed measurement: out of the meter's range
            one(4 * H, point, clear, Quality.STALE),
            one(5 * H, point, float("nan")),
            one(6 * H, point, clear, Quality.FAULT),
        ],
    )
    assert not of(after, rule)  # nothing said: the alarm stands
    assert levels(of(after, "sensor.fault"))[:1] == ["warning"]
    resolved = of(run(engine, [one(8 * H, point, clear)]), rule)
    assert [r.level for r in resolved] == [None]  # a valid reading back inside the line clears it


def test_a_stale_first_reading_is_no_baseline() -> None:
    engine = RuleEngine(reference_site())
    run(engine, [one(0.0, "BLF-01", 0.5, Quality.STALE)])
    found = of(run(engine, [one(H, "BLF-01", 2.0), one(2 * H, "BLF-01", 2.1)]), "slope.crack_growth")
    assert levels(found) == [None]  # measured from 2.0 mm, not from the stale 0.5 mm


# ---- check-config: a crack point's place and allowable ------------------------------------------------------------


@pytest.mark.parametrize(("code", "field"), [("BLF-01", "crack_in"), ("BLF-02", "allowable_crack_mm")])
def test_a_crack_point_without_its_place_or_allowable_is_refused(
    tmp_path: Path, code: str, field: str
) -> None:
    def drop(data: dict[str, Any]) -> None:
        points_of(data)[index_of(data, code)].pop(field)

    with pytest.raises(ConfigError) as exc:
        RuleEngine(site_variant(tmp_path, drop))
    issues = [i for i in exc.value.issues if field in i.message]
    [issue] = issues
    assert "slope slope-1: " in issue.message and f"point {code} has no {field}" in issue.message
    assert f"add {field}:" in issue.hint and issue.line


# ---- check-config: GB 50330-2013 §19.1.1 (强制性条文) -------------------------------------------------------------


def without(*codes: str, **slope: Any) -> Change:
    """slope-1 without the points ``codes``, its ``slope`` section given ``slope``."""

    def change(data: dict[str, Any]) -> None:
        spec = device(data, "slope-1")["slope"]
        spec["points"] = [p for p in spec["points"] if p["code"] not in codes]
        spec.update(slope)

    return change


def refused(tmp_path: Path, change: Change) -> str:
    with pytest.raises(ConfigError) as exc:
        RuleEngine(site_variant(tmp_path, change))
    [issue] = [i for i in exc.value.issues if "19.1.1" in i.hint]
    assert issue.line and "slope.points" in str(issue)
    return f"{issue.message} | {issue.hint}"


def test_a_grade_1_slope_with_buildings_in_its_sliding_zone_must_monitor_the_mandatory_items(
    tmp_path: Path,
) -> None:
    text = refused(tmp_path, without("BP-01", "BP-02", "BP-03", "BLF-01", "BJZ-01"))
    assert "slope slope-1: a grade 1 (一级) slope with important buildings in its sliding zone" in text
    assert "buildings_in_sliding_zone: true" in text
    for item in ("horizontal and vertical displacement", "the ground cracks", "the buildings at the top"):
        assert item in text
    assert "GB 50330-2013 §19.1.1 (强制性条文, mandatory)" in text
    assert "kind: crack, crack_in: ground" in text and "kind: surface" in text and "kind: building" in text


@pytest.mark.parametrize(
    ("gone", "named", "not_named"),
    [
        (("BLF-01",), "the ground cracks", "the buildings at the top"),
        (("BJZ-01",), "the buildings at the top", "the ground cracks"),
        (("BP-01", "BP-02", "BP-03"), "horizontal and vertical displacement", "the ground cracks"),
    ],
)
def test_each_missing_item_is_named_alone(
    tmp_path: Path, gone: tuple[str, ...], named: str, not_named: str
) -> None:
    message = refused(tmp_path, without(*gone)).split(" | ")[0]
    assert named in message and not_named not in message


def test_a_support_crack_is_no_ground_crack(tmp_path: Path) -> None:
    assert "the ground cracks" in refused(tmp_path, without("BLF-01"))  # BLF-02, the support's, stays


def test_a_building_point_is_taken_as_a_building_in_the_sliding_zone(tmp_path: Path) -> None:
    """Fail safe: buildings_in_sliding_zone false, but a building at the top is watched: §19.1.1 applies."""
    text = refused(tmp_path, without("BLF-01", buildings_in_sliding_zone=False))
    assert "a building point, taken as a building in its sliding zone" in text


@pytest.mark.parametrize(
    "change",
    [
        without(),  # the reference site: every item monitored
        without("BLF-01", grade=2),  # 二级: §19.1.1 is a 一级 slope's
        without("BLF-01", "BJZ-01", buildings_in_sliding_zone=False),  # no building in its sliding zone
    ],
    ids=["all-items", "grade-2", "no-buildings"],
)
def test_check_config_accepts_a_slope_the_clause_does_not_catch(tmp_path: Path, change: Change) -> None:
    RuleEngine(site_variant(tmp_path, change))


# ---- the simulator and the card ------------------------------------------------------------------------------------


def simulated(scenario: str, hours: int, seed: int) -> list[RuleResult]:
    site = reference_site()
    sim = SlopeSim(site.config.device("slope-1"), site, scenario, seed=seed)
    engine = RuleEngine(site)
    found: list[RuleResult] = []
    for k in range(hours + 1):
        values = sim.values(k * H)
        found += run(
            engine,
            [
                sample("slope-1", k * H, point=code, crack_mm=float(values[f"crack_mm@{code}"]))
                for code in ("BLF-01", "BLF-02")
            ],
        )
    return found


def test_the_simulators_building_scenario_widens_the_support_crack_and_grows_the_ground_crack() -> None:
    found = simulated("building", 24 * 3, seed=1)
    width = of(found, "slope.crack_width")
    # 0.1 mm a day from 0.1 mm: 70 % of 0.3 mm on the second day, the allowable reached at about 2 days
    assert levels(width) == [None, "warning", "alarm"]  # the first verdict, clear, is told
    assert (
        24 * H < next(r.ts for r in width if r.level) < 30 * H
        and 44 * H <= next(r.ts for r in width if r.level == "alarm") <= 52 * H
    )
    grown = of(found, "slope.crack_growth")
    assert levels(grown) == [None, "alarm"] and next(r.ts for r in grown if r.level == "alarm") <= 24 * H


def test_the_simulators_normal_cracks_raise_nothing() -> None:
    found = simulated("normal", 24 * 4, seed=3)
    assert {r.level for r in found if r.rule.startswith("slope.crack")} <= {None}


def test_the_card_gives_the_cracks_lines() -> None:
    views = {(v.code, lim.metric): lim for v in slope_points(reference_site().config) for lim in v.limits}
    support, ground = views[("BLF-02", "crack_mm")], views[("BLF-01", "crack_mm")]
    assert (support.alarm, support.growth) == (0.3, False) and "第19.1.6条第1款" in support.clause
    assert (ground.alarm, ground.growth, ground.baseline_mm) == (0.2, True, None)
