"""Construction hoists (施工升降机), written from docs/standards.md §5: hoist-1 of the reference site is
rated 2.0 t and 20 persons, its fall arrester calibrated on 2025-12-15 (valid one year, JGJ 215-2010
§4.1.7), its drivers the site's roster (OP-1002's licence expired on 2026-06-30)."""

from __future__ import annotations

import math
import random
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from contract.config.loader import LoadedSite
from contract.config.profile import Profile
from rules import RuleEngine
from rules.roster import reported_with
from tests.rules.sites import device, levels, reference_site, run, sample, site_variant, without_metric

# a quiet cage standing at a landing, doors closed, a licensed driver logged in
QUIET: dict[str, float | str] = {
    "load_t": 0.5,
    "persons": 4,
    "speed_ms": 0.0,
    "door_state": 0,
    "limit_state": 0,
    "arrester_ok": 1,
    "wind_ms": 4.0,
    "driver_id": "OP-1001",
}
NOV = datetime.fromisoformat("2026-11-02T09:00:00+08:00").timestamp()  # arrester due 2026-12-15


def hoist(ts: float, **changes: float | str):
    return sample("hoist-1", ts, **{**QUIET, **changes})


def test_load_levels_at_90_100_110_percent_of_the_rated_2_t() -> None:
    # reaching 90 % warns, the rated 2.0 t itself is allowed (overload is above it), reaching 110 % is critical
    got = run(
        RuleEngine(reference_site()),
        [hoist(NOV + i, load_t=t) for i, t in enumerate([1.7, 1.8, 2.0, 2.1, 2.2, 1.0])],
        "hoist.load",
    )
    assert [r.level for r in got] == [None, "warning", "warning", "alarm", "critical", None]
    assert got[4].value == 110.0 and got[4].threshold == 110.0
    assert "禁止启动" in got[4].message and "do not start" in got[4].message_en
    assert "禁止启动" not in got[5].message and "恢复正常" in got[5].message


def test_load_noise_around_the_alarm_does_not_flap() -> None:
    rnd = random.Random(7)
    # ±2 % of rated around 100 %: inside the 5 % clearing band once the alarm is on
    loads = [2.0 + rnd.uniform(-0.04, 0.04) for _ in range(200)]
    got = run(
        RuleEngine(reference_site()), [hoist(NOV + i, load_t=t) for i, t in enumerate(loads)], "hoist.load"
    )
    assert levels(got)[:2] in (["alarm"], ["warning", "alarm"])
    assert "warning" not in levels(got)[levels(got).index("alarm") :]


def test_more_people_than_rated_is_an_alarm_with_no_pre_alarm() -> None:
    got = run(
        RuleEngine(reference_site()),
        [hoist(NOV + i, persons=n) for i, n in enumerate([19, 20, 21, 20])],
        "hoist.persons",
    )
    assert [r.level for r in got] == [None, "alarm", None]
    assert "超员 1 人" in got[1].message


def test_moving_with_a_door_open_is_critical_on_the_first_sample() -> None:
    engine = RuleEngine(reference_site())
    boarding = run(engine, [hoist(NOV, door_state=2, speed_ms=0.0)], "hoist.door")
    assert [r.level for r in boarding] == [None]  # doors open at a landing while people board: fine
    [moving] = run(engine, [hoist(NOV + 1, door_state=2, speed_ms=0.6)], "hoist.door")
    assert moving.level == "critical" and "层门" in moving.message and "立即停梯" in moving.message
    assert "吊笼上行 0.60 m/s" in moving.message and moving.value == "层门未关闭"  # words, not "peak 2"
    assert "建质规〔2024〕5号 第八条(四)" in moving.clause
    [hatch] = run(engine, [hoist(NOV + 2, door_state=3, speed_ms=-0.5)], "hoist.door")
    assert hatch.level == "critical" and "天窗" in hatch.message and "吊笼下行 0.50 m/s" in hatch.message
    [closed] = run(engine, [hoist(NOV + 3, door_state=0, speed_ms=-0.5)], "hoist.door")
    assert closed.level is None and "立即停梯" not in closed.message


