"""SafetyMonitor on a real Bus: readings in, AlertEvents out to on_event, faulted readings re-marked."""

from __future__ import annotations

from pathlib import Path

from contract.alert_event import AlertEvent
from contract.bus import Bus
from contract.readings import DeviceStatus, Reading
from gateway.alerts.monitor import SafetyMonitor
from tests.rules.sites import reference_site, sample


def test_bus_to_alert_events_and_back_after_a_restart(tmp_path: Path) -> None:
    events: list[AlertEvent] = []
    faulted: list[Reading] = []
    bus = Bus()
    monitor = SafetyMonitor(
        reference_site(), tmp_path / "alerts.db", events.append, faulted.extend, clock=lambda: 1.0
    )  # the samples below are heard at 1 s
    monitor.attach(bus)
    # a licensed operator logged in: the box reports its card with every sample
    bus.publish(
        sample("crane-1", 1, load_t=3.0, radius_m=30, slew_deg=90, operator_id="OP-1001")
    )  # 105 %: alarm
    bus.publish(sample("pit-1", 1, point="ZQS-01", disp_h_mm=-9999))
    bus.publish_status(DeviceStatus(2, "crane-2", False, "connection refused"))
    assert bus.handler_errors == {}
    assert [(e.rule, e.device, e.level, e.state) for e in events] == [
        ("crane.load", "crane-1", "alarm", "firing"),
        ("sensor.fault", "pit-1", "warning", "firing"),
        ("device.offline", "crane-2", "warning", "firing"),
    ]
    assert [(r.point, r.quality) for r in faulted] == [("ZQS-01", "fault")]
    monitor.tick(700)  # crane-1 silent since 1 s: warning at 4 s, alarm at 601 s
    assert [(e.device, e.level, e.ts) for e in events[3:]] == [
        ("crane-1", "warning", 4.0),
        ("crane-1", "alarm", 601.0),
        ("crane-2", "alarm", 602.0),
    ]
    monitor.close()

    again: list[AlertEvent] = []
    restarted = SafetyMonitor(reference_site(), tmp_path / "alerts.db", again.append, clock=lambda: 0.0)
    restarted.on_readings(sample("crane-1", 800, load_t=1.0, radius_m=30, slew_deg=90, operator_id="OP-1001"))
    assert [(e.rule, e.state) for e in again] == [("device.offline", "resolved"), ("crane.load", "resolved")]
    restarted.close()


def test_a_stepped_clock_is_no_silence_but_a_real_one_still_is(tmp_path: Path) -> None:
    """The wall clock stepped an hour ahead, then five minutes back (NTP after a boot with a stale RTC):
    no device fell silent, so no device.offline; a device that then stays silent is still reported, by
    the time that really passed."""
    wall, mono = [1000.0], [50.0]
    events: list[AlertEvent] = []
    monitor = SafetyMonitor(
        reference_site(),
        tmp_path / "alerts.db",
        events.append,
        clock=lambda: wall[0],
        monotonic=lambda: mono[0],
    )
    monitor.on_readings(sample("crane-1", 1000, load_t=1.0, radius_m=30, slew_deg=90, operator_id="OP-1001"))
    monitor.tick()
    # an hour ahead, noticed at the next tick; then five minutes back, a poll stamped by it coming first
    for step, poll_first in ((3600.0, False), (-300.0, True)):
        wall[0] += step + 1.0
        mono[0] += 1.0
        if poll_first:
            monitor.on_readings(
                sample("crane-1", wall[0], load_t=1.0, radius_m=30, slew_deg=90, operator_id="OP-1001")
            )
        monitor.tick()
        monitor.on_readings(
            sample("crane-1", wall[0], load_t=1.0, radius_m=30, slew_deg=90, operator_id="OP-1001")
        )
    assert [(e.rule, e.device) for e in events] == []
    wall[0] += 10.0  # crane-1 silent 10 s by both clocks: past its 3 s warning
    mono[0] += 10.0
    monitor.tick()
    assert [(e.rule, e.device, e.level, e.ts) for e in events] == [
        ("device.offline", "crane-1", "warning", wall[0] - 10.0 + 3.0)
    ]
    monitor.close()
