"""shield.roll 盾构自转角超限: the machine's roll beyond the plan's allowed range either way is an alarm (GB
55034-2022 §3.7.3: 盾构自转角度超出允许范围 → 应停止掘进，分析原因并采取措施). 超出 is strict: a roll of exactly
the allowed value is within the range. The range is the plan's (``shield.roll_max_deg``); no standard gives one."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.shield.clauses import PLAN, STOP_3_7_3
from kinds.shield.words import STOP_ACTION, at_ring
from rules.reached import Reached, Words
from rules.result import WORSE_DETAIL, RuleResult

WORDS = Words(
    rule="shield.roll",
    clauses={"alarm": f"{STOP_3_7_3}盾构自转角度超出允许范围{PLAN}"},
    unit="°",
    actions={"alarm": STOP_ACTION},
    strict=True,
)


class ShieldRoll(Reached):
    """Each machine's roll against its allowed range."""

    def __init__(self) -> None:
        super().__init__(WORDS)

    def evaluate(
        self,
        device: str,
        name: str,
        allowed_deg: float,
        band: float,
        roll_deg: float,
        ring: float | None,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one roll reading (signed: the range is either way)."""
        thresholds: list[tuple[Level, float]] = [("alarm", allowed_deg)]
        level = self.level(device, "", abs(roll_deg), thresholds, band)
        at, at_en = at_ring(ring)

        def what(level: Level | None) -> tuple[str, str]:
            beyond, beyond_en = ("，超出允许范围", ", beyond") if level else ("，允许范围", ", allowed")
            return (
                f"{name}{at} 盾构自转角 {roll_deg:+.2f}°{beyond} ±{allowed_deg:g}°",
                f"{name}{at_en} roll {roll_deg:+.2f}°{beyond_en} ±{allowed_deg:g}°",
            )

        # signed, worse away from zero either way: say which, as a band's rule does
        details: dict[str, float | str | list[str]] = {WORSE_DETAIL: "lower" if roll_deg < 0 else "higher"}
        return self.report(device, "", level, roll_deg, thresholds, what, details, ts, backfill)
