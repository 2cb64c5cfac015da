"""The site's local date at an instant, worked out once a day: the rules that judge papers and
certificates on the site's date ask it at every tick, and ``datetime.fromtimestamp`` with a time zone
cost more than the rest of such a tick."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta, timezone


class SiteDay:
    """The date at an instant in a fixed UTC offset (the site's: no daylight saving), remembered with the
    instants well inside that day (a millisecond short of either end, where the microsecond rounding of
    ``fromtimestamp`` could tip an instant into the next day): an instant between them is on that day."""

    __slots__ = ("_day", "_end", "_start", "tz")

    def __init__(self, utc_offset_h: float) -> None:
        self.tz = timezone(timedelta(hours=utc_offset_h))
        self._day = date.min
        self._start, self._end = math.inf, -math.inf

    def of(self, now: float) -> date:
        """The site's local date at ``now`` (Unix seconds)."""
        if self._start < now < self._end:
            return self._day
        day = datetime.fromtimestamp(now, UTC).astimezone(self.tz).date()
        midnight = datetime.combine(day, time(), self.tz).timestamp()
        self._day, self._start, self._end = day, midnight + 0.001, midnight + 86400 - 0.001
        return day
