"""The limit probes of the slope's crack rules (rules/probes.py; tests/rules/test_all_clear.py): slope.crack_width
on the first support crack point, slope.crack_growth on the first ground or building crack point, their values
worked out from the points' design values and ``rules.slope``."""

from __future__ import annotations

from contract.config.rules import SensorFaultRule
from kinds.slope.cracks import growth, support_crack
from kinds.slope.kind import SlopeDevice, SlopePoint
from kinds.slope.ranges import OWN_RANGES
from kinds.slope.thresholds import SlopeRule
from rules.probes import Probe

FIRST_MM = 1.0  # a growing crack's first reading, its baseline where the site file gives none


def crack_probes(dev: SlopeDevice, cfg: SlopeRule, faults: SensorFaultRule, interval: float) -> list[Probe]:
    """The first support crack's width and the first growing crack's growth, each where the slope has one."""
    lo, hi = faults.ranges.get("crack_mm", OWN_RANGES["crack_mm"])
    out = (lo - 10.0, hi + 10.0)  # what its meter cannot read
    found: list[Probe] = []
    support = next((p for p in dev.slope.points if support_crack(p) is not None), None)
    if support is not None:
        found.append(_width(dev, support, cfg, out, interval))
    grows = next((p for p in dev.slope.points if growth(p, cfg) is not None), None)
    if grows is not None:
        found.append(_growth(dev, grows, cfg, out, interval))
    return found


def _width(
    dev: SlopeDevice, point: SlopePoint, cfg: SlopeRule, out: tuple[float, float], interval: float
) -> Probe:
    """A support crack's width reaching (达到: on a line is over it) its pre-warning and its allowable, beyond
    it, inside the pre-warning's clearing band, and past it."""
    crack = support_crack(point)
    assert crack is not None
    band = cfg.hysteresis_pct / 100
    warn = crack.allowable * cfg.warning_fraction
    return Probe(
        "slope.crack_width",
        dev.id,
        "crack_mm",
        point=point.code,
        interval_s=interval,
        faults=out,
        beyond=(warn, crack.allowable, crack.allowable * 1.5),
        hold=(warn * (1 - band / 2),),
        clear=warn * (1 - band) * 0.9,
    )


def _growth(
    dev: SlopeDevice, point: SlopePoint, cfg: SlopeRule, out: tuple[float, float], interval: float
) -> Probe:
    """A ground or building crack grown more than (大于) its line above its baseline, inside the clearing band,
    and back below it; without a baseline in the site file its first reading, read before the probe's values,
    is the baseline."""
    crack = growth(point, cfg)
    assert crack is not None
    band = cfg.hysteresis_pct / 100
    base = point.baseline_mm if point.baseline_mm is not None else FIRST_MM
    # two intervals before the first value: the suite sends its setup one interval before
    earlier = (
        () if point.baseline_mm is not None else ((2 * interval, dev.id, point.code, {"crack_mm": base}),)
    )
    return Probe(
        "slope.crack_growth",
        dev.id,
        "crack_mm",
        point=point.code,
        interval_s=interval,
        earlier=earlier,
        faults=out,
        beyond=(base + crack.line * 1.5, base + crack.line * 5),
        hold=(base + crack.line * (1 - band / 2),),
        clear=base + crack.line * (1 - band) * 0.5,
    )
