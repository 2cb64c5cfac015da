"""platform.counterweight: counterweight below the rated mass less its tolerance is an alarm. The
counterweight must be the mass designed, secured on its frame, with no substitutes (JGJ 202-2010
§5.4.10); the tolerance is the box's setting (云筑 errorCounterWeight) and the alarm level practice
(docs/standards.md §8). Less than ``rated − tolerance`` alarms (低于: on the line is still allowed)."""

from __future__ import annotations

from contract.alert_event import Level
from contract.config.platform import PlatformSpec
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult
from rules.wording import PRACTICE_ZH, pick, pick_en

RULE = "platform.counterweight"
CLAUSE = (
    "JGJ 202-2010 第5.4.10条 配重件应稳定可靠地安放在配重架上，严禁使用破损配重件或其他替代物，配重件重量应符合"
    "设计规定；低于额定配重减允许误差即报警" + PRACTICE_ZH
)


class PlatformCounterweight:
    """Each platform's counterweight against its rated mass, with a clearing band."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self, device: str, name: str, spec: PlatformSpec, counterweight_kg: float, ts: float, backfill: bool
    ) -> RuleResult | None:
        """The platform.counterweight verdict for one sample."""
        least = spec.rated_counterweight_kg - spec.counterweight_tolerance_kg
        thresholds: list[tuple[Level, float]] = [("alarm", least)]
        # the clearing band is half the tolerance, not a share of the mass: 5 % of a tonne would hold the
        # alarm above the rated counterweight itself
        band = spec.counterweight_tolerance_kg / 2 / least
        level = banded_level(
            counterweight_kg,
            thresholds,
            self._memory.get(device),
            band,
            higher_is_worse=False,
            strict=True,
        )

        def build() -> RuleResult:
            what = f"{name} 配重 {counterweight_kg:.0f} kg，低于额定 {spec.rated_counterweight_kg:g} kg 减允许误差（{least:g} kg）"
            what_en = f"{name} counterweight {counterweight_kg:.0f} kg, below the {least:g} kg allowed"
            if not level:
                what = f"{name} 配重 {counterweight_kg:.0f} kg（不低于 {least:g} kg）"
                what_en = f"{name} counterweight {counterweight_kg:.0f} kg (at least {least:g} kg)"
            return banded_result(
                RULE,
                {"alarm": CLAUSE},
                device,
                level,
                ts,
                round(counterweight_kg, 1),
                thresholds,
                "kg",
                pick(level, what, "停止使用吊篮，人员撤离，按设计补足并固定配重，严禁用砂袋等替代"),
                {"rated_kg": spec.rated_counterweight_kg, "tolerance_kg": spec.counterweight_tolerance_kg},
                backfill,
                message_en=pick_en(
                    level, what_en, "take it out of use: restore and secure the designed counterweight"
                ),
            )

        return self._memory.report(device, "", level, build)
