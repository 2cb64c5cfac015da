"""confined_space.attendant: while anyone is inside a confined space, an attendant (监护人) stays at the entrance
the whole time, in contact with them, and never goes in (建质规〔2024〕5号 第十一条(三) 未安排监护人员…属重大
事故隐患; 应急管理部令第13号 第十五条). Nobody at the entrance for longer than 60 s (configurable) with
people inside is an alarm; an attendant badging in at the entrance, or the last person coming out, ends it.
An attendant who goes in is inside, not at the entrance.

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
from rules.heard import Carry, Stop
from rules.levels import LevelMemory, crosses
from rules.result import RuleResult
from rules.wording import MAJOR_ZH, pick, pick_en

RULE = "confined_space.attendant"
CLAUSE = (
    f"建质规〔2024〕5号 第十一条(三) 有限空间作业未在作业场所安排监护人员，属{MAJOR_ZH}；"
    "应急管理部令第13号 第十五条（参照）监护人员全程在场、不得进入（宽限时间为行业惯例，可配置）"
)
POINT = "entrance"


class ConfinedAttendant:
    """The entrance of each occupied space, watched for its attendant on the gateway's clock."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def quiet(self, device: str) -> bool:
        """Whether ``device``'s verdict is clear and owes the alert manager no report."""
        return self._memory.quiet(device, POINT)

    def restart(self, stop: Stop) -> Carry:
        """How each post's absence goes on after a restart (Space.restart): an alarm firing at the ``stop``
        stays firing, never cleared by a restart while nobody came back to the entrance (rules/heard.py)."""
        return stop.rule(RULE, self._memory)

    def evaluate(self, device: str, name: str, space: Space, grace_s: float, now: float) -> RuleResult | None:
        """The verdict at ``now`` (the gateway's clock, or the stamp being replayed): nobody at the entrance for
        longer than ``grace_s`` (超过) with people inside."""
        since = space.unattended_since
        away = now - since if since is not None else 0.0
        level: Level | None = "alarm" if since is not None and crosses(away, grace_s, strict=True) else None
        if level is None and self._memory.quiet(device, POINT):
            return None  # quiet and owing nothing: the common case at every tick
        # made when first read (RuleResult.later): the alarm repeats at every tick while the post is empty
        inside = sorted(space.inside)
        return self._memory.report_later(
            RULE,
            device,
            POINT,
            level,
            now,
            False,
            partial(_result, device, name, level, away, grace_s, inside, now),
            value=round(away, 1),
        )


def _result(
    device: str, name: str, level: Level | None, away: float, limit: float, inside: list[str], ts: float
) -> RuleResult:
    who = "、".join(inside)
    what = f"{name} {who} 在内，入口 {away:.0f} 秒无监护人" if level else f"{name} 入口监护人"
    what_en = (
        f"{name}: {who} inside, no attendant at the entrance for {away:.0f} s"
        if level
        else f"{name} attendant"
    )
    return RuleResult(
        rule=RULE,
        device=device,
        point=POINT,
        level=level,
        ts=ts,
        clause=CLAUSE,
        value=round(away, 1),
        threshold=limit,
        unit="s",
        message=pick(level, what, "监护人立即回到入口并与内部人员保持联络；无监护人时撤出全部人员"),
        message_en=pick_en(level, what_en, "attendant back to the entrance now, or get everyone out"),
        details={"inside": inside},
    )
