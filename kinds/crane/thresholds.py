"""The tower crane's sections of the site file's ``rules:`` (GB 5144-2006, JGJ 196-2010): each a thresholds
model the crane's declaration names (kinds/crane/kind.py), with its defaults from the standards.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from contract.config.common import Model
from contract.config.rules import WIND_MAX_MS


class CraneLoadRule(Model):
    """crane.load: load ÷ rated load at the current radius (GB 5144-2006 §6.1.2)."""

    warning_pct: float = Field(
        90, gt=0, title="Warning", description="% of rated load (practice, GB/T 12602)"
    )
    alarm_pct: float = Field(100, gt=0, title="Alarm", description="% of rated load (GB 5144-2006 §6.1.2)")
    critical_pct: float = Field(
        110, gt=0, title="Critical", description="% of rated load (GB 5144-2006 §6.1.2)"
    )
    hysteresis_pct: float = Field(
        5, ge=0, lt=50, title="Clearing band", description="a level clears below threshold × (1 − band %)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> CraneLoadRule:
        if not self.warning_pct < self.alarm_pct < self.critical_pct:
            raise ValueError(
                f"crane_load needs warning_pct < alarm_pct < critical_pct (got {self.warning_pct:g}, "
                f"{self.alarm_pct:g}, {self.critical_pct:g})"
            )
        return self


class CraneWindRule(Model):
    """crane.wind: wind at the jib (JGJ 276-2012 §3.0.12; Shenzhen interface; 建质规〔2024〕5号 Art. 15 (二))."""

    warning_ms: float = Field(
        10.8, gt=0, le=WIND_MAX_MS, title="Warning", description="m/s, Beaufort 6: stop lifting"
    )
    alarm_ms: float = Field(
        13.8, gt=0, le=WIND_MAX_MS, title="Alarm", description="m/s, exceeded for alarm_samples in a row"
    )
    alarm_samples: int = Field(
        2,
        ge=1,
        le=100,
        title="Alarm samples",
        description="consecutive samples above alarm_ms before the alarm",
    )
    critical_ms: float = Field(
        20.8, gt=0, le=WIND_MAX_MS, title="Critical", description="m/s, Beaufort 9 (practice)"
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of the threshold")

    @model_validator(mode="after")
    def _ordered(self) -> CraneWindRule:
        if not self.warning_ms <= self.alarm_ms < self.critical_ms:
            raise ValueError(
                f"crane_wind needs warning_ms <= alarm_ms < critical_ms (got {self.warning_ms:g}, "
                f"{self.alarm_ms:g}, {self.critical_ms:g})"
            )
        return self


class CraneTiltRule(Model):
    """crane.tilt: tower verticality against tilt_limit_per_mille (JGJ 196-2010; 建质规〔2024〕5号 Art. 8)."""

    warning_fraction: float = Field(
        0.8, gt=0, lt=1, title="Warning", description="fraction of the limit (practice)"
    )
    critical_factor: float = Field(
        2.0, gt=1, title="Critical", description="multiple of the limit (practice)"
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of the threshold")


class CraneJackingRule(Model):
    """crane.jacking_*: a tower crane inside a jacking window (顶升、加节、降节; standards.md §10)."""

    wind_ms: float = Field(
        9.0,
        gt=0,
        le=WIND_MAX_MS,
        title="Wind",
        description="m/s at the top: above it jacking stops (GB 55034-2022 §3.4.7)",
    )
    slew_noise_deg: float = Field(
        1.0,
        gt=0,
        title="Slew noise",
        description="° of slew change from where the crane stood beyond which it is slewing (jacking_motion; weather.work)",
    )
    radius_noise_m: float = Field(
        0.2,
        gt=0,
        title="Trolley noise",
        description="m of radius change from where the crane stood beyond which the trolley travels",
    )
    height_noise_m: float = Field(
        0.2,
        gt=0,
        title="Hook noise",
        description="m of hook height change from where the crane stood beyond which it is hoisting",
    )
    still_s: float = Field(
        10,
        gt=0,
        title="Still for",
        description="s a crane seen moving in a window must stand still (each motion within half its noise) "
        "before crane.jacking_motion clears (practice)",
    )
    hysteresis_pct: float = Field(
        5,
        ge=0,
        lt=50,
        title="Wind clearing band",
        description="% of the wind limit: crane.jacking_wind clears at or below the limit less this (practice, "
        "as every rule's band)",
    )
    tilt_step_per_mille: float = Field(
        1.0,
        gt=0,
        le=20,
        title="Tilt step",
        description="‰ of verticality change from the tilt the window opened with beyond which the tower "
        "is moving on the climbing frame (crane.jacking_tilt; practice, standards.md §10)",
    )
    balance_load_pct: float = Field(
        10, gt=0, lt=100, title="Balance load tolerance", description="% of the balance load (practice)"
    )
    balance_radius_m: float = Field(
        0.5, gt=0, title="Balance radius tolerance", description="m either side of the balance radius"
    )
    day_from_h: float = Field(
        6, ge=0, lt=24, title="Day from", description="local hour from which jacking is daytime work"
    )
    day_until_h: float = Field(
        18, gt=0, le=24, title="Day until", description="local hour from which a window open is night work"
    )

    @model_validator(mode="after")
    def _day(self) -> CraneJackingRule:
        if not self.day_from_h < self.day_until_h:
            raise ValueError(
                f"crane_jacking needs day_from_h < day_until_h (got {self.day_from_h:g}, {self.day_until_h:g})"
            )
        return self


class CraneCollisionRule(Model):
    """crane.collision: clearances between cranes (GB 5144-2006 §10.5; 建质规〔2024〕5号 Art. 8 (八))."""

    min_clearance_m: float = Field(2.0, gt=0, title="Minimum clearance", description="m, GB 5144-2006 §10.5")
    warning_margin_m: float = Field(
        5.0, ge=0, title="Warning margin", description="m added to the minimum for the warning (practice)"
    )
    hook_plan_m: float = Field(
        2.0,
        gt=0,
        title="Hook plan distance",
        description="m: a higher hook this close in plan to a lower jib is checked vertically",
    )
    stop_clearance_m: float = Field(
        0.5,
        ge=0,
        title="Stop clearance",
        description="m: a clearance (now or predicted within the braking time) below it is critical, "
        "brake now (制动; practice, as anti-collision devices' stop zone)",
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of the threshold")

    @model_validator(mode="after")
    def _ordered(self) -> CraneCollisionRule:
        if self.stop_clearance_m >= self.min_clearance_m:
            raise ValueError(
                f"stop_clearance_m {self.stop_clearance_m:g} must be below min_clearance_m "
                f"{self.min_clearance_m:g} (预警 > 减速 > 制动)"
            )
        return self


class CraneZoneRule(Model):
    """crane.zone: the hook above a no-lift zone."""

    clear_margin_m: float = Field(
        1.0,
        ge=0,
        title="Clearing margin",
        description="m the hook must be outside the polygon before the alarm clears",
    )
