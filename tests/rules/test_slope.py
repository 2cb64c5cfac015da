"""slope.cumulative, slope.rate, slope.water, slope.rain and the slope's faults on slope-1 of the reference site
(grade 一级, soil, H = 14 m, hourly points), against GB 50330-2013 §19.1.6 and the design values it names
(docs/standards.md §15): each threshold at, below and above, as its clause words it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from contract.config import ConfigError, LoadedSite
from contract.readings import Quality, Reading
from kinds.slope.limits import displacement_limits
from kinds.slope.sim import SlopeSim
from kinds.slope.thresholds import SlopeRule
from rules import RuleEngine, RuleResult
from tests.rules.sites import device, levels, reference_site, run, sample, site_variant

H = 3600.0
REPO = Path(__file__).resolve().parents[2]


def readings(
    point: str, metric: str, values: list[float], engine: RuleEngine | None = None
) -> list[RuleResult]:
    engine = engine or RuleEngine(reference_site())
    return run(engine, [sample("slope-1", i * H, point=point, **{metric: v}) for i, v in enumerate(values)])


def of(results: list[RuleResult], rule: str) -> list[RuleResult]:
    return [r for r in results if r.rule == rule]


def test_the_alarm_value_is_the_smaller_of_20_mm_and_h_over_500_unless_the_design_gives_one(
    tmp_path: Path,
) -> None:
    slope = reference_site().config.device("slope-1").slope
    points = {p.code: p for p in slope.points}
    rule = SlopeRule()
    assert displacement_limits(slope, points["BP-01"], "disp_h_mm", rule).cumulative == 20  # 14 m / 500 = 28
    designed = displacement_limits(slope, points["BP-03"], "disp_h_mm", rule)
    assert (designed.cumulative, designed.rate, designed.designed) == (25, 3, True)
    low = site_variant(tmp_path, lambda d: device(d, "slope-1")["slope"].update(height_m=8)).config
    slope8 = low.device("slope-1").slope
    assert displacement_limits(slope8, slope8.points[0], "disp_h_mm", rule).cumulative == pytest.approx(16)


@pytest.mark.parametrize(
    ("value", "level"),
    # 已大于 20 mm is the alarm (at 20 mm it is not); 70 % of it reached (14 mm) the pre-warning (practice)
    [(13.9, None), (14.0, "warning"), (20.0, "warning"), (20.1, "alarm"), (-20.1, "alarm")],
)
def test_cumulative_at_below_and_above_its_lines(value: float, level: str | None) -> None:
    [result] = of(readings("BP-01", "disp_h_mm", [value]), "slope.cumulative")
    assert result.level == level
    assert result.clause.startswith("GB 50330-2013 第19.1.6条 坡顶水平位移已大于 H/500 或 20 mm")
    assert "录自二手资料" in result.clause  # the value is uncertain (standards.md §15 [U]) and says so
    if level:
        assert "测点 BP-01 水平位移累计" in result.message and "通知设计" in result.message


def low_slope(tmp_path: Path) -> LoadedSite:
    """slope-1 only 8 m high: H/500 = 16 mm, smaller than 20 mm, is its cumulative alarm value."""
    return site_variant(tmp_path, lambda d: device(d, "slope-1")["slope"].update(height_m=8))


@pytest.mark.parametrize(
    ("value", "level"),
    # 已大于 H/500 = 16 mm is the alarm (at 16 mm it is not); 70 % of it (11.2 mm) reached the pre-warning
    [(11.19, None), (11.2, "warning"), (11.21, "warning"), (16.0, "warning"), (16.1, "alarm")],
)
def test_where_h_over_500_is_the_smaller_it_is_the_line_at_below_and_above(
    tmp_path: Path, value: float, level: str | None
) -> None:
    [result] = of(
        readings("BP-01", "disp_h_mm", [value], RuleEngine(low_slope(tmp_path))), "slope.cumulative"
    )
    assert result.level == level
    assert "H/500 或 20 mm" in result.clause and "取小者 16 mm" in result.clause
    if level:
        assert "水平位移累计" in result.message and "报警值 16 mm" in result.message


def test_a_design_value_passed_is_the_major_hazard_of_article_5() -> None:
    results = of(readings("BP-03", "disp_h_mm", [25.0, 25.1]), "slope.cumulative")
    assert [r.level for r in results] == ["warning", "alarm"]
    assert results[1].clause.startswith("GB 50330-2013 第19.1.2条")
    assert "建质规〔2024〕5号 第五条(四)1 重大事故隐患" in results[1].clause
    assert "暂停施工" in results[1].message


def test_an_inclinometer_tells_the_depth_of_its_largest_displacement() -> None:
    engine = RuleEngine(reference_site())
    results = run(engine, [sample("slope-1", 0.0, point="BCX-01", incl_depth_m=8.5, incl_mm=21.0)])
    [alarm] = of(results, "slope.cumulative")
    assert alarm.level == "alarm" and "深度 8.5 m" in alarm.message and "深层水平位移" in alarm.message


def test_the_worst_of_a_points_displacements_is_its_alert() -> None:
    engine = RuleEngine(reference_site())
    run(engine, [sample("slope-1", 0.0, point="BP-01", disp_h_mm=21.0, disp_v_mm=2.0)])
    later = of(run(engine, [sample("slope-1", H, point="BP-01", disp_v_mm=3.0)]), "slope.cumulative")
    # the vertical displacement is clear, the horizontal one still above its alarm value
    assert all(r.level == "alarm" for r in later)


def rate_levels(mm_per_day: float, hours: int, point: str = "BP-02") -> list[str | None]:
    values = [k * mm_per_day / 24 for k in range(hours + 1)]
    return [r.level for r in of(readings(point, "disp_h_mm", values), "slope.rate")]


def test_a_rate_above_2_mm_a_day_is_an_alarm_on_the_third_day_only() -> None:
    assert set(rate_levels(2.1, 71)) == {"warning"}  # two days above: the clause asks for three
    assert rate_levels(2.1, 72)[-1] == "alarm"
    assert set(rate_levels(2.0, 96)) == {"warning"}  # 2.0 is not 大于 2 mm/d
    assert set(rate_levels(1.39, 96)) == {None}  # below 70 % of it


@pytest.mark.parametrize(
    ("mm_per_day", "level"),
    # the pre-warning at 70 % of 2 mm/d reached (practice): 1.4 mm/d is on it; no day is above 2 mm/d
    [(1.39, None), (1.4, "warning"), (1.41, "warning")],
)
def test_the_rates_pre_warning_at_70_percent_of_2_mm_a_day(mm_per_day: float, level: str | None) -> None:
    assert set(rate_levels(mm_per_day, 96)) == {level}


def test_a_design_rate_of_3_mm_a_day_is_the_line_for_three_days_in_a_row() -> None:
    """BP-03's design gives 3 mm/d (GB 50330 §19.1.2): 已连续3d大于 it is the alarm, so 3.0 mm/d for four days
    is not (on the line), 3.1 mm/d is on the third day and not before; 70 % of 3 mm/d (2.1) pre-warns."""
    assert set(rate_levels(2.9, 96, "BP-03")) == {"warning"}
    assert set(rate_levels(3.0, 96, "BP-03")) == {"warning"}
    assert set(rate_levels(3.1, 71, "BP-03")) == {"warning"}
    results = of(readings("BP-03", "disp_h_mm", [k * 3.1 / 24 for k in range(73)]), "slope.rate")
    alarm = results[-1]
    assert alarm.level == "alarm" and alarm.threshold == 3
    assert alarm.clause.startswith("GB 50330-2013 第19.1.2条") and "速率报警值取设计值 3 mm/d" in alarm.clause
    assert "报警值 3 mm/d，已连续 3 天大于报警值" in alarm.message
    assert set(rate_levels(2.09, 96, "BP-03")) == {None}  # below 70 % of the design's rate


def by_day(mm_per_day: list[float], per_day: int) -> list[float]:
    """The displacement read ``per_day`` times a day, moving steadily at each day's ``mm_per_day`` in turn."""
    values, v = [0.0], 0.0
    for rate in mm_per_day:
        for _ in range(per_day):
            v += rate / per_day
            values.append(v)
    return values


