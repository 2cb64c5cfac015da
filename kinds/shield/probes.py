"""The shield rules' limit probes (rules/probes.py): each rule on one machine's own plan and the site's
``shield`` values, the other readings quiet (a ring outside every ring range, the machine stopped, everything
well inside its line); the leak both while the machine advances (critical) and stopped (alarm); each ring
range's own thrust and chamber band at its first ring; each special section at both its ends."""

from __future__ import annotations

import math

from kinds.shield.deviation import AXES
from kinds.shield.kind import (
    ADVANCE,
    ARTICULATION,
    CHAMBER,
    DEV_H,
    DEV_V,
    GROUT,
    MUCK,
    RING,
    ROLL,
    TAIL_SEAL,
    THRUST,
    ShieldDevice,
    ShieldSpec,
)
from kinds.shield.leak import SEALS
from kinds.shield.ranges import RANGES
from kinds.shield.thresholds import ShieldRule
from rules.probes import Probe, Sample


class _Prober:
    """Probes of one machine: its id, poll interval, clearing band and quiet readings."""

    def __init__(self, dev: ShieldDevice, band: float, quiet: dict[str, float | str]) -> None:
        self.device, self.every, self.band, self.quiet = dev.id, dev.poll_interval_s, band, quiet

    def probe(
        self, rule: str, metric: str, point: str = "", at: Sample | None = None, **rest: object
    ) -> Probe:
        """``rule`` on ``metric`` (its alert's point ``point``), the other metrics quiet or as ``at`` sets them."""
        context = {k: v for k, v in self.quiet.items() if k != metric} | dict(at or {})
        alert = (self.device, point) if point else None
        return Probe(rule, self.device, metric, context=context, interval_s=self.every, alert=alert, **rest)  # type: ignore[arg-type]

    def above(self, rule: str, metric: str, line: float, at: Sample | None = None) -> Probe:
        """Above a line (超出, strict): 10 % past it fires; half the band below it holds; past the band clears."""
        return self.probe(
            rule,
            metric,
            at=at,
            beyond=(line * 1.1,),
            hold=(line * (1 - self.band / 2),),
            clear=line * (1 - self.band) * 0.9,
            faults=outside(metric),
        )

    def pressure(self, band_kpa: tuple[float, float], at: Sample | None = None) -> Probe:
        """Past either end of the chamber band fires; half the band inside an end holds; the middle clears."""
        low, high = band_kpa
        half = (high - low) / 2
        return self.probe(
            "shield.chamber",
            CHAMBER,
            at=at,
            beyond=(high + half * 0.2, low - half * 0.2),
            hold=(high - half * self.band / 2, low + half * self.band / 2),
            clear=(low + high) / 2,
        )


def shield_probes(dev: ShieldDevice, cfg: ShieldRule) -> list[Probe]:
    """The machine's probes; none where a plan value is left out (check-config refuses the site)."""
    spec = dev.shield
    if None in (
        spec.roll_max_deg,
        spec.deviation_h_mm,
        spec.deviation_v_mm,
        spec.thrust_max_kn,
        spec.chamber_kpa,
    ):
        return []
    if spec.grout_min_m3 is None or spec.muck_max_m3 is None or spec.thrust_max_kn is None:
        return []
    assert spec.chamber_kpa is not None
    ring = float(max((r.to_ring for r in spec.rings), default=0) + 1)  # under the drive's own plan
    quiet: dict[str, float | str] = {
        RING: ring,
        ADVANCE: 0.0,
        THRUST: spec.thrust_max_kn / 2,
        CHAMBER: sum(spec.chamber_kpa) / 2,
        GROUT: spec.grout_min_m3 * 1.2,
        MUCK: spec.muck_max_m3 * 0.8,
        ROLL: 0.0,
        DEV_H: 0.0,
        DEV_V: 0.0,
        TAIL_SEAL: 0.0,
        ARTICULATION: 0.0,
    }
    p = _Prober(dev, cfg.hysteresis_pct / 100, quiet)
    return _attitude(p, spec) + _loads(p, spec) + _leaks(p, cfg) + _rings_and_sections(p, spec)


