"""The construction hoist's sections of the site file's ``rules:`` (JGJ 215-2010, GB/T 10054 practice)."""

from __future__ import annotations

from pydantic import Field, model_validator

from contract.config.common import Model
from contract.config.rules import WIND_MAX_MS


class HoistLoadRule(Model):
    """hoist.load: cage load ÷ rated load ([U] GB/T 10054 practice, docs/standards.md §5)."""

    warning_pct: float = Field(90, gt=0, title="Warning", description="% of rated load (practice)")
    alarm_pct: float = Field(100, gt=0, title="Alarm", description="% of rated load (practice)")
    critical_pct: float = Field(
        110, gt=0, title="Critical", description="% of rated load: the cage must not start (practice)"
    )
    hysteresis_pct: float = Field(
        5, ge=0, lt=50, title="Clearing band", description="a level clears below threshold × (1 − band %)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> HoistLoadRule:
        if not self.warning_pct < self.alarm_pct < self.critical_pct:
            raise ValueError(
                f"hoist_load needs warning_pct < alarm_pct < critical_pct (got {self.warning_pct:g}, "
                f"{self.alarm_pct:g}, {self.critical_pct:g})"
            )
        return self


class HoistRule(Model):
    """hoist.door, hoist.wind, hoist.tilt, hoist.arrester, hoist.operator: the hoist's other limits."""

    moving_ms: float = Field(
        0.1, gt=0, title="Moving above", description="m/s: |speed| above this is a moving cage"
    )
    wind_alarm_ms: float = Field(
        20,
        gt=0,
        le=WIND_MAX_MS,
        title="Wind alarm",
        description="m/s at the mast top: no use above it (JGJ 215, practice)",
    )
    arrester_valid_days: int = Field(
        365,
        ge=1,
        title="Calibration valid",
        description="days a fall arrester calibration is valid (JGJ 215-2010 §4.1.7: one year)",
    )
    arrester_due_days: int = Field(
        30, ge=0, title="Calibration due warning", description="days before expiry a warning is raised"
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of the threshold")