def test_three_days_above_2_mm_a_day_broken_by_a_still_day_are_no_alarm() -> None:
    # hourly: two days at 2.5 mm/d, a day without movement (below the rate), two more at 2.5: never three days
    # running above it, whichever 24 h the rate is read over
    values = by_day([2.5, 2.5, 0.0, 2.5, 2.5], 24)
    assert "alarm" not in {r.level for r in of(readings("BP-02", "disp_h_mm", values), "slope.rate")}
    unbroken = by_day([2.5, 2.5, 2.5], 24)
    assert of(readings("BP-02", "disp_h_mm", unbroken), "slope.rate")[-1].level == "alarm"


def test_a_day_read_at_exactly_2_mm_breaks_the_days_above(tmp_path: Path) -> None:
    """A point read once a day (its day's change is its daily rate): 2.5, 2.5, 2.0, 2.5, 2.5 mm. 2.0 mm/d is
    not 大于 2 mm/d, so no three days in a row are above it: the pre-warning, never the alarm; three days at
    2.5 mm are the alarm on the third."""
    site = site_variant(tmp_path, lambda d: device(d, "slope-1").update(poll_interval_s=86400))

    def daily(mm_per_day: list[float]) -> list[str | None]:
        batches = [
            sample("slope-1", day * 86400.0, point="BP-02", disp_h_mm=v)
            for day, v in enumerate(by_day(mm_per_day, 1))
        ]
        return [r.level for r in run(RuleEngine(site), batches, "slope.rate")]

    assert daily([2.5, 2.5, 2.0, 2.5, 2.5]) == ["warning"] * 5
    assert daily([2.5, 2.5, 2.5]) == ["warning", "warning", "alarm"]


