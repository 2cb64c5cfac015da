"""power.temp: the temperature at a box's incoming terminals (A/B/C/N) and inside its cabinet, against
the site's warning and alarm values (``temp_c``, reached: ≥). A loose or overloaded terminal heats
before it burns; no national standard sets a limit for a site box (standards.md §17 [U]), so the values
are practice, set per box, and the clause says so. Each probe is its own alert (its point: L1, L2, L3,
N, box)."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.power.clauses import JGJT46
from kinds.power.thresholds import PowerRule
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "power.temp"
BASE = f"{JGJT46} 第4章 配电装置；GB 14287.3 电气火灾监控（测温式）：配电箱端子与箱体温度无国家限值"
CLAUSES = {
    "warning": f"{BASE}，达到预警温度" + PRACTICE_ZH,
    "alarm": f"{BASE}，达到报警温度，存在电气火灾危险" + PRACTICE_ZH,
}
ACTIONS = {
    "warning": ("电工检查该处接线端子是否松动、回路是否过载，必要时减载", "have an electrician check the terminal "
                "for looseness and the circuit for overload; shed load if needed"),
    "alarm": ("电工立即到场断电检查，紧固或更换端子与电缆，排除前不得恢复满负荷供电", "have an electrician "
              "isolate and inspect it now, tighten or replace the terminal and cable before full load again"),
}  # fmt: skip


class PowerTemp:
    """Each probe of each box against the warning and alarm temperatures."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

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
        level = banded_level(
            temp_c, thresholds, self._memory.get(device, point), cfg.hysteresis_pct / 100, strict=False
        )

        def build() -> RuleResult:
            limit = alarm if level == "alarm" else warning
            what = f"{name} {zh}温度 {temp_c:g} ℃（{'报警' if level == 'alarm' else '预警'}值 {limit:g} ℃）"
            what_en = f"{name} {en} temperature {temp_c:g} ℃ ({'alarm' if level == 'alarm' else 'warning'} at {limit:g} ℃)"
            action, action_en = ACTIONS[level or "warning"]
            return banded_result(
                RULE,
                CLAUSES,
                device,
                level,
                ts,
                temp_c,
                thresholds,
                "℃",
                pick(level, what, action),
                {"probe": zh},
                backfill,
                message_en=pick_en(level, what_en, action_en),
                point=point,
            )

        return self._memory.report(device, point, level, build)
