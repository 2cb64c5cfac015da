"""slope.building, slope.building_rate and slope.anchor on slope-1 of the reference site, against GB 50330-2013
§19.1.6 items (2) and (4) (docs/standards.md §15): BJZ-01, a building at the top whose allowables (GB 50007's,
from its design) are 200 mm of settlement and a tilt of 0.004, and BMS-01, an anchor cable whose design band
is 400-650 kN. Each line at, below and above, as its clause words it: 已大于 80 % of the allowable (on it, no
alarm), 已连续3d每天大于 0.00008 (on it, no alarm), and the anchor's band left 小于 its lower end or 大于 its upper
one (on an end, no alarm)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contract.config import ConfigError
from contract.readings import Quality, Reading
from kinds.slope.card import slope_points
from kinds.slope.sim import SlopeSim
from rules import RuleEngine, RuleResult
from tests.rules.sites import PROJECT, device, levels, reference_site, run, sample, site_variant
from tests.rules.test_slope import H, of, readings


def last(point: str, metric: str, value: float, rule: str) -> RuleResult:
    [result] = of(readings(point, metric, [value]), rule)
    return result


# ---- slope.building: 已大于 80 % of the allowable --------------------------------------------------------------


@pytest.mark.parametrize(
    ("mm", "level"),
    # 80 % of 200 mm is 160 mm: 已大于 it the alarm (on it not); 70 % of 160 mm (112 mm) reached the pre-warning
    [(111.9, None), (112.0, "warning"), (160.0, "warning"), (160.1, "alarm"), (-160.1, "alarm")],
)
def test_a_buildings_settlement_at_below_and_above_80_percent_of_its_allowable(
    mm: float, level: str | None
) -> None:
    result = last("BJZ-01", "bldg_settle_mm", mm, "slope.building")
    assert result.level == level
    assert result.clause.startswith("GB 50330-2013 第19.1.6条第2款 坡顶建筑物沉降已大于 GB 50007 允许值")
    assert "设计取 200 mm" in result.clause and "的 80%" in result.clause
    assert "录自二手资料" in result.clause  # 80 % is from memory (standards.md §15 [U]) and says so
    if level:
        assert "测点 BJZ-01 坡顶建筑物沉降" in result.message and "允许值 200 mm" in result.message
        assert "检查坡顶建筑物裂缝" in result.message
        # the alarm's action is §18.5.1's; the pre-warning's is to watch more closely
        assert ("第18.5.1条" in result.message) is (level == "alarm")
        assert result.message_en and "settlement of the building" in result.message_en


@pytest.mark.parametrize(
    ("tilt", "level"),
    # 80 % of 0.004 is 0.0032: 已大于 it the alarm; 70 % of it (0.00224) reached the pre-warning
    [(0.00223, None), (0.00224, "warning"), (0.0032, "warning"), (0.00321, "alarm"), (-0.00321, "alarm")],
)
def test_a_buildings_tilt_at_below_and_above_80_percent_of_its_allowable(
    tilt: float, level: str | None
) -> None:
    result = last("BJZ-01", "bldg_tilt", tilt, "slope.building")
    assert result.level == level
    assert "坡顶建筑物倾斜已大于 GB 50007 允许值（设计取 0.004）" in result.clause
    if level:
        assert "坡顶建筑物倾斜" in result.message and "允许值 0.004" in result.message


@pytest.mark.parametrize(
    ("mm", "major"),
    # the allowable is the building's deformation control value: 超过 it (not at it) is the major hazard
    [(180.0, False), (200.0, False), (200.1, True)],
)
def test_past_the_allowable_itself_the_alarm_cites_the_major_hazard(mm: float, major: bool) -> None:
    result = last("BJZ-01", "bldg_settle_mm", mm, "slope.building")
    assert result.level == "alarm"
    assert ("建质规〔2024〕5号 第五条(四)1 重大事故隐患" in result.clause) is major


def test_a_buildings_worst_metric_is_its_alert() -> None:
    engine = RuleEngine(reference_site())
    run(engine, [sample("slope-1", 0.0, point="BJZ-01", bldg_settle_mm=170.0, bldg_tilt=0.001)])
    later = of(run(engine, [sample("slope-1", H, point="BJZ-01", bldg_tilt=0.0011)]), "slope.building")
    # the tilt is clear, the settlement still above 160 mm: one alert for the building, the alarm
    assert later and all(r.level == "alarm" for r in later)


# ---- slope.building_rate: 已连续3d每天大于 0.00008 -------------------------------------------------------------


def tilt_levels(per_day: float, hours: int, engine: RuleEngine | None = None) -> list[str | None]:
    values = [0.001 + k * per_day / 24 for k in range(hours + 1)]
    return [r.level for r in of(readings("BJZ-01", "bldg_tilt", values, engine), "slope.building_rate")]


def test_a_tilt_rate_above_0_00008_a_day_is_an_alarm_on_the_third_day_only() -> None:
    assert set(tilt_levels(0.000081, 71)) == {"warning"}  # two days above: the clause asks for three
    assert tilt_levels(0.000081, 72)[-1] == "alarm"
    assert set(tilt_levels(0.00008, 96)) == {"warning"}  # on the line: not 大于 0.00008
    assert set(tilt_levels(0.0000559, 96)) == {None}  # below 70 % of it (0.000056)
    assert set(tilt_levels(0.000056, 96)) == {"warning"}  # 70 % reached: the pre-warning (practice)


def test_the_tilt_rates_alarm_says_its_clause_and_the_days() -> None:
    values = [0.001 + k * 0.0001 / 24 for k in range(73)]
    alarm = of(readings("BJZ-01", "bldg_tilt", values), "slope.building_rate")[-1]
    assert alarm.level == "alarm" and alarm.threshold == pytest.approx(0.00008) and alarm.unit == "/d"
    assert alarm.clause.startswith("GB 50330-2013 第19.1.6条第2款 坡顶建筑物倾斜速率已连续3d每天大于 0.00008")
    assert "录自二手资料" in alarm.clause
    assert "倾斜速率 0.0001/d，报警值 0.00008/d，已连续 3 天大于报警值" in alarm.message
    assert "第18.5.1条" in alarm.message and "above it 3 days running" in alarm.message_en
    # the tilt itself (0.0013) is far below 80 % of 0.004: the rate alone fires
    assert {r.level for r in of(readings("BJZ-01", "bldg_tilt", values), "slope.building")} == {None}


def test_a_day_not_above_the_tilt_rate_breaks_the_days(tmp_path: Path) -> None:
    """Read once a day: 0.0001, 0.0001, 0.00008, 0.0001, 0.0001 a day. 0.00008 is not 大于 0.00008, so no three
    days in a row are above it; three days at 0.0001 are the alarm on the third."""
    site = site_variant(tmp_path, lambda d: device(d, "slope-1").update(poll_interval_s=86400))

    def daily(per_day: list[float]) -> list[str | None]:
        tilts = [0.001 + sum(per_day[:k]) for k in range(len(per_day) + 1)]
        batches = [sample("slope-1", k * 86400.0, point="BJZ-01", bldg_tilt=v) for k, v in enumerate(tilts)]
        return [r.level for r in run(RuleEngine(site), batches, "slope.building_rate")]

    assert daily([0.0001, 0.0001, 0.00008, 0.0001, 0.0001]) == ["warning"] * 5
    assert daily([0.0001, 0.0001, 0.0001]) == ["warning", "warning", "alarm"]


def test_a_data_gap_never_downgrades_a_firing_tilt_rate_alarm() -> None:
    """4 days at 0.00012 a day: the alarm on the third. No data for 30 h, then the same rate: the days before are
    missing, not below the line, so the alarm holds, saying why."""
    engine = RuleEngine(reference_site())

    def tilting(hours: list[float]) -> list[RuleResult]:
        batches = [
            sample("slope-1", h * H, point="BJZ-01", bldg_tilt=0.001 + h * 0.00012 / 24) for h in hours
        ]
        return of(run(engine, batches), "slope.building_rate")

    assert levels(tilting(list(range(97)))) == ["warning", "alarm"]
    after = tilting([96.0 + 30 + k for k in range(4 * 24)])
    assert {r.level for r in after} <= {"alarm"}, levels(after)
    assert any("缺测不视为未超报警值" in r.message for r in after if r.details["days_above"] == "held")


# ---- slope.anchor: 小于 the band's lower end, 大于 its upper one ------------------------------------------------


@pytest.mark.parametrize(
    ("kn", "level", "words"),
    # BMS-01's band 400-650 kN (its middle 525, half-width 125): on an end no alarm (大于/小于 leave it out);
    # 70 % of the way from the middle to an end (87.5 kN: 437.5 or 612.5 kN) reached the pre-warning
    [
        (525.0, None, ""),
        (437.6, None, ""),
        (437.5, "warning", "接近下限"),
        (400.0, "warning", "接近下限"),
        (399.9, "alarm", "小于下限 400 kN（预应力损失、松弛）"),
        (0.0, "alarm", "小于下限 400 kN"),
        (612.4, None, ""),
        (612.5, "warning", "接近上限"),
        (650.0, "warning", "接近上限"),
        (650.1, "alarm", "大于上限 650 kN（超载）"),
    ],
)
def test_an_anchors_load_at_below_and_above_its_bands_ends(kn: float, level: str | None, words: str) -> None:
    result = last("BMS-01", "anchor_kn", kn, "slope.anchor")
    assert result.level == level
    assert result.clause.startswith(
        "GB 50330-2013 第19.1.6条第4款 支护结构的主要构件出现应力突变、松弛或拔出"
    )
    assert "设计下限 400 kN" in result.clause and "设计上限 650 kN" in result.clause
    assert "录自二手资料" not in result.clause  # the band is the design's, not a value of the standard's
    if level:
        assert words in result.message and "检查锚头" in result.message
        assert ("第18.5.1条" in result.message) is (level == "alarm")
        assert result.unit == "kN" and result.message_en


def test_an_anchors_alarm_holds_within_its_clearing_band() -> None:
    """5 % of the half-width (6.25 kN): an alarm below 400 kN holds to 406.25 kN and falls to the warning past
    it, then clears back in the band's middle."""
    found = of(readings("BMS-01", "anchor_kn", [399.0, 405.0, 410.0, 525.0]), "slope.anchor")
    assert [r.level for r in found] == ["alarm", "alarm", "warning", None]
    assert found[0].threshold == 400 and found[2].threshold == pytest.approx(437.5)