def moving(mm_per_day: float, hours: list[float]) -> list[list[Reading]]:
    """BP-02 moving steadily at ``mm_per_day``, read at ``hours`` (the hours missing: no data)."""
    return [sample("slope-1", h * H, point="BP-02", disp_h_mm=h * mm_per_day / 24) for h in hours]


def test_a_data_gap_never_downgrades_a_firing_rate_alarm() -> None:
    """4 days at 3 mm/d: the alarm on the third day. No data for 30 h, then 3 mm/d again: the days before are
    missing, not below the rate, so the alarm holds (it went to warning at the first rate after the gap and
    back to alarm only two days later)."""
    engine = RuleEngine(reference_site())
    before = of(run(engine, moving(3.0, list(range(97)))), "slope.rate")
    assert levels(before) == ["warning", "alarm"]
    resumed = [96.0 + 30 + k for k in range(4 * 24)]
    after = of(run(engine, moving(3.0, resumed)), "slope.rate")
    assert {r.level for r in after} <= {"alarm"}, levels(after)
    held = [r for r in after if r.details["days_above"] == "held"]
    assert held and all("缺测不视为未超报警值" in r.message for r in held)


def test_a_firing_rate_alarm_still_falls_when_the_slope_stops_after_a_gap() -> None:
    engine = RuleEngine(reference_site())
    run(engine, moving(3.0, list(range(97))))
    # still after the gap (at 12 mm): the data say it stopped, which a missing day never hides
    still = [sample("slope-1", (126 + k) * H, point="BP-02", disp_h_mm=12.0 + 0.001 * k) for k in range(30)]
    after = of(run(engine, still), "slope.rate")
    assert levels(after)[-1:] == [None]


def test_a_new_rate_alarm_after_a_gap_still_needs_three_days_above() -> None:
    """A day at 3 mm/d (a warning), no data for 30 h, then 3 mm/d: the gap counts as no day above, so the
    alarm comes only once the rate has been above 2 mm/d on three days in a row of data."""
    engine = RuleEngine(reference_site())
    assert levels(of(run(engine, moving(3.0, list(range(25)))), "slope.rate")) == ["warning"]
    start = 24 + 30
    after = of(run(engine, moving(3.0, [start + k for k in range(5 * 24)])), "slope.rate")
    assert levels(after) == ["warning", "alarm"]
    # its first rate a window after the gap (hour 78), the days before it above a window and two windows on
    assert next(r.ts for r in after if r.level == "alarm") == (start + 24 + 48) * H


