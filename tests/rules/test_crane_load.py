"""crane.load against the reference crane-1 load chart (GB 5144-2006 §6.1.2)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from contract.config import load_site
from kinds.crane.load import rated_load
from rules import RuleEngine
from tests.rules.sites import levels, reference_site, run, sample


@pytest.fixture
def engine() -> RuleEngine:
    return RuleEngine(reference_site())


def load_at(engine: RuleEngine, ts: float, load: float, radius: float = 30.0):
    return run(engine, [sample("crane-1", ts, load_t=load, radius_m=radius)], "crane.load")


def test_rated_load_follows_the_chart_linearly_between_points() -> None:
    chart = reference_site().config.device("crane-1").crane.load_chart
    assert rated_load(chart, 30) == pytest.approx(2.85)
    assert rated_load(chart, 27.5) == pytest.approx((3.51 + 2.85) / 2)
    assert rated_load(chart, 10) == pytest.approx(6.0)  # flat part of the chart
    assert rated_load(chart, 2.0) == pytest.approx(6.0)


@pytest.mark.parametrize(
    ("pct", "level"),
    [
        (89.9, None),
        (90.0, "warning"),
        (99.9, "warning"),
        (100.0, "warning"),  # GB 5144-2006 §6.1.2: 大于额定起重量, the rated load itself is not more
        (100.1, "alarm"),
        (109.9, "alarm"),
        (110.0, "critical"),
    ],
)
def test_each_threshold_edge(engine: RuleEngine, pct: float, level: str | None) -> None:
    [result] = load_at(engine, 1, 2.85 * pct / 100)
    assert result.level == level
    assert result.value == pytest.approx(pct, abs=0.05)


def test_message_and_clause_name_the_rated_load_the_action_and_the_standard(engine: RuleEngine) -> None:
    [result] = load_at(engine, 1, 2.85 * 1.04)
    assert result.message == (
        "1号塔吊 起重量 2.96 t，为额定起重量 2.85 t（幅度 30 m）的 104%：立即停止起升，卸载至额定起重量以内"
    )
    assert result.message_en == (
        "1号塔吊 load 2.96 t = 104 % of the rated 2.85 t at 30 m: "
        "stop hoisting up now and unload to within the rated load"
    )
    assert result.clause.startswith("GB 5144-2006 第6.1.2条 起重量大于额定起重量时")
    [warn] = load_at(engine, 2, 2.85 * 0.94)  # below 100 % minus the 5 % band: back to warning
    assert warn.level == "warning" and warn.clause.startswith("GB/T 12602-2020")
    assert "行业惯例" in warn.clause and "不得再增加吊重" in warn.message
    [clear] = load_at(engine, 3, 2.85 * 0.5)
    assert clear.level is None
    assert clear.message == "1号塔吊 起重量 1.43 t，为额定起重量 2.85 t（幅度 30 m）的 50%，已恢复正常"
    assert clear.message_en == "1号塔吊 load 1.43 t = 50 % of the rated 2.85 t at 30 m, back to normal"


def test_escalation_then_clearing_below_the_band(engine: RuleEngine) -> None:
    results = []
    for ts, pct in enumerate([80, 92, 101, 111, 106, 104, 94, 86, 85]):
        results += load_at(engine, ts, 2.85 * pct / 100)
    # 106 % stays critical (band: 110 × 0.95 = 104.5), 86 % stays warning (90 × 0.95 = 85.5),
    # 95 % would still be alarm (100 × 0.95)
    assert [r.level for r in results] == [
        None,
        "warning",
        "alarm",
        "critical",
        "critical",
        "alarm",
        "warning",
        "warning",
        None,
    ]


def test_same_load_at_a_longer_radius_is_more_dangerous(engine: RuleEngine) -> None:
    assert load_at(engine, 1, 2.0, radius=20)[0].level is None  # 2.0 / 4.52 = 44 %
    assert load_at(engine, 2, 2.0, radius=40)[0].level == "warning"  # 2.0 / 2.02 = 99 %
    assert load_at(engine, 3, 2.0, radius=45)[0].level == "critical"  # 2.0 / 1.74 = 115 %


def test_noise_around_the_warning_line_does_not_flap(engine: RuleEngine) -> None:
    rng = random.Random(7)
    results = []
    for ts in range(300):
        results += load_at(engine, ts, 2.85 * (0.90 + rng.uniform(-0.02, 0.02)))
    assert levels(results) in (["warning"], [None, "warning"])


def test_per_device_thresholds_replace_the_sites(tmp_path) -> None:
    from tests.rules.sites import site_variant

    def stricter(data: dict) -> None:
        data["rules"]["devices"] = {
            "crane-2": {"crane_load": {"warning_pct": 80, "alarm_pct": 95, "critical_pct": 105}}
        }

    engine = RuleEngine(site_variant(tmp_path, stricter))
    [c1] = run(engine, [sample("crane-1", 1, load_t=2.85 * 0.96, radius_m=30)], "crane.load")
    [c2] = run(engine, [sample("crane-2", 1, load_t=2.4 * 0.96, radius_m=30)], "crane.load")
    assert (c1.level, c2.level) == ("warning", "alarm")


def test_rules_for_an_unknown_device_are_a_config_error(tmp_path) -> None:
    from contract.config import ConfigError
    from tests.rules.sites import site_variant

    with pytest.raises(ConfigError) as err:
        RuleEngine(site_variant(tmp_path, lambda d: d["rules"].update(devices={"crane-3": {}})))
    [issue] = err.value.issues
    assert issue.path == "rules.devices.crane-3" and issue.line is not None
    assert "not in devices" in issue.message and "crane-1, crane-2" in issue.hint


def test_thresholds_out_of_order_are_a_config_error_with_the_line(tmp_path) -> None:
    from contract.config import ConfigError
    from tests.rules.sites import site_variant

    with pytest.raises(ConfigError) as err:
        site_variant(tmp_path, lambda d: d["rules"].update(crane_load={"warning_pct": 100, "alarm_pct": 90}))
    assert "warning_pct < alarm_pct < critical_pct" in str(err.value)
    assert "site.yaml:" in str(err.value) and "rules.crane_load" in str(err.value)


def test_the_box_moment_is_judged_beside_the_chart_and_both_are_shown(engine: RuleEngine) -> None:
    """GB 5144-2006 §6.2.1: the moment limiter's own figure counts; the worse of the two decides."""
    batch = sample("crane-1", 1, load_t=2.0, radius_m=30.0, moment_pct=95.0)  # chart: 70 %
    [result] = run(engine, [batch], "crane.load")
    assert result.level == "warning" and result.value == 95.0
    assert "的 70%" in result.message and "力矩限制器报告力矩 95%" in result.message
    lower = sample("crane-1", 2, load_t=2.0, radius_m=30.0, moment_pct=40.0)  # the chart's 70 % decides
    [result] = run(engine, [lower], "crane.load")
    assert result.level is None and result.value == pytest.approx(70.2, abs=0.1)


