"""An alert that worsens within its level tells the uplinks (issue #37): an ``updated`` event with the worst
value once it passes the last reported one by a step of the limit, or every few minutes while it keeps
worsening, at most one per alert per minimum interval; none while it improves; lower is worse for a
clearance; a text value has no peak; the worst not yet told goes before a level change or the resolution."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.alert_event import AlertEvent, Level
from contract.config.rules import WorseningUpdates
from gateway.alerts.manager import AlertManager
from gateway.alerts.models import SilenceSpec
from rules import RuleResult
from tests.support import verdict

PROJECT = "GD-SZ-2026-0001"
DESIGN_KN = 20.0  # formwork-1 M3's axial design value: its limit, so the default step is 2 kN


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def axial(kn: float, ts: float, level: Level | None = "critical") -> RuleResult:
    """formwork.axial of M3 as rules/formwork_limits.py words it (critical from the design value)."""
    pct = kn / DESIGN_KN * 100
    limit = DESIGN_KN if level != "warning" else DESIGN_KN * 0.8
    said = f"高支模 测点 M3 立杆轴力 {kn:g} kN，为报警值 20 kN 的 {pct:.0f}%"
    facts: dict[str, float | str | list[str]] = {"alarm_value": DESIGN_KN, "pct_of_alarm": round(pct, 1)}
    return verdict(
        "formwork.axial", ("formwork-1", "M3"), level, ts, (round(kn, 3), limit, "kN"), said, details=facts
    )


def clearance(metres: float, ts: float, level: Level | None = "alarm") -> RuleResult:
    """crane.collision: the clearance between two jibs, worse the smaller (2 m minimum)."""
    said = f"1号塔吊与2号塔吊 最小净距 {metres} m"
    return verdict("crane.collision", ("crane-1", "crane-2"), level, ts, (metres, 2.0, "m"), said)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sent() -> list[AlertEvent]:
    return []


def open_manager(path: Path, sent: list[AlertEvent], clock: Clock, **policy: object) -> AlertManager:
    return AlertManager(path, PROJECT, sent.append, clock, WorseningUpdates(**policy))


@pytest.fixture
def manager(tmp_path: Path, sent: list[AlertEvent], clock: Clock) -> Iterator[AlertManager]:
    m = open_manager(tmp_path / "alerts.db", sent, clock)
    yield m
    m.close()


def feed(manager: AlertManager, clock: Clock, values: list[float], every_s: float, **kw: object) -> None:
    """One verdict per value, ``every_s`` apart on the clock and the readings' times, with a tick after each."""
    for kn in values:
        clock.now += every_s
        manager.handle([axial(kn, clock.now, **kw)])  # type: ignore[arg-type]
        manager.tick()


def states(sent: list[AlertEvent]) -> list[tuple[str, object]]:
    return [(e.state, e.value) for e in sent]


def test_a_step_of_the_limit_past_the_reported_value_goes_out_at_once(
    manager: AlertManager, sent: list[AlertEvent], clock: Clock
) -> None:
    # 20.88 opens it; the step is 10 % of 20 kN: 22.88 is due, 22.8 is not (each reading 61 s apart)
    feed(manager, clock, [20.88, 21.5, 22.8], 61)
    assert states(sent) == [("firing", 20.88)]
    feed(manager, clock, [22.9], 61)
    assert states(sent) == [("firing", 20.88), ("updated", 22.9)]
    update = sent[-1]
    assert update.ts == clock.now and update.level == "critical" and "22.9 kN" in update.message
    assert update.alert_id == sent[0].alert_id and update.event_id != sent[0].event_id
    # the next step counts from what was reported: 24.9
    feed(manager, clock, [24.8], 61)
    assert len(sent) == 2
    feed(manager, clock, [24.95], 61)
    assert states(sent)[-1] == ("updated", 24.95)


def test_a_slow_worsening_is_reported_every_few_minutes_with_its_worst_value(
    manager: AlertManager, sent: list[AlertEvent], clock: Clock
) -> None:
    feed(manager, clock, [21.0], 1)
    opened = clock.now
    # creeping up 0.1 kN every 30 s: never a step within 5 minutes, but worse than reported
    feed(manager, clock, [21.1 + 0.1 * i for i in range(9)], 30)  # to 270 s after opening
    assert states(sent) == [("firing", 21.0)]
    feed(manager, clock, [22.0, 21.95], 30)  # 300 s: 22.0 is the worst so far, told; 21.95 is not worse
    assert states(sent) == [("firing", 21.0), ("updated", 22.0)]
    assert sent[-1].ts == opened + 300  # the time of the worst reading, not of the tick
    # no longer worsening: nothing more, however long it lasts at that level
    feed(manager, clock, [21.9] * 40, 30)
    assert len(sent) == 2


