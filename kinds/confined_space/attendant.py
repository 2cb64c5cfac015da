"""confined_space.attendant: while anyone is inside a confined space, an attendant (监护人) stays at the entrance
the whole time, in contact with them, and never goes in (建质规〔2024〕5号 第十一条(三) 未安排监护人员…属重大
事故隐患; 应急管理部令第13号 第十五条). Nobody at the entrance for longer than 60 s (configurable) with
people inside is an alarm; an attendant badging in at the entrance, or the last person coming out, ends it.
An attendant who goes in is inside, not at the entrance.

The post counts as attended only while its reader is heard: a badge reader that stops (dead, unplugged, its
link down) would otherwise leave its last attendant at the post for ever, and device.offline does not see it
while the gas detector keeps the device online. The reader re-sends each attendant at the post with every
report (a Modbus presence switch is read at every poll), so with people inside and nobody heard at the entrance
for longer than 60 s (``reader_silent_s``, configurable; 超过) whether anyone attends is unknown: the same alarm,
saying the reader is silent. Only the reader heard again with an attendant at the post ends it (or everyone
out): heard again with the post empty, the absence counts from the last time the post was confirmed, and an
alarm firing stays firing while the post is empty.

Who is at the post follows the badge reader's events in the order it sent them; how long the post has been
empty is measured on the gateway's clock, from when it heard the post left empty (rules/heard.py), never from
the reader's stamps: a reader's clock hours behind would raise the alarm at once, one ahead (or stepped back)
would hold it off, or clear a firing one, for as long as the clocks differ. Replay and the warm-up judge history
at its stamps, the only time they have.
"""

from __future__ import annotations

from functools import partial

from contract.alert_event import Level
from kinds.confined_space.state import Space
from rules.heard import Carry, HeardTimes, Stop
from rules.levels import LevelMemory, crosses
from rules.result import Details, RuleResult
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "confined_space.attendant"
CLAUSE = (
    f"建质规〔2024〕5号 第十一条(三) 有限空间作业未在作业场所安排监护人员，属{MAJOR_ZH}；"
    "应急管理部令第13号 第十五条（参照）监护人员全程在场、不得进入（宽限时间为行业惯例，可配置）"
)
POINT = "entrance"
DO = "监护人立即回到入口并与内部人员保持联络；无监护人时撤出全部人员"
DO_EN = "attendant back to the entrance now, or get everyone out"
DO_UNKNOWN = "监护人立即在入口刷卡确认在岗，并检查门禁读卡器；无法确认有人监护时撤出全部人员"
DO_UNKNOWN_EN = "attendant: badge in at the entrance now and check the badge reader; get everyone out until one is confirmed"


class ConfinedAttendant:
    """The entrance of each occupied space, watched for its attendant on the gateway's clock."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        # (device, POINT): when the gateway last heard the entrance's reader (any attendant reading), or the
        # space found occupied after being empty if later (the reader's clock starts, as the detector's)
        self._heard = HeardTimes()

    def quiet(self, device: str) -> bool:
        """Whether ``device``'s verdict is clear and owes the alert manager no report."""
        return self._memory.quiet(device, POINT)

    def reader(self, device: str, at: float) -> float | None:
        """A reading of ``device``'s reader at the entrance heard at ``at``; when it was heard before (None:
        never)."""
        before = self._heard.get((device, POINT))
        self._heard.hear((device, POINT), at)
        return before

    def occupied(self, device: str, at: float) -> None:
        """The first person into ``device``'s empty space, heard at ``at``: its reader's clock starts."""
        self._heard.hear((device, POINT), at)

    def stepped(self, step_s: float, now: float) -> None:
        """The wall clock was stepped by ``step_s`` and reads ``now``: the reader's silence measured across it."""
        self._heard.stepped(step_s, now)

    def restart(self, now: float, stop: Stop) -> Carry:
        """How each post's absence (Space.restart) and its reader's silence go on after a restart at ``now``: an
        alarm firing at the ``stop`` stays firing, never cleared by a restart while nobody came back to the
        entrance nor the reader was heard (rules/heard.py); otherwise the reader has its whole limit again."""
        carry = stop.rule(RULE, self._memory)
        self._heard.restart(now, carry)
        return carry

    def evaluate(
        self, device: str, name: str, space: Space, grace_s: float, silent_s: float, now: float
    ) -> RuleResult | None:
        """The verdict at ``now`` (the gateway's clock, or the stamp being replayed), with people inside: nobody
        at the entrance for longer than ``grace_s``, or its reader silent for longer than ``silent_s`` (超过),
        whoever it last showed at the post; an alarm stays while the post is empty."""
        since = space.unattended_since
        away = now - since if since is not None else 0.0
        heard = self._heard.get((device, POINT))
        silent = now - heard if heard is not None and space.occupied and space.attendants else 0.0
        unknown = since is None and crosses(silent, silent_s, strict=True)
        absent = since is not None and crosses(away, grace_s, strict=True)
        # the post heard empty while its alarm fires (the reader back after a silence): no all-clear until attended
        held = since is not None and self._memory.get(device, POINT) is not None
        level: Level | None = "alarm" if unknown or absent or held else None
        if level is None and self._memory.quiet(device, POINT):
            return None  # quiet and owing nothing: the common case at every tick
        # made when first read (RuleResult.later): the alarm repeats at every tick while the post is empty
        inside = sorted(space.inside)
        # the reader silent: the post unknown, its silence shown; otherwise how long the post has been empty
        shown, limit = (silent, silent_s) if unknown else (away, grace_s)
        return self._memory.report_later(
            RULE,
            device,
            POINT,
            level,
            now,
            False,
            partial(_result, device, name, level, shown, limit, inside, now, unknown),
            value=round(shown, 1),
        )


def _result(
    device: str,
    name: str,
    level: Level | None,
    seconds: float,
    limit: float,
    inside: list[str],
    ts: float,
    unknown: bool,
) -> RuleResult:
    """The verdict: the post empty for ``seconds``, or (``unknown``) its reader silent for ``seconds``, so that
    whether anyone attends it is unknown."""
    who = "、".join(inside)
    if not level:
        what, what_en = f"{name} 入口监护人", f"{name} attendant"
    elif unknown:
        what = f"{name} {who} 在内，入口读卡器 {seconds:.0f} 秒无数据，监护人是否在岗未知"
        what_en = (
            f"{name}: {who} inside, the entrance badge reader silent for {seconds:.0f} s: whether an "
            "attendant is at the post is unknown"
        )
    else:
        what = f"{name} {who} 在内，入口 {seconds:.0f} 秒无监护人"
        what_en = f"{name}: {who} inside, no attendant at the entrance for {seconds:.0f} s"
    details: Details = {"inside": inside}
    if unknown:
        details["reader_silent_s"] = round(seconds, 1)
    return RuleResult(
        rule=RULE,
        device=device,
        point=POINT,
        level=level,
        ts=ts,
        clause=CLAUSE,
        value=round(seconds, 1),
        threshold=limit,
        unit="s",
        message=pick(level, what, DO_UNKNOWN if unknown else DO),
        message_en=pick_en(level, what_en, DO_UNKNOWN_EN if unknown else DO_EN),
        details=details,
    )
