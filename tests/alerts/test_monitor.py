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
        reference_site(), tmp_path / "alerts.db", events.append, faulted.extend, clock=lambda: 0.0
    )
    monitor.attach(bus)
    bus.publish(sample("crane-1", 1, load_t=3.0, radius_m=30, slew_deg=90))  # 105 %: alarm
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
    restarted.on_readings(sample("crane-1", 800, load_t=1.0, radius_m=30, slew_deg=90))
    assert [(e.rule, e.state) for e in again] == [("device.offline", "resolved"), ("crane.load", "resolved")]
    restarted.close()
