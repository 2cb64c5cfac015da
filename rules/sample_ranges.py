"""A box's sample metrics outside what its sensors can give (a load below zero, a radius past the jib's
field): a sensor.fault, never a reading. Such a value says nothing of the load, so it must not clear a
load alarm (fail safe): it is taken out of the sample and the metric's last sound value stands in the
device's memory, as if the box had not reported it. The ranges are the site's ``sensor_fault.ranges``
where it names the metric, else the kind's own (docs/standards.md §1, the regulator interface's field
ranges); their ends are values the sensor can give."""

from __future__ import annotations

from collections.abc import Mapping

from rules.kinds.base import Shared
from rules.result import RuleResult


class SampleRanges:
    """The sample metrics of one kind checked against their ranges, per device."""

    def __init__(self, shared: Shared, ranges: Mapping[str, tuple[float, float]]) -> None:
        self._shared, self._ranges = shared, dict(ranges)
        self._metrics = frozenset(ranges)
        self._sound: dict[tuple[str, str], float] = {}  # the last value within its range
        self._broken: set[tuple[str, str]] = set()  # the last value was outside it

    def check(
        self, device: str, numbers: dict[str, float], changed: set[str], ts: float, backfill: bool
    ) -> list[RuleResult]:
        """The sensor.fault verdicts of this sample's checked metrics; a broken one is taken out of
        ``changed`` and its last sound value put back in ``numbers`` (none: removed)."""
        out: list[RuleResult] = []
        shared = self._shared
        for metric in self._metrics.intersection(changed):
            value, key = numbers[metric], (device, metric)
            low, high = shared.faults(device).ranges.get(metric, self._ranges[metric])
            if low <= value <= high and key not in self._broken:
                self._sound[key] = value  # sound, as the last one was: no fault to judge or clear
                continue
            fault = shared.fault
            reason = fault.judge(
                device,
                "",
                metric,
                value,
                ts,
                valid_range=(low, high),
                step=None,
                step_limit=None,
                stuck_s=None,
            )
            found = fault.report(device, "", metric, reason, value, shared.names[device], ts, backfill)
            if found is not None:
                out.append(found)
            if reason is None:
                self._broken.discard(key)
                self._sound[key] = value
                continue
            self._broken.add(key)
            changed.discard(metric)
            last = self._sound.get(key)
            if last is None:
                del numbers[metric]
            else:
                numbers[metric] = last
        return out
