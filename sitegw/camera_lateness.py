"""How far behind a camera's analysis is: what the dashboard says of a camera that cannot keep up.

A camera is behind when the picture it judges is older than it should be: a frame analysed more than
``BEHIND_S`` after it was taken (the box cannot decode and analyse every camera in time, and frames wait
in the stream's buffer), or no analysed frame for longer than its rate explains (a stalled worker). The
worst of the last ``WINDOW_S`` seconds is what is shown, so a camera that falls behind now and then is
seen, not only one that is behind at the moment the page asks.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

BEHIND_S = 2.0  # the bound: a frame judged more than 2 s after it was taken is late
WINDOW_S = 10.0


@dataclass
class CameraLateness:
    """One camera's lateness: its analysed frames' (when received, lateness), the last ``WINDOW_S`` kept."""

    fps: float
    clock: Callable[[], float] = time.time
    _recent: deque[tuple[float, float]] = field(default_factory=deque)
    _last: float | None = None

    def frame(self, late_s: float) -> None:
        """An analysed frame arrived, ``late_s`` after it was taken."""
        now = self.clock()
        self._last = now
        self._recent.append((now, late_s))
        while self._recent and self._recent[0][0] < now - WINDOW_S:
            self._recent.popleft()

    def late_s(self) -> float | None:
        """The worst lateness of the last ``WINDOW_S``, or the wait for the next frame past its period when
        that is longer (a stalled worker); None before the first frame."""
        if self._last is None:
            return None
        now = self.clock()
        worst = max((late for t, late in self._recent if t >= now - WINDOW_S), default=0.0)
        return max(worst, now - self._last - 1.0 / self.fps)
