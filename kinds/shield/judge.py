"""The shield machines' judge: each PLC sample of a machine through its eight rules (roll, deviation, thrust,
chamber pressure, grout, muck, leaks, special sections), against the drive's plan in its ``shield:`` section.

Fail safe: only what a sample reported fresh and sound is judged. A metric missing from a sample, stale, not a
number (the engine keeps those out) or outside what its sensor can give (a sensor.fault: its last sound value
stands) is not judged again, so no alert clears on it. The ring and the advance rate a rule reads beside its own
metric are the last sound ones: a new ring never clears a thrust alarm by itself (the thrust is judged only
when read), and a rate gone missing keeps a leak's level as the last rate read made it."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import ClassVar

from contract.config.device import DeviceConfig
from contract.config.yamlsrc import Loc
from kinds.shield.chamber import ShieldChamber
from kinds.shield.deviation import AXES, ShieldDeviation
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
from kinds.shield.roll import ShieldRoll
from kinds.shield.section import ShieldSection
from kinds.shield.thresholds import ShieldRule
from kinds.shield.thrust import ShieldThrust
from rules.kinds.base import Judge, Shared
from rules.probes import Probe, Sample
from rules.result import RuleResult
from rules.sample_ranges import SampleRanges

RANGES: dict[str, tuple[float, float]] = {
    RING: (0.0, math.inf),
    ADVANCE: (0.0, math.inf),
    THRUST: (0.0, math.inf),
    GROUT: (0.0, math.inf),
    MUCK: (0.0, math.inf),
    ROLL: (-180.0, 180.0),
    TAIL_SEAL: (0.0, 1.0),
    ARTICULATION: (0.0, 1.0),
}
"""What the machine's sensors can give: no ring, rate, thrust or volume below zero, no roll past a half turn,
no flag but 0 to 1 (a vendor's fault code, 0xFFFF). Outside, a sensor.fault that changes no alert. The
chamber pressure and the deviations have no range of their own (a gauge may read a little below zero, a
deviation is any size): the site's ``rules.sensor_fault.ranges`` may give them one."""


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
        """Each rule on the machine's own plan and the site's ``shield`` values, the other readings quiet (a
        ring outside every ring range, the machine stopped, everything well inside its line); the leak both
        while the machine advances (critical) and stopped (alarm); each ring range's own thrust and chamber
        band at its first ring; each special section at both its ends."""
        assert isinstance(dev, ShieldDevice)
        spec = dev.shield
        roll, dev_h, dev_v = spec.roll_max_deg, spec.deviation_h_mm, spec.deviation_v_mm
        thrust, chamber, grout_m3, muck_m3 = (
            spec.thrust_max_kn,
            spec.chamber_kpa,
            spec.grout_min_m3,
            spec.muck_max_m3,
        )
        if roll is None or dev_h is None or dev_v is None or thrust is None or chamber is None:
            return []  # a plan value left out: check-config refuses the site
        if grout_m3 is None or muck_m3 is None:
            return []
        cfg = self.shared.section(dev.id, "shield", ShieldRule)
        band, every = cfg.hysteresis_pct / 100, dev.poll_interval_s
        ring = float(max((r.to_ring for r in spec.rings), default=0) + 1)  # under the drive's own plan
        quiet: dict[str, float | str] = {
            RING: ring,
            ADVANCE: 0.0,
            THRUST: thrust / 2,
            CHAMBER: sum(chamber) / 2,
            GROUT: grout_m3 * 1.2,
            MUCK: muck_m3 * 0.8,
            ROLL: 0.0,
            DEV_H: 0.0,
            DEV_V: 0.0,
            TAIL_SEAL: 0.0,
            ARTICULATION: 0.0,
        }

        def probe(rule: str, metric: str, point: str = "", at: Sample | None = None, **rest: object) -> Probe:
            context = {k: v for k, v in quiet.items() if k != metric} | dict(at or {})
            alert = (dev.id, point) if point else None
            return Probe(rule, dev.id, metric, context=context, interval_s=every, alert=alert, **rest)  # type: ignore[arg-type]

        def above(rule: str, metric: str, line: float, at: Sample | None = None) -> Probe:
            # above a line (超出, strict): 10 % past it fires; half the band below it holds; past the band clears
            return probe(
                rule,
                metric,
                at=at,
                beyond=(line * 1.1,),
                hold=(line * (1 - band / 2),),
                clear=line * (1 - band) * 0.9,
                faults=_outside(metric),
            )

        def pressure(band_kpa: tuple[float, float], at: Sample | None = None) -> Probe:
            # past either end fires; half the band inside an end holds; the middle clears
            low, high = band_kpa
            half = (high - low) / 2
            return probe(
                "shield.chamber",
                CHAMBER,
                at=at,
                beyond=(high + half * 0.2, low - half * 0.2),
                hold=(high - half * band / 2, low + half * band / 2),
                clear=(low + high) / 2,
            )

        found = [
            # either way: the allowed range is on the magnitude
            probe(
                "shield.roll",
                ROLL,
                beyond=(roll * 1.2, -roll * 1.5),
                hold=(roll * (1 - band / 2), -roll * (1 - band / 2)),
                clear=roll * (1 - band) * 0.5,
                faults=_outside(ROLL),
            ),
            *(
                probe(
                    "shield.deviation",
                    metric,
                    AXES[metric][0],
                    beyond=(allowed * 1.2, -allowed * 1.2),
                    hold=(-allowed * (1 - band / 2),),
                    clear=0.0,
                )
                for metric, allowed in ((DEV_H, dev_h), (DEV_V, dev_v))
            ),
            above("shield.thrust", THRUST, thrust),
            pressure(chamber),
            # below the plan (低于, strict): the line moved up by the band holds
            probe(
                "shield.grout",
                GROUT,
                beyond=(grout_m3 * 0.8, 0.0),
                hold=(grout_m3 * (1 + band / 2),),
                clear=grout_m3 * (1 + band) * 1.1,
                faults=_outside(GROUT),
            ),
            above("shield.muck", MUCK, muck_m3),
            # a leak while advancing (critical, Art. 13(五)) and while stopped (alarm); a fraction is a leak
            probe(
                "shield.leak",
                TAIL_SEAL,
                SEALS[TAIL_SEAL][0],
                at={ADVANCE: cfg.advancing_mm_min + 30.0},
                beyond=(1.0,),
                clear=0.0,
                faults=_outside(TAIL_SEAL),
            ),
            probe(
                "shield.leak",
                ARTICULATION,
                SEALS[ARTICULATION][0],
                beyond=(1.0, 0.5),
                clear=0.0,
                faults=_outside(ARTICULATION),
            ),
        ]
        for r in spec.rings:  # the ring range's own plan, at its first ring
            first: Sample = {RING: float(r.from_ring)}
            if r.thrust_max_kn is not None:
                found.append(above("shield.thrust", THRUST, r.thrust_max_kn, first))
            if r.chamber_kpa is not None:
                found.append(pressure(r.chamber_kpa, first))
        found += [
            probe(
                "shield.section",
                RING,
                s.name,
                beyond=(float(s.from_ring), float(s.to_ring)),
                clear=float(s.to_ring + 1),
                faults=_outside(RING),
            )
            for s in spec.sections
        ]
        return found


def _outside(metric: str) -> tuple[float, ...]:
    """Values ``metric``'s sensor cannot give (a sensor.fault): one below its range, and one above it where it
    has an upper end."""
    low, high = RANGES[metric]
    return (low - 1.0,) if math.isinf(high) else (low - 1.0, high + 1.0)