# ---- fail safe: nothing but a valid reading inside the lines clears a firing alert ------------------------------


def one(ts: float, point: str, metric: str, value: float, quality: Quality = Quality.OK) -> list[Reading]:
    """One reading of slope-1's ``point``, marked ``quality``."""
    return [Reading(ts, PROJECT, "slope-1", metric, value, quality=quality, point=point)]


@pytest.mark.parametrize(
    ("point", "metric", "firing", "broken", "rule"),
    [
        ("BJZ-01", "bldg_settle_mm", 170.0, -9999.0, "slope.building"),
        ("BJZ-01", "bldg_tilt", 0.0035, -9999.0, "slope.building"),
        ("BMS-01", "anchor_kn", 300.0, -9999.0, "slope.anchor"),
    ],
)
def test_a_broken_stale_or_missing_reading_never_clears_a_firing_alert(
    point: str, metric: str, firing: float, broken: float, rule: str
) -> None:
    engine = RuleEngine(reference_site())
    assert [r.level for r in of(readings(point, metric, [firing], engine), rule)] == ["alarm"]
    clear = {"bldg_settle_mm": 1.0, "bldg_tilt": 0.0001, "anchor_kn": 525.0}[metric]
    after = run(
        engine,
        [
            one(H, point, metric, broken),  # the station's failed measurement
            one(2 * H, point, metric, clear, Quality.STALE),
            one(3 * H, point, metric, float("nan")),
            one(4 * H, point, metric, clear, Quality.FAULT),
        ],
    )
    assert not of(after, rule)  # nothing said: the alarm stands
    assert [r.level for r in of(after, "sensor.fault")][:1] == ["warning"]


