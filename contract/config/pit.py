"""Deep-pit facts: grade, support type, depth and monitoring points (GB 50497-2019)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from contract.config.common import Model
from contract.config.uniqueness import DUPLICATE_POINT_CODE, require_unique

PitGrade = Literal[1, 2, 3]  # 一级, 二级, 三级 (GB 50497 §3.0.1)
SupportType = Literal[
    "bored_pile", "diaphragm_wall", "sheet_pile", "smw", "soil_nail", "shotcrete", "cement_soil"
]
DEPTH_MAX_M = 150.0
"""The deepest a foundation pit goes (the deepest dug are about 70 m, shafts deeper): a number past it was
written in another unit (12000 for a 12 m pit is millimetres), and the check-config hint says which."""

PointKind = Literal["wall_top", "inclinometer", "strut", "anchor", "water_level", "settlement", "column"]


class PitPoint(Model):
    """One monitoring point (测点) with the site's code, e.g. ZQS-01."""

    code: str = Field(title="Point code", description="the site's own code, e.g. ZQS-01")
    kind: PointKind = Field(
        title="Kind", description="wall_top, inclinometer, strut, anchor, water_level, settlement or column"
    )
    interval_s: float = Field(7200, gt=0, title="Reporting interval", description="seconds between readings")
    capacity_kn: float | None = Field(
        None,
        gt=0,
        le=100_000,
        title="Capacity",
        description="strut member capacity or anchor design prestress, kN (at most 100000); an anchor "
        "without it is not judged",
    )
    depth_m: float | None = Field(
        None,
        le=DEPTH_MAX_M,
        title="Depth",
        description=f"inclinometer measuring depth, m (at most {DEPTH_MAX_M:g})",
    )
    thresholds: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        title="Thresholds",
        description="per metric overrides: {disp_h_mm: {cumulative_mm: 25, rate_mm_d: 2.5}}, an anchor's "
        "{anchor_kn: {minimum_pct: 90}}; default from GB 50497 Table 8.0.4 (lower bound of each range)",
    )


class PitSpec(Model):
    """A deep foundation pit and its monitoring design."""

    grade: PitGrade = Field(title="Grade", description="safety grade 1 (一级), 2 (二级) or 3 (三级)")
    support: SupportType = Field(title="Support type", description="retaining structure type")
    struts: bool = Field(False, title="Struts", description="internal struts fitted")
    excavation_depth_m: float = Field(
        gt=0, le=DEPTH_MAX_M, title="Excavation depth H", description=f"m (at most {DEPTH_MAX_M:g})"
    )
    points: list[PitPoint] = Field(min_length=1, title="Points", description="monitoring points")

    @model_validator(mode="after")
    def _unique_codes(self) -> PitSpec:
        # the rules key each point by (device, code): a second point of a code would hide the first
        require_unique([p.code for p in self.points], DUPLICATE_POINT_CODE, "point codes")
        return self