def test_creeping_below_the_moving_speed_with_a_door_open_is_not_moving() -> None:
    got = run(RuleEngine(reference_site()), [hoist(NOV, door_state=1, speed_ms=0.05)], "hoist.door")
    assert [r.level for r in got] == [None]


def test_final_limit_is_critical_and_stopping_on_a_travel_limit_is_a_warning() -> None:
    engine = RuleEngine(reference_site())
    got = run(
        engine,
        [
            hoist(NOV, limit_state=1, speed_ms=0.6),  # passing the upper travel limit: it stops the cage
            hoist(NOV + 1, limit_state=1, speed_ms=0.0),  # standing on it: JGJ 215 §5.2.10
            hoist(NOV + 2, limit_state=3, speed_ms=0.0),  # over-travel: the final limit (冲顶)
            hoist(NOV + 3, limit_state=0, speed_ms=0.0),
        ],
        "hoist.limit",
    )
    assert [r.level for r in got] == [None, "warning", "critical", None]
    assert "JGJ 215-2010 第5.2.10条" in got[1].clause and "冲顶" in got[2].message


@pytest.mark.parametrize(
    ("when", "level"),
    [
        ("2026-11-02T09:00:00+08:00", None),  # 43 days before expiry
        ("2026-11-20T09:00:00+08:00", "warning"),  # 25 days left: due within 30
        ("2026-12-15T23:00:00+08:00", "warning"),  # the last valid day
        ("2026-12-16T00:30:00+08:00", "critical"),  # past the year, on the local date
    ],
)
def test_arrester_calibration_is_judged_on_the_readings_own_date(when: str, level: str | None) -> None:
    ts = datetime.fromisoformat(when).timestamp()
    [got] = run(RuleEngine(reference_site()), [hoist(ts)], "hoist.arrester")
    assert got.level == level


def test_arrester_not_in_place_is_critical() -> None:
    got = run(RuleEngine(reference_site()), [hoist(NOV), hoist(NOV + 1, arrester_ok=0)], "hoist.arrester")
    assert [r.level for r in got] == [None, "critical"]
    assert "防坠安全器不在位" in got[1].message and "JGJ 215-2010 第4.1.7条" in got[1].clause


def test_arrester_past_its_service_life_is_critical(tmp_path: Path) -> None:
    def old(data: dict[str, Any]) -> None:
        device(data, "hoist-1")["hoist"]["arrester_in_service_since"] = "2021-06-01"

    [got] = run(RuleEngine(site_variant(tmp_path, old)), [hoist(NOV)], "hoist.arrester")
    assert got.level == "critical" and "超过 5 年" in got.message


@pytest.mark.parametrize(
    ("tested_on", "when", "level"),
    [
        ("2026-08-03", "2026-11-02T09:00:00+08:00", None),  # 3 months less a day
        ("2026-08-02", "2026-11-02T23:00:00+08:00", None),  # 3 months to the day: in time
        ("2026-08-01", "2026-11-02T09:00:00+08:00", "alarm"),  # a day past 3 months
        ("2026-05-31", "2026-08-31T09:00:00+08:00", None),  # 3 months on from the 31st: the 31st
        ("2026-05-31", "2026-09-01T00:30:00+08:00", "alarm"),
    ],
)
def test_arrester_drop_test_more_than_3_months_ago_is_an_alarm(
    tmp_path: Path, tested_on: str, when: str, level: str | None
) -> None:
    """§5: a drop test at the rated load at least every 3 months (JGJ 215-2010 §5.3.6), on the reading's
    local date; the calibration (2025-12-15) is still valid at every instant tried."""

    def tested(data: dict[str, Any]) -> None:
        device(data, "hoist-1")["hoist"]["arrester_drop_tested_on"] = tested_on

    ts = datetime.fromisoformat(when).timestamp()
    [got] = run(RuleEngine(site_variant(tmp_path, tested)), [hoist(ts)], "hoist.arrester")
    assert got.level == level
    if level:
        assert "第5.3.6条" in got.clause and "坠落试验" in got.message and tested_on in got.message


def test_wind_above_20_ms_at_the_mast_top_is_an_alarm() -> None:
    winds = [12, 19.9, 20.5, 19.5, 18.0]  # 19.5 is within the 5 % clearing band
    got = run(
        RuleEngine(reference_site()), [hoist(NOV + i, wind_ms=w) for i, w in enumerate(winds)], "hoist.wind"
    )
    assert levels(got) == [None, "alarm", None]
    assert got[-1].value == 18.0