# ---- check-config: the design values are required -----------------------------------------------------------------


def points_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = device(data, "slope-1")["slope"]["points"]
    return points


def index_of(data: dict[str, Any], code: str) -> int:
    return next(i for i, p in enumerate(points_of(data)) if p["code"] == code)


@pytest.mark.parametrize(
    ("code", "field"),
    [
        ("BJZ-01", "allowable_settle_mm"),
        ("BJZ-01", "allowable_tilt"),
        ("BMS-01", "anchor_min_kn"),
        ("BMS-01", "anchor_max_kn"),
    ],
)
def test_a_point_without_its_design_value_is_refused_naming_the_device_point_and_field(
    tmp_path: Path, code: str, field: str
) -> None:
    at: list[int] = []

    def drop(data: dict[str, Any]) -> None:
        at.append(index_of(data, code))
        points_of(data)[at[0]].pop(field)

    with pytest.raises(ConfigError) as exc:
        RuleEngine(site_variant(tmp_path, drop))
    [issue] = exc.value.issues
    assert "slope slope-1: " in issue.message and f"point {code} has no {field}" in issue.message
    assert f"add {field}:" in issue.hint and "GB 50330 gives no value" in issue.hint
    assert issue.line and f"slope.points[{at[0]}].{field}" in str(issue)


