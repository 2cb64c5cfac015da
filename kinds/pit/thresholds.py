"""The deep pit's section of the site file's ``rules:`` (GB 50497-2019): the warning fraction and rate window
of every pit; each point's own thresholds are in ``PitPoint.thresholds`` (contract/config/pit.py).
"""

from __future__ import annotations

from pydantic import Field

from contract.config.common import Model


class PitRule(Model):
    """pit.cumulative, pit.rate, pit.jump (GB 50497-2019 §8.0.3, §8.0.9, Table 8.0.4; 建质规〔2024〕5号 Art. 5)."""

    warning_fraction: float = Field(
        0.7, gt=0, lt=1, title="Pre-warning", description="fraction of the alarm value (practice)"
    )
    rate_window_h: float = Field(24, gt=0, title="Rate window", description="hours the rate is measured over")
    rate_consecutive_fraction: float = Field(
        0.7,
        gt=0,
        le=1,
        title="Three-day fraction",
        description="a rate above this fraction now, 24 h and 48 h earlier is an alarm (Table 8.0.4 note)",
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of the threshold")
