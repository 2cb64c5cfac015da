"""Named hazard scenarios shared by the crane and wind simulators."""

from __future__ import annotations

from enum import StrEnum


class Scenario(StrEnum):
    """What the simulated site does.

    - ``normal``: lifts at 30-85 % of the rated load, wind below Beaufort 6 (< 10.8 m/s);
    - ``overload``: the first lift (hoisted within ~20 s) and every fourth after it carry 104-115 %
      of the rated load at their radius;
    - ``high_wind``: wind building up, gusts above 13.8 m/s for ~10 s from t = 20 s, then
      at or above 20.8 m/s (Beaufort 9) for ~8 s from t = 45 s, repeating every 90 s.
    """

    NORMAL = "normal"
    OVERLOAD = "overload"
    HIGH_WIND = "high_wind"
