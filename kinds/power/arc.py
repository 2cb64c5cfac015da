"""power.arc: the box's fault-arc detector (GB 14287.4; products alarm within 30 s of a series arc, GB
31252-2014 §4.3) reports an arc: an alarm; a second arc alarm within a shift (``arc_repeat_h``) is
critical (practice [U], standards.md §17: "any fault-arc alarm → alarm, repeats within a shift →
critical").

An arc alarm is an event: a detector may report it for one sample only. The alert therefore stands while
the detector reports it and for ``arc_hold_min`` of readings without one after the last that did. A silent
spell while it stands may have hidden an arc: the hold starts again at the first reading after it, so
only readings end it (a silent box never does)."""

from __future__ import annotations

from collections import deque

from contract.alert_event import Level
from kinds.power.clauses import JGJT46
from kinds.power.thresholds import PowerRule
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "power.arc"
BASE = f"{JGJT46} 第4章 配电装置；GB 14287.4 故障电弧探测器、GB 31252-2014 第4.3条：故障电弧是电气火灾的起因"
CLAUSES = {
    "alarm": f"{BASE}，报警即查" + PRACTICE_ZH,
    "critical": f"{BASE}，一个班次内重复报警" + PRACTICE_ZH,
}


class PowerArc:
    """Per box: its arc alarms of the last shift and the last sample that reported one."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._events: dict[str, deque[float]] = {}  # each arc alarm's start, within the shift
        self._on: dict[str, bool] = {}
        self._last: dict[str, float] = {}  # the last reading of an arc (or the first after a silence)
        self._seen: dict[str, float] = {}  # the last reading

    def evaluate(
        self,
        device: str,
        name: str,
        cfg: PowerRule,
        alarm: float,
        gap_s: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one sample (``alarm`` the detector's last reported state, 1: an arc); readings
        more than ``gap_s`` apart have a silence between them."""
        events = self._events.setdefault(device, deque())
        on = alarm >= 0.5
        silent = ts - self._seen.get(device, ts) > gap_s
        self._seen[device] = max(ts, self._seen.get(device, ts))
        if on:
            if not self._on.get(device, False):
                events.append(ts)  # a new arc alarm: its start
            self._last[device] = ts
        elif silent and self._memory.get(device) is not None:
            self._last[device] = ts
        self._on[device] = on
        while events and ts - events[0] > cfg.arc_repeat_h * 3600:
            events.popleft()
        last = self._last.get(device)
        level: Level | None = None
        if last is not None and (on or ts - last < cfg.arc_hold_min * 60):
            level = "critical" if len(events) >= 2 else "alarm"

        def build() -> RuleResult:
            count = len(events)
            what = (
                f"{name} 故障电弧报警（本班次第 {count} 次）"
                if level
                else f"{name} 故障电弧报警已过 {cfg.arc_hold_min:g} 分钟"
            )
            what_en = (
                f"{name} fault arc alarm ({count} this shift)"
                if level
                else f"{name} no fault arc for {cfg.arc_hold_min:g} min"
            )
            action, action_en = (
                ("立即断开该回路，电工检查并更换打火的接线、插头和电缆，查明前不得送电", "isolate the circuit now; have an "
                 "electrician find and replace the arcing joint, plug or cable before power is restored")
                if level == "critical"
                else ("电工检查该箱回路的接线端子、插头和电缆有无打火、破损", "have an electrician check the circuit's "
                      "terminals, plugs and cables for arcing or damage")
            )  # fmt: skip
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSES[level or "alarm"],
                value=float(count),
                threshold=2.0 if level == "critical" else 1.0,
                unit="次",
                message=pick(level, what, action),
                message_en=pick_en(level, what_en, action_en),
                details={"arcs_in_shift": count},
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)


def history_s(cfg: PowerRule) -> float:
    """A shift's arc alarms."""
    return cfg.arc_repeat_h * 3600
