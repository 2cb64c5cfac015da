"""fire_detector.alarm 火灾探测器报警 (alarm): a smoke/heat detector reads 1, or any fraction of it
(docs/standards.md §18, "smoke/heat detector alarm near a just-closed permit → alarm (watch period configurable,
30 min is common practice [U])").

Every alarm is an alarm; what it says depends on the hot work at the detector's place when it began
(kinds/fire_detector/after_work.py), fixed then for as long as it stands:

- within the watch period after a permit there stopped being in force: a suspected rekindling of that work's
  embers, citing GB/T 50720-2011（2025年版）§6.3.1(8) (the place checked after hot work; the operator leaves only
  once no fire risk is confirmed), the watch period marked practice;
- a permit there in force now: a fire at the work, citing §6.3.1(6) (extinguishers and a fire watch at every
  hot-work point), whose watch puts it out;
- neither: a plain detector alarm, which no article of the standards names: checked on the spot (practice).

Only a fresh reading of exactly 0 ends it: the judge passes no stale, faulty or broken reading here, and a silence is
device.offline's, never this rule's all-clear.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from contract.alert_event import Level
from kinds.fire_detector.after_work import NONE, Cause
from kinds.fire_detector.kind import RULE
from rules.hot_work_clauses import art_6_3_1
from rules.hot_work_unclosed import CLAUSE as AFTER_WORK_CLAUSE
from rules.levels import LevelMemory
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

LEVEL: Level = "alarm"
CLAUSE_AFTER = f"{AFTER_WORK_CLAUSE}；动火作业结束后的报警观察期{PRACTICE_ZH}"
CLAUSE_DURING = art_6_3_1(6, "动火作业应配备灭火器材，并应设置动火监护人进行现场监护")
CLAUSE_NONE = (
    f"烟感温感探测器报警即到场核查（该处无在用或观察期内结束的动火许可证，不对应具体标准条文）{PRACTICE_ZH}"
)
ACTION_AFTER = (
    "立即到场核查，扑灭余火，通知动火监护人和安全员；复查动火点及其下层、周边和隐蔽处，确认无火灾危险后方可离开",
    "go there now and put out any embers, call the fire watch and the safety officer; check the spot, the floor "
    "below, around it and hidden spaces, and leave only once no fire risk is confirmed",
)
ACTION_DURING = (
    "立即停止动火，动火监护人用现场灭火器材扑救，火势扩大即报警（119）并疏散；查明起火原因、确认无火灾危险前不得继续动火",
    "stop the hot work now; the fire watch puts the fire out with the extinguishers at hand, or calls 119 and "
    "clears the area if it spreads; no more hot work until the cause is found and no fire risk is confirmed",
)
ACTION_NONE = (
    "立即到场核查有无明火、阴燃，发现火情立即扑救，火势扩大即报警（119）并疏散该处人员",
    "go there now and look for flames or smouldering; fight a fire at once, or call 119 and clear the area if it "
    "spreads",
)


def span_zh(seconds: float) -> str:
    """A duration as an alert reads it: 10 分钟, 29 分 59 秒."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} 分钟" if rest == 0 else f"{minutes} 分 {rest} 秒"


def span_en(seconds: float) -> str:
    """The English twin of :func:`span_zh`: 10 min, 29 min 59 s."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min" if rest == 0 else f"{minutes} min {rest} s"


def _at(name: str, place: str | None) -> str:
    """The detector as an alert names it: 3号楼5层1号烟感（3号楼5层）, its place where it watches one."""
    return name if place is None else f"{name}（{place}）"


def _at_en(name: str, place: str | None) -> str:
    """The English twin of :func:`_at`."""
    return name if place is None else f"{name} ({place})"


class FireDetectorAlarm:
    """Per detector: its alarm's level and the permit it concerns, fixed when it began."""

    def __init__(self, utc_offset_h: float) -> None:
        self._memory = LevelMemory()
        self._causes: dict[str, Cause] = {}
        self._tz = timezone(timedelta(hours=utc_offset_h))

    def evaluate(
        self,
        device: str,
        name: str,
        place: str | None,
        fire: bool,
        find: Callable[[], Cause],
        watch_min: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one fresh reading of the detector at ``place`` (None: no hot-work place) (``fire``:
        it reads above 0, else it reads 0);
        ``find`` gives the hot work at its place at ``ts``, asked only when an alarm begins here: the
        alarm's cause is what it was then, for as long as it stands."""
        level: Level | None = LEVEL if fire else None
        if fire:
            cause = self._causes.get(device)
            if cause is None:
                cause = self._causes[device] = find()
        else:
            cause = self._causes.pop(device, NONE)

        def build() -> RuleResult:
            clause, what, action = self._words(name, place, cause, ts, watch_min)
            if level is None:  # it reads normal again: said of the detector, the cause's clause kept
                what = (
                    f"{_at(name, place)}烟感温感探测器复位",
                    f"{_at_en(name, place)}: smoke/heat detector reset",
                )
            p = cause.permit
            details: dict[str, float | str | list[str]] = {} if place is None else {"place": place}
            if p is not None:
                details["permit"] = p.id
            if cause.ended is not None:
                details["after_work_s"] = ts - cause.ended
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=clause,
                value=1.0 if fire else 0.0,
                threshold=watch_min if cause.after_work else None,
                unit="",
                message=pick(level, what[0], action[0]),
                message_en=pick_en(level, what[1], action[1]),
                details=details,
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)

    def _words(
        self, name: str, place: str | None, cause: Cause, ts: float, watch_min: float
    ) -> tuple[str, tuple[str, str], tuple[str, str]]:
        """(clause, what (Chinese, English), action (Chinese, English)) of an alarm of ``cause``."""
        where = f"{_at(name, place)}烟感温感探测器报警"
        where_en = f"{_at_en(name, place)}: smoke/heat detector alarm"
        p = cause.permit
        if p is None:
            return CLAUSE_NONE, (where, where_en), ACTION_NONE
        if cause.ended is None:
            return (
                CLAUSE_DURING,
                (f"{where}，{p.title_zh}动火作业进行中", f"{where_en} during hot work under permit {p.id}"),
                ACTION_DURING,
            )
        at = datetime.fromtimestamp(cause.ended, self._tz).strftime("%m-%d %H:%M:%S")
        closed = p.closed_ts is not None and p.closed_ts <= cause.ended
        how = f"已于 {at} 检查关闭" if closed else f"已于 {at} 结束（未记录动火后检查）"
        how_en = "closed" if closed else "ended (no post-work check recorded)"
        after = ts - cause.ended
        return (
            CLAUSE_AFTER,
            (
                f"{where}，{p.title_zh}{how}，动火作业结束后 {span_zh(after)}报警（观察期 {watch_min:g} 分钟内），"
                "疑似余火复燃",
                f"{where_en} {span_en(after)} after permit {p.id} {how_en} (within the {watch_min:g} min watch), "
                "suspected rekindling",
            ),
            ACTION_AFTER,
        )
