"""hot_work.unpermitted: hot work seen (a welding machine drawing current) at a place where no permit is
in force at that instant: none issued, its window not yet begun or over, closed, past its level's validity
under the site's ``hot_work_permits:`` as it stands now (signed under a longer one, or restored), or issued
for another place (GB/T 50720-2011（2025年版）§6.3.1(1); 公安部令第61号 Art. 20; docs/standards.md §18). The instant is
the reading's stamp and, live, the gateway's clock when it heard it: a permit must cover both.

A welder is at work while its current is above its idle threshold (大于: at the threshold it is idle);
the alert holds until the welder has read idle for its settle time, or a permit for its place comes into
force. A stale or missing reading never reaches this rule (the engine drops it), so silence holds it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from contract.alert_event import Level
from contract.config.hot_work_permits import HotWorkPermitsConfig
from contract.hot_work import Permit
from rules.hot_work_clauses import PERMIT_ZH, art_6_3_1
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "hot_work.unpermitted"
CLAUSE = (
    art_6_3_1(1, PERMIT_ZH)
    + "；公安部令第61号 第二十条 明火作业应办理审批手续、落实现场监护人；以焊机电流判定正在动火"
    + PRACTICE_ZH
)


@dataclass(frozen=True)
class Welder:
    """What the rule needs of one welding machine."""

    device: str
    name: str
    place: str
    idle_a: float  # above this the machine is welding
    settle_s: float  # idle this long before the alert ends


def why_not(
    permits: Sequence[Permit], places: Collection[str], ts: float, scheme: HotWorkPermitsConfig
) -> str | None:
    """Why no permit covers any of ``places`` at ``ts`` (None: one does), each judged by its level's
    validity under the site's ``scheme`` as it stands now (a permit past it covers nothing)."""
    here = [p for p in permits if p.place in places]
    if any(p.in_force(ts, scheme) for p in here):
        return None
    if any(p.closed_ts is not None and p.closed_ts <= ts < p.end.timestamp() for p in here):
        return "该地点的动火许可证已关闭"
    lapsed = [(p, v) for p in here if (v := p.expired(ts, scheme)) is not None]
    if lapsed:
        return "；".join(f"该地点的动火许可证 {p.id} 已{v.why_zh()}，不再有效" for p, v in lapsed)
    if here:
        return "超出该地点动火许可证的作业时段"
    elsewhere = sorted({p.place for p in permits if p.in_force(ts, scheme)})
    if elsewhere:
        return f"无该地点的动火许可证（有效许可证的地点：{'、'.join(elsewhere)}）"
    return "无动火许可证"


class HotWorkUnpermitted:
    """Per welder: firing or not, and since when it has read idle while firing."""

    def __init__(self) -> None:
        self._idle_since: dict[str, float | None] = {}  # the firing welders

    @property
    def firing(self) -> bool:
        """Whether any welder's alert is firing."""
        return bool(self._idle_since)

    def evaluate(
        self,
        w: Welder,
        current_a: float,
        permits: Sequence[Permit],
        ts: float,
        backfill: bool,
        scheme: HotWorkPermitsConfig,
        now: float,
    ) -> RuleResult | None:
        """One current reading's verdict (None: nothing owed): stamped ``ts``, heard at ``now`` by the
        gateway's clock (the stamp in replay); a permit must cover both."""
        firing = w.device in self._idle_since
        if current_a > w.idle_a:
            why = why_not(permits, (w.place,), ts, scheme)
            if why is None and now != ts and not backfill:
                why = why_not(permits, (w.place,), now, scheme)  # the machine's clock may run behind
            if why is not None:
                self._idle_since[w.device] = None
                return _result(w, current_a, why, ts, backfill)
            if not firing:
                return None
            del self._idle_since[w.device]
            return _result(w, current_a, None, ts, backfill)
        if not firing:
            return None
        since = self._idle_since[w.device]
        if since is None:
            self._idle_since[w.device] = since = ts
        if ts - since < w.settle_s:
            return None  # a pause between rods is no end of the work
        del self._idle_since[w.device]
        return _result(w, current_a, None, ts, backfill)


def _result(w: Welder, current_a: float, why: str | None, ts: float, backfill: bool) -> RuleResult:
    where = f"{w.name}（{w.place}）"
    if why is None:
        now = "已有有效动火许可证" if current_a > w.idle_a else "已停止动火"
        what = f"{where}焊机电流 {current_a:.1f} A，{now}"
        what_en = f"{w.device} at {w.place}: {current_a:.1f} A, " + (
            "under a permit" if current_a > w.idle_a else "stopped"
        )
    else:
        what = f"{where}焊机电流 {current_a:.1f} A（空载阈值 {w.idle_a:g} A），正在动火作业，{why}"
        what_en = f"{w.device} at {w.place} welding at {current_a:.1f} A without a permit in force"
    level: Level | None = "alarm" if why is not None else None
    return RuleResult(
        rule=RULE,
        device=w.device,
        point="",
        level=level,
        ts=ts,
        clause=CLAUSE,
        value=round(current_a, 1),
        threshold=w.idle_a,
        unit="A",
        message=pick(
            level,
            what,
            "立即停止动火，清理可燃物并办理动火许可证（签发人到场确认、设监火人和不少于2具灭火器）后方可作业",
        ),
        message_en=pick_en(level, what_en, "stop the hot work until a permit is issued for this place"),
        details={"place": w.place},
        backfill=backfill,
    )
