"""Suspended platforms (高处作业吊篮), written from docs/standards.md §8: platform-1 of the reference site
is a ZLP630 rated 630 kg and 2 persons, counterweight 1000 kg less 25 kg allowed, anti-tilt lock at 8°,
top margin 1.0 m, work stops from 8.0 m/s, its safety locks calibrated on 2026-05-20 (one year).
Each threshold is tried at, just below and just above its line, on a fresh engine, as its clause words it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from contract.readings import Quality, Reading
from rules import RuleEngine, RuleResult
from tests.rules.sites import device, reference_site, run, sample, site_variant

# two workers clipped on, standing mid-façade, lock open, ropes normal, light breeze
QUIET: dict[str, float | str] = {
    "load_kg": 300.0,
    "counterweight_kg": 1000.0,
    "tilt_deg": 0.5,
    "top_distance_m": 20.0,
    "persons": 2,
    "buckles": 2,
    "lock_state": 0,
    "wind_ms": 3.0,
    "rope_left_state": 1,
    "rope_right_state": 1,
    "safety_rope_left_state": 1,
    "safety_rope_right_state": 1,
}
NOV = datetime.fromisoformat("2026-11-21T09:00:00+08:00").timestamp()
SITE = reference_site()


def platform(ts: float, **changes: float | str) -> list[Reading]:
    return sample("platform-1", ts, **{**QUIET, **changes})  # type: ignore[arg-type]


def first(rule: str, **changes: float | str) -> RuleResult:
    """The verdict of ``rule`` on one sample of a fresh engine."""
    [got] = run(RuleEngine(SITE), [platform(NOV, **changes)], rule)
    return got


@pytest.mark.parametrize(("persons", "level"), [(1, None), (2, None), (3, "alarm")])
def test_persons_above_the_limit_of_2_is_an_alarm(persons: int, level: str | None) -> None:
    got = first("platform.persons", persons=persons, buckles=persons)
    assert got.level == level
    if level:
        assert "超员 1 人" in got.message and "JGJ 202-2010 第5.5条" in got.clause


@pytest.mark.parametrize(("persons", "level"), [(1, None), (2, None), (3, "alarm"), (4, "alarm")])
def test_a_nameplate_of_more_than_2_persons_does_not_lift_the_limit_of_2(
    tmp_path: Path, persons: int, level: str | None
) -> None:
    """§8's rule is personCount > min(2, maxPersonCount): JGJ 202 allows at most 2 on a platform whatever
    its box's maxPersonCount says, so a site file's max_persons of 3 still alarms at 3."""

    def three(data: dict[str, Any]) -> None:
        device(data, "platform-1")["platform"]["max_persons"] = 3

    [got] = run(
        RuleEngine(site_variant(tmp_path, three)),
        [platform(NOV, persons=persons, buckles=persons)],
        "platform.persons",
    )
    assert got.level == level
    if level:
        assert got.threshold == 2 and f"超员 {persons - 2} 人" in got.message


@pytest.mark.parametrize(
    ("load_kg", "level"),
    [
        (566.9, None),  # 89.98 %
        (567.0, "warning"),  # 90 % reached (达到)
        (567.1, "warning"),
        (629.9, "warning"),
        (630.0, "alarm"),  # the rated load reached: alarm, not yet overload
        (630.1, "critical"),  # 超载: above the rated load
    ],
)
def test_load_warning_at_90_alarm_at_100_critical_above_100(load_kg: float, level: str | None) -> None:
    got = first("platform.load", load_kg=load_kg)
    assert got.level == level
    if level == "critical":
        assert "建质规〔2024〕5号 第九条(五)" in got.clause and "重大事故隐患" in got.clause
        assert "立即停止升降" in got.message


@pytest.mark.parametrize(
    ("tilt", "lock", "level"),
    [(7.9, 0, None), (8.0, 1, "critical"), (8.1, 1, "critical"), (-8.0, 1, "critical"), (2.0, 1, "critical")],
)
def test_tilt_at_the_lock_angle_or_an_engaged_lock_is_critical(
    tilt: float, lock: int, level: str | None
) -> None:
    got = first("platform.tilt", tilt_deg=tilt, lock_state=lock)
    assert got.level == level
    if level:
        assert "停止作业" in got.message and "GB/T 19155" in got.clause


def test_a_lock_that_does_not_act_at_8_degrees_is_a_failed_lock_after_its_reaction_time() -> None:
    engine = RuleEngine(SITE)
    got = run(
        engine,
        [
            platform(NOV, tilt_deg=7.9),  # below the angle: the lock need not act
            platform(NOV + 1, tilt_deg=8.0),  # at it, lock open: it has 1 s to act
            platform(NOV + 1.5, tilt_deg=8.2),
            platform(NOV + 2, tilt_deg=8.3),  # 1 s on, still open: 安全锁失效
        ],
        "platform.lock",
    )
    assert [(r.level, r.ts) for r in got] == [(None, NOV), ("critical", NOV + 2)]
    failed = got[-1]
    assert failed.latched and "安全锁失效" in failed.message and "第九条(五)" in failed.clause
    assert "救援" in failed.message


def test_a_lock_that_acts_in_time_is_no_failure() -> None:
    got = run(
        RuleEngine(SITE),
        [
            platform(NOV, tilt_deg=8.5),
            platform(NOV + 0.5, tilt_deg=9.0, lock_state=1),
            platform(NOV + 2, tilt_deg=9.0, lock_state=1),
        ],
        "platform.lock",
    )
    assert got and all(r.level is None for r in got)  # the lock acted within its 1 s


@pytest.mark.parametrize(("kg", "level"), [(975.1, None), (975.0, None), (974.9, "alarm")])
def test_counterweight_below_rated_less_tolerance_is_an_alarm(kg: float, level: str | None) -> None:
    got = first("platform.counterweight", counterweight_kg=kg)
    assert got.level == level
    if level:
        assert "JGJ 202-2010 第5.4.10条" in got.clause and "补足" in got.message


@pytest.mark.parametrize(("buckles", "level"), [(3, None), (2, None), (1, "alarm")])
def test_fewer_buckles_than_persons_is_lifeline_not_used(buckles: int, level: str | None) -> None:
    got = first("platform.lifeline", buckles=buckles)
    assert got.level == level
    if level:
        assert "1 人未扣挂安全绳" in got.message and "第九条(五)" in got.clause


def test_an_abnormal_rope_is_an_alarm_of_its_own() -> None:
    got = run(RuleEngine(SITE), [platform(NOV, safety_rope_right_state=2)], "platform.rope")
    firing = [r for r in got if r.level]
    assert [(r.point, r.level) for r in firing] == [("safety_rope_right_state", "alarm")]
    assert "右安全钢丝绳异常" in firing[0].message
    assert {r.point for r in got if r.level is None} == {
        "rope_left_state",
        "rope_right_state",
        "safety_rope_left_state",
    }


@pytest.mark.parametrize(("m", "level"), [(1.01, None), (1.0, None), (0.99, "warning")])
def test_top_distance_below_the_margin_warns(m: float, level: str | None) -> None:
    assert first("platform.top", top_distance_m=m).level == level


@pytest.mark.parametrize(("ms", "level"), [(7.9, None), (8.0, "alarm"), (8.1, "alarm")])
def test_wind_at_level_5_stops_work(ms: float, level: str | None) -> None:
    got = first("platform.wind", wind_ms=ms)
    assert got.level == level
    if level:
        assert "降至地面" in got.message and "五级以上" in got.clause


@pytest.mark.parametrize(
    ("when", "level"),
    [
        ("2027-04-19T09:00:00+08:00", None),  # 31 days left
        ("2027-04-20T09:00:00+08:00", "warning"),  # 30 days: due
        ("2027-05-20T23:00:00+08:00", "warning"),  # the last valid day
        ("2027-05-21T00:30:00+08:00", "critical"),  # past the year, on the local date
    ],
)
def test_lock_calibration_past_one_year_is_critical(when: str, level: str | None) -> None:
    ts = datetime.fromisoformat(when).timestamp()
    [got] = run(RuleEngine(SITE), [platform(ts)], "platform.lock_calibration")
    assert got.level == level


def test_missing_or_stale_inputs_never_clear_a_firing_alert() -> None:
    engine = RuleEngine(SITE)
    fired = run(engine, [platform(NOV, wind_ms=9.0, buckles=1, tilt_deg=8.5)], None)
    assert {r.rule for r in fired if r.level} >= {"platform.wind", "platform.lifeline", "platform.tilt"}
    later = [
        sample("platform-1", NOV + 1, load_kg=300.0, persons=2),  # no wind, buckles, tilt or lock
        sample(
            "platform-1", NOV + 2, quality=Quality.STALE, wind_ms=3.0, buckles=2, tilt_deg=0.0, lock_state=0
        ),
        sample("platform-1", NOV + 3, tilt_deg=8.6),  # the tilt without the lock: the lock not judged
    ]
    after = run(engine, later, None)
    cleared = {r.rule for r in after if r.level is None and r.rule != "platform.lock_calibration"}
    assert not cleared & {"platform.wind", "platform.lifeline", "platform.tilt", "platform.lock"}, after
    # and a fresh, complete sample within limits does clear them
    back = run(engine, [platform(NOV + 4)], None)
    assert {r.rule for r in back if r.level is None} >= {
        "platform.wind",
        "platform.lifeline",
        "platform.tilt",
    }


def test_a_silent_platform_goes_offline() -> None:
    engine = RuleEngine(SITE)
    run(engine, [platform(NOV + i) for i in range(5)])
    found = [r for r in engine.tick(NOV + 8.5) if r.rule == "device.offline" and r.device == "platform-1"]
    assert [r.level for r in found] == ["warning"]
    assert "第九条(五)" in found[0].clause


@pytest.mark.parametrize(
    ("metric", "over", "broken"),
    [("load_kg", 700.0, -20.0), ("persons", 3, -1), ("wind_ms", 9.0, -1.0), ("wind_ms", 9.0, 61.0)],
)
def test_a_negative_load_or_head_count_is_a_sensor_fault_and_clears_nothing(
    metric: str, over: float, broken: float
) -> None:
    rule = {"load_kg": "platform.load", "persons": "platform.persons", "wind_ms": "platform.wind"}[metric]
    extra = {"buckles": over} if metric == "persons" else {}
    got = run(
        RuleEngine(SITE),
        [
            platform(NOV, **{metric: over}, **extra),
            platform(NOV + 1, **{metric: broken}),
            platform(NOV + 2),
        ],
    )
    assert [(r.ts - NOV, r.level is None) for r in got if r.rule == rule] == [(0, False), (2, True)]
    assert [(r.ts - NOV, r.level) for r in got if r.rule == "sensor.fault"] == [(1, "warning"), (2, None)]
