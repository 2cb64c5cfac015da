"""The tunnel's section of the site file's ``rules:`` (GB 50911-2013 §9.1): the project's colour scale.

GB 50911 §9.1.1 (mandatory) leaves the warning levels and their criteria to the project; docs/standards.md §16
gives the common practice (yellow, orange, red as fractions of the control values, [U]), which are the
defaults here: a project sets its own city's or client's table. Each point's control values are its own
(``TunnelPoint.cumulative_mm``, ``rate_mm_d``).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from contract.config.common import Model


def _fraction(default: float, what: str) -> float:
    return Field(default, gt=0, le=2, title=what, description=f"{what}: fraction of the control value")


class TunnelRule(Model):
    """tunnel.vault, tunnel.convergence, tunnel.surface, tunnel.silent (GB 50911-2013 §9.1; practice)."""

    yellow_both: float = _fraction(0.70, "Yellow, both")
    """Yellow (黄色预警): the cumulative value and the rate both reach this share of their controls ..."""
    yellow_one: float = _fraction(0.85, "Yellow, one")
    """... or either of them reaches this share."""
    orange_both: float = _fraction(0.85, "Orange, both")
    """Orange (橙色预警): both reach this share ..."""
    orange_one: float = _fraction(1.0, "Orange, one")
    """... or either reaches this share."""
    red_both: float = _fraction(1.0, "Red, both")
    """Red (红色预警): both reach this share (or the rate accelerates: ``acceleration_factor``)."""
    acceleration_factor: float = Field(
        2.0,
        gt=1,
        le=100,
        title="Sudden acceleration",
        description="red when the rate over the window reaches this many times the rate over the window "
        "before, and at least yellow_both of the rate control (practice: the standard gives no figure)",
    )
    rate_window_h: float = Field(
        24, gt=0, le=168, title="Rate window", description="hours the rate is measured over"
    )
    hysteresis_pct: float = Field(5, ge=0, lt=50, title="Clearing band", description="% of each line")
    silent_intervals: float = Field(
        3,
        gt=1,
        le=100,
        title="Silent point",
        description="a point without a valid reading for more than this many of its reporting intervals "
        "is an alarm (a prism hidden by plant, a level's cable cut)",
    )

    @model_validator(mode="after")
    def _ordered(self) -> TunnelRule:
        # each level needs at least what the one below it needs, or a milder level would hide a worse one
        if not (self.yellow_both <= self.orange_both <= self.red_both and self.yellow_one <= self.orange_one):
            raise ValueError(
                "rules.tunnel: the colours must rise: yellow_both <= orange_both <= red_both and "
                "yellow_one <= orange_one"
            )
        if not (self.yellow_both <= self.yellow_one and self.orange_both <= self.orange_one):
            raise ValueError("rules.tunnel: one item alone must need at least what both together need")
        return self
