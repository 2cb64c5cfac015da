"""The slope's rules over one stream of readings (the live one, or a logger's history): which rule judges which
metric of which point, and what each keeps of the point between readings (the order, an inclinometer's depth;
a water level's or a crack's baseline is the site's, rules/baselines.py)."""

from __future__ import annotations

from contract.readings import Reading
from kinds.slope.anchor import Anchor
from kinds.slope.building import Building
from kinds.slope.building_rate import BuildingRate
from kinds.slope.crack_growth import CrackGrowth
from kinds.slope.crack_width import CrackWidth
from kinds.slope.cracks import growth, support_crack
from kinds.slope.cumulative import Cumulative
from kinds.slope.kind import DISPLACEMENTS, SlopePoint, SlopeSpec
from kinds.slope.limits import BuildingMetric, anchor_band, building_limits, displacement_limits
from kinds.slope.rain import Rain
from kinds.slope.rate import Rate
from kinds.slope.thresholds import SlopeRule
from kinds.slope.water import Water
from rules.baselines import Baselines
from rules.result import RuleResult


class SlopeRules:
    """slope.cumulative, slope.rate, slope.water, slope.rain, slope.building, slope.building_rate and
    slope.anchor, with the state of every point; slope.crack_width and slope.crack_growth too."""

    def __init__(self, baselines: Baselines) -> None:
        """``baselines``: the site's first-reading baselines (rules/baselines.py), where the site file gives a
        water level or a crack none; shared with the other stream's rules (a logger's history is measured from
        the baseline the live readings took, and the live ones from the history's if first)."""
        self.cumulative = Cumulative()
        self.rate = Rate()
        self.water = Water()
        self.rain = Rain()
        self.building = Building()
        self.building_rate = BuildingRate()
        self.anchor = Anchor()
        self.crack_width = CrackWidth()
        self.crack_growth = CrackGrowth()
        self._last_ts: dict[tuple[str, str, str], float] = {}
        self.baselines = baselines
        self._depths: dict[tuple[str, str], float] = {}

    def families(self) -> tuple[object, ...]:
        """The objects holding the rules' level memories (re-armed after a warm-up)."""
        return (
            self.cumulative.alerts,
            self.rate.alerts,
            self.water,
            self.rain,
            self.building.alerts,
            self.building_rate.alerts,
            self.anchor,
            self.crack_width,
            self.crack_growth,
        )

    def in_order(self, device: str, r: Reading) -> bool:
        """Whether ``r`` is later than the last reading of its series judged here (then it is the last)."""
        key = (device, r.point, r.metric)
        last = self._last_ts.get(key)
        if last is not None and r.ts <= last:
            return False
        self._last_ts[key] = r.ts
        return True

    def judge(
        self,
        spec: SlopeSpec,
        point: SlopePoint,
        name: str,
        cfg: SlopeRule,
        r: Reading,
        value: float,
        backfill: bool,
    ) -> list[RuleResult]:
        """The verdicts of one valid reading ``value`` of ``r``'s metric at ``point``."""
        device, code, metric = r.device, point.code, r.metric
        found: list[RuleResult | None] = []
        displacement = next((m for m in DISPLACEMENTS if m == metric), None)
        if displacement is not None:
            limits = displacement_limits(spec, point, displacement, cfg)
            depth = self._depths.get((device, code)) if metric == "incl_mm" else None
            found.append(
                self.cumulative.judge(device, name, code, metric, limits, cfg, value, r.ts, backfill, depth)
            )
            found.append(
                self.rate.judge(
                    device, name, code, metric, limits, cfg, value, r.ts, point.interval_s, backfill
                )
            )
        elif metric == "incl_depth_m":
            self._depths[(device, code)] = value  # told with the next displacement of the point
        elif metric == "water_level_m" and point.rise_m is not None:  # none: check-config asks for it
            baseline = point.baseline_m
            if baseline is None:
                baseline = self.baselines.first(device, code, metric, value, r.ts)
            found.append(
                self.water.judge(device, name, code, point.rise_m, cfg, value, baseline, r.ts, backfill)
            )
        elif metric == "rain_mm":
            found.append(self.rain.judge(device, name, code, cfg, value, r.ts, point.interval_s, backfill))
        elif metric in ("bldg_settle_mm", "bldg_tilt"):
            found += self._building(point, name, cfg, r, value, backfill)
        elif metric == "anchor_kn" and (band := anchor_band(point)) is not None:  # none: check-config asks
            found.append(self.anchor.judge(device, name, code, band, cfg, value, r.ts, backfill))
        elif metric == "crack_mm":
            found.append(self._crack(point, name, cfg, r, value, backfill))
        return [f for f in found if f is not None]

    def _building(
        self, point: SlopePoint, name: str, cfg: SlopeRule, r: Reading, value: float, backfill: bool
    ) -> list[RuleResult | None]:
        """A building point's settlement or tilt against its allowable, and its tilt's daily rate (its own
        line, 0.00008 a day: it needs no allowable)."""
        device, code = r.device, point.code
        found: list[RuleResult | None] = []
        metric: BuildingMetric = "bldg_settle_mm" if r.metric == "bldg_settle_mm" else "bldg_tilt"
        limits = building_limits(point, metric, cfg)  # none: check-config asks for the allowable
        if limits is not None:
            found.append(self.building.judge(device, name, code, metric, limits, cfg, value, r.ts, backfill))
        if metric == "bldg_tilt":
            found.append(
                self.building_rate.judge(device, name, code, cfg, value, r.ts, point.interval_s, backfill)
            )
        return found

    def _crack(
        self, point: SlopePoint, name: str, cfg: SlopeRule, r: Reading, value: float, backfill: bool
    ) -> RuleResult | None:
        """A crack's width: a support crack's against its allowable, a ground or building crack's growth above
        its baseline (the first survey's, else its first reading judged). None without its place or allowable
        (check-config asks for them)."""
        device, code = r.device, point.code
        if (crack := support_crack(point)) is not None:
            return self.crack_width.judge(device, name, code, crack, cfg, value, r.ts, backfill)
        if (grows := growth(point, cfg)) is None:
            return None
        baseline = point.baseline_mm
        if baseline is None:
            baseline = self.baselines.first(device, code, r.metric, value, r.ts)
        return self.crack_growth.judge(device, name, code, grows, cfg, value, baseline, r.ts, backfill)