@pytest.mark.parametrize(
    ("level_m", "level"),
    # BSW-01: baseline -6 m, the design's rise 2 m: reached (达到) is the alarm, 70 % of it reached the warning
    [(-4.61, None), (-4.60, "warning"), (-4.01, "warning"), (-4.00, "alarm"), (-3.9, "alarm")],
)
def test_water_rise_at_below_and_above(level_m: float, level: str | None) -> None:
    [result] = of(readings("BSW-01", "water_level_m", [level_m]), "slope.water")
    assert result.level == level and result.clause.startswith("GB 50330-2013 第19.1.2条、表19.1.3")


@pytest.mark.parametrize(
    ("mm", "level"),
    # standards.md §15: a rain-gauge total above (大于: not at) the configured value warns (practice)
    [(49.9, None), (50.0, None), (50.1, "warning"), (60.0, "warning")],
)
def test_rain_in_24_hours_at_below_and_above(mm: float, level: str | None) -> None:
    results = of(readings("BYL-01", "rain_mm", [mm / 2, mm / 2]), "slope.rain")
    assert results[-1].level == level and "行业惯例" in results[-1].clause
    assert "超过警戒值" in results[-1].clause


def test_a_broken_or_stale_reading_never_clears_a_firing_alarm() -> None:
    engine = RuleEngine(reference_site())
    readings("BP-01", "disp_h_mm", [21.0], engine)
    after = run(
        engine,
        [
            sample("slope-1", H, point="BP-01", disp_h_mm=-9999.0),  # the station's failed measurement
            sample("slope-1", 2 * H, point="BP-01", quality=Quality.STALE, disp_h_mm=1.0),
            sample("slope-1", 3 * H, point="BP-01", disp_h_mm=float("nan")),
        ],
    )
    assert not of(after, "slope.cumulative")  # nothing said: the alarm stands
    assert [r.level for r in of(after, "sensor.fault")][:1] == ["warning"]


def test_a_loggers_buffer_older_than_the_live_readings_is_judged_as_history() -> None:
    engine = RuleEngine(reference_site())
    readings("BP-01", "disp_h_mm", [5.0] * 11, engine)  # live, hourly, to 10 h
    # the link was down at 5-6 h: the station's buffer, uploaded late, saw the top move past 20 mm then
    late = run(engine, [sample("slope-1", 5.5 * H, point="BP-01", quality=Quality.BACKFILL, disp_h_mm=21.0)])
    [alarm] = of(late, "slope.cumulative")
    assert (alarm.level, alarm.backfill) == ("alarm", True)


def silent_station(engine: RuleEngine) -> RuleResult:
    readings("BP-01", "disp_h_mm", [1.0], engine)
    silent = [r for r in engine.tick(4 * H) if r.rule == "device.offline" and r.device == "slope-1"]
    assert silent and silent[0].level
    return silent[0]


@pytest.mark.parametrize("grade", [1, 2])
def test_a_silent_high_slope_is_itself_an_alert_citing_article_5(tmp_path: Path, grade: int) -> None:
    site = site_variant(tmp_path, lambda d: device(d, "slope-1")["slope"].update(grade=grade))
    clause = silent_station(RuleEngine(site)).clause
    assert "建质规〔2024〕5号 第五条(三) 高边坡（一级、二级）" in clause and "重大事故隐患" in clause


def test_a_silent_grade_3_slope_cites_its_monitoring_not_the_major_hazard(tmp_path: Path) -> None:
    """ "高边坡" in 建质规〔2024〕5号 is a 一级 or 二级 slope: a 三级 slope's silence is its monitoring lost."""
    site = site_variant(tmp_path, lambda d: device(d, "slope-1")["slope"].update(grade=3))
    clause = silent_station(RuleEngine(site)).clause
    assert clause.startswith("GB 50330-2013 第19.1.2条") and "边坡失去监测" in clause
    assert "建质规" not in clause and "重大事故隐患" not in clause


