"""personnel.attendance: the project manager must be on site leading the work for at least 80 % of
each month's working time (建质〔2011〕111号, article [U]). The share is counted over the working
hours of the site's local days since the month began (or since the gateway's memory of it began:
the rules' warm-up window, said in the alert), and a warning is raised once at least one full
working day has been counted and the share is below the limit (不少于 80 %: exactly 80 % is enough)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import partial

from contract.alert_event import Level
from rules.levels import LevelMemory, crosses
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "personnel.attendance"
CLAUSE = "建质〔2011〕111号 项目负责人每月带班生产时间不得少于本月施工时间的80%（条款号待核）"
POINT = "project_manager"


def working_seconds(a: float, b: float, tz: tzinfo, hours: tuple[int, int]) -> float:
    """Seconds of [a, b) that fall inside the daily working hours [start, end) of zone ``tz``."""
    if b <= a:
        return 0.0
    total = 0.0
    day = datetime.fromtimestamp(a, UTC).astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    while day.timestamp() < b:
        lo = max(a, (day + timedelta(hours=hours[0])).timestamp())
        hi = min(b, (day + timedelta(hours=hours[1])).timestamp())
        total += max(0.0, hi - lo)
        day += timedelta(days=1)
    return total


class PersonnelAttendance:
    """The project manager's share of this month's working time on site."""

    def __init__(self, utc_offset_h: float) -> None:
        self._tz = timezone(timedelta(hours=utc_offset_h))
        self._month: tuple[int, int] | None = None
        self._since = 0.0
        self._last: float | None = None
        self._work_s = 0.0
        self._present_s = 0.0
        self._memory = LevelMemory()
        # the instants well inside _month (a millisecond short of either end, where fromtimestamp's
        # microsecond rounding could tip an instant over), and the local day last counted: a tick every
        # second inside them needs no date worked out, which cost more than the rest of the rules' tick
        self._in_month = (math.inf, -math.inf)
        self._day = (math.inf, -math.inf)

    def resume(self, now: float) -> None:
        """The gateway's own downtime is not counted: the next interval starts at ``now``."""
        self._last = now

    def clock_stepped(self, step_s: float, now: float) -> None:
        """The wall clock was stepped by ``step_s`` and reads ``now``: the step is not time worked or present."""
        if self._last is not None:
            self._last = min(self._last + step_s, now)

    def advance(self, now: float, pm_on_site: bool, hours: tuple[int, int]) -> None:
        """Count the time since the last call (the manager's presence held through it)."""
        if not self._in_month[0] < now < self._in_month[1]:
            local = datetime.fromtimestamp(now, UTC).astimezone(self._tz)
            month = (local.year, local.month)
            first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            if month != self._month:
                start = first.timestamp()
                self._month, self._work_s, self._present_s = month, 0.0, 0.0
                self._since = max(start, self._last if self._last is not None else now)
                self._last = max(start, self._last if self._last is not None else now)
            following = (first + timedelta(days=32)).replace(day=1)
            self._in_month = (first.timestamp() + 0.001, following.timestamp() - 0.001)
        if self._last is None or now <= self._last:
            self._last = max(now, self._last or now)
            return
        counted = self._working(self._last, now, hours)
        self._work_s += counted
        if pm_on_site:
            self._present_s += counted
        self._last = now

    def _working(self, a: float, b: float, hours: tuple[int, int]) -> float:
        """:func:`working_seconds` of [a, b): within the local day last counted (a well inside it), the
        same arithmetic on that day's midnight without working out its date."""
        midnight, next_midnight = self._day
        if midnight <= a < next_midnight - 0.001 and a < b <= next_midnight:
            lo = max(a, midnight + hours[0] * 3600)
            hi = min(b, midnight + hours[1] * 3600)
            return max(0.0, hi - lo)
        day = datetime.fromtimestamp(b, UTC).astimezone(self._tz)
        start = day.replace(hour=0, minute=0, second=0, microsecond=0)
        self._day = (start.timestamp(), (start + timedelta(days=1)).timestamp())
        return working_seconds(a, b, self._tz, hours)

    def evaluate(self, device: str, now: float, limit: float, hours: tuple[int, int]) -> RuleResult | None:
        """The warning, once a full working day has been counted and the share is below ``limit``."""
        day_s = (hours[1] - hours[0]) * 3600
        if self._work_s < day_s:
            return None
        share = self._present_s / self._work_s
        current = self._memory.get(device, POINT)
        # clear only a point above the limit, so a share hovering on it does not flap
        below = crosses(share, limit, higher_is_worse=False, strict=True)
        level: Level | None = "warning" if below or (current and share < limit + 0.02) else None
        if level is None and current is None:
            return None
        since = datetime.fromtimestamp(self._since, UTC).astimezone(self._tz).strftime("%Y-%m-%d %H:%M")
        return self._memory.report(
            device, POINT, level, partial(self._result, device, level, share, limit, since, now)
        )

    def _result(
        self, device: str, level: Level | None, share: float, limit: float, since: str, ts: float
    ) -> RuleResult:
        hours = self._work_s / 3600
        what = f"本月（自 {since} 起 {hours:.0f} 个施工小时）项目负责人在岗率 {share:.0%}，要求不低于 {limit:.0%}"
        what_en = f"project manager on site {share:.0%} of this month's {hours:.0f} working hours since {since} (at least {limit:.0%})"
        return RuleResult(
            rule=RULE,
            device=device,
            point=POINT,
            level=level,
            ts=ts,
            clause=CLAUSE,
            value=round(share * 100, 1),
            threshold=round(limit * 100, 1),
            unit="%",
            message=pick(level, what, "项目负责人应保证带班时间；离岗须经建设单位同意并指定代理人"),
            message_en=pick_en(
                level,
                what_en,
                "the manager must lead on site; absence needs the client's approval and a deputy",
            ),
            details={"since": since, "working_h": round(hours, 1)},
        )
