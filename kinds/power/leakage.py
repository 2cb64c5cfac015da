"""power.leakage: a box's residual (leakage) current against its RCD's rated residual operating current IΔn
(the box's ``rcd_rated_ma``: a terminal box's ≤ 30 mA, 15 mA where wet, JGJ 46-2005 §8.2.10; a main box's
above 30 mA, §8.2.11).

Reaching (≥) half of IΔn, the current below which an RCD need not trip, is the warning that the insulation
downstream is degrading (practice [U], ``leakage_warning_fraction``); reaching IΔn itself is the alarm: the
RCD must act (whether it did is power.rcd's and power.trip's). A sub box without an RCD is not judged here
(the two-level system needs none there)."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.power.clauses import RCD, RCD_2005
from kinds.power.thresholds import PowerRule
from rules.reached import Reached, Words
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH

ACTIONS: dict[str, tuple[str, str]] = {
    "warning": (
        "安排电工检测该箱下游线路和用电设备的绝缘，查明漏电原因",
        "have an electrician test the insulation of the circuits and equipment it feeds and find the leak",
    ),
    "alarm": (
        "停止使用该箱供电的设备，电工断电查找漏电点，确认漏电保护器已动作",
        "stop using the equipment it feeds, have an electrician isolate and find the leak, and check that the RCD acted",
    ),
}
WORDS = Words(
    rule="power.leakage",
    clauses={
        "warning": f"{RCD}：剩余电流达到漏电保护器额定漏电动作电流的一半（不动作电流）即绝缘下降"
        + PRACTICE_ZH,
        "alarm": f"{RCD}：剩余电流达到额定漏电动作电流，漏电保护器应动作切断电源；{RCD_2005}",
    },
    unit="mA",
    actions=ACTIONS,
)


class PowerLeakage(Reached):
    """Each box's leakage against its RCD's rating."""

    def __init__(self) -> None:
        super().__init__(WORDS)

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
        level = self.level(device, "", leakage_ma, thresholds, cfg.hysteresis_pct / 100)
        pct = 100 * leakage_ma / rated_ma

        def what(level: Level | None) -> tuple[str, str]:
            return (
                f"{name} 剩余电流 {leakage_ma:g} mA，为漏电保护器额定动作电流 {rated_ma:g} mA 的 {pct:.0f}%",
                f"{name} residual current {leakage_ma:g} mA = {pct:.0f} % of its RCD's {rated_ma:g} mA",
            )

        details: dict[str, float | str | list[str]] = {
            "rcd_rated_ma": rated_ma,
            "pct_of_rated": round(pct, 1),
        }
        return self.report(device, "", level, leakage_ma, thresholds, what, details, ts, backfill)
