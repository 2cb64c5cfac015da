"""device.offline: 3 poll intervals without a reading = warning, 10 minutes = alarm."""

from __future__ import annotations

from contract.readings import DeviceStatus, Quality
from rules import RuleEngine
from tests.rules.sites import reference_site, run, sample


def test_crane_silent_three_intervals_then_ten_minutes() -> None:
    engine = RuleEngine(reference_site())
    run(engine, [sample("crane-1", ts, load_t=1.0) for ts in range(11)])
    assert engine.tick(13.0) == []  # exactly 3 s: not yet more than 3 intervals
    [warning] = engine.tick(13.5)
    assert (warning.rule, warning.device, warning.level, warning.ts) == (
        "device.offline",
        "crane-1",
        "warning",
        13.0,
    )
    assert engine.tick(100) == []
    [alarm] = engine.tick(700)
    assert (alarm.level, alarm.ts) == ("alarm", 610.0)
    back = [r for r in engine.process(sample("crane-1", 701, load_t=1.0)) if r.rule == "device.offline"]
    assert [(r.level, r.ts) for r in back] == [(None, 701)]


def test_a_long_gap_reports_both_crossings_with_their_own_instants() -> None:
    engine = RuleEngine(reference_site())
    engine.process(sample("anemo-1", 0, wind_ms=3.0))
    assert [(r.level, r.ts) for r in engine.tick(5000)] == [("warning", 3.0), ("alarm", 600.0)]


def test_stale_readings_do_not_count_as_alive() -> None:
    engine = RuleEngine(reference_site())
    engine.process(sample("crane-2", 0, load_t=1.0))
    engine.process(sample("crane-2", 2, quality=Quality.STALE, load_t=1.0))
    assert [r.level for r in engine.tick(3.5)] == ["warning"]


def test_pit_points_every_2_hours_use_their_own_interval() -> None:
    engine = RuleEngine(reference_site())
    engine.process(sample("pit-1", 0, point="ZQS-01", disp_h_mm=1.0))
    assert engine.tick(3 * 7200) == []
    assert [(r.level, r.ts) for r in engine.tick(13 * 3600)] == [("warning", 21600.0), ("alarm", 43200.0)]


def test_driver_reporting_offline_warns_at_once() -> None:
    engine = RuleEngine(reference_site())
    engine.process(sample("crane-1", 0, load_t=1.0))
    [result] = engine.on_status(DeviceStatus(1.5, "crane-1", False, "timeout after 2 retries"))
    assert result.level == "warning" and "timeout" in result.message
    assert engine.on_status(DeviceStatus(1.6, "crane-1", False, "timeout")) == []  # already known
    assert [r.level for r in engine.tick(700)] == ["alarm"]
