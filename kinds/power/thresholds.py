"""The temporary power's section of the site file's ``rules:`` (standards.md §17: JGJ/T 46-2024, the
values confirmed in JGJ 46-2005). The RCD's rating is the box's own (its ``power:`` section); what is
here is practice [U], set by the site, per box under ``rules.devices.<id>.power``."""

from __future__ import annotations

from pydantic import Field, model_validator

from contract.config.common import Model


class PowerRule(Model):
    """power.leakage, power.rcd, power.temp, power.temp_rise, power.arc, power.rcd_test."""

    leakage_warning_fraction: float = Field(
        0.5,
        gt=0,
        lt=1,
        title="Leakage warning",
        description="fraction of the RCD's rated residual operating current reached (≥) for the "
        "'insulation degrading' warning (practice: 50 %, the RCD's non-operating current)",
    )
    temp_c: tuple[float, float] = Field(
        (60.0, 70.0),
        title="Temperature",
        description="℃ reached (≥) at a terminal or in the cabinet for the warning and the alarm "
        "(no national limit for site boxes: practice, set per box)",
    )
    rise_c: float = Field(
        15.0,
        gt=0,
        le=200,
        title="Temperature rise",
        description="℃ a probe rises within rise_window_s for a warning (practice, set per box)",
    )
    rise_window_s: float = Field(
        600.0, ge=10, le=86400, title="Rise window", description="seconds the rise is measured over"
    )
    arc_repeat_h: float = Field(
        8.0,
        gt=0,
        le=24,
        title="Fault arcs in a shift",
        description="hours (a shift): a second fault-arc alarm within them is critical (practice)",
    )
    arc_hold_min: float = Field(
        30.0,
        ge=0,
        le=1440,
        title="Fault-arc hold",
        description="minutes a fault-arc alert stands after the last arc alarm reported (practice)",
    )
    rcd_test_interval_h: float = Field(
        24.0,
        gt=0,
        le=168,
        title="RCD test interval",
        description="hours since the box's last test trip (试跳) reported by its monitor after which "
        "power.rcd_test warns (practice: the daily test-button check, one working day taken as 24 h)",
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of the threshold")

    @model_validator(mode="after")
    def _ordered(self) -> PowerRule:
        warning, alarm = self.temp_c
        if not 0 < warning < alarm <= 300:
            raise ValueError(
                f"power.temp_c needs 0 < warning < alarm ≤ 300 ℃ (got {warning:g}, {alarm:g}): "
                "write [warning, alarm], e.g. [60, 70]"
            )
        return self
