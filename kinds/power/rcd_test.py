"""power.rcd_test: the box's RCD not tested (试跳) within the interval, or its test not tripping it.

standards.md §17 keeps the daily test-button check (试跳) as a checklist item [practice]; a monitor reports
the test it sees as ``rcd_test`` (1: the RCD tripped on its test, 2: the test did not trip it). The interval
is the site's (``rcd_test_interval_h``, practice: one working day taken as 24 h, measured from the last test
that tripped, so it needs no shift times or calendar).

- warning: no test that tripped the RCD for longer than the interval (strictly: a test exactly one interval
  ago is on time). Silence never counts as a test done: a box's clock starts at its first reading (sitegw
  cannot know of a test before it listened), a silent spell only lengthens the wait, and only a reading of
  a test ends it.
- critical: the monitor reports a test that did not trip the RCD (漏电保护器试跳不动作): the protection the
  two-level system rests on is gone (JGJ/T 46-2024 §3.3). Only a later test that trips it ends the alert.

The wait is measured on the box's own stamps (the test's and the sample's), never against the gateway's
clock. A restart leaves the gateway's own downtime out of the wait of a box not firing (a test then could not
be heard, rules/heard.py), and restarts no wait; one firing at the stop goes on firing until a test that trips
it is read."""

from __future__ import annotations

import math
from functools import partial

from contract.alert_event import Level
from kinds.power.clauses import RCD, TWO_LEVEL_2005
from kinds.power.kind import TEST_FAILED, TEST_PASSED
from kinds.power.thresholds import PowerRule
from rules.heard import Stop
from rules.levels import LevelMemory, crosses
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "power.rcd_test"
CLAUSES = {
    "warning": f"{RCD}：漏电保护器应每日按试验按钮试跳，确认动作可靠并记录" + PRACTICE_ZH,
    "critical": f"{RCD}：漏电保护器试跳不动作即失去剩余电流保护，应立即停用更换；{TWO_LEVEL_2005}",
}
ACTIONS: dict[str, tuple[str, str]] = {
    "warning": (
        "电工按漏电保护器试验按钮试跳，确认动作后就地合闸并记录；试跳不动作立即停用更换",
        "have an electrician press the RCD's test button, close it on site once it tripped and record it; "
        "if it does not trip, take it out of service and replace it",
    ),
    "critical": (
        "立即停止该箱供电的全部作业，就地断开上级电源，更换漏电保护器并试跳合格后方可送电",
        "stop all work the box feeds, switch off the supply above it on site, and replace the RCD and test it "
        "before power is restored",
    ),
}


class PowerRcdTest:
    """Per box: when its clock started, its last test that tripped the RCD, and a failed test since."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        # the box's first reading (after a restart: moved on by the downtime)
        self._start: dict[str, float] = {}
        self._passed: dict[str, float] = {}  # the last reading of a test that tripped the RCD
        self._failed: dict[str, float] = {}  # a reading of a test that did not, with no test passed since

    def passed_at(self, device: str) -> float | None:
        """The stamp of the box's last test that tripped its RCD (None: none read)."""
        return self._passed.get(device)

    def evaluate(
        self, device: str, name: str, cfg: PowerRule, test: int | None, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The verdict of one sample of the box: ``test`` the test it reports (None: none reported, or a
        reading that is no proof, stale or faulty, which the engine keeps from the sample)."""
        start = self._start.setdefault(device, ts)
        passed = self._passed.get(device, -math.inf)
        if test == TEST_PASSED:
            passed = self._passed[device] = max(passed, ts)
            if self._failed.get(device, math.inf) <= ts:
                del self._failed[device]
        elif test == TEST_FAILED and ts >= passed:  # a late failure older than a pass is over
            self._failed[device] = ts
        interval_s = cfg.rcd_test_interval_h * 3600
        waited = ts - max(start, passed)
        level: Level | None = None
        if device in self._failed:
            level = "critical"
        elif crosses(waited, interval_s, strict=True):  # older than the interval: on it is on time
            level = "warning"
        if level is None and self._memory.quiet(device):
            return None
        known = passed > -math.inf
        build = partial(_result, device, name, level, waited, cfg.rcd_test_interval_h, known, ts, backfill)
        return self._memory.report_later(
            RULE, device, "", level, ts, backfill, build, round(waited / 3600, 1)
        )

    def restart(self, stop: Stop, now: float) -> None:
        """After a warm-up (``now``: the restart): the wait of a box not firing leaves out the downtime since the
        warm-up's last instant (a test then could not be heard, and a restart restarts no wait: restarts more
        often than the interval must not hide an RCD never tested); one firing at the ``stop`` goes on from the
        wait it showed, so nothing but a test ends it."""
        stop.rule(RULE, self._memory)
        until = now if stop.until is None else stop.until
        down = max(0.0, now - until)
        for device, start in list(self._start.items()):
            if self._memory.get(device) is None:
                self._start[device] = max(start, self._passed.get(device, -math.inf)) + down
        for (rule, device, _), (level, shown_h) in stop.firing.items():
            if rule != RULE or device in self._start:
                continue  # the warm-up found it (its own wait goes on) or it is another rule's
            self._start[device] = until - shown_h * 3600
            if level == "critical":
                self._failed[device] = self._start[device]


def _result(
    device: str,
    name: str,
    level: Level | None,
    waited_s: float,
    interval_h: float,
    known: bool,
    ts: float,
    backfill: bool,
) -> RuleResult:
    hours = waited_s / 3600
    if level == "critical":
        what, what_en = f"{name} 漏电保护器试跳不动作", f"{name}: its RCD did not trip on its test"
    elif level:
        since = "距上次试跳动作" if known else "自开始监测起未收到试跳记录，已"
        since_en = "since its last test trip" if known else "since monitoring began, no test read"
        what = f"{name} 漏电保护器超过 {interval_h:g} 小时未试跳（{since} {hours:.1f} 小时）"
        what_en = f"{name}: its RCD not tested for over {interval_h:g} h ({hours:.1f} h {since_en})"
    else:
        what, what_en = f"{name} 漏电保护器试跳", f"{name} RCD test"
    action, action_en = ACTIONS[level or "warning"]
    return RuleResult(
        rule=RULE,
        device=device,
        point="",
        level=level,
        ts=ts,
        clause=CLAUSES[level or "critical"],
        # hours since the last test: a clock that grows by itself, so no limit is given (an alert with one
        # would send the regulator an update at every tenth of it, telling nothing the alert's span does not)
        value=round(hours, 1),
        unit="h",
        message=pick(level, what, action),
        message_en=pick_en(level, what_en, action_en),
        details={"interval_h": interval_h, "tested": "yes" if known else "no"},
        backfill=backfill,
    )


def history_s(cfg: PowerRule) -> float:
    """The interval: the warm-up replays the box's last test."""
    return cfg.rcd_test_interval_h * 3600
