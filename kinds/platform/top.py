"""platform.top: the platform's distance to the top of its run (to the suspension mechanism) below the
configured margin is a warning: it nears the upper limit switch, which must never be the stop control
(云筑 minTopHeight; docs/standards.md §8: practice). Below the margin warns; at it is allowed."""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.platform import PlatformSpec
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "platform.top"
CLAUSE = "高处作业吊篮 距顶部距离小于最小安全距离（上限位）即预警，不得以上限位开关停车" + PRACTICE_ZH


class PlatformTop:
    """Each platform's distance to the top, with a clearing band."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, spec: PlatformSpec, distance_m: float, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The platform.top verdict for one sample."""
        thresholds: list[tuple[Level, float]] = [("warning", spec.top_margin_m)]
        level = banded_level(
            distance_m,
            thresholds,
            self._memory.get(device),
            spec.hysteresis_pct / 100,
            higher_is_worse=False,
            strict=True,
        )

        def build() -> RuleResult:
            what = f"{name} 距顶部 {distance_m:.2f} m（最小 {spec.top_margin_m:g} m）"
            what_en = f"{name} {distance_m:.2f} m from the top (at least {spec.top_margin_m:g} m)"
            return banded_result(
                RULE,
                {"warning": CLAUSE},
                device,
                level,
                ts,
                round(distance_m, 2),
                thresholds,
                "m",
                pick(level, what, "停止上升，点动下降离开上限位区域"),
                {},
                backfill,
                message_en=pick_en(level, what_en, "stop going up; inch it down away from the top"),
            )

        return self._memory.report(device, "", level, build)
