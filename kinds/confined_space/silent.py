"""confined_space.silent: while anyone is inside, the gas detection goes on without a break (应急管理部令第13号
第十五条, as the procedure of reference: 作业过程中…安排专人对作业区域持续进行通风和气体浓度检测;
建质规〔2024〕5号 第十一条(四) 未配备气体检测设备). A detector silent for longer than 60 s (configurable)
with people inside is an alarm; a reading, or the last person coming out, ends it.
"""

from __future__ import annotations

from functools import partial

from contract.alert_event import Level
from kinds.confined_space.state import Space
from rules.heard import HeardTimes, Stop
from rules.levels import LevelMemory, crosses
from rules.result import RuleResult
from rules.wording import pick, pick_en

RULE = "confined_space.silent"
CLAUSE = (
    "应急管理部令第13号 第十五条（参照）作业过程中持续进行气体浓度检测；建质规〔2024〕5号 第十一条(四) "
    "有限空间作业未配备气体检测设备属重大事故隐患（静默时限为行业惯例，可配置）"
)
POINT = "detector"


class ConfinedSilent:
    """The detector of each occupied space, watched for silence on the gateway's clock: from when it heard the
    space occupied and each gas reading (rules/heard.py), whatever the detector's own clock stamped."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        # (device, POINT): its detector's latest gas reading, or the space found occupied after being empty if
        # later (the detector's clock starts)
        self._heard = HeardTimes()

    def quiet(self, device: str) -> bool:
        """Whether ``device``'s verdict is clear and owes the alert manager no report."""
        return self._memory.quiet(device, POINT)

    def gas(self, device: str, at: float) -> None:
        """A gas reading of ``device``'s detector heard at ``at``."""
        self._heard.hear((device, POINT), at)

    def occupied(self, device: str, at: float) -> None:
        """The first person into ``device``'s empty space, heard at ``at``: its detector's clock starts."""
        self._heard.hear((device, POINT), at)

    def stepped(self, step_s: float, now: float) -> None:
        """The wall clock was stepped by ``step_s`` and reads ``now``: silences measured across the step."""
        self._heard.stepped(step_s, now)

    def restart(self, now: float, stop: Stop) -> None:
        """After a warm-up: the gateway's own downtime is not the detector's silence; a silence whose alarm was
        firing at the ``stop`` goes on from what it had reached (rules/heard.py)."""
        self._heard.restart(now, stop.rule(RULE, self._memory))

    def evaluate(
        self, device: str, name: str, space: Space, silent_s: float, now: float
    ) -> RuleResult | None:
        """The verdict at ``now``: silent past ``silent_s`` (超过) while anyone is inside."""
        silent = 0.0
        if space.occupied:
            heard = self._heard.get((device, POINT))
            if heard is not None:
                silent = now - heard
        level: Level | None = "alarm" if space.occupied and crosses(silent, silent_s, strict=True) else None
        if level is None and self._memory.quiet(device, POINT):
            return None  # quiet and owing nothing: the common case at every tick
        # made when first read (RuleResult.later): the alarm repeats at every tick while the silence lasts
        return self._memory.report_later(
            RULE,
            device,
            POINT,
            level,
            now,
            False,
            partial(_result, device, name, level, silent, silent_s, now),
            value=round(silent, 1),
        )


def _result(
    device: str, name: str, level: Level | None, silent: float, limit: float, ts: float
) -> RuleResult:
    what = f"{name} 有人在内，气体检测仪 {silent:.0f} 秒无数据" if level else f"{name} 气体检测"
    what_en = (
        f"{name} gas detector silent for {silent:.0f} s with people inside"
        if level
        else f"{name} gas detection"
    )
    return RuleResult(
        rule=RULE,
        device=device,
        point=POINT,
        level=level,
        ts=ts,
        clause=CLAUSE,
        value=round(silent, 1),
        threshold=limit,
        unit="s",
        message=pick(level, what, "恢复连续气体检测；检测恢复前撤出有限空间内人员"),
        message_en=pick_en(level, what_en, "restore continuous detection; get people out until it reports"),
    )