def _attitude(p: _Prober, spec: ShieldSpec) -> list[Probe]:
    """Roll and deviations, either way: the allowed range is on the magnitude."""
    assert (
        spec.roll_max_deg is not None and spec.deviation_h_mm is not None and spec.deviation_v_mm is not None
    )
    roll, band = spec.roll_max_deg, p.band
    return [
        p.probe(
            "shield.roll",
            ROLL,
            beyond=(roll * 1.2, -roll * 1.5),
            hold=(roll * (1 - band / 2), -roll * (1 - band / 2)),
            clear=roll * (1 - band) * 0.5,
            faults=outside(ROLL),
        ),
        *(
            p.probe(
                "shield.deviation",
                metric,
                AXES[metric][0],
                beyond=(allowed * 1.2, -allowed * 1.2),
                hold=(-allowed * (1 - band / 2),),
                clear=0.0,
            )
            for metric, allowed in ((DEV_H, spec.deviation_h_mm), (DEV_V, spec.deviation_v_mm))
        ),
    ]


def _loads(p: _Prober, spec: ShieldSpec) -> list[Probe]:
    """Thrust, chamber pressure, grout (below the plan, 低于, strict: the line moved up by the band holds) and
    muck, on the drive's own plan."""
    assert spec.thrust_max_kn is not None and spec.chamber_kpa is not None
    assert spec.grout_min_m3 is not None and spec.muck_max_m3 is not None
    grout_m3 = spec.grout_min_m3
    return [
        p.above("shield.thrust", THRUST, spec.thrust_max_kn),
        p.pressure(spec.chamber_kpa),
        p.probe(
            "shield.grout",
            GROUT,
            beyond=(grout_m3 * 0.8, 0.0),
            hold=(grout_m3 * (1 + p.band / 2),),
            clear=grout_m3 * (1 + p.band) * 1.1,
            faults=outside(GROUT),
        ),
        p.above("shield.muck", MUCK, spec.muck_max_m3),
    ]


def _leaks(p: _Prober, cfg: ShieldRule) -> list[Probe]:
    """A leak while advancing (critical, Art. 13(五)) and while stopped (alarm); a fraction is a leak."""
    return [
        p.probe(
            "shield.leak",
            TAIL_SEAL,
            SEALS[TAIL_SEAL][0],
            at={ADVANCE: cfg.advancing_mm_min + 30.0},
            beyond=(1.0,),
            clear=0.0,
            faults=outside(TAIL_SEAL),
        ),
        p.probe(
            "shield.leak",
            ARTICULATION,
            SEALS[ARTICULATION][0],
            beyond=(1.0, 0.5),
            clear=0.0,
            faults=outside(ARTICULATION),
        ),
    ]


def _rings_and_sections(p: _Prober, spec: ShieldSpec) -> list[Probe]:
    """Each ring range's own thrust and chamber band at its first ring; each special section at both ends."""
    found = []
    for r in spec.rings:
        first: Sample = {RING: float(r.from_ring)}
        if r.thrust_max_kn is not None:
            found.append(p.above("shield.thrust", THRUST, r.thrust_max_kn, first))
        if r.chamber_kpa is not None:
            found.append(p.pressure(r.chamber_kpa, first))
    found += [
        p.probe(
            "shield.section",
            RING,
            s.name,
            beyond=(float(s.from_ring), float(s.to_ring)),
            clear=float(s.to_ring + 1),
            faults=outside(RING),
        )
        for s in spec.sections
    ]
    return found


def outside(metric: str) -> tuple[float, ...]:
    """Values ``metric``'s sensor cannot give (a sensor.fault): one below its range, and one above it where it
    has an upper end."""
    low, high = RANGES[metric]
    return (low - 1.0,) if math.isinf(high) else (low - 1.0, high + 1.0)
