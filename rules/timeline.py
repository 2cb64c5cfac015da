"""A window of (ts, value) pairs in time order, kept compact: two arrays of doubles and a start index.

The pit rate rule keeps a day and more of each series (and two days of its rates) and asks, at every
reading, for the last value at or before an instant a window back. A deque of tuples costs about 80 bytes a
pair and a walk from its start for each question; this keeps 16 bytes a pair and answers by bisection, so a
data logger flushing a day's backlog at once neither fills the gateway's memory nor slows each reading down.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right


class Timeline:
    """(ts, value) pairs appended in ts order, dropped from the old end."""

    __slots__ = ("_start", "_ts", "_values")

    def __init__(self) -> None:
        self._ts = array("d")
        self._values = array("d")
        self._start = 0  # pairs before it are dropped (compacted away once they are a quarter of the arrays)

    def __len__(self) -> int:
        return len(self._ts) - self._start

    def append(self, ts: float, value: float) -> None:
        """Add a pair at the new end (``ts`` not before the last one's)."""
        self._ts.append(ts)
        self._values.append(value)

    def drop_before(self, ts: float) -> None:
        """Drop every pair older than ``ts`` (a pair at ``ts`` stays)."""
        self._start = bisect_left(self._ts, ts, self._start)
        # Compacted once a quarter is dropped, not a half: a pit's windows are the largest thing the rules
        # hold under a long backlog (issue #55: 7.4 MB of arrays after 150,000 messages of 40 points), and
        # at a half the dropped pairs could double them; moving three quarters at every quarter's drop
        # costs three pairs moved per pair appended, a memmove.
        if self._start > 1024 and self._start * 4 > len(self._ts):
            del self._ts[: self._start]
            del self._values[: self._start]
            self._start = 0

    def at_or_before(self, ts: float) -> tuple[float, float] | None:
        """The last pair whose ts is at or before ``ts`` (None: none kept is)."""
        i = bisect_right(self._ts, ts, self._start) - 1
        return None if i < self._start else (self._ts[i], self._values[i])