def test_a_storm_of_rising_readings_is_a_few_events_and_the_worst_is_told(
    manager: AlertManager, sent: list[AlertEvent], clock: Clock
) -> None:
    # the demo's M3: 21 to 59 kN in 2,000 readings over 100 s (20 a second)
    feed(manager, clock, [21 + 38 * i / 1999 for i in range(2000)], 0.05)
    assert len(sent) <= 3  # the firing, then at most one update per minute
    updates = [e for e in sent if e.state == "updated"]
    assert len(updates) <= 2
    # the readings stop at 59 kN; within a minute of the last update the worst goes out, once
    clock.now += 61
    manager.tick()
    clock.now += 600
    manager.tick()
    assert [e.state for e in sent].count("updated") == len(updates) + 1
    assert sent[-1].value == pytest.approx(59.0, abs=0.01)
    [alert] = manager.list_alerts(state="firing")
    assert alert.peak_value == pytest.approx(59.0, abs=0.01) and alert.reported_peak == alert.peak_value


def test_no_update_while_the_value_improves(
    manager: AlertManager, sent: list[AlertEvent], clock: Clock
) -> None:
    feed(manager, clock, [30.0], 1)
    feed(manager, clock, [29.0, 27.5, 25.0, 24.0, 22.0, 21.0] * 10, 61)  # an hour of falling values
    assert states(sent) == [("firing", 30.0)]
    [alert] = manager.list_alerts(state="firing")
    assert (alert.value, alert.peak_value) == (21.0, 30.0)  # the dashboard: now 21, at worst 30


def test_lower_is_worse_for_a_clearance(manager: AlertManager, sent: list[AlertEvent], clock: Clock) -> None:
    for metres in (1.8, 1.9, 1.75, 1.65):  # opened at 1.8; the step is 0.2 m: 1.6 is due, 1.65 is not
        clock.now += 61
        manager.handle([clearance(metres, clock.now)])
    assert states(sent) == [("firing", 1.8)]
    clock.now += 61
    manager.handle([clearance(1.55, clock.now)])
    assert states(sent) == [("firing", 1.8), ("updated", 1.55)]
    for metres in (1.7, 1.9, 1.95):  # the cranes part again, still within the alarm's band: better
        clock.now += 400
        manager.handle([clearance(metres, clock.now)])
        manager.tick()
    assert len(sent) == 2
    [alert] = manager.list_alerts(state="firing")
    assert (alert.lower_is_worse, alert.peak_value) == (True, 1.55)


def test_a_licence_number_has_no_peak(manager: AlertManager, sent: list[AlertEvent], clock: Clock) -> None:
    for n in range(5):
        clock.now += 400
        manager.handle(
            [
                RuleResult(
                    "crane.operator",
                    "crane-2",
                    "",
                    "alarm",
                    clock.now,
                    "建质规〔2024〕5号 第八条",
                    f"OP-100{n}",
                )
            ]
        )
        manager.tick()
    assert [e.state for e in sent] == ["firing"]
    [alert] = manager.list_alerts()
    assert alert.peak_value is None


def test_the_worst_not_yet_told_goes_before_the_resolution_and_a_level_change(
    manager: AlertManager, sent: list[AlertEvent], clock: Clock
) -> None:
    feed(manager, clock, [21.0, 30.0], 1)  # 30 kN a second after opening: within the minimum interval
    assert states(sent) == [("firing", 21.0)]
    clock.now += 1
    manager.handle([axial(15.0, clock.now, level="warning")])  # back under the design value
    assert states(sent) == [("firing", 21.0), ("updated", 30.0), ("updated", 15.0)]
    assert [e.level for e in sent] == ["critical", "critical", "warning"]
    # worse within the warning, but not worse than the 30 kN reported: nothing to tell
    feed(manager, clock, [15.5, 16.5], 400, level="warning")
    clock.now += 1
    manager.handle([axial(2.0, clock.now, level=None)])
    assert states(sent)[-2:] == [("updated", 15.0), ("resolved", 2.0)]


