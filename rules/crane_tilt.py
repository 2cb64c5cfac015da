"""crane.tilt: tower verticality (JGJ 196-2010: 4/1000 free-standing or above the highest tie,
2/1000 below it); out of spec verticality is a major hazard (建质规〔2022〕2号 Art. 8)."""

from __future__ import annotations

import math

from contract.alert_event import Level
from contract.config.rules import CraneTiltRule
from rules.levels import LevelMemory, banded_level, banded_result
from rules.result import RuleResult

RULE = "crane.tilt"
CLAUSES = {
    "warning": "JGJ 196-2010 verticality limit; 80 % pre-warning (practice)",
    "alarm": "JGJ 196-2010 verticality limit; 建质规〔2022〕2号 Art. 8",
    "critical": "JGJ 196-2010 verticality limit; 2 × limit (practice); 建质规〔2022〕2号 Art. 8",
}


class CraneTilt:
    """Verticality per crane from the black box's tilt angle."""

    def __init__(self) -> None:
        self._memory = LevelMemory()

    def evaluate(
        self,
        device: str,
        name: str,
        limit_per_mille: float,
        cfg: CraneTiltRule,
        tilt_deg: float,
        ts: float,
        backfill: bool,
    ) -> RuleResult | None:
        """The crane.tilt verdict for one tilt sample (either direction counts)."""
        per_mille = abs(math.tan(math.radians(tilt_deg))) * 1000.0
        thresholds: list[tuple[Level, float]] = [
            ("warning", limit_per_mille * cfg.warning_fraction),
            ("alarm", limit_per_mille),
            ("critical", limit_per_mille * cfg.critical_factor),
        ]
        level = banded_level(per_mille, thresholds, self._memory.get(device), cfg.hysteresis_pct / 100)

        def build() -> RuleResult:
            return banded_result(
                RULE,
                CLAUSES,
                device,
                level,
                ts,
                round(per_mille, 3),
                thresholds,
                "‰",
                f"{name} 塔身垂直度 {per_mille:.2f}‰ (限值 {limit_per_mille:g}‰) | "
                f"{device} tower verticality {per_mille:.2f}/1000, limit {limit_per_mille:g}/1000",
                {"tilt_deg": tilt_deg},
                backfill,
            )

        return self._memory.report(device, "", level, build)
