"""Backfilled data is judged as history (issue #41 §3): a verdict from a reading older than what its alert
already knows (a data logger's buffer uploaded once the link came back) may open or raise an alert, marked
backfill, but never lowers or clears one that newer readings keep: stale input never clears a firing alert.

The defect this pins: a crane overloaded now, then an hour-old reading of its buffer at a normal load,
resolved the live overload alert."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.alert_event import AlertEvent
from contract.readings import Quality, Reading
from gateway.alerts.manager import AlertManager
from gateway.alerts.models import Alert
from rules import RuleEngine, RuleResult
from rules.result import rank
from tests.alerts.test_time_forward import load
from tests.rules.sites import levels, reference_site, sample

PROJECT = "GD-SZ-2026-0001"
START = 1_800_000_000.0
HOUR = 3600.0


def open_alerts(m: AlertManager) -> list[Alert]:
    """What a supervisor's page lists as open (the latest figures folded in)."""
    return [a for a in m.list_alerts() if a.state != "resolved"]


def manager(tmp_path: Path, events: list[AlertEvent]) -> AlertManager:
    return AlertManager(tmp_path / "alerts.sqlite", PROJECT, events.append, clock=lambda: START + 2 * HOUR)


def test_an_older_backfilled_all_clear_leaves_the_live_alert_firing(tmp_path: Path) -> None:
    events: list[AlertEvent] = []
    m = manager(tmp_path, events)
    m.handle([load("alarm", START + HOUR, 112.0)])  # overloaded now
    m.handle([load(None, START + HOUR - 600, 40.0, backfill=True)])  # the buffer: ten minutes earlier, light
    assert [e.state for e in events] == ["firing"]
    [alert] = open_alerts(m)
    assert alert.level == "alarm" and alert.value == 112.0
    m.handle([load(None, START + HOUR + 60, 40.0)])  # the live reading clears it
    assert [e.state for e in events] == ["firing", "resolved"]
    m.close()


def test_an_older_backfilled_lower_level_does_not_lower_the_live_alert(tmp_path: Path) -> None:
    events: list[AlertEvent] = []
    m = manager(tmp_path, events)
    m.handle([load("alarm", START + HOUR, 112.0)])
    m.handle([load("warning", START + HOUR - 60, 95.0, backfill=True)])
    [alert] = open_alerts(m)
    assert alert.level == "alarm" and [e.state for e in events] == ["firing"]
    m.close()


def test_older_backfilled_repeats_do_not_make_the_alert_older_than_it_is(tmp_path: Path) -> None:
    # live repeats up to 12:00, then a buffer's repeat from 11:00 and its all-clear from 11:30: the alert knew
    # 12:00 already, so the all-clear is history
    events: list[AlertEvent] = []
    m = manager(tmp_path, events)
    m.handle([load("alarm", START, 112.0)])
    m.handle([load("alarm", START + 2 * HOUR, 113.0)])
    open_alerts(m)  # a supervisor's page folds the latest figures into the alert
    m.handle([load("alarm", START + HOUR, 111.0, backfill=True)])
    m.handle([load(None, START + 1.5 * HOUR, 40.0, backfill=True)])
    [alert] = open_alerts(m)
    assert alert.state == "firing" and alert.value == 113.0  # the newest figures, not the buffer's
    m.close()


def test_a_buffer_worse_than_the_live_alert_raises_it_marked_backfill(tmp_path: Path) -> None:
    events: list[AlertEvent] = []
    m = manager(tmp_path, events)
    m.handle([load("warning", START + HOUR, 95.0)])
    m.handle([load("alarm", START + HOUR - 300, 115.0, backfill=True)])
    assert [(e.state, e.level, e.backfill) for e in events] == [
        ("firing", "warning", False),
        ("updated", "alarm", True),
    ]
    assert events[-1].ts == START + HOUR  # never stamped before the alert's latest event
    m.close()


def test_a_buffer_alone_opens_and_closes_a_historical_alert(tmp_path: Path) -> None:
    # no alert live: what the buffer shows happened, and ended, while nobody could see it
    events: list[AlertEvent] = []
    m = manager(tmp_path, events)
    m.handle([load(None, START + HOUR, 40.0)])
    m.handle([load("alarm", START + 600, 112.0, backfill=True)])
    m.handle([load(None, START + 1200, 40.0, backfill=True)])
    assert [(e.state, e.ts, e.backfill) for e in events] == [
        ("firing", START + 600, True),
        ("resolved", START + 1200, True),
    ]
    assert open_alerts(m) == []
    m.close()


