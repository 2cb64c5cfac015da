"""formwork.silent: during a pour every point must report at least twice a minute
(DBJ/T 15-197-2020 §7.0.3); a point silent for longer than the configured time (60 s) while
concrete goes in is an alarm, since the monitoring that should stop the pour has gone blind.
Outside a pour the ordinary device.offline rule applies.

A pour is the formwork device's ``pour_active`` metric (1 from the moment a supervisor starts it,
0 when it ends): stored and replayed like any reading, so ``sitegw replay`` judges pours too.
"""

from __future__ import annotations

from functools import partial

from contract.alert_event import Level
from contract.config.site import SiteConfig
from rules.heard import HeardTimes, Stop
from rules.levels import LevelMemory, crosses
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "formwork.silent"
CLAUSE = "DBJ/T 15-197-2020 第7.0.3条 浇筑期间监测频率不少于每分钟2次；测点超时无数据即监测失效"
POUR_METRIC = "pour_active"


class FormworkSilent:
    """Points silent during a pour, per formwork device. A silence is measured on the gateway's clock, from
    when it heard the pour start and each point (rules/heard.py): the stamps are the formwork box's clock."""

    def __init__(self) -> None:
        self._pouring: set[str] = set()  # the devices with a pour under way
        # (device, point): when the point was last heard, or its pour heard to start if later (its clock starts)
        self._seen = HeardTimes()
        self._memory = LevelMemory()

    def pouring(self, device: str) -> bool:
        """Is a pour under way on ``device``?"""
        return device in self._pouring

    def set_pour(
        self, device: str, name: str, points: list[str], active: bool, ts: float, at: float
    ) -> list[RuleResult]:
        """A pour starts (every point's clock starts when it was heard, ``at``) or ends (every silence alert
        clears, stamped ``ts``)."""
        if active == (device in self._pouring):
            return []
        if active:
            self._pouring.add(device)
            for code in points:
                self._seen.hear((device, code), at)
            return []
        self._pouring.discard(device)
        return [r for code in points if (r := self._clear(device, name, code, ts)) is not None]

    def seen(self, device: str, name: str, point: str, ts: float, at: float) -> RuleResult | None:
        """A reading of ``point`` stamped ``ts``, heard at ``at``: its silence (if any) is over."""
        self._seen.hear((device, point), at)
        return self._clear(device, name, point, ts)

    def clock_stepped(self, step_s: float, now: float) -> None:
        """The wall clock was stepped by ``step_s`` and reads ``now``: a pour's silences are measured
        across the step."""
        self._seen.stepped(step_s, now)

    def resume(self, now: float, stop: Stop) -> None:
        """After a warm-up: the gateway's downtime is no point's silence; a pour under way goes on, and so does
        a point's silence whose alarm was firing at the ``stop`` (rules/heard.py)."""
        self._seen.restart(now, stop.rule(RULE, self._memory))

    def tick(
        self, now: float, device: str, name: str, points: list[str], silent_s: float
    ) -> list[RuleResult]:
        """Alarms for points silent longer than ``silent_s`` at ``now`` during a pour."""
        if device not in self._pouring:
            return []
        out: list[RuleResult] = []
        for code in points:
            seen = self._seen.get((device, code))
            if seen is None:
                continue  # not among the points its pour started with: set_pour heard every one
            silent = now - seen
            # silent for longer than silent_s: a point that reports exactly on time is not silent
            if crosses(silent, silent_s, strict=True) and self._memory.get(device, code) is None:
                found = self._memory.report(
                    device,
                    code,
                    "alarm",
                    partial(self._result, device, name, code, "alarm", silent, silent_s, now),
                )
                if found is not None:
                    out.append(found)
        return out

    def _clear(self, device: str, name: str, point: str, ts: float) -> RuleResult | None:
        if self._memory.get(device, point) is None:
            return None
        return self._memory.report(
            device, point, None, partial(self._result, device, name, point, None, 0.0, 0.0, ts)
        )

    @staticmethod
    def _result(
        device: str, name: str, point: str, level: Level | None, silent: float, limit: float, ts: float
    ) -> RuleResult:
        what = f"{name} 测点 {point} 浇筑中 {silent:.0f} 秒无数据" if level else f"{name} 测点 {point} 数据"
        what_en = (
            f"{name} point {point} silent for {silent:.0f} s during a pour"
            if level
            else f"{name} point {point}"
        )
        return RuleResult(
            rule=RULE,
            device=device,
            point=point,
            level=level,
            ts=ts,
            clause=CLAUSE,
            value=round(silent, 1),
            threshold=limit or None,
            unit="s",
            message=pick(level, what, "暂停浇筑，恢复监测后方可继续；检查测点供电与通讯"),
            message_en=pick_en(level, what_en, "pause the pour until the point reports again"),
            backfill=False,
        )


POUR_HISTORY_S = 24 * 3600.0  # a floor's pour rarely runs past a day: a restart finds the pour from it


def history_s(site: SiteConfig) -> float:
    """Seconds of history that hold a pour under way (its start) and each point's last reading."""
    return POUR_HISTORY_S if any(d.kind == "formwork" for d in site.devices) else 0.0
