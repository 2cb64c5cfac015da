"""An active alert's worst value and what the uplinks were told of it: when a worsening within its level
is due as an ``updated`` event (the policy is contract/config/rules.py's `WorseningUpdates`).

A rule repeats its verdict at every reading while a hazard lasts, and the alert manager delivers an event
only when the level changes: a formwork pole that passed its 20 kN design value at 20.88 kN and went on
to 59 kN told the regulator 20.88. The manager keeps a `Worst` per alert whose value is a number with a
limit: the worst value any verdict carried (by the rule's direction: a clearance or a share is worse
lower), the verdict that carried it, and the worst value delivered in a firing or updated event. The
worst goes out as an ``updated`` event once it passes the reported one by a step (a fraction of the
limit), or once ``every_s`` passed while it is worse at all, and never sooner than ``min_interval_s``
after the alert's last firing or updated event, so a storm of readings is a few events.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from contract.alert_event import AlertEvent
from contract.config.rules import WorseningUpdates
from gateway.alerts.models import Alert
from rules.result import WORSE_DETAIL, RuleResult


@dataclass(slots=True)
class Worst:
    """One alert's worst value as the site saw it and as the uplinks were told it."""

    lower: bool  # lower values are worse (a clearance, a share of the month, days left)
    step: float  # a worsening this large (the policy's fraction of the limit) is reported at once
    seen: float  # the worst value a verdict or an event of the alert carried
    seen_ts: float  # the reading's time
    result: RuleResult | None  # the verdict that carried ``seen`` (None: told with its event, or a restart)
    told: float | None  # the worst value delivered in a firing or updated event (None: none delivered yet)
    told_at: float  # the gateway's clock when the last firing or updated event was delivered
    # the gateway's clock before which `due` is known False (worked out when it last said no, a little early
    # so that no rounding of the sum skips a due update; -inf: to be worked out): an alert worse than told
    # but not yet due is asked at every tick and every worse reading, and most answers are this comparison.
    # `recorded` sets it back to -inf; so does `take` unless it is the minimum interval's end, which no
    # worse value moves (``until_step``: it waits for ``every_s`` or a step, or for anything unreported)
    not_before: float = -math.inf
    until_step: bool = True

    def worse(self, value: float, than: float) -> bool:
        """Whether ``value`` is worse than ``than`` by the alert's direction."""
        return value < than if self.lower else value > than

    def beaten_by(self, r: RuleResult) -> bool:
        """Whether a verdict of the alert's level carries a value worse than any before (run for every
        repeated verdict: the cheap test first)."""
        value = r.value
        # RuleResult makes every number a float (a bool is no measure); a non-finite value is a broken
        # sensor's, which sensor.fault reports, never a peak
        if value.__class__ is not float or not (value < self.seen if self.lower else value > self.seen):
            return False
        return math.isfinite(value)

    def take(self, r: RuleResult) -> None:
        """Keep ``r`` (`beaten_by` it) as the worst."""
        self.seen, self.seen_ts, self.result = r.value, r.ts, r  # type: ignore[assignment]
        if self.until_step:  # a step further may make it due at the minimum interval's end
            self.not_before = -math.inf

    def unreported(self) -> bool:
        """Whether the site saw worse than the uplinks were told, and the verdict to tell it is kept."""
        return self.result is not None and self.told is not None and self.worse(self.seen, self.told)

    def due(self, now: float, policy: WorseningUpdates) -> bool:
        """Whether the unreported worst goes out at ``now``: past the minimum interval since the last
        firing or updated event, and a step past the reported value or ``every_s`` after it."""
        if now < self.not_before:
            return False
        self.until_step = True
        if not self.unreported():
            self.not_before = math.inf  # until `take` or `recorded` changes what was seen or told
            return False
        assert self.told is not None  # unreported() says so
        if now - self.told_at < policy.min_interval_s:
            self.not_before, self.until_step = _early(self.told_at + policy.min_interval_s), False
            return False
        if abs(self.seen - self.told) >= self.step or now - self.told_at >= policy.every_s:
            self.not_before = -math.inf
            return True
        self.not_before = _early(self.told_at + policy.every_s)  # less than a step worse: every_s
        return False

    def recorded(self, event: AlertEvent, delivered: bool, now: float, policy: WorseningUpdates) -> None:
        """A firing or updated event of the alert was recorded (``delivered``: handed to the uplinks, not
        held back by a silence or an inhibition, whose values are no peak of the alert's)."""
        if not delivered:
            return
        self.not_before, self.until_step = -math.inf, True  # told anew: the next update worked out again
        value = event.value
        if isinstance(value, float) and math.isfinite(value):
            if self.worse(value, self.seen):  # told with this very event: no verdict to keep for it
                self.seen, self.seen_ts, self.result = value, event.ts, None
            self.told = value if self.told is None or self.worse(value, self.told) else self.told
        self.told_at = now
        if event.threshold is not None:  # a new level, a new limit
            self.step = policy.step_fraction * abs(event.threshold)


def _early(moment: float) -> float:
    """``moment`` a little early: a millisecond and a billionth of it (1.8 s of today's Unix seconds),
    far more than the rounding of ``told_at + interval`` against ``now - told_at``, so a bound made with
    it never passes the first instant `Worst.due` says yes at."""
    return moment - 1e-3 - abs(moment) * 1e-9


def first_direction(alert: Alert, value: float, threshold: float) -> bool:
    """Whether lower values are worse for an alert first seen at ``value`` against ``threshold``: as its
    details' ``worse`` says ("lower" or "higher"), else by where the value lies. A level is entered past its
    limit, upwards at or above it, downwards strictly below it (rules/levels.py's banded_level), so a value
    on its line is an upward one unless the rule said otherwise."""
    said = alert.details.get(WORSE_DETAIL)
    if said in ("lower", "higher"):
        return said == "lower"
    return value < threshold


def track(alert: Alert, policy: WorseningUpdates) -> Worst | None:
    """The `Worst` of an alert whose value is a finite number with a limit and whose rule reports its
    worsening (None otherwise: text values, such as a licence number, have no peak), from what the alert
    holds (its latest figures, and its peak and reported value when kept before a restart)."""
    value, threshold = alert.value, alert.threshold
    if not isinstance(value, float) or threshold is None or not math.isfinite(value):
        return None
    if not policy.applies(alert.rule):
        return None
    lower = (
        alert.lower_is_worse if alert.lower_is_worse is not None else first_direction(alert, value, threshold)
    )
    seen, seen_ts = value, alert.updated_ts
    if alert.peak_value is not None and (alert.peak_value < seen if lower else alert.peak_value > seen):
        seen, seen_ts = alert.peak_value, alert.peak_ts if alert.peak_ts is not None else seen_ts
    return Worst(
        lower=lower,
        step=policy.step_fraction * abs(threshold),
        seen=seen,
        seen_ts=seen_ts,
        result=None,
        told=alert.reported_peak,
        told_at=alert.reported_at if alert.reported_at is not None else 0.0,
    )
