"""shield.thrust 盾构推力超限: the total thrust above the planned upper end for the ring being driven is an alarm
(GB 55034-2022 §3.7.3: 盾构推力增大超出预计范围 → 应停止掘进，分析原因并采取措施). 超出 is strict: a thrust of
exactly the planned upper end is within the range. The upper end is the plan's: the ring range's
(``shield.rings``), else the drive's (``shield.thrust_max_kn``; also before the PLC has reported a ring)."""

from __future__ import annotations

from contract.alert_event import Level
from kinds.shield.clauses import PLAN, STOP_3_7_3
from kinds.shield.words import STOP_ACTION, at_ring
from rules.reached import Reached, Words
from rules.result import RuleResult

WORDS = Words(
    rule="shield.thrust",
    clauses={"alarm": f"{STOP_3_7_3}盾构推力增大超出预计范围{PLAN}"},
    unit="kN",
    actions={"alarm": STOP_ACTION},
    strict=True,
)


class ShieldThrust(Reached):
    """Each machine's total thrust against the plan for its ring."""

    def __init__(self) -> None:
        super().__init__(WORDS)

    def evaluate(
        self,
        device: str,
        name: str,
        limit_kn: float,
        band: float,
        thrust_kn: float,
        ring: float | None,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The verdict of one thrust reading against ``limit_kn``, the plan's for ``ring``."""
        thresholds: list[tuple[Level, float]] = [("alarm", limit_kn)]
        level = self.level(device, "", thrust_kn, thresholds, band)
        at, at_en = at_ring(ring)

        def what(level: Level | None) -> tuple[str, str]:
            beyond, beyond_en = (
                ("，超出计划上限", ", above the planned") if level else ("，计划上限", ", planned up to")
            )
            return (
                f"{name}{at} 总推力 {thrust_kn:.0f} kN{beyond} {limit_kn:g} kN",
                f"{name}{at_en} total thrust {thrust_kn:.0f} kN{beyond_en} {limit_kn:g} kN",
            )

        return self.report(device, "", level, thrust_kn, thresholds, what, {}, ts, backfill)
