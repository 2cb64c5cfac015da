"""Time only goes forward within an alert (issue #41): whatever order readings arrive in, backfilled or late,
no event of an alert is stamped before an earlier event of it, and a resolution never before its firing.

The probe: after a broker restart while a data logger uploaded its buffer, device.offline resolved with a
timestamp 29 h before its firing event (the first backfilled reading's time)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract.alert_event import AlertEvent
from contract.config.rules import DeviceOfflineRule
from gateway.alerts.manager import AlertManager
from rules import RuleResult
from rules.device_offline import DeviceOffline

PROJECT = "GD-SZ-2026-0001"
DEVICE, NAME, CLAUSE, INTERVAL_S = "logger-1", "1号数据记录仪", "建质规〔2024〕5号 第八条（四）", 60.0
START = 1_800_000_000.0
HOUR = 3600.0


def assert_forward(events: list[AlertEvent]) -> None:
    """Each alert's events, in the order they were told, stamped in order; its resolution not before it fired."""
    by_alert: dict[str, list[AlertEvent]] = defaultdict(list)
    for e in events:
        by_alert[e.alert_id].append(e)
    for alert_id, told in by_alert.items():
        stamps = [e.ts for e in told]
        assert stamps == sorted(stamps), (alert_id, [(e.state, e.level, e.ts - START) for e in told])
        fired = next(e.ts for e in told if e.state == "firing")
        assert all(e.ts >= fired for e in told if e.state == "resolved"), alert_id


def offline_after_backfill(
    tmp_path: Path, backlog: list[float], ticks: list[tuple[int, float]]
) -> list[AlertEvent]:
    """The logger is heard at START, then silent 30 h (device.offline fires); then its buffer (``backlog``: the
    readings' times, in the order they arrive) is delivered, with the rules ticked at ``ticks`` ((after how
    many readings, seconds past the delivery's start))."""
    events: list[AlertEvent] = []
    manager = AlertManager(
        tmp_path / "alerts.sqlite", PROJECT, events.append, clock=lambda: START + 31 * HOUR
    )
    rule, cfg = DeviceOffline(), DeviceOfflineRule()

    def tell(results: Sequence[RuleResult | None]) -> None:
        manager.handle([r for r in results if r is not None])

    tell([rule.seen(DEVICE, START, NAME, CLAUSE, backfill=False)])
    tell(rule.tick(START + 30 * HOUR, DEVICE, NAME, INTERVAL_S, cfg, CLAUSE))  # fired, stamped at its limits
    arrived = START + 30 * HOUR
    pending = sorted(ticks)
    for i, ts in enumerate(backlog):
        while pending and pending[0][0] <= i:
            tell(rule.tick(arrived + pending.pop(0)[1], DEVICE, NAME, INTERVAL_S, cfg, CLAUSE))
        tell([rule.seen(DEVICE, ts, NAME, CLAUSE, backfill=True)])
    manager.close()
    return events


def test_the_probe_a_buffer_delivered_after_the_alert_fired_resolves_it_no_earlier_than_it_fired(
    tmp_path: Path,
) -> None:
    # the logger's buffer: 59 h of readings, oldest first, from 29 h before it was last heard live
    backlog = [START - 29 * HOUR + 60.0 * n for n in range(59 * 60)]
    events = offline_after_backfill(tmp_path, backlog, [])
    fired = [e for e in events if e.state in ("firing", "updated")]
    resolved = [e for e in events if e.state == "resolved"]
    assert fired and len(resolved) == 1
    # the first backfilled reading, 29 h before the alert fired, is what resolved it: stamped at the alert's
    # latest event (the alarm), not at that reading's time
    assert resolved[0].ts == max(e.ts for e in fired) > backlog[0] + 29 * HOUR
    assert_forward(events)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    backlog=st.lists(st.floats(START - HOUR, START + 32 * HOUR), min_size=1, max_size=40),
    ticks=st.lists(st.tuples(st.integers(0, 40), st.floats(0, 5 * HOUR)), max_size=6),
)
def test_shuffled_and_delayed_readings_never_stamp_an_alert_backwards(
    tmp_path_factory: object, backlog: list[float], ticks: list[tuple[int, float]]
) -> None:
    folder = tmp_path_factory.mktemp("alerts")  # type: ignore[attr-defined]
    assert_forward(offline_after_backfill(folder, backlog, ticks))


def load(level: str | None, ts: float, value: float, backfill: bool = False) -> RuleResult:
    """A crane.load verdict (``backfill``: judged from a backfilled reading)."""
    return RuleResult(
        rule="crane.load",
        device="crane-1",
        point="",
        level=level,  # type: ignore[arg-type]
        ts=ts,
        clause="GB 5144-2006 §6.1.2",
        value=value,
        threshold=90.0,
        unit="%",
        message=f"load {value}%",
        backfill=backfill,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    verdicts=st.lists(
        st.tuples(st.sampled_from([None, "warning", "alarm"]), st.floats(0, 10 * HOUR), st.floats(80, 130)),
        min_size=1,
        max_size=30,
    )
)
def test_any_rule_s_verdicts_in_any_order_keep_each_alert_s_events_in_order(
    tmp_path_factory: object, verdicts: list[tuple[str | None, float, float]]
) -> None:
    events: list[AlertEvent] = []
    folder = tmp_path_factory.mktemp("alerts")  # type: ignore[attr-defined]
    manager = AlertManager(folder / "alerts.sqlite", PROJECT, events.append, clock=lambda: START + 11 * HOUR)
    for level, offset, value in verdicts:  # the order they arrive in: times shuffled, some late
        manager.handle([load(level, START + offset, value)])
    manager.tell_worst()
    manager.close()
    assert_forward(events)