def test_a_device_heard_through_its_buffer_is_online_whatever_its_readings_times(tmp_path: Path) -> None:
    events: list[AlertEvent] = []
    m = manager(tmp_path, events)
    m.handle([RuleResult("device.offline", "logger-1", "", "alarm", START + HOUR, value=3600.0)])
    m.handle([RuleResult("device.offline", "logger-1", "", None, START + 60, backfill=True)])
    assert [(e.state, e.ts) for e in events] == [("firing", START + HOUR), ("resolved", START + HOUR)]
    m.close()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    arrivals=st.lists(
        st.tuples(
            st.booleans(),  # from the buffer (older than every live reading so far) or live
            st.sampled_from([None, "warning", "alarm", "critical"]),
            st.floats(1.0, 3000.0),  # live: seconds after the last live reading; buffer: before it
        ),
        min_size=1,
        max_size=40,
    )
)
def test_whatever_a_buffer_says_the_live_readings_decide_the_present(
    tmp_path_factory: object, arrivals: list[tuple[bool, str | None, float]]
) -> None:
    """After every live verdict the alert is at that verdict's level; a buffer's verdict in between never
    leaves it below the last live level."""
    folder = tmp_path_factory.mktemp("alerts")  # type: ignore[attr-defined]
    events: list[AlertEvent] = []
    m = manager(folder, events)
    live_ts, live_level = START, None
    for buffered, level, dt in arrivals:
        if buffered:
            m.handle([load(level, live_ts - dt, 100.0, backfill=True)])
        else:
            live_ts += dt
            live_level = level
            m.handle([load(level, live_ts, 100.0)])
        active = open_alerts(m)
        now = active[0].level if active else None
        if buffered:
            assert rank(now) >= rank(live_level), (arrivals, now)  # type: ignore[arg-type]
        else:
            assert now == live_level, (arrivals, now)
    m.close()


H2 = 7200.0  # the reference pit's points report every 2 hours
RAMP = [15.0, 16.9, 18.8, 20.7, 22.6, 20.7, 18.8, 16.9, 15.0, 13.1, 11.2, 9.3]  # mm: up past 20 and back


def wall_top(ts: float, value: float, quality: Quality = Quality.OK) -> list[Reading]:
    return sample("pit-1", ts, point="ZQS-01", quality=quality, disp_h_mm=value)


def test_a_pit_logger_s_buffer_is_judged_as_history_and_the_live_series_is_left_as_it_was(
    tmp_path: Path,
) -> None:
    """The pit's data logger lost its link for a day: live readings resumed (quiet), then its buffer came,
    older than them. What the wall did meanwhile (past the 20 mm alarm value and back) is told, as history,
    marked backfill, at the times it happened; the live series judges its next reading as if the buffer had
    never come."""
    site = reference_site()
    engine, twin = RuleEngine(site), RuleEngine(site)
    events: list[AlertEvent] = []
    m = manager(tmp_path, events)
    day = 86400.0
    live = [wall_top(START + 2 * day + i * H2, 5.0) for i in range(3)]
    for batch in live:
        m.handle(engine.process(batch))
        twin.process(batch)
    buffer = [wall_top(START + day + i * H2, v, Quality.BACKFILL) for i, v in enumerate(RAMP)]
    verdicts = [r for batch in buffer for r in engine.process(batch)]
    m.handle(verdicts)
    cumulative = [r for r in verdicts if r.rule == "pit.cumulative"]
    assert levels(cumulative) == ["warning", "alarm", "warning", None]
    assert all(r.backfill for r in verdicts)
    told = [(e.state, e.level, e.backfill) for e in events if e.rule == "pit.cumulative"]
    assert told[0] == ("firing", "warning", True) and told[-1] == ("resolved", "warning", True)
    assert ("updated", "alarm", True) in told
    fired = next(e for e in events if e.rule == "pit.cumulative")
    assert fired.ts == START + day  # when the wall passed 14 mm, not when the buffer arrived
    assert "围护墙顶水平位移" in fired.message and fired.clause.startswith("GB 50497-2019 第8.0.3条")
    after = wall_top(START + 2 * day + 3 * H2, 5.1)
    assert engine.process(after) == twin.process(after)


def test_a_pit_buffer_shows_no_hazard_from_a_broken_value_and_no_late_live_reading_is_judged() -> None:
    engine = RuleEngine(reference_site())
    engine.process(wall_top(START + 86400.0, 5.0))
    # the buffer: a value the sensor cannot give, between two quiet ones
    buffered = [wall_top(START + i * H2, v, Quality.BACKFILL) for i, v in enumerate([5.0, 900.0, 5.1])]
    assert [r for b in buffered for r in engine.process(b) if r.level is not None] == []
    # a live reading (not marked backfill) older than the last one judged: kept, not judged
    assert engine.process(wall_top(START + 3 * H2, 25.0)) == []
