"""Suspended-platform facts the rules need (高处作业吊篮, docs/standards.md §8): what the platform may
carry, its counterweight, its anti-tilt lock, the top of its run, its safety lock's calibration, and the
limits of its rules. Values marked practice in the descriptions are not confirmed against a printed
standard ([U] in standards.md §8): they are configurable, and the alerts say so."""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from contract.config.common import Model


class PlatformSpec(Model):
    """One suspended platform (two hoists on one basket) and its monitoring box's limits."""

    model: str = Field("", title="Model", description="manufacturer's model, e.g. ZLP630")
    rated_load_kg: float = Field(
        gt=0,
        le=2000,
        title="Rated load",
        description="kg the platform may carry (nameplate, 云筑 stdLoadWeight)",
    )
    max_persons: int = Field(
        2,
        ge=1,
        le=10,
        title="Persons",
        description="people allowed on the platform at once (云筑 maxPersonCount); the rule allows at most 2 "
        "whatever this says (JGJ 202-2010 §5.5 [U]: 不应超过2个)",
    )
    rated_counterweight_kg: float = Field(
        gt=0,
        le=5000,
        title="Rated counterweight",
        description="kg of counterweight as designed (JGJ 202-2010 §5.4.10; 云筑 stdCounterWeight)",
    )
    counterweight_tolerance_kg: float = Field(
        0,
        ge=0,
        le=1000,
        title="Counterweight tolerance",
        description="kg the counterweight may read below the rated one (云筑 errorCounterWeight)",
    )
    lock_angle_deg: float = Field(
        8,
        gt=0,
        le=15,
        title="Anti-tilt lock angle",
        description="longitudinal tilt in degrees at which the anti-tilt safety lock must lock the "
        "safety rope (GB/T 19155 practice: 8°)",
    )
    lock_grace_s: float = Field(
        1,
        ge=0,
        le=10,
        title="Lock reaction time",
        description="seconds the safety lock has to act once the tilt reaches the lock angle before a "
        "lock still open is a failed lock (practice: a swing-arm lock acts at once)",
    )
    top_margin_m: float = Field(
        1.0,
        gt=0,
        le=20,
        title="Top margin",
        description="m: a distance to the top below this is the upper limit approached (云筑 "
        "minTopHeight; practice)",
    )
    wind_stop_ms: float = Field(
        8.0,
        gt=0,
        le=30,
        title="Wind stop",
        description="m/s at or above which work stops and the platform comes down (五级以上大风: 8.0 m/s, practice)",
    )
    lock_calibrated_on: date = Field(
        title="Safety lock calibrated on",
        description="date of the safety locks' last calibration (YYYY-MM-DD); valid lock_valid_days",
    )
    lock_valid_days: int = Field(
        365,
        ge=1,
        title="Calibration valid",
        description="days a safety lock calibration is valid (practice: one year)",
    )
    lock_due_days: int = Field(
        30, ge=0, title="Calibration due warning", description="days before expiry a warning is raised"
    )
    load_warning_pct: float = Field(
        90, gt=0, title="Load warning", description="% of rated load reached (practice)"
    )
    load_alarm_pct: float = Field(
        100, gt=0, title="Load alarm", description="% of rated load reached (practice)"
    )
    load_critical_pct: float = Field(
        100,
        gt=0,
        title="Overload",
        description="% of rated load exceeded: overload (超载), 建质规〔2024〕5号 第九条(五) major hazard",
    )
    hysteresis_pct: float = Field(
        5,
        ge=0,
        lt=50,
        title="Clearing band",
        description="a level clears past its threshold by this % of it (the counterweight: by half its tolerance)",
    )

    @model_validator(mode="after")
    def _ordered(self) -> PlatformSpec:
        if not self.load_warning_pct < self.load_alarm_pct <= self.load_critical_pct:
            raise ValueError(
                "platform needs load_warning_pct < load_alarm_pct <= load_critical_pct (got "
                f"{self.load_warning_pct:g}, {self.load_alarm_pct:g}, {self.load_critical_pct:g})"
            )
        if self.counterweight_tolerance_kg >= self.rated_counterweight_kg:
            raise ValueError(
                f"platform.counterweight_tolerance_kg ({self.counterweight_tolerance_kg:g}) must be below "
                f"rated_counterweight_kg ({self.rated_counterweight_kg:g})"
            )
        return self
