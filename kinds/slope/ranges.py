"""The physical ranges of the slope's metrics that the site-wide ``rules.sensor_fault.ranges`` has no default
for: a reading outside one is a sensor.fault (kinds/slope/judge.py), and the limit probes read past them
(kinds/slope/probes.py)."""

from __future__ import annotations

# the ranges of the metrics the site-wide sensor_fault section has no default for (practice): a report's rain
# above 500 mm (a day's world record is about 1800 mm, an hour's 300), a depth no inclinometer pipe reaches, a
# building's settlement as a pit's (settle_mm), and a tilt of 0.2 (11°: a building that far over has fallen;
# a tilt meter's ±15° reads past it only when broken or knocked off)
OWN_RANGES: dict[str, tuple[float, float]] = {
    "rain_mm": (0.0, 500.0),
    "incl_depth_m": (0.0, 200.0),
    "bldg_settle_mm": (-500.0, 500.0),
    "bldg_tilt": (-0.2, 0.2),
    # a crack's width: a wire crack meter spans a ground crack to hundreds of mm; a meter on a hairline crack
    # reads its noise a little below zero, a millimetre below is no width
    "crack_mm": (-1.0, 500.0),
}
