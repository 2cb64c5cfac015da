"""A box's sample metrics outside what its sensors can give (a load below zero, a radius past the jib's
field, an unfitted probe's -3276.8 ℃): a sensor.fault, never a reading. Such a value says nothing of the
load, so it must not clear a load alarm (fail safe): it is taken out of the sample and the metric's last
sound value stands in the device's memory, as if the box had not reported it. The ranges are the site's
``sensor_fault.ranges`` where it names the metric, else the kind's own (docs/standards.md §1, the regulator
interface's field ranges); their ends are values the sensor can give. A kind with no ranges of its own (the
temporary power's probes, §17) checks the metrics the site's ranges name.

The fault tracker (rules/sensor_fault.py) is asked about a reading within its range only where it may owe
a verdict: after a broken reading (the clear, once), and at the first reading of each metric after a
restart (its warm-up's verdicts were dropped, and a fault from before the stop, older than the warm-up or
mended while the gateway was down, is still open at the alert manager until a verdict clears it). A sensor
never broken is never mentioned: its readings are the rules' inputs and nothing else."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rules.kinds.base import Shared
from rules.result import RuleResult


class SampleRanges:
    """The sample metrics of one kind's devices checked against their ranges, per device."""

    def __init__(
        self,
        shared: Shared,
        ranges: Mapping[str, tuple[float, float]],
        devices: Iterable[str],
        *,
        site_named: bool = False,
    ) -> None:
        """``ranges``: the kind's own; ``site_named``: the metrics the site's ``sensor_fault.ranges`` names
        are checked too (a kind whose metrics have no range of their own)."""
        self._shared, self._ranges, self._site_named = shared, dict(ranges), site_named
        self._devices = list(devices)
        # each device's checked metrics with their ranges, in the metrics' order (not a set's: which
        # metric a warning names first must not depend on the process's string hashing, so replays agree)
        self._checked: dict[str, tuple[tuple[str, float, float], ...]] = {}
        # each device's last value of each metric within its range (a dict per device: a sample's sound
        # metrics are kept without a (device, metric) tuple made and hashed for each)
        self._sound: dict[str, dict[str, float]] = {}
        # the metrics whose next reading the fault tracker is asked about: broken at their last reading,
        # or not read since the last resume
        self._asking: set[tuple[str, str]] = set()

    def resume(self) -> None:
        """End of a warm-up: the first reading of every metric checked asks the fault tracker, so that a
        fault the alert manager still holds open is cleared by a sound one (see the module's text)."""
        self._asking.update((d, metric) for d in self._devices for metric, _, _ in self._of(d))

    def check(
        self, device: str, numbers: dict[str, float], changed: set[str], ts: float, backfill: bool
    ) -> list[RuleResult]:
        """The sensor.fault verdicts of this sample's checked metrics; a broken one is taken out of
        ``changed`` and its last sound value put back in ``numbers`` (none: removed)."""
        out: list[RuleResult] = []
        shared, asking = self._shared, self._asking
        sound = self._sound.get(device)
        if sound is None:
            sound = self._sound[device] = {}
        for metric, low, high in self._of(device):
            if metric not in changed:
                continue
            value = numbers[metric]
            if low <= value <= high and not (asking and (device, metric) in asking):
                sound[metric] = value  # sound, as the last one was: no fault to judge or clear
                continue
            key, fault = (device, metric), shared.fault
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
            # one verdict a sample: two broken metrics of one instant repeat the same warning
            if found is not None and all(found is not seen for seen in out):
                out.append(found)
            if reason is None:
                asking.discard(key)
                sound[metric] = value
                continue
            asking.add(key)
            changed.discard(metric)
            last = sound.get(metric)
            if last is None:
                del numbers[metric]
            else:
                numbers[metric] = last
        return out

    def _of(self, device: str) -> tuple[tuple[str, float, float], ...]:
        """``device``'s checked metrics and their ranges (the site's rules are fixed while it runs)."""
        found = self._checked.get(device)
        if found is None:
            site = self._shared.faults(device).ranges
            own = {m: site.get(m, kinds) for m, kinds in self._ranges.items()}
            named = {m: site[m] for m in sorted(site) if m not in own} if self._site_named else {}
            found = self._checked[device] = tuple((m, lo, hi) for m, (lo, hi) in (own | named).items())
        return found