def test_a_water_point_without_its_design_value_is_refused_at_its_line(tmp_path: Path) -> None:
    def drop(data: dict) -> None:
        device(data, "slope-1")["slope"]["points"][4].pop("rise_m")

    with pytest.raises(ConfigError) as exc:
        RuleEngine(site_variant(tmp_path, drop))
    [issue] = exc.value.issues
    assert "water-level point BSW-01 has no rise_m" in issue.message and "add rise_m" in issue.hint
    assert issue.line and "slope.points[4]" in str(issue)


def rock(tmp_path: Path, *points: dict) -> LoadedSite:
    def change(data: dict) -> None:
        device(data, "slope-1")["slope"].update(type="rock", points=list(points))
        # no building in its sliding zone: GB 50330 §19.1.1's items are tests/rules/test_slope_cracks.py's
        device(data, "slope-1")["slope"]["buildings_in_sliding_zone"] = False

    return site_variant(tmp_path, change)


def test_a_rock_slope_without_its_design_values_is_refused_naming_the_point_and_field(tmp_path: Path) -> None:
    """standards.md §15 gives H/500, 20 mm and 2 mm/d for a soil slope's support: a rock slope's alarm values
    are the design's (GB 50330 §19.1.2), and check-config asks for them."""
    half = {"disp_h_mm": {"cumulative_mm": 30, "rate_mm_d": 3}}  # its vertical displacement has none
    site = rock(
        tmp_path,
        {"code": "BP-01", "kind": "surface", "design": half},
        {"code": "BCX-01", "kind": "inclinometer", "design": {"incl_mm": {"cumulative_mm": 40}}},
        {"code": "BYL-01", "kind": "rain_gauge"},
    )
    with pytest.raises(ConfigError) as exc:
        RuleEngine(site)
    issues = exc.value.issues
    assert len(issues) == 2
    surface, deep = issues
    assert "rock slope slope-1: point BP-01 has no design alarm values for disp_v_mm" in surface.message
    assert "design: {disp_v_mm: {cumulative_mm:" in surface.hint and "rate_mm_d:" in surface.hint
    assert "slope.points[0].design" in str(surface) and surface.line
    assert "point BCX-01 has no design alarm values for incl_mm (rate_mm_d)" in deep.message


def test_a_rock_slope_with_its_design_values_cites_the_design_not_the_soil_slopes_clause(
    tmp_path: Path,
) -> None:
    design = {m: {"cumulative_mm": 30, "rate_mm_d": 3} for m in ("disp_h_mm", "disp_v_mm")}
    site = rock(tmp_path, {"code": "BP-01", "kind": "surface", "design": design})
    results = of(
        run(RuleEngine(site), [sample("slope-1", 0.0, point="BP-01", disp_h_mm=30.1)]), "slope.cumulative"
    )
    assert [r.level for r in results] == ["alarm"]
    assert (
        results[0].clause.startswith("GB 50330-2013 第19.1.2条")
        and "坡顶水平位移已大于" not in results[0].clause
    )


def test_the_simulators_creep_fires_on_the_cumulative_value_alone() -> None:
    site = reference_site()
    sim = SlopeSim(site.config.device("slope-1"), site, "creep", seed=1)
    engine = RuleEngine(site)
    values = [sim.values(k * H)["disp_h_mm@BP-01"] for k in range(24 * 8)]
    found = readings("BP-01", "disp_h_mm", [float(v) for v in values], engine)
    assert {r.level for r in of(found, "slope.rate")} == {None}  # 1.2 mm/d: below the rate's pre-warning
    assert [r.level for r in of(found, "slope.cumulative")][-1] == "alarm"


def test_simulate_slope_is_a_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "sitegw.cli", "simulate", "slope", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert out.returncode == 0 and "creep" in out.stdout
