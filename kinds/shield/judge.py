"""The shield machines' judge: each PLC sample of a machine through its eight rules (roll, deviation, thrust,
chamber pressure, grout, muck, leaks, special sections), against the drive's plan in its ``shield:`` section.

Fail safe: only what a sample reported fresh and sound is judged. A metric missing from a sample, stale, not a
number (the engine keeps those out) or outside what its sensor can give (a sensor.fault: its last sound value
stands) is not judged again, so no alert clears on it. The ring and the advance rate a rule reads beside its own
metric are the last sound ones: a new ring never clears a thrust alarm by itself (the thrust is judged only
when read), and a rate gone missing keeps a leak's level as the last rate read made it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from contract.config.device import DeviceConfig
from contract.config.yamlsrc import Loc
from kinds.shield.chamber import ShieldChamber
from kinds.shield.deviation import ShieldDeviation
from kinds.shield.grout import grout
from kinds.shield.kind import (
    ADVANCE,
    ARTICULATION,
    CHAMBER,
    DEV_H,
    DEV_V,
    GROUT,
    KIND,
    MUCK,
    RING,
    ROLL,
    TAIL_SEAL,
    THRUST,
    ShieldDevice,
)
from kinds.shield.leak import SEALS, ShieldLeak
from kinds.shield.muck import muck
from kinds.shield.plan import chamber_band, check_plan, thrust_max
from kinds.shield.probes import shield_probes
from kinds.shield.ranges import RANGES
from kinds.shield.roll import ShieldRoll
from kinds.shield.section import ShieldSection
from kinds.shield.thresholds import ShieldRule
from kinds.shield.thrust import ShieldThrust
from rules.kinds.base import Judge, Shared
from rules.probes import Probe
from rules.result import RuleResult
from rules.sample_ranges import SampleRanges


class ShieldJudge(Judge):
    """Every shield machine of one site."""

    sensor_names: ClassVar[dict[str, tuple[str, str]]] = {m.name: (m.zh, m.en) for m in KIND.metrics}

    def __init__(self, shared: Shared, devices: list[DeviceConfig]) -> None:
        super().__init__(shared, devices)
        self._roll, self._deviation, self._thrust = ShieldRoll(), ShieldDeviation(), ShieldThrust()
        self._chamber, self._grout, self._muck = ShieldChamber(), grout(), muck()
        self._leak, self._section = ShieldLeak(), ShieldSection()
        self._state: dict[str, dict[str, float]] = {d.id: {} for d in devices}
        # a broken sensor clears no alert; the site's ranges may name the pressure and the deviations too
        self._ranges = SampleRanges(shared, RANGES, self.devices, site_named=True)

    @staticmethod
    def check(index: int, dev: DeviceConfig) -> list[tuple[Loc, str, str]]:
        """The plan values left out (kinds/shield/plan.py)."""
        return check_plan(index, dev.id, dev.shield) if isinstance(dev, ShieldDevice) else []

    def families(self) -> Iterable[object]:
        return (
            self._roll,
            self._deviation,
            self._thrust,
            self._chamber,
            self._grout,
            self._muck,
            self._leak,
            self._section,
        )

    def memory(self, dev: DeviceConfig) -> dict[str, float]:
        return self._state[dev.id]

    def resume(self, now: float) -> None:
        self._ranges.resume()  # the first sound reading clears a sensor.fault left open from before the stop

    def sample(self, dev: DeviceConfig, changed: set[str], ts: float, backfill: bool) -> list[RuleResult]:
        assert isinstance(dev, ShieldDevice)
        n, name, spec = self._state[dev.id], self.shared.names[dev.id], dev.shield
        cfg = self.shared.section(dev.id, "shield", ShieldRule)
        faults = self._ranges.check(dev.id, n, changed, ts, backfill)  # broken ones leave ``changed``
        band, ring = cfg.hysteresis_pct / 100, n.get(RING)
        found: list[RuleResult | None] = []
        if ROLL in changed and spec.roll_max_deg is not None:
            found.append(
                self._roll.evaluate(dev.id, name, spec.roll_max_deg, band, n[ROLL], ring, ts, backfill)
            )
        for metric, allowed in ((DEV_H, spec.deviation_h_mm), (DEV_V, spec.deviation_v_mm)):
            if metric in changed and allowed is not None:
                found.append(
                    self._deviation.evaluate(
                        dev.id, name, metric, allowed, band, n[metric], ring, ts, backfill
                    )
                )
        limit = thrust_max(spec, ring)
        if THRUST in changed and limit is not None:
            found.append(self._thrust.evaluate(dev.id, name, limit, band, n[THRUST], ring, ts, backfill))
        chamber = chamber_band(spec, ring)
        if CHAMBER in changed and chamber is not None:
            found.append(self._chamber.evaluate(dev.id, name, chamber, band, n[CHAMBER], ring, ts, backfill))
        if GROUT in changed and spec.grout_min_m3 is not None:
            found.append(
                self._grout.evaluate(dev.id, name, spec.grout_min_m3, band, n[GROUT], ring, ts, backfill)
            )
        if MUCK in changed and spec.muck_max_m3 is not None:
            found.append(
                self._muck.evaluate(dev.id, name, spec.muck_max_m3, band, n[MUCK], ring, ts, backfill)
            )
        if changed & {TAIL_SEAL, ARTICULATION, ADVANCE}:  # a new rate may change a standing leak's level
            rate = n.get(ADVANCE)
            for metric in SEALS:  # in their order, not a set's: replays give the same order
                if metric in n:
                    found.append(
                        self._leak.evaluate(
                            dev.id, name, metric, n[metric], rate, cfg.advancing_mm_min, ring, ts, backfill
                        )
                    )
        if RING in changed:
            for section in spec.sections:
                found.append(self._section.evaluate(dev.id, name, section, n[RING], ts, backfill))
        return faults + [r for r in found if r is not None]

    def probes(self, dev: DeviceConfig) -> list[Probe]:
        """Each rule on the machine's own plan and the site's ``shield`` values (kinds/shield/probes.py)."""
        assert isinstance(dev, ShieldDevice)
        return shield_probes(dev, self.shared.section(dev.id, "shield", ShieldRule))
