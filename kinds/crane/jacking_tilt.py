"""crane.jacking_tilt: a step in the tower's tilt inside a jacking window (standards.md §10: "tilt step change
→ alarm", practice). While the top rides on the climbing frame, unbolted from the tower, a tilt that moves is
the top out of balance or the frame slipping, long before the tower is out of its verticality limit
(crane.tilt). The first tilt reported inside the window is the reference; a verticality change from it of more than ``tilt_step_per_mille`` (大于: a
change of exactly the step is not one) is an alarm. It holds until the change is back at or below the step
less ``hysteresis_pct``, or the window closes; a tilt not reported never clears it.
"""

from __future__ import annotations

import math

from contract.alert_event import Level
from kinds.crane.jacking_window import window_closed
from kinds.crane.thresholds import CraneJackingRule
from rules.levels import LevelMemory, banded_level
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "crane.jacking_tilt"
CLAUSE = (
    "JGJ 196-2010 第3.4节 顶升过程中应保持塔机平衡（起重机械安装拆卸作业安全要点第9条；条款号未核实）："
    f"顶升中塔身倾角突变即失衡或套架滑移，突变阈值{PRACTICE_ZH}"
)


def per_mille(tilt_deg: float) -> float:
    """The verticality (‰) of a tilt angle, signed as the angle."""
    return math.tan(math.radians(tilt_deg)) * 1000.0


class JackingTilt:
    """The tilt of each crane inside its jacking window against the tilt it opened with."""

    def __init__(self) -> None:
        self._memory = LevelMemory()
        self._reference: dict[str, float] = {}  # the verticality (‰) each open window is judged from

    def start(self, device: str) -> None:
        """A window opens: the first tilt reported inside it is its reference (the judge's tilt route is
        judged in full while it is open, so no tilt inside it goes unseen)."""
        self._reference.pop(device, None)

    def evaluate(
        self, device: str, name: str, tilt_deg: float, cfg: CraneJackingRule, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The verdict of one tilt sample of ``device`` inside its window."""
        now = per_mille(tilt_deg)
        reference = self._reference.setdefault(device, now)
        step = abs(now - reference)
        level: Level | None = banded_level(
            step,
            [("alarm", cfg.tilt_step_per_mille)],
            self._memory.get(device),
            cfg.hysteresis_pct / 100,
            strict=True,
        )
        if level is None and self._memory.quiet(device):
            return None

        def build() -> RuleResult:
            what = (
                f"{name}顶升作业中塔身垂直度变化 {step:.2f}‰（{reference:.2f}‰ → {now:.2f}‰，"
                f"突变阈值 {cfg.tilt_step_per_mille:g}‰）"
            )
            what_en = (
                f"{name}: tower verticality moved {step:.2f}/1000 during jacking "
                f"(step limit {cfg.tilt_step_per_mille:g}/1000)"
            )
            return RuleResult(
                rule=RULE,
                device=device,
                point="",
                level=level,
                ts=ts,
                clause=CLAUSE,
                value=round(step, 3),
                threshold=cfg.tilt_step_per_mille,
                unit="‰",
                message=pick(
                    level,
                    what,
                    "立即停止顶升，人员撤离顶升平台，检查配平、顶升横梁与爬爪、套架导轮，查明原因后方可继续",
                ),
                message_en=pick_en(
                    level,
                    what_en,
                    "stop jacking, clear the climbing platform, check the balance, beam, pawls and frame rollers",
                ),
                details={"tilt_deg": tilt_deg, "reference_per_mille": round(reference, 3)},
                backfill=backfill,
            )

        return self._memory.report(device, "", level, build)

    def end(self, device: str, name: str, ts: float) -> RuleResult | None:
        """The window closes: a tilt step alert clears (crane.tilt goes on judging the verticality)."""
        self._reference.pop(device, None)
        return window_closed(self._memory, RULE, CLAUSE, device, name, ts)
