"""A tunnel's force points, written from docs/standards.md §16 (GB 50911-2013 §9.1.2–9.1.3: a force's control
values, stated in the construction drawings, are a maximum and a minimum; §9.1.5: data reaching the warning
criteria must be reported; 建质规〔2024〕5号 Art. 13(三): data above the design's control value not acted on is a
major hazard). The colours are the project's table (practice [U]: yellow, orange, red at 70 %, 85 %, 100 % of
the control), every line reached (达到) at its value as the kind's deformation lines are; the share is of the way
from the point's baseline (the force it was locked off at) to the control value it moves towards, up or down.

The reference site's tunnel-1 has ZC-01, a temporary steel strut at the passage's opening: maximum 1200 kN,
minimum 320 kN, locked off at 400 kN. Its way up is 800 kN (70 %: 960, 85 %: 1080, 100 %: 1200), its way
down 80 kN (70 %: 344, 85 %: 332, 100 %: 320)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from contract.config.errors import ConfigError
from contract.readings import Quality, Reading
from kinds.tunnel.card import tunnel_points
from kinds.tunnel.colour import whole_colour
from kinds.tunnel.sim import TunnelSim
from kinds.tunnel.thresholds import TunnelRule
from rules import RuleEngine
from tests.rules.sites import device, reference_site, run, sample, site_variant

T0 = 1_790_000_000.0
STEP = 1800.0
RULE = "tunnel.force"
MAJOR = "建质规〔2024〕5号 第十三条(三)"
BELOW = 1 - 1e-6


def strut(ts: float, kn: float, quality: Quality = Quality.OK) -> list[Reading]:
    return sample("tunnel-1", ts, "ZC-01", quality, axial_kn=kn)


def struts(values: list[float]) -> list[list[Reading]]:
    return [strut(T0 + i * STEP, v) for i, v in enumerate(values)]


# ---- the colour table read for a control given whole in one value ---------------------------------------


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (0.7 * BELOW, None),
        (0.7, "warning"),
        (0.85 * BELOW, "warning"),
        (0.85, "alarm"),
        (1.0 * BELOW, "alarm"),
        (1.0, "critical"),
        (1.3, "critical"),
    ],
)
def test_a_whole_control_reaches_yellow_orange_and_red_at_70_85_and_100_percent(
    share: float, expected: str | None
) -> None:
    assert whole_colour(share, TunnelRule(), None) == expected


def test_the_project_sets_the_force_lines_with_its_colour_table() -> None:
    cfg = TunnelRule(yellow_both=0.6, orange_both=0.8, red_both=0.95, yellow_one=0.8, orange_one=0.95)
    assert [whole_colour(s, cfg, None) for s in (0.59, 0.6, 0.8, 0.95)] == [
        None,
        "warning",
        "alarm",
        "critical",
    ]


# ---- through the rules engine: each line at, below and above it, both ways ---------------------------


@pytest.mark.parametrize(
    ("kn", "level", "limit"),
    [
        # rising towards the maximum, 800 kN of way from 400 kN
        (959.9, None, 1200.0),
        (960.0, "warning", 1200.0),
        (1079.9, "warning", 1200.0),
        (1080.0, "alarm", 1200.0),
        (1199.9, "alarm", 1200.0),
        (1200.0, "critical", 1200.0),
        (1200.1, "critical", 1200.0),
        # falling towards the minimum (the strut losing its preload), 80 kN of way from 400 kN
        (344.1, None, 320.0),
        (344.0, "warning", 320.0),
        (332.1, "warning", 320.0),
        (332.0, "alarm", 320.0),
        (320.1, "alarm", 320.0),
        (320.0, "critical", 320.0),
        (319.9, "critical", 320.0),
    ],
)
def test_each_line_is_reached_at_its_share_of_the_way_up_or_down(
    kn: float, level: str | None, limit: float
) -> None:
    [got] = run(RuleEngine(reference_site()), [strut(T0, kn)], RULE)
    assert (got.level, got.threshold, got.unit, got.value) == (level, limit, "kN", kn)
    assert got.details["worse"] == ("higher" if limit == 1200.0 else "lower")
    side = "最大" if limit == 1200.0 else "最小"
    assert got.message.startswith(
        f"地铁连接通道 测点 ZC-01 支撑轴力 {kn:.1f} kN（由基准 400 kN 至{side}控制值"
    )
    assert (
        got.clause.startswith("GB 50911-2013 第9.1.1条")
        and "第9.1.3条 力的控制值为最大值和最小值" in got.clause
    )
    assert "控制值采用设计值（第9.1.2条）" in got.clause and "第9.1.5条" in got.clause


@pytest.mark.parametrize(
    ("kn", "major"),
    # Art. 13(三) is data 超过 the design's control value, as the deformation points read it: on the maximum or
    # the minimum is red (reached) but not past it; a hair beyond either is
    [(1200.0, False), (1200.1, True), (320.0, False), (319.9, True)],
)
def test_article_13_3_is_cited_only_beyond_the_maximum_or_the_minimum(kn: float, major: bool) -> None:
    [got] = run(RuleEngine(reference_site()), [strut(T0, kn)], RULE)
    assert got.level == "critical" and "红色预警" in got.message and "暂停掘进（开挖）" in got.message
    assert (MAJOR in got.clause) == major, got.clause
    beyond = "超过最大控制值" if kn > 400 else "低于最小控制值"
    assert (beyond in got.message) == major, got.message


def test_the_message_says_how_far_and_what_to_check() -> None:
    [got] = run(RuleEngine(reference_site()), [strut(T0, 332.0)], RULE)
    assert got.message == (
        "地铁连接通道 测点 ZC-01 支撑轴力 332.0 kN（由基准 400 kN 至最小控制值 320 kN 已达 85%），橙色预警："
        "检查支撑、活络头与预加力，报送警情，通知设计、监理和建设单位，分析原因并采取控制措施"
    )
    assert got.message_en.startswith(
        "地铁连接通道 point ZC-01 strut axial force 332.0 kN (85 % of the way from its baseline 400 kN to its "
        "minimum 320 kN), an orange warning: check the strut"
    )


@pytest.mark.parametrize(
    ("held", "left"),
    # red is left below 95 % of the way (the 5 % band): 1160 kN up, 324 kN down
    [(1160.0, 1159.0), (324.0, 325.0)],
)
def test_red_is_left_only_past_the_clearing_band_either_way(held: float, left: float) -> None:
    start = 1200.0 if held > 400 else 320.0
    got = run(RuleEngine(reference_site()), struts([start, held, left]), RULE)
    assert [r.level for r in got] == ["critical", "critical", "alarm"]


def test_a_force_back_on_its_baseline_clears() -> None:
    got = run(RuleEngine(reference_site()), struts([1080.0, 400.0]), RULE)
    assert [r.level for r in got] == ["alarm", None]
    assert got[-1].message.endswith("已恢复正常")


# ---- fail safe -----------------------------------------------------------------------------------


def test_missing_stale_and_broken_readings_never_clear_a_firing_force_alert() -> None:
    engine = RuleEngine(reference_site())
    got = run(engine, [strut(T0, 330.0)])
    assert [r.level for r in got if r.rule == RULE] == ["alarm"]
    # a stale reading of the baseline, then nothing for a survey, then a value no gauge of it can give
    got = run(engine, [strut(T0 + STEP, 400.0, Quality.STALE), [], strut(T0 + 3 * STEP, 99999.0)])
    assert [r.level for r in got if r.rule == RULE] == []
    assert [(r.point, r.level) for r in got if r.rule == "sensor.fault"] == [("ZC-01", "warning")]
    # a live reading older than the last one judged is kept, not judged
    assert run(engine, [strut(T0 - STEP, 400.0)], RULE) == []


def test_a_kn_reading_is_judged_against_a_kn_range_where_the_site_sets_only_others(tmp_path: Path) -> None:
    # a site's own sensor ranges for its mm metrics: a strut's 1080 kN is not a mm reading out of ±500
    site = change_site(
        tmp_path, lambda d: d["rules"].setdefault("sensor_fault", {}).update(ranges={"x_mm": [0, 1]})
    )
    got = run(RuleEngine(site), [strut(T0, 1080.0)])
    assert [(r.rule, r.level) for r in got if r.level] == [(RULE, "alarm")]


def test_a_loggers_backlog_is_judged_as_history_and_marked_backfill() -> None:
    engine = RuleEngine(reference_site())
    run(engine, [strut(T0 + 2 * STEP, 400.0)])
    [late] = run(engine, [sample("tunnel-1", T0 + STEP, "ZC-01", Quality.BACKFILL, axial_kn=318.0)], RULE)
    assert (late.level, late.backfill, late.ts) == ("critical", True, T0 + STEP)
    assert MAJOR in late.clause


# ---- the site file --------------------------------------------------------------------------------


def change_site(tmp_path: Path, change: Any) -> Any:
    def apply(data: dict[str, Any]) -> None:
        data.setdefault("rules", {})
        change(data)

    return site_variant(tmp_path, apply)


def with_points(tmp_path: Path, *points: dict[str, Any]) -> Any:
    return change_site(tmp_path, lambda d: device(d, "tunnel-1")["tunnel"].update(points=list(points)))


@pytest.mark.parametrize("missing", ["maximum_kn", "minimum_kn"])
def test_a_force_point_without_either_control_value_is_refused_naming_it(
    tmp_path: Path, missing: str
) -> None:
    point = {"code": "ZC-01", "item": "strut", "maximum_kn": 1200, "minimum_kn": 320, "baseline_kn": 400}
    del point[missing]
    with pytest.raises(ConfigError) as err:
        RuleEngine(with_points(tmp_path, point))
    text = str(err.value)
    assert f"tunnel.points[0].{missing}: force point ZC-01 (支撑轴力) has no {missing}" in text
    assert "add maximum_kn: and minimum_kn: from the construction drawings" in text


def test_an_anchor_without_a_baseline_above_its_minimum_is_refused(tmp_path: Path) -> None:
    point = {"code": "MG-01", "item": "anchor", "maximum_kn": 250, "minimum_kn": 120}
    with pytest.raises(ConfigError) as err:
        RuleEngine(with_points(tmp_path, point))
    text = str(err.value)
    assert (
        "tunnel.points[0].baseline_kn: force point MG-01 (锚杆拉力): its baseline_kn 0 (none given)" in text
    )
    assert "预加力" in text


def test_each_kind_of_points_fields_are_refused_on_the_other(tmp_path: Path) -> None:
    force = {"code": "ZC-01", "item": "strut", "maximum_kn": 1200, "minimum_kn": 320, "baseline_kn": 400}
    vault = {"code": "GD-01", "item": "vault", "maximum_kn": 5}
    with pytest.raises(ConfigError) as err:
        RuleEngine(with_points(tmp_path, {**force, "rate_mm_d": 2}, vault))
    text = str(err.value)
    assert "point ZC-01 is a force point: rate_mm_d is a deformation point's" in text
    assert "point GD-01 is a vault point: maximum_kn is a force point's" in text


def test_a_strut_whose_minimum_is_below_zero_needs_no_baseline(tmp_path: Path) -> None:
    # a concrete strut the ground alone loads, the design allowing it a little tension: its ways start at 0
    point = {"code": "ZC-02", "item": "strut", "maximum_kn": 2000, "minimum_kn": -50}
    got = run(
        RuleEngine(with_points(tmp_path, point)), [sample("tunnel-1", T0, "ZC-02", axial_kn=-35.0)], RULE
    )
    assert [(r.level, r.threshold) for r in got] == [("warning", -50.0)]


# ---- what shows it -----------------------------------------------------------------------------


def test_the_card_shows_a_force_points_control_values() -> None:
    site = reference_site()
    [view] = [p for p in tunnel_points(site.config) if p.code == "ZC-01"]
    assert (view.item_zh, view.metric, view.maximum_kn, view.minimum_kn, view.baseline_kn) == (
        "支撑轴力",
        "axial_kn",
        1200.0,
        320.0,
        400.0,
    )
    assert view.cumulative_mm is None and (view.yellow_both, view.orange_both) == (0.7, 0.85)


def test_the_force_scenario_takes_the_first_force_point_past_its_minimum() -> None:
    site = reference_site()
    normal = TunnelSim(site.config.device("tunnel-1"), site, "normal", seed=1)
    force = TunnelSim(site.config.device("tunnel-1"), site, "force", seed=1)
    assert abs(float(normal.values(600)["axial_kn@ZC-01"]) - 400.0) < 5
    # 110 % of the 80 kN way down: 312 kN ten minutes in (gauge noise 1 kN)
    assert abs(float(force.values(600)["axial_kn@ZC-01"]) - 312.0) < 5
    engine = RuleEngine(site)
    got = run(engine, [strut(T0 + t, float(force.values(t)["axial_kn@ZC-01"])) for t in (0, 300, 600)], RULE)
    assert got[-1].level == "critical" and MAJOR in got[-1].clause
