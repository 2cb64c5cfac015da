"""Construction-hoist facts the rules need: what the cage may carry, how high it runs, and its
fall arrester's calibration (JGJ 215-2010; docs/standards.md §5)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from contract.config.common import Model


class HoistSpec(Model):
    """One construction hoist (施工升降机, rack-and-pinion SC type), one cage."""

    model: str = Field("", title="Model", description="manufacturer's model, e.g. SC200/200")
    rated_load_t: float = Field(gt=0, le=10, title="Rated load", description="t the cage may carry")
    rated_persons: int = Field(
        ge=1, le=60, title="Rated persons", description="people the cage may carry (nameplate)"
    )
    erected_height_m: float = Field(
        gt=0, le=500, title="Erected height", description="m, mast height as erected"
    )
    mast_deviation_mm: float | None = Field(
        None,
        gt=0,
        le=500,
        title="Mast deviation allowed",
        description="mm the mast may lean at its top (hoist.tilt); unset: by the erected height, h/1000 to 70 m, "
        "then 70/90/110/130 mm to 100/150/200 m and above (docs/standards.md §5 [U])",
    )
    arrester_calibrated_on: date = Field(
        title="Fall arrester calibrated on",
        description="date of the fall arrester's last calibration (YYYY-MM-DD); "
        "it may be used for one year after it (JGJ 215-2010 §4.1.7)",
    )
    arrester_in_service_since: date | None = Field(
        None,
        title="Fall arrester in service since",
        description="date the fall arrester was first put in service; its life is at most "
        "arrester_life_years (Guangdong hoist self-inspection form 3.1.3)",
    )
    arrester_drop_tested_on: date | None = Field(
        None,
        title="Fall arrester drop-tested on",
        description="date of the last drop test at the rated load (YYYY-MM-DD): due again within 3 months "
        "(JGJ 215-2010 §5.3.6), hoist.arrester's alarm once overdue; unset: not judged",
    )
    arrester_life_years: float = Field(
        5, gt=0, le=20, title="Fall arrester life", description="years of service at most (practice: 5)"
    )