@pytest.mark.parametrize(
    ("driver", "problem"),
    [("", "无人登录"), ("OP-9999", "不在持证人员名单"), ("OP-1002", "过期")],
)
def test_moving_without_a_licensed_driver_is_critical(driver: str, problem: str) -> None:
    engine = RuleEngine(reference_site())
    got = run(
        engine,
        [hoist(NOV, driver_id=driver), hoist(NOV + 1, driver_id=driver, speed_ms=0.6)],
        "hoist.operator",
    )
    assert [r.level for r in got][-1] == "critical"
    assert problem in got[-1].message and "第四条(三)" in got[-1].clause


def test_an_unlicensed_driver_stays_flagged_between_trips_until_a_licensed_one_logs_in() -> None:
    engine = RuleEngine(reference_site())
    trips = [
        hoist(NOV, driver_id="OP-9999", speed_ms=0.6),
        hoist(NOV + 1, driver_id="OP-9999", speed_ms=0.0),  # stopped at a landing: same driver
        hoist(NOV + 2, driver_id="OP-9999", speed_ms=-0.6),
        hoist(NOV + 3, driver_id="OP-1001", speed_ms=0.0),
    ]
    assert levels(run(engine, trips, "hoist.operator")) == ["critical", None]


def test_card_numbers_read_over_modbus_as_numbers_are_matched_as_text(tmp_path: Path) -> None:
    def card(data: dict[str, Any]) -> None:
        data["operators"].append({"id": "2001", "name": "周", "valid_until": "2030-01-01"})

    got = run(
        RuleEngine(site_variant(tmp_path, card)),
        [hoist(NOV, driver_id=2001.0, speed_ms=0.6)],
        "hoist.operator",
    )
    assert [r.level for r in got] == [None]


def hoist_without(ts: float, metric: str, **changes: float | str):
    """A sample of hoist-1 whose box left ``metric`` out (a failed read, a blank register)."""
    return [r for r in hoist(ts, **changes) if r.metric != metric]


# nobody logged in, as a hoist's black box says it (docs/standards.md §5: "255 = nobody logged in")
NOBODY = {
    "empty": lambda ts, **kw: hoist(ts, driver_id="", **kw),
    "255": lambda ts, **kw: hoist(ts, driver_id="255", **kw),
    "255 as a number": lambda ts, **kw: hoist(ts, driver_id=255.0, **kw),
    "absent": lambda ts, **kw: hoist_without(ts, "driver_id", **kw),
}


@pytest.mark.parametrize("nobody", sorted(NOBODY))
def test_a_cage_moving_with_nobody_logged_in_is_critical_until_a_licensed_driver_logs_in(nobody: str) -> None:
    # a missing identity is never a licensed driver: 建质规〔2024〕5号 第四条(三)
    cage = NOBODY[nobody]
    got = run(
        RuleEngine(reference_site()),
        [
            cage(NOV),  # standing with nobody logged in: the end of a shift, fine
            cage(NOV + 1, speed_ms=0.6),  # moving: someone drives it unidentified
            cage(NOV + 2, speed_ms=0.0),  # stopped at a landing: the alert stands
            hoist(NOV + 3, driver_id="OP-1001"),  # a licensed driver logs in
        ],
        "hoist.operator",
    )
    assert [r.level for r in got] == [None, "critical", "critical", None]
    assert "立即停梯" in got[1].message and "第四条(三)" in got[1].clause
    assert ("身份未上报" if nobody == "absent" else "无人登录") in got[1].message


def test_the_box_reporting_255_is_named_in_the_alert() -> None:
    [_, moving] = run(
        RuleEngine(reference_site()),
        [hoist(NOV, driver_id=255.0), hoist(NOV + 1, driver_id=255.0, speed_ms=0.6)],
        "hoist.operator",
    )
    assert moving.value == "255" and "设备报 255" in moving.message and "reports 255" in moving.message_en