def test_the_reeving_picks_the_load_chart() -> None:
    """config/examples/site-two-cranes.yaml: crane-a's load_chart is for 2 falls (1.43 t at 30 m), its
    load_charts[4] for 4 falls (2.85 t): 1.5 t is above the first and half the second."""
    site = load_site(Path(__file__).resolve().parents[2] / "config" / "examples" / "site-two-cranes.yaml")
    for reeving, level in ((None, "alarm"), (2, "alarm"), (4, None), (3, "alarm")):  # 3: no chart of its own
        metrics = {"load_t": 1.5, "radius_m": 30.0} | ({} if reeving is None else {"reeving": float(reeving)})
        [result] = run(RuleEngine(site), [sample("crane-a", 1, **metrics)], "crane.load")
        assert result.level == level, reeving


@pytest.mark.parametrize(
    ("metric", "broken"),
    # standards.md §1's realistic ranges: load 0-99.99 t, moment 0-655 %
    [("load_t", -5.0), ("load_t", 100.5), ("moment_pct", -3.0), ("moment_pct", 700.0)],
)
def test_a_reading_outside_its_range_is_a_sensor_fault_and_never_clears_the_load_alarm(
    engine: RuleEngine, metric: str, broken: float
) -> None:
    """A broken load cell or moment limiter says nothing of the hook: the overload alarm stands (the last
    sound values), sensor.fault names the metric, and a sound reading judges again."""
    over = {"load_t": 2.85 * 1.05, "radius_m": 30.0}
    batches = [
        sample("crane-1", 1, **over),
        sample("crane-1", 2, **{**over, metric: broken}),
        sample("crane-1", 3, **{**over, metric: broken}),
        sample("crane-1", 4, load_t=1.0, radius_m=30.0, moment_pct=35.0),
    ]
    got = run(engine, batches)
    load = [(r.ts, r.level) for r in got if r.rule == "crane.load"]
    assert load[:3] == [(1, "alarm"), (2, "alarm"), (3, "alarm")] and load[-1] == (4, None)
    faults = [(r.ts, r.level) for r in got if r.rule == "sensor.fault"]
    assert faults == [(2, "warning"), (3, "warning"), (4, None)]
    assert [r.value for r in got if r.rule == "crane.load"][:3] == [105.0, 105.0, 105.0]


@pytest.mark.parametrize(("metric", "edge"), [("load_t", 0.0), ("load_t", 99.99), ("moment_pct", 655.0)])
def test_the_ends_of_a_range_are_readings(engine: RuleEngine, metric: str, edge: float) -> None:
    got = run(engine, [sample("crane-1", 1, **{"load_t": 1.0, "radius_m": 30.0, metric: edge})])
    assert [r for r in got if r.rule == "sensor.fault" and r.level] == []
