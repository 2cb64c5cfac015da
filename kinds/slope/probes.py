"""The limit probes of the slope's rules (rules/probes.py), worked out from the device's points, its design
values and the site's ``rules.slope``: the guarantee suite (tests/rules/test_all_clear.py) drives each rule
through the first point of the slope that it judges."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from contract.config.rules import SensorFaultRule
from contract.weather import WarningSignal
from kinds.slope.crack_probes import crack_probes
from kinds.slope.kind import POINT_METRICS, SlopeDevice, SlopePoint
from kinds.slope.limits import BuildingMetric, anchor_band, building_limits, displacement_limits
from kinds.slope.ranges import OWN_RANGES
from kinds.slope.thresholds import SlopeRule
from rules.probes import Probe


def slope_probes(dev: SlopeDevice, cfg: SlopeRule, faults: SensorFaultRule, interval: float) -> list[Probe]:
    """slope.cumulative and slope.rate on the first surface point, slope.water on the first water-level point
    with its alarm value, slope.rain on the first rain gauge, slope.building (settlement and tilt) and
    slope.building_rate on the first building point, slope.anchor on the first anchor point, the cracks' rules
    on their first crack points (kinds/slope/crack_probes.py)."""
    found: list[Probe] = []
    band = cfg.hysteresis_pct / 100
    first = {
        kind: next((p for p in dev.slope.points if p.kind == kind), None)
        for kind in ("surface", "water_level", "building", "anchor")
    }
    surface, water = first["surface"], first["water_level"]
    building, anchor = first["building"], first["anchor"]
    if building is not None:
        found += _building(dev, building, cfg, faults, interval)
    if anchor is not None:
        found += _anchor(dev, anchor, cfg, faults, interval)
    if surface is not None:
        found += _displacement(dev, surface, cfg, faults, interval)
    if water is not None and water.rise_m is not None:
        base = water.baseline_m if water.baseline_m is not None else 0.0
        # no baseline in the site file: the first reading is the baseline, read before the probe's values
        earlier = (
            () if water.baseline_m is not None else ((interval, dev.id, water.code, {"water_level_m": base}),)
        )
        warn = water.rise_m * cfg.warning_fraction
        lo, hi = faults.ranges.get("water_level_m", (-50.0, 10.0))
        found.append(
            Probe(
                "slope.water",
                dev.id,
                "water_level_m",
                point=water.code,
                interval_s=interval,
                earlier=earlier,
                beyond=(base + warn, base + water.rise_m * 1.1),
                hold=(base + warn * (1 - band / 2),),
                clear=base + warn * (1 - band) * 0.9,
                faults=(lo - 10.0, hi + 10.0),
            )
        )
    found += crack_probes(dev, cfg, faults, interval)
    gauge = next((p for p in dev.slope.points if p.kind == "rain_gauge"), None)
    if gauge is not None:
        found.append(
            Probe(
                "slope.rain",
                dev.id,
                "rain_mm",
                point=gauge.code,
                interval_s=interval,
                beyond=(cfg.rain_mm * 1.01, cfg.rain_mm * 2),  # above the line (大于), not at it
                clear=0.0,
                # the rain of the last report above the line leaves the window a window after it fell
                clear_after_s=cfg.rain_window_h * 3600 - interval,
                faults=(-1.0, 501.0),
            )
        )
    return found


# a station sampling every 15 minutes in the rain; the signal outlasts the longest run of the suite's steps (25
# steps of up to 20 silent samples: 125 h), so it ends by its own valid_to only when the suite lets it
SIGNAL_SAMPLE_S = 900.0
SIGNAL_FOR = timedelta(days=6)


def rain_signal_probe(dev: SlopeDevice, utc_offset_h: float) -> Probe:
    """slope.rain_signal: a blue rainstorm signal (the mildest that counts) in force from the morning for six
    days, the slope's rain gauge (else its first point) reading no rain: the slope's readings, missing or
    broken, neither raise it nor clear it; it resolves when the signal expires."""
    morning = datetime(2026, 11, 2, 9, tzinfo=timezone(timedelta(hours=utc_offset_h)))
    until = morning + SIGNAL_FOR
    signal = WarningSignal(
        id="rainstorm-blue",
        type="rainstorm",
        colour="blue",
        valid_from=morning - timedelta(minutes=1),
        valid_to=until,
    )
    point = next((p for p in dev.slope.points if p.kind == "rain_gauge"), dev.slope.points[0])
    return Probe(
        "slope.rain_signal",
        dev.id,
        POINT_METRICS[point.kind][0],
        point=point.code,
        interval_s=SIGNAL_SAMPLE_S,
        beyond=(0.0,),
        clear=0.0,
        signals=(signal,),
        start=morning.timestamp(),
        clear_at=until.timestamp(),
        alert=(dev.id, ""),
    )


def _displacement(
    dev: SlopeDevice, point: SlopePoint, cfg: SlopeRule, faults: SensorFaultRule, interval: float
) -> list[Probe]:
    """The surface point's horizontal displacement: its cumulative value, and its daily rate (a steady
    movement at 1.5 times the rate value, its window the configured rate window)."""
    limits = displacement_limits(dev.slope, point, "disp_h_mm", cfg)
    lo, hi = faults.ranges.get("disp_h_mm", (-500.0, 500.0))
    out = (lo - 100.0, hi + 100.0)
    return [
        _above("slope.cumulative", dev, point, "disp_h_mm", limits.cumulative, cfg, out, interval),
        _rate("slope.rate", dev, point, "disp_h_mm", limits.rate, cfg, out, interval),
    ]


def _rate(
    rule: str,
    dev: SlopeDevice,
    point: SlopePoint,
    metric: str,
    rate: float,
    cfg: SlopeRule,
    out: tuple[float, float],
    interval: float,
) -> Probe:
    """A daily rate's probe (``rate`` a day, kinds/slope/days.py): a steady movement at 1.5 times it, its
    window the configured rate window; ``out`` what its sensor cannot read."""
    band, window_s = cfg.hysteresis_pct / 100, cfg.rate_window_h * 3600
    per_sample = rate * interval / 86400  # a steady movement at the daily rate value
    # once the point stops, the rate over the window falls as the movement leaves it: below the pre-warning's
    # clearing line after this share of the window (from the first still reading)
    line = cfg.warning_fraction * (1 - band) / 1.5
    return Probe(
        rule,
        dev.id,
        metric,
        point=point.code,
        interval_s=interval,
        ramp=True,
        beyond=(per_sample * 1.5,),
        clear=per_sample * 0.1,  # nearly still (never quite: a sensor stuck is a fault)
        clear_after_s=window_s * (1 - line) / (1 - 0.1) - interval,
        fire_after_s=window_s,
        faults=out,
    )


def _above(
    rule: str,
    dev: SlopeDevice,
    point: SlopePoint,
    metric: str,
    alarm: float,
    cfg: SlopeRule,
    out: tuple[float, float],
    interval: float,
) -> Probe:
    """An alarm value a magnitude is above (大于), its pre-warning at the warning fraction of it reached:
    beyond both, inside the pre-warning's clearing band, and past it."""
    band = cfg.hysteresis_pct / 100
    warn = alarm * cfg.warning_fraction
    return Probe(
        rule,
        dev.id,
        metric,
        point=point.code,
        interval_s=interval,
        faults=out,
        beyond=(warn, alarm * 1.1),
        hold=(warn * (1 - band / 2),),
        clear=warn * (1 - band) * 0.9,
    )


