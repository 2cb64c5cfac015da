"""crane.recalibration: after a jacking window (顶升、加节、降节) closes, the crane's limiters must be re-adjusted and
tested for the jib's new height (docs/standards.md §10: "After the window: verticality (§1) and limiter
re-calibration reminders"): the hoisting-height limiter (起升高度限位器), the load and moment limiters (GB 5144-2006
§6.1.2, §6.2.1, standards.md §1) and the other safety devices. Verticality is a check the window's closing
requires (gateway/site/jacking.py); the limiters' re-calibration is this reminder.

The site records it as the crane's ``limiters_recalibrated`` reading (1: re-adjusted and tested), published by
the gateway when a supervisor closes the window with ``limiters_recalibrated: true`` or records it later (``sitegw
jacking recalibrated``), stored and replayed like the window's own reading. A window closed with no record of it
since the window opened is a warning until one comes: nothing else clears it (the crane's silence, a 0, a stale
or broken reading, the next window), and a restart holds it while firing (rules/heard.py ``Stop``).
"""

from __future__ import annotations

import math
from functools import partial

from contract.alert_event import Level
from kinds.crane.kind import JACKING, LIMITERS
from rules.heard import Stop
from rules.levels import LevelMemory
from rules.probes import Probe
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "crane.recalibration"
CLAUSE = (
    "GB 5144-2006 安全装置：起重量限制器（第6.1.2条）、起重力矩限制器（第6.2.1条）等应齐全有效；顶升加节改变起重臂"
    "高度后，起升高度限位器、起重量与起重力矩限制器等安全装置应重新调整并试验（docs/standards.md §10：顶升窗口关闭后"
    "提示限位器重新调试，提示为行业惯例，非标准条文）"
)
ACTION = (
    "对起升高度限位器、起重量限制器、起重力矩限制器等安全装置按新高度重新调整并试验，合格后记录"
    "（sitegw jacking recalibrated）再投入吊装"
)
ACTION_EN = (
    "re-adjust and test the hoisting-height limiter, the load and moment limiters and the other safety devices "
    "for the new height, then record it (sitegw jacking recalibrated) before lifting"
)


class Recalibration:
    """Per crane: when its window opened, the window closed that owes a re-calibration, the last one recorded."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._opened: dict[str, float] = {}
        self._owed: dict[str, float] = {}  # the opening of the latest window closed with none recorded since
        self._done: dict[str, float] = {}  # the last re-calibration recorded

    def window(self, device: str, name: str, active: bool, ts: float) -> RuleResult | None:
        """``device``'s jacking window opened (``active``) or closed at ``ts``: a close owes a re-calibration
        recorded since the window opened (at its close at the latest, as the gateway publishes it)."""
        if active:
            self._opened[device] = ts
            return None
        self._owed[device] = self._opened.pop(device, ts)  # its opening unseen: the close's own record counts
        return self._judge(device, name, ts, False)

    def recorded(self, device: str, name: str, value: float, ts: float, backfill: bool) -> RuleResult | None:
        """A ``limiters_recalibrated`` reading: 1 re-adjusted and tested, 0 (a window closed without) not."""
        if value >= 0.5:
            self._done[device] = max(self._done.get(device, -math.inf), ts)
        return self._judge(device, name, ts, backfill)

    def _judge(self, device: str, name: str, ts: float, backfill: bool) -> RuleResult | None:
        owed = self._owed.get(device)
        level: Level | None = None
        if owed is not None and self._done.get(device, -math.inf) < owed:
            level = "warning"
        elif owed is not None:
            del self._owed[device]
        elif self._memory.get(device) is None:
            return None  # nothing owed, nothing firing to end: a record of a crane that owes none
        return self._memory.report(device, "", level, partial(_result, device, name, level, ts, backfill))

    def restart(self, stop: Stop) -> None:
        """After a warm-up: a reminder firing at the stop is held until a re-calibration is recorded, though the
        warm-up's history began after its window closed."""
        stop.rule(RULE, self._memory)
        for (rule, device, _), _shown in stop.firing.items():
            if rule == RULE and device not in self._owed:
                self._owed[device] = -math.inf  # any record from now on is after it


def _result(device: str, name: str, level: Level | None, ts: float, backfill: bool) -> RuleResult:
    if level:
        what = f"{name}顶升作业窗口已关闭，起重臂高度改变后限位器未记录重新调试"
        what_en = f"{name}: jacking window closed, the limiters not recorded re-calibrated for the new height"
    else:
        what, what_en = f"{name}限位器已记录重新调试", f"{name}: limiters recorded re-calibrated"
    return RuleResult(
        rule=RULE,
        device=device,
        point="",
        level=level,
        ts=ts,
        clause=CLAUSE,
        message=pick(level, what, ACTION),
        message_en=pick_en(level, what_en, ACTION_EN),
        backfill=backfill,
    )


def recalibration_probe(device: str, interval_s: float) -> Probe:
    """A jacking window opened, then closed with the limiters not recalibrated (the close's own 0): the reminder
    fires and holds through every record of 0 and every missing or broken reading, and a record of 1 ends it."""
    return Probe(
        RULE,
        device,
        LIMITERS,
        earlier=((3 * interval_s, device, "", {JACKING: 1.0}),),
        setup=((device, "", {JACKING: 0.0}),),
        interval_s=interval_s,
        beyond=(0.0,),
        clear=1.0,
    )
