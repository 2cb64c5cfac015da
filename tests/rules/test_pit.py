"""pit.cumulative, pit.rate, pit.jump and sensor.fault on pit-1 (grade 一级, bored piles, H = 12 m),
with GB 50497-2019 Table 8.0.4 lower-bound defaults."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from kinds.pit.limits import point_limits
from rules import RuleEngine
from tests.rules.sites import device, levels, reference_site, run, sample, site_variant

H2 = 7200.0  # every point reports every 2 hours
DAY = 86400.0


def series(
    engine: RuleEngine,
    point: str,
    metric: str,
    values: list[float],
    start: float = 0.0,
    rule: str | None = None,
):
    return run(
        engine,
        [sample("pit-1", start + i * H2, point=point, **{metric: v}) for i, v in enumerate(values)],
        rule,
    )


def test_table_defaults_take_the_smaller_of_mm_and_percent_of_depth(tmp_path: Path) -> None:
    pit = reference_site().config.device("pit-1").pit
    by_code = {p.code: p for p in pit.points}
    assert point_limits(pit, by_code["ZQS-01"], "disp_h_mm").cumulative == 20  # min(20 mm, 0.2 % × 12 m = 24)
    assert point_limits(pit, by_code["ZQS-01"], "disp_v_mm").cumulative == 10  # min(10 mm, 0.1 % × 12 m = 12)
    assert point_limits(pit, by_code["CX-01"], "incl_mm").cumulative == 30  # min(30 mm, 0.3 % × 12 m = 36)
    assert point_limits(pit, by_code["CX-01"], "incl_mm").rate_per_day is None  # the table gives none
    assert point_limits(pit, by_code["ZL-01"], "axial_kn").cumulative == 2400  # 60 % of 4000 kN
    assert point_limits(pit, by_code["SW-01"], "water_level_m").rate_per_day == 500
    shallow = site_variant(tmp_path, lambda d: device(d, "pit-1")["pit"].update(excavation_depth_m=8)).config
    pit8 = shallow.device("pit-1").pit
    assert point_limits(pit8, pit8.points[0], "disp_h_mm").cumulative == pytest.approx(16)  # 0.2 % × 8 m < 20


@pytest.mark.parametrize(
    ("value", "level"),
    # 20 mm is the alarm value: exceeding it is the alarm (docs/standards.md §2), reaching 70 % the pre-warning
    [
        (13.9, None),
        (14.0, "warning"),
        (19.9, "warning"),
        (20.0, "warning"),
        (20.1, "alarm"),
        (-20.1, "alarm"),
    ],
)
def test_cumulative_edges_wall_top_horizontal(value: float, level: str | None) -> None:
    [result] = series(RuleEngine(reference_site()), "ZQS-01", "disp_h_mm", [value], rule="pit.cumulative")
    assert result.level == level
    assert result.clause.startswith("GB 50497-2019 第8.0.3条、表8.0.4 围护墙顶水平位移报警值")
    assert "表值取区间下限" in result.clause
    assert result.point == "ZQS-01" and result.device == "pit-1"


def test_strut_force_against_its_capacity() -> None:
    results = series(
        RuleEngine(reference_site()),
        "ZL-01",
        "axial_kn",
        [1600, 1680, 2000, 2400, 2410],
        rule="pit.cumulative",
    )
    # 60 % of 4000 kN = 2400 kN: a force at it has not exceeded it yet, one above it has
    assert [r.level for r in results] == [None, "warning", "warning", "warning", "alarm"]
    assert results[-1].unit == "kN" and "支撑轴力" in results[-1].message


def test_designer_values_replace_the_table(tmp_path: Path) -> None:
    def designed(data: dict) -> None:
        device(data, "pit-1")["pit"]["points"][0]["thresholds"] = {"disp_h_mm": {"cumulative_mm": 25}}

    [result] = series(
        RuleEngine(site_variant(tmp_path, designed)), "ZQS-01", "disp_h_mm", [21], rule="pit.cumulative"
    )
    assert result.level == "warning" and result.threshold == pytest.approx(17.5)
    assert result.clause.startswith(
        "GB 50497-2019 第8.0.1条 监测报警值由设计确定：围护墙顶水平位移采用设计值"
    )
    assert result.message == (
        "1号基坑 测点 ZQS-01 围护墙顶水平位移累计 21.0 mm，为报警值 25 mm 的 84%：加密监测，通知设计与监理"
    )


def test_unknown_threshold_key_is_a_config_error_naming_the_point(tmp_path: Path) -> None:
    from contract.config import ConfigError

    def typo(data: dict) -> None:
        device(data, "pit-1")["pit"]["points"][0]["thresholds"] = {"disp_h_mm": {"cumulatve_mm": 25}}

    with pytest.raises(ConfigError) as err:
        RuleEngine(site_variant(tmp_path, typo))
    assert "ZQS-01" in str(err.value) and "cumulatve_mm" in str(err.value)
    [issue] = err.value.issues
    assert issue.path == "devices[3].pit.points[0].thresholds.disp_h_mm" and issue.line is not None


def test_rate_over_the_trailing_24_hours() -> None:
    # 2 mm/d exactly: 2/12 mm per 2-hour reading; the first rate exists after 24 h
    values = [i * 2 / 12 for i in range(20)]
    results = series(RuleEngine(reference_site()), "ZQS-02", "disp_h_mm", values, rule="pit.rate")
    assert results[0].ts == DAY and results[0].level == "alarm"
    assert results[0].value == pytest.approx(2.0) and results[0].unit == "mm/d"


def test_rate_above_70_percent_three_days_in_a_row_is_an_alarm() -> None:
    per_reading = 1.5 / 12  # 1.5 mm/d = 75 % of 2 mm/d
    values = [i * per_reading for i in range(4 * 12 + 1)]
    results = series(RuleEngine(reference_site()), "ZQS-03", "disp_h_mm", values, rule="pit.rate")
    firsts = {}
    for r in results:
        firsts.setdefault(r.level, r)
    assert firsts["warning"].ts == DAY
    assert firsts["alarm"].ts == 3 * DAY  # rates at 24 h, 48 h and 72 h all above 70 %
    assert "连续三天" in firsts["alarm"].message


def test_a_quiet_day_breaks_the_three_day_run() -> None:
    step = {0: 1.5 / 12, 1: 0.5 / 12, 2: 1.5 / 12, 3: 1.5 / 12}  # mm per reading on each day
    values, v = [0.0], 0.0
    for day in range(4):
        for _ in range(12):
            v += step[day]
            values.append(v)
    results = series(RuleEngine(reference_site()), "ZQS-04", "disp_h_mm", values, rule="pit.rate")
    assert "alarm" not in {r.level for r in results if r.ts <= 4 * DAY}


def test_jump_is_critical_and_latched() -> None:
    engine = RuleEngine(reference_site())
    results = series(engine, "ZQS-05", "disp_h_mm", [5.0, 5.1, 8.2, 8.3, 8.3], rule="pit.jump")
    assert [(r.ts, r.level) for r in results] == [(2 * H2, "critical")]  # 3.1 mm > 2 mm, and never cleared
    assert results[0].latched and results[0].clause.startswith("GB 50497-2019 第8.0.9条")
    assert results[0].message == (
        "1号基坑 测点 ZQS-05 围护墙顶水平位移突变 3.1 mm（突变阈值 2 mm），危险报警："
        "立即撤离基坑内人员，现场核查并通知设计与监理"
    )


def test_step_above_ten_times_the_jump_is_a_fault_and_the_way_back_raises_nothing() -> None:
    engine = RuleEngine(reference_site())
    results = series(engine, "ZQS-06", "disp_h_mm", [5.0, 5.1, 30.0, 5.2, 5.3])
    assert not [r for r in results if r.rule in ("pit.jump",) or (r.rule == "pit.cumulative" and r.level)]
    faults = [(r.ts, r.level) for r in results if r.rule == "sensor.fault"]
    assert faults == [(0, None), (2 * H2, "warning"), (3 * H2, None)]


def test_a_wall_that_moved_through_a_long_silence_is_judged_not_called_a_broken_sensor() -> None:
    """ZQS-06 moves at 3 mm/d (pit.rate's rate value), goes silent for eight days while the wall goes on at that
    rate, then reports a wall standing still. Its first reading after the silence is 24.25 mm on, more than the
    20 mm (10 x the 2 mm jump value) that one step between two readings can be before it is a broken sensor; over
    the 97 intervals it spans it is 0.25 mm a reading, a wall's movement. It is judged: no sensor.fault, the
    cumulative alarm (27.25 mm against 20 mm), the jump (24 mm moved unseen, latched for a supervisor), and
    pit.rate clears once a window of the still wall is read. Taken as one step, it was a fault at every reading
    after it: no rule judged the point again, and the rate alarm never cleared."""
    per = 3.0 / 12
    engine = RuleEngine(reference_site())
    before = series(engine, "ZQS-06", "disp_h_mm", [i * per for i in range(13)])
    assert [r.level for r in before if r.rule == "pit.rate"][-1] == "alarm"
    start, after = (12 + 97) * H2, (12 + 97) * per
    results = series(engine, "ZQS-06", "disp_h_mm", [after + 0.01 * k for k in range(16)], start=start)
    assert not [r for r in results if r.rule == "sensor.fault" and r.level]
    assert next((r.ts, r.level) for r in results if r.rule == "pit.cumulative") == (start, "alarm")
    assert [(r.ts, r.level) for r in results if r.rule == "pit.jump"] == [(start, "critical")]
    rate = [r for r in results if r.rule == "pit.rate"]
    assert rate and rate[-1].level is None, levels(rate)


def test_sentinel_value_is_out_of_range_and_marked_fault() -> None:
    engine = RuleEngine(reference_site())
    evaluation = engine.evaluate(sample("pit-1", 0, point="CX-01", incl_mm=-9999))
    assert evaluation.readings[0].quality == "fault"
    assert [(r.rule, r.level, r.details.get("reason")) for r in evaluation.results if r.level] == [
        ("sensor.fault", "warning", "range")
    ]


def test_stuck_sensor_after_24_hours_of_the_same_value() -> None:
    engine = RuleEngine(reference_site())
    marked = []
    for i in range(14):
        evaluation = engine.evaluate(sample("pit-1", i * H2, point="ZQS-07", disp_v_mm=3.0))
        marked.append(evaluation.readings[0].quality)
        faults = [r for r in evaluation.results if r.rule == "sensor.fault" and r.level]
        if i == 12:  # 24 h after the first identical value
            assert faults and faults[0].details["reason"] == "stuck"
    assert marked[:12] == ["ok"] * 12 and marked[12:] == ["fault", "fault"]
    recovered = engine.evaluate(sample("pit-1", 14 * H2, point="ZQS-07", disp_v_mm=6.5))
    assert [(r.rule, r.level) for r in recovered.results if r.rule in ("sensor.fault", "pit.jump")] == [
        ("sensor.fault", None)
    ]  # 3.5 mm after a fault: no jump


def test_noise_around_the_pre_warning_does_not_flap() -> None:
    rng = random.Random(11)
    values = [14.0 + rng.uniform(-0.3, 0.3) for _ in range(60)]
    results = series(RuleEngine(reference_site()), "ZQS-08", "disp_h_mm", values, rule="pit.cumulative")
    assert levels(results) in (["warning"], [None, "warning"])


def test_water_level_change_from_the_first_reading() -> None:
    values = [-3.0 - 0.05 * i for i in range(16)]  # 50 mm per reading: 600 mm/d, 750 mm after 30 h
    results = series(RuleEngine(reference_site()), "SW-01", "water_level_m", values)
    cumulative = [r for r in results if r.rule == "pit.cumulative"]
    assert cumulative[-1].level == "warning" and cumulative[-1].value == pytest.approx(-750)
    assert next(r.level for r in results if r.rule == "pit.rate") == "alarm"  # 600 mm/d > 500


def test_late_readings_of_a_point_are_kept_but_not_judged() -> None:
    engine = RuleEngine(reference_site())
    series(engine, "ZQS-01", "disp_h_mm", [1.0, 1.1, 1.2])
    late = engine.evaluate(sample("pit-1", H2 / 2, point="ZQS-01", disp_h_mm=19.0))
    assert late.readings[0].value == 19.0 and late.readings[0].quality == "ok"
    assert [r for r in late.results if r.rule.startswith("pit.")] == []


def test_a_broken_sensor_is_named_as_its_own_kind_names_it_on_a_site_with_a_slope_too() -> None:
    """The pit and the slope both report ``disp_h_mm``: a broken pit sensor is the wall top's (围护墙顶水平位移),
    a broken slope sensor the slope's surface displacement (水平位移), whichever kind the site declares last."""
    site = reference_site()
    assert {"pit-1", "slope-1"} <= {d.id for d in site.config.devices}
    engine = RuleEngine(site)
    said = {}
    for dev, point in (("pit-1", "ZQS-01"), ("slope-1", "BP-01")):
        results = engine.evaluate(sample(dev, 0, point=point, disp_h_mm=-9999)).results
        (fault,) = [r for r in results if r.rule == "sensor.fault" and r.level]
        said[dev] = fault.message
    assert "围护墙顶水平位移传感器故障" in said["pit-1"]
    assert "水平位移传感器故障" in said["slope-1"] and "围护墙顶" not in said["slope-1"]


def _with_anchor(tmp_path: Path, **point: object):
    """pit-1 with an anchor point MG-01, its design prestress 500 kN."""

    def add(data: dict) -> None:
        device(data, "pit-1")["pit"]["points"].append(
            {"code": "MG-01", "kind": "anchor", "capacity_kn": 500, **point}
        )

    return site_variant(tmp_path, add)


@pytest.mark.parametrize(
    ("force_kn", "level"),
    # Table 8.0.4 gives anchors a minimum, 80-100 % of the design prestress (the lower bound, 400 kN,
    # the default): a force below it is the alarm, the minimum itself is not below it
    [(500.0, None), (400.1, None), (400.0, None), (399.9, "alarm"), (120.0, "alarm")],
)
def test_anchor_force_below_80_percent_of_its_prestress_is_an_alarm(
    tmp_path: Path, force_kn: float, level: str | None
) -> None:
    [got] = run(
        RuleEngine(_with_anchor(tmp_path)),
        [sample("pit-1", 0.0, point="MG-01", anchor_kn=force_kn)],
        "pit.cumulative",
    )
    assert got.level == level and got.point == "MG-01"
    if level:
        assert got.threshold == 400.0 and "锚杆拉力" in got.message and "表8.0.4" in got.clause


def test_anchor_force_alarm_holds_inside_its_band_and_through_a_broken_reading(tmp_path: Path) -> None:
    # 405 kN is within the 5 % clearing band above 400; NaN is a fault, no reading; 425 kN is past the band
    got = series(
        RuleEngine(_with_anchor(tmp_path)),
        "MG-01",
        "anchor_kn",
        [390.0, 405.0, float("nan"), 410.0, 425.0],
        rule="pit.cumulative",
    )
    assert levels(got) == ["alarm", None] and got[-1].ts == 4 * H2


def test_anchor_minimum_set_by_the_designer(tmp_path: Path) -> None:
    site = _with_anchor(tmp_path, thresholds={"anchor_kn": {"minimum_pct": 90}})
    got = series(RuleEngine(site), "MG-01", "anchor_kn", [450.0, 449.0], rule="pit.cumulative")
    assert [r.level for r in got] == [None, "alarm"] and got[1].threshold == 450.0
    assert "第8.0.1条" in got[1].clause