def _building(
    dev: SlopeDevice, point: SlopePoint, cfg: SlopeRule, faults: SensorFaultRule, interval: float
) -> list[Probe]:
    """The building point's settlement and tilt against 80 % of their allowables, and its tilt's daily rate
    (0.00008 a day, its ramp at 1.5 times it)."""
    found: list[Probe] = []
    metrics: tuple[BuildingMetric, ...] = ("bldg_settle_mm", "bldg_tilt")
    for metric in metrics:
        lo, hi = faults.ranges.get(metric, OWN_RANGES[metric])
        out = (lo - (hi - lo) / 10, hi + (hi - lo) / 10)
        limits = building_limits(point, metric, cfg)
        if limits is not None:
            found.append(_above("slope.building", dev, point, metric, limits.alarm, cfg, out, interval))
        if metric == "bldg_tilt":
            found.append(
                _rate("slope.building_rate", dev, point, metric, cfg.tilt_rate_d, cfg, out, interval)
            )
    return found


def _anchor(
    dev: SlopeDevice, point: SlopePoint, cfg: SlopeRule, faults: SensorFaultRule, interval: float
) -> list[Probe]:
    """The anchor's load beyond its band's either end (大于 the upper, 小于 the lower), at its pre-warning, inside
    the pre-warning's clearing band, and back at the band's middle."""
    band = anchor_band(point)
    if band is None:
        return []
    clearing = cfg.hysteresis_pct / 100
    warn = band.half * cfg.warning_fraction  # the departure from the middle the pre-warning reaches
    lo, hi = faults.ranges.get("anchor_kn", (-1000.0, 20000.0))
    return [
        Probe(
            "slope.anchor",
            dev.id,
            "anchor_kn",
            point=point.code,
            interval_s=interval,
            faults=(lo - 100.0, hi + 100.0),
            beyond=(
                band.middle + warn,
                band.high + band.half * 0.1,
                band.low - band.half * 0.1,
                band.middle - warn,
            ),
            hold=(band.middle - warn * (1 - clearing / 2), band.middle + warn * (1 - clearing / 2)),
            clear=band.middle,
        )
    ]
