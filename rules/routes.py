"""Route: how the engine judges one device's float readings of one metric once its dispatch has found
the way, and the values that would change nothing while the rules behind it are quiet (its quiet band).

Most readings of a working day are quiet: a crane's tilt that does not move, a wind below every
threshold. A rule whose last verdict was clear and that owes the alert manager nothing (LevelMemory's
``quiet``) gives no verdict and changes no state for a value within its band, so the engine passes
such a reading with one comparison instead of the calls that would reach the same nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from contract.readings import Reading
from rules.result import RuleResult

# (reading, value, backfill) -> the reading (marked fault if judged broken) and its verdicts
Judge = Callable[[Reading, float, bool], tuple[Reading, list[RuleResult]]]
Band = tuple[float, float]  # values v with lo <= v < hi
EMPTY: Band = (math.inf, -math.inf)  # holds no value


class Route:
    """One (device, metric)'s judge, and its quiet band while it is open.

    ``band`` is what the rules behind ``judge`` guarantee: a value within it, judged while they are
    quiet, gives no verdict and leaves every state they keep as it was (EMPTY for rules that keep
    something of every reading, such as a pit series' last value). ``lo``/``hi`` are ``band`` while
    the last reading judged left those rules quiet (no verdict, not faulted), else EMPTY: the engine
    sets them after each reading it judges, and empties them when anything else may have made the
    rules owe a report (``RuleEngine.resume``'s rearming).
    """

    __slots__ = ("band", "hi", "judge", "lo")

    def __init__(self, judge: Judge, band: Band = EMPTY) -> None:
        self.judge = judge
        self.band = band
        self.lo, self.hi = EMPTY

    def close(self) -> None:
        """Judge the next reading in full, whatever its value."""
        self.lo, self.hi = EMPTY