def test_a_licensed_driver_missing_from_one_sample_is_not_carried_over() -> None:
    # OP-1001 logged in, then a sample of the moving cage without a driver id: nobody is known to drive
    got = run(
        RuleEngine(reference_site()),
        [
            hoist(NOV, speed_ms=0.6),
            hoist_without(NOV + 1, "driver_id", speed_ms=0.6),
            hoist(NOV + 2, speed_ms=0.6),
        ],
        "hoist.operator",
    )
    assert [r.level for r in got] == [None, "critical", None]


def test_a_box_that_does_not_report_drivers_is_not_judged_on_a_missing_one(tmp_path: Path) -> None:
    engine = RuleEngine(without_metric(tmp_path, "hoist-1", "driver_id"))
    assert run(engine, [hoist_without(NOV, "driver_id", speed_ms=0.6)], "hoist.operator") == []


def mqtt_hoist(*topics: list[str]) -> Profile:
    return Profile.model_validate(
        {
            "name": "hoist_mqtt",
            "kind": "hoist",
            "mqtt": {
                "topics": [
                    {"topic": f"{{prefix}}/t{i}", "values": [{"metric": m, "path": m} for m in metrics]}
                    for i, metrics in enumerate(topics)
                ]
            },
        }
    )


@pytest.mark.parametrize(
    ("topics", "together"),
    [
        ([["speed_ms", "driver_id", "load_t"]], True),  # one message carries both
        ([["speed_ms", "load_t"], ["driver_id"]], False),  # the driver comes on its own topic
        ([["speed_ms", "driver_id"], ["speed_ms", "load_t"]], False),  # one of speed's messages lacks it
        ([["load_t"]], False),
    ],
)
def test_a_driver_is_expected_in_every_sample_only_where_the_profile_sends_it_with_the_speed(
    topics: list[list[str]], together: bool
) -> None:
    site = reference_site()
    hoist_dev = site.config.device("hoist-1")
    loaded = LoadedSite(site.path, site.config, {**site.profiles, hoist_dev.profile: mqtt_hoist(*topics)})
    assert ("hoist-1" in reported_with(loaded, "driver_id", "speed_ms")) is together


def _tilt_for(mm: float, height_m: float = 90.0) -> float:
    """The tilt (°) at which a mast ``height_m`` high leans ``mm`` at its top."""
    return math.degrees(math.atan(mm / (height_m * 1000)))


@pytest.mark.parametrize(
    ("lean_mm", "level"),
    [(69.9, None), (70.0, None), (70.1, "alarm"), (140.0, "alarm")],
)
def test_mast_verticality_beyond_70_mm_at_90_m_is_an_alarm(lean_mm: float, level: str | None) -> None:
    """§5: a mast erected 70-100 m may lean 70 mm; hoist-1 stands 90 m: 70 mm is within, beyond it is out
    of spec, a major hazard (建质规〔2024〕5号 第八条(六))."""
    [got] = run(
        RuleEngine(reference_site()),
        [hoist(NOV, tilt_x_deg=_tilt_for(lean_mm), tilt_y_deg=0.0)],
        "hoist.tilt",
    )
    assert got.level == level
    if level:
        assert got.threshold == 70.0 and got.unit == "mm"
        assert "第八条(六)" in got.clause and "重大事故隐患" in got.clause
        assert "导轨架垂直度" in got.message and got.message.index("导轨架") < got.message.index("停止使用")


def test_mast_verticality_takes_both_axes_together() -> None:
    # 50 mm each way is 70.7 mm at the top: beyond the 70 allowed, though neither axis alone is
    each = _tilt_for(50.0)
    [got] = run(RuleEngine(reference_site()), [hoist(NOV, tilt_x_deg=each, tilt_y_deg=-each)], "hoist.tilt")
    assert got.level == "alarm" and got.value == 70.7


