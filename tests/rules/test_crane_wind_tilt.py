"""crane.wind (JGJ 276-2012 §3.0.12, Shenzhen interface) and crane.tilt (JGJ 196-2010)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from rules import RuleEngine
from tests.rules.sites import device, levels, reference_site, run, sample, site_variant


def wind(engine: RuleEngine, speeds: list[float]):
    return run(engine, [sample("anemo-1", ts, wind_ms=v) for ts, v in enumerate(speeds)], "crane.wind")


def test_wind_levels_and_the_two_consecutive_samples_of_the_alarm() -> None:
    results = wind(RuleEngine(reference_site()), [10.7, 10.8, 13.9, 14.0, 20.7, 20.8])
    assert [r.level for r in results] == [None, "warning", "warning", "alarm", "alarm", "critical"]


def test_wind_alert_is_the_anemometers_and_names_both_cranes() -> None:
    [*_, last] = wind(RuleEngine(reference_site()), [12.0])
    assert last.device == "anemo-1" and last.level == "warning"
    assert last.details["cranes"] == ["crane-1", "crane-2"]
    assert (
        last.message
        == "1号塔吊风速仪 风速 12.0 m/s，达到停止吊装风速 10.8 m/s：1号塔吊、2号塔吊 停止吊装作业"
    )
    assert last.message_en == (
        "1号塔吊风速仪 wind 12.0 m/s, at or above the stop-lifting speed 10.8 m/s: 1号塔吊, 2号塔吊 stop lifting"
    )
    assert last.clause.startswith("JGJ 276-2012 第3.0.12条 六级及以上大风")
    assert "建质规〔2024〕5号 第十五条(二)" in last.clause


def test_a_served_cranes_own_wind_register_raises_no_second_wind_alert() -> None:
    engine = RuleEngine(reference_site())
    gust = [
        sample("anemo-1", 0, wind_ms=15.0)
        + sample("crane-1", 0, wind_ms=15.0)
        + sample("crane-2", 0, wind_ms=15.0)
    ]
    devices = {r.device for r in run(engine, gust, "crane.wind") if r.level}
    assert devices == {"anemo-1"}


def test_wind_exactly_at_the_alarm_speed_is_not_above_it() -> None:
    results = wind(RuleEngine(reference_site()), [13.8, 13.8, 13.8])
    assert levels(results) == ["warning"]


def test_gusts_alternating_around_the_alarm_speed_never_alarm() -> None:
    results = wind(RuleEngine(reference_site()), [13.9, 13.7] * 50)
    assert levels(results) == ["warning"]


def test_wind_alarm_holds_in_its_band_then_clears() -> None:
    # alarm clears below 13.8 × 0.95 = 13.11; warning below 10.8 × 0.95 = 10.26
    results = wind(RuleEngine(reference_site()), [14, 14, 13.2, 13.0, 10.3, 10.2])
    assert [r.level for r in results] == ["warning", "alarm", "alarm", "warning", "warning", None]


def test_wind_outside_the_sensor_range_is_a_fault_not_a_hazard() -> None:
    engine = RuleEngine(reference_site())
    evaluation = engine.evaluate(sample("anemo-1", 1, wind_ms=-9999))
    assert [(r.rule, r.level) for r in evaluation.results if r.level] == [("sensor.fault", "warning")]
    assert evaluation.readings[0].quality == "fault"


def deg(per_mille: float) -> float:
    return math.degrees(math.atan(per_mille / 1000))


@pytest.mark.parametrize(
    ("per_mille", "level"),
    [
        (3.19, None),
        (3.2, "warning"),
        (3.99, "warning"),
        (4.0, "warning"),  # JGJ 196's 4/1000 is the deviation allowed: a tower at it is within spec
        (4.01, "alarm"),
        (7.99, "alarm"),
        (8.0, "critical"),
        (-4.01, "alarm"),
    ],
)
def test_tilt_edges_against_4_per_mille(per_mille: float, level: str | None) -> None:
    [result] = run(
        RuleEngine(reference_site()), [sample("crane-1", 1, tilt_deg=deg(per_mille))], "crane.tilt"
    )
    assert result.level == level
    assert result.unit == "‰"


def test_tilt_limit_of_2_per_mille_below_the_highest_tie(tmp_path: Path) -> None:
    site = site_variant(tmp_path, lambda d: device(d, "crane-2")["crane"].update(tilt_limit_per_mille=2))
    engine = RuleEngine(site)
    [c2] = run(engine, [sample("crane-2", 1, tilt_deg=deg(2.1))], "crane.tilt")
    [c1] = run(engine, [sample("crane-1", 1, tilt_deg=deg(2.1))], "crane.tilt")
    assert (c2.level, c1.level) == ("alarm", None)
    assert c2.clause.startswith("JGJ 196-2010") and "建质规〔2024〕5号 第八条" in c2.clause
    assert c2.message == "2号塔吊 塔身垂直度 2.10‰（倾角 0.12°），限值 2‰：停止使用，检查塔身垂直度与基础"
    assert c1.message == "1号塔吊 塔身垂直度 2.10‰（倾角 0.12°），限值 4‰，已恢复正常"
