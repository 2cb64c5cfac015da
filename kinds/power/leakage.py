"""power.leakage: a box's residual (leakage) current against its RCD's rated residual operating current
IΔn (the box's ``rcd_rated_ma``: a terminal box's ≤ 30 mA, 15 mA where wet, JGJ 46-2005 §8.2.10; a main
box's above 30 mA, §8.2.11).

Reaching (≥) half of IΔn, the current below which an RCD need not trip, is the warning that the
insulation downstream is degrading (practice [U], ``leakage_warning_fraction``); reaching IΔn itself is
the alarm: the RCD must act (whether it did is power.rcd's and power.trip's). A sub box without an RCD is
not judged here (the two-level system needs none there)."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.power.clauses import RCD, RCD_2005
from kinds.power.thresholds import PowerRule
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "power.leakage"
CLAUSES = {
    "warning": f"{RCD}：剩余电流达到漏电保护器额定漏电动作电流的一半（不动作电流）即绝缘下降" + PRACTICE_ZH,
    "alarm": f"{RCD}：剩余电流达到额定漏电动作电流，漏电保护器应动作切断电源；{RCD_2005}",
}
ACTIONS = {
    "warning": ("安排电工检测该箱下游线路和用电设备的绝缘，查明漏电原因", "have an electrician test the "
                "insulation of the circuits and equipment it feeds and find the leak"),
    "alarm": ("停止使用该箱供电的设备，电工断电查找漏电点，确认漏电保护器已动作", "stop using the equipment it "
              "feeds, have an electrician isolate and find the leak, and check that the RCD acted"),
}  # fmt: skip


class PowerLeakage:
    """Each box's leakage against its RCD's rating."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self,
        device: str,
        name: str,
        rated_ma: float,
        cfg: PowerRule,
        leakage_ma: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one leakage reading."""
        thresholds: list[tuple[Level, float]] = [
            ("warning", rated_ma * cfg.leakage_warning_fraction),
            ("alarm", rated_ma),
        ]
        current = self._memory.get(device)
        # 达到: both lines are crossed on the line itself
        level = banded_level(leakage_ma, thresholds, current, cfg.hysteresis_pct / 100, strict=False)

        def build() -> RuleResult:
            pct = 100 * leakage_ma / rated_ma
            what = (
                f"{name} 剩余电流 {leakage_ma:g} mA，为漏电保护器额定动作电流 {rated_ma:g} mA 的 {pct:.0f}%"
            )
            what_en = f"{name} residual current {leakage_ma:g} mA = {pct:.0f} % of its RCD's {rated_ma:g} mA"
            action, action_en = ACTIONS[level or "warning"]
            return banded_result(
                RULE,
                CLAUSES,
                device,
                level,
                ts,
                leakage_ma,
                thresholds,
                "mA",
                pick(level, what, action),
                {"rcd_rated_ma": rated_ma, "pct_of_rated": round(pct, 1)},
                backfill,
                message_en=pick_en(level, what_en, action_en),
            )

        return self._memory.report(device, "", level, build)
