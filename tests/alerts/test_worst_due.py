"""`Worst.due` remembers until when it said no (`not_before`), so that an alert worse than told but not yet
due costs a tick one comparison: its answers must be, at every call, those of the rule as the policy words
it (past the minimum interval since the last told event, and a step worse than told or ``every_s`` after
it), whatever the order of worse readings, told events and ticks, at the very instants the intervals end."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from contract.alert_event import AlertEvent
from contract.config.rules import WorseningUpdates
from gateway.alerts.worsening import Worst
from rules import RuleResult

POLICY = WorseningUpdates(step_fraction=0.1, every_s=300, min_interval_s=60)
T0 = 1_795_222_800.123  # Unix seconds of a working day, with a fraction: the sums round


def by_the_rule(worst: Worst, now: float) -> bool:
    """Whether the update is due at ``now``, worked out from scratch as the policy says."""
    unreported = worst.result is not None and worst.told is not None and worst.worse(worst.seen, worst.told)
    if not unreported or now - worst.told_at < POLICY.min_interval_s:
        return False
    assert worst.told is not None
    return abs(worst.seen - worst.told) >= worst.step or now - worst.told_at >= POLICY.every_s


def event(value: float, ts: float) -> AlertEvent:
    return AlertEvent(
        alert_id="p:formwork-1:M3:formwork.axial:1",
        project="p",
        device="formwork-1",
        point="M3",
        rule="formwork.axial",
        clause="JGJ 130",
        level="critical",
        state="updated",
        value=value,
        threshold=20.0,
        ts=ts,
    )


# moments around the ends of the intervals (where a bound a little off would say no too long), and others
OFFSETS = st.one_of(
    st.sampled_from([0.0, 59.0, 60.0, 61.0, 299.0, 300.0, 301.0]).flatmap(
        lambda at: st.sampled_from(
            [at, math.nextafter(at, -math.inf), math.nextafter(at, math.inf), at - 1e-6]
        )
    ),
    st.floats(min_value=-5, max_value=700, allow_nan=False),
)


@settings(max_examples=300, deadline=None)
@given(st.data(), st.booleans())
def test_due_answers_as_the_rule_at_every_call(data: st.DataObject, lower: bool) -> None:
    sign = -1.0 if lower else 1.0  # a clearance is worse lower
    worst = Worst(lower=lower, step=2.0, seen=sign * 20.88, seen_ts=T0, result=None, told=None, told_at=0.0)
    now = T0
    for _ in range(data.draw(st.integers(1, 40))):
        step = data.draw(st.sampled_from(["worse", "told", "held", "tick", "tick"]))
        if step == "worse":  # a repeat worse than ever, as the manager takes it
            value = worst.seen + sign * data.draw(st.sampled_from([0.01, 0.5, 1.99, 2.0, 2.5, 7.0]))
            verdict = RuleResult("formwork.axial", "formwork-1", "M3", "critical", now, value=value)
            assert worst.beaten_by(verdict)
            worst.take(verdict)
        elif step in ("told", "held"):  # an event recorded: delivered, or held back by a silence
            told_at = worst.told_at if worst.told is not None else now
            now = max(now, told_at + data.draw(OFFSETS))
            value = worst.seen if data.draw(st.booleans()) else worst.seen - sign * 1.0
            worst.recorded(event(value, now), step == "told", now, POLICY)
        else:  # a tick, the moment drawn around the last told event's intervals
            now = (worst.told_at if worst.told is not None else now) + data.draw(OFFSETS)
            expected = by_the_rule(worst, now)
            assert worst.due(now, POLICY) is expected
            assert worst.due(now, POLICY) is expected  # and asked again at once, from what it remembered