def test_an_anchor_band_upside_down_is_refused(tmp_path: Path) -> None:
    def flip(data: dict[str, Any]) -> None:
        points_of(data)[index_of(data, "BMS-01")].update(anchor_min_kn=650, anchor_max_kn=400)

    with pytest.raises(ConfigError) as exc:
        RuleEngine(site_variant(tmp_path, flip))
    assert "anchor_min_kn (650) must be below anchor_max_kn (400)" in str(exc.value)


def test_a_tilt_written_in_per_mille_is_refused(tmp_path: Path) -> None:
    def per_mille(data: dict[str, Any]) -> None:
        points_of(data)[index_of(data, "BJZ-01")]["allowable_tilt"] = 4  # 4 ‰ meant: the ratio is 0.004

    with pytest.raises(ConfigError):
        RuleEngine(site_variant(tmp_path, per_mille))


# ---- the simulator and the card ------------------------------------------------------------------------------------


def test_the_simulators_building_scenario_fires_the_tilt_rate_and_the_anchor() -> None:
    site = reference_site()
    sim = SlopeSim(site.config.device("slope-1"), site, "building", seed=1)
    engine = RuleEngine(site)
    found: list[RuleResult] = []
    for k in range(24 * 3 + 1):
        values = sim.values(k * H)
        found += run(
            engine,
            [
                sample("slope-1", k * H, point="BJZ-01", bldg_tilt=float(values["bldg_tilt@BJZ-01"])),
                sample("slope-1", k * H, point="BMS-01", anchor_kn=float(values["anchor_kn@BMS-01"])),
            ],
        )
    rate = of(found, "slope.building_rate")
    # 0.00012 a day: above 70 % of 0.00008 from the first day's rate, above 0.00008 three days running at 72 h
    assert levels(rate) == ["warning", "alarm"]
    assert next(r.ts for r in rate if r.level == "alarm") == 72 * H
    assert levels(of(found, "slope.anchor"))[-1] == "alarm"
    assert {r.level for r in of(found, "slope.building")} == {None}  # the tilt well below 80 % of 0.004


def test_the_simulators_normal_slope_raises_nothing_of_its_building_or_anchor() -> None:
    site = reference_site()
    sim = SlopeSim(site.config.device("slope-1"), site, "normal", seed=3)
    engine = RuleEngine(site)
    found: list[RuleResult] = []
    for k in range(24 * 4):
        values = sim.values(k * H)
        found += run(
            engine,
            [
                sample("slope-1", k * H, point="BJZ-01", bldg_tilt=float(values["bldg_tilt@BJZ-01"])),
                sample(
                    "slope-1", k * H, point="BJZ-01", bldg_settle_mm=float(values["bldg_settle_mm@BJZ-01"])
                ),
                sample("slope-1", k * H, point="BMS-01", anchor_kn=float(values["anchor_kn@BMS-01"])),
            ],
        )
    new_rules = ("slope.building", "slope.building_rate", "slope.anchor")
    assert {r.level for r in found if r.rule in new_rules} <= {None}


def test_the_card_gives_the_building_and_anchor_alarm_values() -> None:
    views = {(v.code, lim.metric): lim for v in slope_points(reference_site().config) for lim in v.limits}
    assert views[("BJZ-01", "bldg_settle_mm")].alarm == pytest.approx(160)
    assert views[("BJZ-01", "bldg_tilt")].alarm == pytest.approx(0.0032)
    anchor = views[("BMS-01", "anchor_kn")]
    assert (anchor.low, anchor.alarm) == (400, 650) and "第19.1.6条第4款" in anchor.clause


def test_an_anchor_first_warned_on_its_lower_line_tells_a_further_loss_as_a_worsening(tmp_path: Path) -> None:
    """The pre-warning is reached (437.5 kN on the lower side is a warning), so the alert's first value can lie
    exactly on its line; the load falling on to 402 kN, still a warning, is a worsening by more than a step
    (10 % of 437.5 kN) that the uplinks hear of as an ``updated`` event, and a rise back is none."""
    from contract.alert_event import AlertEvent
    from contract.config.rules import WorseningUpdates
    from gateway.alerts.manager import AlertManager

    sent: list[AlertEvent] = []
    now = [1_800_000_000.0]
    manager = AlertManager(tmp_path / "alerts.db", PROJECT, sent.append, lambda: now[0], WorseningUpdates())
    found = of(readings("BMS-01", "anchor_kn", [437.5, 402.0, 430.0]), "slope.anchor")
    assert [r.level for r in found] == ["warning"] * 3
    try:
        for r in found:
            now[0] += 600
            manager.handle([r])
            manager.tick()
    finally:
        manager.close()
    assert [(e.state, e.value) for e in sent] == [("firing", 437.5), ("updated", 402.0)]
