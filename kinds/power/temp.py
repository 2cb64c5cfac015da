"""power.temp: the temperature at a box's incoming terminals (A/B/C/N) and inside its cabinet, against the
site's warning and alarm values (``temp_c``, reached: ≥). A loose or overloaded terminal heats before it
burns; no national standard sets a limit for a site box (standards.md §17 [U]), so the values are practice,
set per box, and the clause says so. Each probe is its own alert (its point: L1, L2, L3, N, box)."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.power.clauses import JGJT46
from kinds.power.thresholds import PowerRule
from rules.reached import Reached, Words
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH

BASE = f"{JGJT46} 第4章 配电装置；GB 14287.3 电气火灾监控（测温式）：配电箱端子与箱体温度无国家限值"
ACTIONS: dict[str, tuple[str, str]] = {
    "warning": (
        "电工检查该处接线端子是否松动、回路是否过载，必要时减载",
        "have an electrician check the terminal for looseness and the circuit for overload; shed load if needed",
    ),
    "alarm": (
        "电工立即到场断电检查，紧固或更换端子与电缆，排除前不得恢复满负荷供电",
        "have an electrician isolate and inspect it now, tighten or replace the terminal and cable before "
        "full load again",
    ),
}
WORDS = Words(
    rule="power.temp",
    clauses={
        "warning": f"{BASE}，达到预警温度" + PRACTICE_ZH,
        "alarm": f"{BASE}，达到报警温度，存在电气火灾危险" + PRACTICE_ZH,
    },
    unit="℃",
    actions=ACTIONS,
)


class PowerTemp(Reached):
    """Each probe of each box against the warning and alarm temperatures."""

    def __init__(self) -> None:
        super().__init__(WORDS)

    def evaluate(
        self,
        device: str,
        name: str,
        probe: tuple[str, str, str],
        cfg: PowerRule,
        temp_c: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one probe's reading; ``probe`` is its (point, Chinese, English) names."""
        point, zh, en = probe
        warning, alarm = cfg.temp_c
        thresholds: list[tuple[Level, float]] = [("warning", warning), ("alarm", alarm)]
        level = self.level(device, point, temp_c, thresholds, cfg.hysteresis_pct / 100)

        def what(level: Level | None) -> tuple[str, str]:
            zh_line, en_line = ("报警", "alarm") if level == "alarm" else ("预警", "warning")
            limit = alarm if level == "alarm" else warning
            return (
                f"{name} {zh}温度 {temp_c:g} ℃（{zh_line}值 {limit:g} ℃）",
                f"{name} {en} temperature {temp_c:g} ℃ ({en_line} at {limit:g} ℃)",
            )

        return self.report(device, point, level, temp_c, thresholds, what, {"probe": zh}, ts, backfill)
