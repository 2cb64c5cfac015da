"""The simulators' clock of the site: simulated time that runs faster than real time (a pit's days, an
access gate's shift in minutes), and the site's local time as the boxes print it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

SITE_TZ = timezone(timedelta(hours=8))  # China Standard Time: what the gates print


def site_time(ts: float) -> str:
    """``ts`` (Unix s) as the gate writes it: ISO 8601 in China Standard Time, to the second."""
    return datetime.fromtimestamp(ts, UTC).astimezone(SITE_TZ).isoformat(timespec="seconds")


@dataclass
class SimClock:
    """Simulated time: starts ``history_s`` ago, runs ``time_scale`` times real time, never passes now."""

    time_scale: float
    history_s: float
    real: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        self.real0 = self.real()
        self.start = self.real0 - self.history_s

    def now(self) -> float:
        """Current simulated time (Unix s)."""
        real = self.real()
        return min(self.start + (real - self.real0) * self.time_scale, real)

    def real_wait(self, sim_ts: float) -> float:
        """Real seconds until the simulated clock reaches ``sim_ts``.

        The clock reads min(fast, real), so it reaches ``sim_ts`` once both the fast clock and
        the real one have.
        """
        fast_at = self.real0 + (sim_ts - self.start) / self.time_scale
        return max(0.0, max(fast_at, sim_ts) - self.real())
