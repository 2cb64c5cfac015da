"""The shield machines' section of the site file's ``rules:`` (docs/standards.md §16: "Rules [practice]").

The lines themselves are the drive's plan, in each machine's ``shield:`` section (kinds/shield/kind.py); what
is here is how they are applied, practice [U], site-wide or per machine under ``rules.devices.<id>.shield``.
"""

from __future__ import annotations

from pydantic import Field

from contract.config.common import Model


class ShieldRule(Model):
    """shield.roll, shield.deviation, shield.thrust, shield.chamber, shield.grout, shield.muck, shield.leak."""

    advancing_mm_min: float = Field(
        0.0,
        ge=0,
        le=100,
        title="Advancing",
        description="mm/min: an advance rate above this (大于) is the machine advancing (掘进), which makes a "
        "tail-seal or articulation leak the major hazard of 建质规〔2024〕5号 Art. 13(五); at it or below, "
        "stopped (practice: 0, any movement; raise it to the rate sensor's noise)",
    )
    hysteresis_pct: float = Field(
        5,
        ge=0,
        lt=50,
        title="Clearing band",
        description="% of each line (of the half-width of the chamber pressure's band) a value must come back "
        "past before its alert clears",
    )
