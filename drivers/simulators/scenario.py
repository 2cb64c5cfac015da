"""Named hazard scenarios shared by the crane, wind and hoist simulators."""

from __future__ import annotations

from enum import StrEnum


class Scenario(StrEnum):
    """What the simulated site does.

    - ``normal``: lifts at 30-85 % of the rated load, wind below Beaufort 6 (< 10.8 m/s); hoist
      trips with at most 60 % of the rated persons and 80 % of the rated load, doors closed;
    - ``overload``: the first lift (hoisted within ~20 s) and every tenth after it carry 104-115 %
      of the rated load at their radius;
    - ``high_wind``: one storm every 10 minutes: from t = 30 s the wind swells above 10.8 m/s
      (Beaufort 6) for ~50 s, above 13.8 m/s for ~30 s of it, and falls back below 10 m/s;
    - ``hoist_door`` (hoists only): the cage leaves a landing with the landing door open (door
      state 2) for ~4 s, once around t = 40 s and then about every 5 min; nothing else is wrong;
    - ``hoist_overload`` (hoists only): the first trip (boarding at the ground landing, leaving at
      ~17 s) and then about one trip every 5 min carry 22 persons and 2.3 t (for a 2 t, 20-person
      cage; in general 115 % of the rated load and two persons above the rated number).

    Every scenario keeps the other values normal, so each raises only its own, explainable alerts.
    """

    NORMAL = "normal"
    OVERLOAD = "overload"
    HIGH_WIND = "high_wind"
    HOIST_DOOR = "hoist_door"
    HOIST_OVERLOAD = "hoist_overload"


HOIST_SCENARIOS = frozenset({Scenario.NORMAL, Scenario.HOIST_DOOR, Scenario.HOIST_OVERLOAD})