@pytest.mark.parametrize(
    ("height_m", "allowed"),
    [
        (30.0, 30.0),
        (70.0, 70.0),
        (85.0, 70.0),
        (100.0, 70.0),
        (100.5, 90.0),
        (150.0, 90.0),
        (180.0, 110.0),
        (200.0, 110.0),
        (230.0, 130.0),
    ],
)
def test_mast_deviation_allowed_by_erected_height(tmp_path: Path, height_m: float, allowed: float) -> None:
    """§5's table: h ≤ 70 m: h/1000; 70-100 m: 70 mm; 100-150 m: 90 mm; 150-200 m: 110 mm; > 200 m: 130 mm."""

    def erected(data: dict[str, Any]) -> None:
        device(data, "hoist-1")["hoist"]["erected_height_m"] = height_m

    site = site_variant(tmp_path, erected)
    on, beyond = _tilt_for(allowed, height_m), _tilt_for(allowed * 1.002, height_m)
    got = run(RuleEngine(site), [hoist(NOV, tilt_x_deg=on), hoist(NOV + 1, tilt_x_deg=beyond)], "hoist.tilt")
    assert [r.level for r in got] == [None, "alarm"] and got[1].threshold == allowed


def test_mast_deviation_set_by_the_site_replaces_the_table(tmp_path: Path) -> None:
    def fifty(data: dict[str, Any]) -> None:
        device(data, "hoist-1")["hoist"]["mast_deviation_mm"] = 50

    got = run(
        RuleEngine(site_variant(tmp_path, fifty)),
        [hoist(NOV, tilt_x_deg=_tilt_for(50.0)), hoist(NOV + 1, tilt_x_deg=_tilt_for(51.0))],
        "hoist.tilt",
    )
    assert [r.level for r in got] == [None, "alarm"] and got[1].threshold == 50.0


def test_mast_verticality_alarm_holds_through_samples_without_tilt() -> None:
    # a sample without the tilt angles says nothing of the mast: the alarm stands until a plumb reading
    beyond = _tilt_for(80.0)
    got = run(
        RuleEngine(reference_site()),
        [
            hoist(NOV, tilt_x_deg=beyond, tilt_y_deg=0.0),
            hoist(NOV + 1),  # QUIET carries no tilt
            hoist(NOV + 2),
            hoist(NOV + 3, tilt_x_deg=0.0, tilt_y_deg=0.0),
        ],
        "hoist.tilt",
    )
    assert [(r.ts - NOV, r.level) for r in got] == [(0, "alarm"), (3, None)]


@pytest.mark.parametrize(
    ("metric", "over", "broken"), [("load_t", 2.1, -1.0), ("load_t", 2.1, 12.0), ("persons", 22, -1)]
)
def test_a_load_or_count_its_box_cannot_give_is_a_sensor_fault_and_clears_nothing(
    metric: str, over: float, broken: float
) -> None:
    """§5: a hoist's box reports 0-9.99 t and no fewer than nobody: outside, a broken sensor, never a
    reading: the alarm stands on the last sound value until a sound one is back within the limit."""
    rule = {"load_t": "hoist.load", "persons": "hoist.persons"}[metric]
    got = run(
        RuleEngine(reference_site()),
        [hoist(NOV, **{metric: over}), hoist(NOV + 1, **{metric: broken}), hoist(NOV + 2)],
    )
    assert [(r.ts - NOV, r.level) for r in got if r.rule == rule] == [(0, "alarm"), (2, None)]
    assert [(r.ts - NOV, r.level) for r in got if r.rule == "sensor.fault"] == [(1, "warning"), (2, None)]


def test_after_a_restart_the_first_sound_reading_clears_a_load_cell_fault_left_open() -> None:
    """The load cell broke before the gateway stopped and was mended while it was down, longer than the
    warm-up replays: the alert manager still holds the sensor.fault open, and the first sound reading after
    the start clears it, once; a sensor never broken since gets no word."""
    before = run(RuleEngine(reference_site()), [hoist(NOV, load_t=-1.0)], "sensor.fault")
    assert [r.level for r in before] == ["warning"]
    assert "超出量程" in before[0].message and before[0].message.endswith(
        "检修传感器，修复前该读数不可信，不得作为安全判断依据"
    )
    engine = RuleEngine(reference_site())
    engine.resume(NOV + 3600)  # the warm-up found nothing of the hoist within its window
    after = run(engine, [hoist(NOV + 3600 + i, load_t=1.0) for i in range(3)], "sensor.fault")
    assert [(r.ts - NOV - 3600, r.level) for r in after] == [(0, None)]
    assert after[0].message.endswith("传感器读数，已恢复正常")
