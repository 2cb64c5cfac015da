"""device.offline: 3 poll intervals without a reading = warning, 10 minutes = alarm."""

from __future__ import annotations

from contract.readings import DeviceStatus, Quality
from rules import RuleEngine, RuleResult
from tests.rules.sites import reference_site, run, sample


def offline_tick(engine: RuleEngine, now: float) -> list[RuleResult]:
    """device.offline's verdicts of one tick (the site's other timed rules tick too)."""
    return [r for r in engine.tick(now) if r.rule == "device.offline"]


def test_crane_silent_three_intervals_then_ten_minutes() -> None:
    engine = RuleEngine(reference_site())
    run(engine, [sample("crane-1", ts, load_t=1.0) for ts in range(11)])
    assert offline_tick(engine, 13.0) == []  # exactly 3 s: not yet more than 3 intervals
    [warning] = offline_tick(engine, 13.5)
    assert (warning.rule, warning.device, warning.level, warning.ts) == (
        "device.offline",
        "crane-1",
        "warning",
        13.0,
    )
    assert offline_tick(engine, 100) == []
    assert warning.message == "1号塔吊 已 3 秒无数据，监测失效：检查设备供电与通讯"
    [alarm] = offline_tick(engine, 700)
    assert (alarm.level, alarm.ts) == ("alarm", 610.0)
    assert (
        alarm.message == "1号塔吊 已 600 秒无数据，监测失效：检查设备供电与通讯，恢复监测前停止相关危险作业"
    )
    assert alarm.message_en == (
        "1号塔吊 silent for 600 s: not monitored: "
        "check the device's power and link; stop the work it watches until monitoring is back"
    )
    assert alarm.clause.startswith("JGJ 332-2014 第3.1.1条") and "第八条(四)" in alarm.clause
    back = [r for r in engine.process(sample("crane-1", 701, load_t=1.0)) if r.rule == "device.offline"]
    assert [(r.level, r.ts) for r in back] == [(None, 701)]
    assert back[0].message == "1号塔吊 设备在线，已恢复正常"


def test_a_long_gap_reports_both_crossings_with_their_own_instants() -> None:
    engine = RuleEngine(reference_site())
    engine.process(sample("anemo-1", 0, wind_ms=3.0))
    assert [(r.level, r.ts) for r in offline_tick(engine, 5000)] == [("warning", 3.0), ("alarm", 600.0)]


def test_stale_readings_do_not_count_as_alive() -> None:
    engine = RuleEngine(reference_site())
    engine.process(sample("crane-2", 0, load_t=1.0))
    engine.process(sample("crane-2", 2, quality=Quality.STALE, load_t=1.0))
    assert [r.level for r in offline_tick(engine, 3.5)] == ["warning"]


def test_pit_points_every_2_hours_use_their_own_interval() -> None:
    engine = RuleEngine(reference_site())
    engine.process(sample("pit-1", 0, point="ZQS-01", disp_h_mm=1.0))
    assert offline_tick(engine, 3 * 7200) == []
    found = offline_tick(engine, 13 * 3600)
    assert [(r.level, r.ts) for r in found] == [("warning", 21600.0), ("alarm", 43200.0)]
    assert found[1].clause.startswith("建质规〔2024〕5号 第五条(三)")


def test_driver_reporting_offline_warns_at_once() -> None:
    engine = RuleEngine(reference_site())
    engine.process(sample("crane-1", 0, load_t=1.0))
    [result] = engine.on_status(DeviceStatus(1.5, "crane-1", False, "timeout after 2 retries"))
    assert result.level == "warning"
    assert result.message == "1号塔吊 已 2 秒无数据（timeout after 2 retries），监测失效：检查设备供电与通讯"
    assert engine.on_status(DeviceStatus(1.6, "crane-1", False, "timeout")) == []  # already known
    assert [r.level for r in offline_tick(engine, 700)] == ["alarm"]


def test_a_formwork_monitor_and_a_welder_gone_silent_cite_their_own_standards_not_the_cranes() -> None:
    """建质规〔2024〕5号 第八条(四) (a crane's safety device failed: a major hazard) and JGJ 332 (a tower crane's
    monitoring) are a crane's: a formwork monitor silent outside a pour (a pour's silence is formwork.silent) and
    a welder's current sensor cited them, calling their silence a major hazard."""
    engine = RuleEngine(reference_site())
    engine.process(sample("formwork-1", 0, point="M1", settle_mm=1.0))
    engine.process(sample("welder-1", 0, current_a=2.0))
    found = {r.device: r for r in offline_tick(engine, 7 * 24 * 3600) if r.level == "alarm"}
    for device, cites in (
        ("formwork-1", "JGJ 300-2013"),
        ("welder-1", "GB/T 50720-2011（2025年版）第6.3.1条第1款"),
    ):
        clause = found[device].clause
        assert cites in clause and "JGJ 332" not in clause and "重大事故隐患" not in clause, clause
