"""The high formwork's section of the site file's ``rules:`` (JGJ 162-2008 §6.3, JGJ 300-2013)."""

from __future__ import annotations

from pydantic import Field

from contract.config.common import Model


class FormworkRule(Model):
    """formwork.settle, .disp, .tilt, .axial, .silent (DBJ/T 15-197-2020 §7.0.3, §8.0.4, §8.0.5)."""

    warning_fraction: float = Field(
        0.8, gt=0, lt=1, title="Pre-warning", description="fraction of the alarm value (§8.0.4: 80 %)"
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of the threshold")
    silent_s: float = Field(
        60,
        gt=0,
        le=3600,
        title="Silent during a pour",
        description="seconds without a reading from a point during a pour before the alarm "
        "(§7.0.3 asks for at least two readings a minute)",
    )
