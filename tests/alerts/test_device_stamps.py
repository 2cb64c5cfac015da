"""A device that stamps its own readings (the temporary power's boxes over MQTT, each message's ``ts``) across a
step of the gateway's clock: device.offline measures a silence on the gateway's clock alone, from when it heard
each reading, so a clock step (the gateway's, the device's, or both at different moments) neither invents a
silence while the readings go on every 5 s nor hides one that is real. The monitor runs on the reference site
with its clock and monotonic clock injected, as the live gateway ticks it every second; power-main reports every
5 s, its warning after 15 s without a reading (3 intervals)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from contract.alert_event import AlertEvent
from gateway.alerts.monitor import SafetyMonitor
from rules.engine import RuleEngine
from tests.rules.sites import reference_site, sample

DEVICE, EVERY_S, WARNING_S = "power-main", 5.0, 15.0
START = 1_800_000_000.0
STEP_S = -300.0  # NTP correcting a clock five minutes fast


class Box:
    """The gateway's clocks (wall, monotonic), its monitor, and the power box's own clock (``device``, the
    wall clock's offset from it: 0 while both agree)."""

    def __init__(self, tmp_path: Path) -> None:
        self.wall, self.mono, self.device_offset = START, 100.0, 0.0
        self.events: list[AlertEvent] = []
        self.monitor = SafetyMonitor(
            reference_site(),
            tmp_path / "alerts.db",
            self.events.append,
            clock=lambda: self.wall,
            monotonic=lambda: self.mono,
        )
        self.heard_at = self.mono  # the true time (monotonic) of the last reading the gateway got

    def stamp(self) -> float:
        """The box's stamp of a reading taken now: its own clock, to the second (as the monitor writes it)."""
        return float(math.floor(self.wall + self.device_offset))

    def hear(self, stamp: float) -> None:
        """A reading stamped ``stamp`` reaches the gateway now."""
        self.monitor.on_readings(sample(DEVICE, stamp, leakage_ma=6.0, rcd_state=0.0))
        self.heard_at = self.mono

    def run(self, seconds: int, reporting: bool = True) -> None:
        """``seconds`` of ticks, one a second, the box reporting every 5 s while ``reporting``."""
        for _ in range(seconds):
            self.wall += 1.0
            self.mono += 1.0
            if reporting and self.mono % EVERY_S == 0:
                self.hear(self.stamp())
            self.monitor.tick()

    def offline(self) -> list[tuple[str, float | str | None]]:
        """The device.offline events so far: (level or state, the value: seconds silent)."""
        return [(e.level or e.state, e.value) for e in self.events if e.rule == "device.offline"]


@pytest.fixture
def box(tmp_path: Path) -> Box:
    b = Box(tmp_path)
    b.run(30)  # reporting every 5 s, no step yet
    assert b.offline() == []
    return b


def assert_reported_in_time(box: Box) -> None:
    """The box falls silent: the warning comes once it is 15 s silent by the time that really passed, not
    earlier, not minutes later."""
    box.run(int(WARNING_S) - 1, reporting=False)
    assert box.offline() == [], "warned before the device was 15 s silent"
    box.run(3, reporting=False)
    assert [level for level, _ in box.offline()] == ["warning"], box.offline()
    assert box.mono - box.heard_at <= WARNING_S + 3


def test_a_reading_stamped_before_the_step_and_judged_after_it_hides_no_silence(box: Box) -> None:
    """The box and the gateway share the clock (the demo's case): a reading stamped just before the clock went
    back 300 s reaches the rules after the tick that noticed the step. Stamped 300 s ahead of the clock now, it
    must not make the device look heard until then: the box dying after it is reported within 15 s."""
    box.run(4)  # a second before the next report
    box.wall += 1.0
    box.mono += 1.0
    in_flight = box.stamp()  # published, on its way through the broker
    box.wall += STEP_S  # the step
    box.monitor.tick()  # notices it
    box.hear(in_flight)
    box.run(20)  # reporting on, stamped by the corrected clock
    assert box.offline() == []
    assert_reported_in_time(box)


def test_the_devices_clock_stepping_back_before_the_gateways_is_no_silence(box: Box) -> None:
    """The power box takes its time from the same source and is corrected 20 s before the gateway is: its
    readings, every 5 s, are stamped 300 s behind the gateway's clock until the gateway steps too. Nothing went
    silent (the probe: one device.offline warning of 15 s); the box then dying is reported."""
    box.device_offset = STEP_S
    box.run(20)
    assert box.offline() == [], "a silence invented from the device's stamps"
    box.wall += STEP_S
    box.device_offset = 0.0
    box.run(20)
    assert box.offline() == []
    assert_reported_in_time(box)


def test_the_gateways_clock_stepping_back_before_the_devices_hides_no_silence(box: Box) -> None:
    """The gateway is corrected 20 s before the power box: the box's stamps run 300 s ahead of the gateway's
    clock meanwhile. The box then dying is reported after 15 s, not after the 300 s its stamps were ahead."""
    box.wall += STEP_S
    box.device_offset = -STEP_S
    box.run(20)
    box.device_offset = 0.0
    box.run(20)
    assert box.offline() == []
    assert_reported_in_time(box)


def test_a_device_silent_across_the_step_is_reported_by_the_time_that_really_passed(box: Box) -> None:
    """The box falls silent 10 s before the clock goes back 300 s: the warning comes 15 s into its silence, as
    the monotonic clock measures it (the step is not 300 s less of silence)."""
    box.run(9, reporting=False)
    assert box.offline() == []
    box.wall += STEP_S
    box.run(4, reporting=False)
    assert box.offline() == []
    box.run(3, reporting=False)
    assert [level for level, _ in box.offline()] == ["warning"], box.offline()
    assert box.mono - box.heard_at <= WARNING_S + 3


def test_a_restart_after_history_stamped_ahead_gives_the_device_its_limits_from_the_start_only() -> None:
    """The warm-up judges the stored history at its readings' stamps: a power box whose clock runs 300 s ahead of
    the gateway's left stamps after the restart's instant. The box silent since then is reported 15 s after the
    start, as any device, not once the gateway's clock passes the box's last stamp."""
    engine = RuleEngine(reference_site())
    now = START
    history = [r for k in range(6) for r in sample(DEVICE, now - 30 + 5 * k - STEP_S, leakage_ma=6.0)]
    for _ in engine.replay(history):
        pass
    engine.resume(now)
    assert [r for r in engine.tick(now + WARNING_S) if r.rule == "device.offline"] == []
    found = [(r.level, r.ts) for r in engine.tick(now + WARNING_S + 1) if r.rule == "device.offline"]
    assert found == [("warning", now + WARNING_S)], found