def test_an_escalation_carrying_the_worst_value_is_not_preceded_by_an_update(
    manager: AlertManager, sent: list[AlertEvent], clock: Clock
) -> None:
    feed(manager, clock, [16.5, 18.0], 1, level="warning")
    feed(manager, clock, [20.5], 1)
    assert states(sent) == [("firing", 16.5), ("updated", 20.5)]
    assert [e.level for e in sent] == ["warning", "critical"]


def test_a_supervisor_resolving_by_hand_gets_the_worst_told_first(
    manager: AlertManager, sent: list[AlertEvent], clock: Clock
) -> None:
    feed(manager, clock, [21.0, 35.0], 1)
    manager.resolve(sent[0].alert_id, "王工", "更换立杆")
    assert states(sent) == [("firing", 21.0), ("updated", 35.0), ("resolved", 35.0)]


def test_a_silenced_alert_tells_its_worst_once_the_silence_ends(
    manager: AlertManager, sent: list[AlertEvent], clock: Clock
) -> None:
    feed(manager, clock, [21.0], 1)
    manager.add_silence(
        SilenceSpec(
            device="formwork-1",
            author="王工",
            reason="传感器校准",
            start_ts=clock.now,
            end_ts=clock.now + 600,
        )
    )
    # a calibration's values within the window: nothing told, and none of them is the alert's worst
    feed(manager, clock, [26.0, 40.0, 33.0], 100)
    assert states(sent) == [("firing", 21.0)]
    feed(manager, clock, [31.0], 400)  # the window is over: 31 kN is a step past the 21 reported
    assert states(sent) == [("firing", 21.0), ("updated", 31.0)]
    [alert] = manager.list_alerts(state="firing")
    assert alert.peak_value == 31.0


def test_clock_rules_send_no_updates(manager: AlertManager, sent: list[AlertEvent], clock: Clock) -> None:
    for silent in (600.0, 900.0, 1800.0, 3600.0):
        clock.now += 400
        manager.handle(
            [RuleResult("device.offline", "crane-1", "", "alarm", clock.now, "practice", silent, silent, "s")]
        )
        manager.tick()
    assert [e.state for e in sent] == ["firing"]


def test_the_policy_is_configurable(tmp_path: Path, sent: list[AlertEvent], clock: Clock) -> None:
    manager = open_manager(tmp_path / "alerts.db", sent, clock, step_fraction=0.5, min_interval_s=5)
    try:
        feed(manager, clock, [21.0, 30.0, 31.5], 6)  # a step is 10 kN now: 31.0 is due
        assert states(sent) == [("firing", 21.0), ("updated", 31.5)]
    finally:
        manager.close()


def test_what_was_reported_survives_a_restart(tmp_path: Path, sent: list[AlertEvent], clock: Clock) -> None:
    manager = open_manager(tmp_path / "alerts.db", sent, clock)
    feed(manager, clock, [21.0, 24.0], 61)
    manager.close()
    manager = open_manager(tmp_path / "alerts.db", sent, clock)
    try:
        # reported 24.0 before the restart: 25.5 is no step from it, 26.1 is
        feed(manager, clock, [25.5], 61)
        assert states(sent) == [("firing", 21.0), ("updated", 24.0)]
        feed(manager, clock, [26.1], 61)
        assert states(sent)[-1] == ("updated", 26.1)
        [alert] = manager.list_alerts(state="firing")
        assert (alert.peak_value, alert.reported_peak) == (26.1, 26.1)
    finally:
        manager.close()


def test_a_clean_stop_tells_the_worst_not_yet_told(
    manager: AlertManager, sent: list[AlertEvent], clock: Clock
) -> None:
    feed(manager, clock, [21.0, 40.0, 38.0], 5)  # within the minimum interval: not told yet
    assert states(sent) == [("firing", 21.0)]
    told = manager.tell_worst()
    assert [(e.state, e.value) for e in told] == [("updated", 40.0)] and sent[-1] == told[0]
    assert manager.tell_worst() == []  # nothing more to tell
    [alert] = manager.list_alerts(state="firing")
    assert (alert.value, alert.peak_value, alert.reported_peak) == (38.0, 40.0, 40.0)
