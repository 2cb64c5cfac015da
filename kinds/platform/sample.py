"""One suspended platform's sample through its rules (platform.persons, .load, .tilt, .lock,
.counterweight, .lifeline, .rope, .top, .wind, .lock_calibration): the engine keeps each platform's
latest values and hands them here once per sample.

A rule runs only when its own inputs were reported in the sample, so a missing or stale reading never
clears an alert: the rules that compare two metrics (the lock with the tilt, the buckles with the
persons) run only on samples that carry both."""

from __future__ import annotations

from contract.config.platform import PlatformSpec
from kinds.platform.counterweight import PlatformCounterweight
from kinds.platform.kind import ROPES
from kinds.platform.lifeline import PlatformLifeline
from kinds.platform.load import PlatformLoad
from kinds.platform.lock import PlatformLock
from kinds.platform.lock_calibration import PlatformLockCalibration
from kinds.platform.persons import PlatformPersons, allowed
from kinds.platform.rope import PlatformRope
from kinds.platform.tilt import PlatformTilt
from kinds.platform.top import PlatformTop
from kinds.platform.wind import PlatformWind
from rules.result import RuleResult


class PlatformRules:
    """The platform rule family of one site."""

    def __init__(self, utc_offset_h: float) -> None:
        # every attribute is a rule (RuleEngine.resume rearms each one's memories)
        self.persons, self.load, self.tilt = PlatformPersons(), PlatformLoad(), PlatformTilt()
        self.lock, self.counterweight = PlatformLock(), PlatformCounterweight()
        self.lifeline, self.rope, self.top = PlatformLifeline(), PlatformRope(), PlatformTop()
        self.wind = PlatformWind()
        self.calibration = PlatformLockCalibration(utc_offset_h)

    def evaluate(
        self,
        device: str,
        name: str,
        spec: PlatformSpec,
        n: dict[str, float],
        changed: set[str],
        ts: float,
        backfill: bool,
    ) -> list[RuleResult]:
        """Verdicts of one sample (``n``: the latest value of each metric; ``changed``: this sample's)."""
        found: list[RuleResult | None] = []
        if "persons" in changed:
            found.append(
                self.persons.evaluate(device, name, allowed(spec.max_persons), n["persons"], ts, backfill)
            )
        if "load_kg" in changed:
            found.append(self.load.evaluate(device, name, spec, n["load_kg"], ts, backfill))
        if "tilt_deg" in changed:
            found.append(
                self.tilt.evaluate(device, name, spec, n["tilt_deg"], n.get("lock_state"), ts, backfill)
            )
            if "lock_state" in changed:
                found.append(
                    self.lock.evaluate(device, name, spec, n["tilt_deg"], n["lock_state"], ts, backfill)
                )
        if "counterweight_kg" in changed:
            found.append(self.counterweight.evaluate(device, name, spec, n["counterweight_kg"], ts, backfill))
        if {"persons", "buckles"} <= changed:
            found.append(self.lifeline.evaluate(device, name, n["persons"], n["buckles"], ts, backfill))
        for rope in changed & ROPES.keys():
            found.append(self.rope.evaluate(device, name, rope, n[rope], ts, backfill))
        if "top_distance_m" in changed:
            found.append(self.top.evaluate(device, name, spec, n["top_distance_m"], ts, backfill))
        if "wind_ms" in changed:
            found.append(self.wind.evaluate(device, name, spec, n["wind_ms"], ts, backfill))
        found.append(self.calibration.evaluate(device, name, spec, ts, backfill))
        return [r for r in found if r is not None]
