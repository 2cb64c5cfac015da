"""shield.deviation 盾构姿态偏差超限: the machine's horizontal or vertical deviation from the design axis beyond
the plan's allowed range either way is an alarm, each its own alert (point H, V) (GB 55034-2022 §3.7.3: 盾构
位置偏离超出允许范围 → 应停止掘进，分析原因并采取措施). 超出 is strict: a deviation of exactly the allowed value is
within the range. The ranges are the plan's (``shield.deviation_h_mm``, ``deviation_v_mm``)."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.shield.clauses import PLAN, STOP_3_7_3
from kinds.shield.kind import DEV_H, DEV_V
from kinds.shield.words import STOP_ACTION, at_ring
from rules.reached import Reached, Words
from rules.result import WORSE_DETAIL, RuleResult

AXES: dict[str, tuple[str, str, str]] = {DEV_H: ("H", "水平", "horizontal"), DEV_V: ("V", "竖向", "vertical")}
"""Each deviation's point in its alerts, and its Chinese and English names."""
WORDS = Words(
    rule="shield.deviation",
    clauses={"alarm": f"{STOP_3_7_3}盾构位置偏离超出允许范围{PLAN}"},
    unit="mm",
    actions={"alarm": STOP_ACTION},
    strict=True,
)


class ShieldDeviation(Reached):
    """Each machine's deviations (horizontal, vertical) against their allowed ranges."""

    def __init__(self) -> None:
        super().__init__(WORDS)

    def evaluate(
        self,
        device: str,
        name: str,
        metric: str,
        allowed_mm: float,
        band: float,
        deviation_mm: float,
        ring: float | None,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one reading of ``metric`` (dev_h_mm or dev_v_mm, signed)."""
        point, zh, en = AXES[metric]
        thresholds: list[tuple[Level, float]] = [("alarm", allowed_mm)]
        level = self.level(device, point, abs(deviation_mm), thresholds, band)
        at, at_en = at_ring(ring)

        def what(level: Level | None) -> tuple[str, str]:
            beyond, beyond_en = ("，超出允许范围", ", beyond") if level else ("，允许范围", ", allowed")
            return (
                f"{name}{at} 盾构{zh}偏差 {deviation_mm:+.0f} mm{beyond} ±{allowed_mm:g} mm",
                f"{name}{at_en} {en} deviation {deviation_mm:+.0f} mm{beyond_en} ±{allowed_mm:g} mm",
            )

        # signed, worse away from the axis either way: say which, as a band's rule does
        details: dict[str, float | str | list[str]] = {
            "axis": zh,
            WORSE_DETAIL: "lower" if deviation_mm < 0 else "higher",
        }
        return self.report(device, point, level, deviation_mm, thresholds, what, details, ts, backfill)
