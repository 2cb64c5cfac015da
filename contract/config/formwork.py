"""High-formwork facts: the monitoring points of one support system and their alarm values
(DBJ/T 15-197-2020 Table 8.0.4; docs/standards.md §6). The design's values govern: every limit
is overridable per point."""

from __future__ import annotations

from pydantic import Field

from contract.config.common import Model

# Table 8.0.4 alarm values, the defaults of every point (the design may set its own)
SETTLE_MM = 8.0
DISP_H_MM = 12.0
TILT_DEG = 0.229  # 4 per mille


class FormworkPoint(Model):
    """One monitoring point (测点) of a formwork support system, e.g. M1."""

    code: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        title="Point code",
        description="the site's own code, e.g. M1 (unique on this device)",
    )
    settle_mm: float = Field(
        SETTLE_MM, gt=0, title="Settlement alarm", description="mm (DBJ/T 15-197-2020 Table 8.0.4: 8)"
    )
    disp_h_mm: float = Field(
        DISP_H_MM,
        gt=0,
        title="Horizontal displacement alarm",
        description="mm (DBJ/T 15-197-2020 Table 8.0.4: 12)",
    )
    tilt_deg: float = Field(
        TILT_DEG,
        gt=0,
        title="Tilt alarm",
        description="degrees of pole tilt (DBJ/T 15-197-2020 Table 8.0.4: 4 per mille = 0.229)",
    )
    axial_design_kn: float | None = Field(
        None,
        gt=0,
        le=10_000,
        title="Axial force design value",
        description="kN, the design value of the pole's added load: the alarm value of axial_kn "
        "(Table 8.0.4; at most 10000); without it axial force is kept but not judged",
    )


class FormworkSpec(Model):
    """A high-formwork support system (高支模) watched during pours."""

    area: str = Field("", title="Area", description="where it stands, e.g. 3# 楼 5 层 大会议室")
    height_m: float | None = Field(
        None,
        gt=0,
        le=200,
        title="Height",
        description="m, support height (at most 200): from 8 m the 危大 item it monitors is 超过一定规模 "
        "(建办质〔2018〕31号 附件2 二(二)), whatever the item's over_scale says; unset: the flag alone",
    )
    points: list[FormworkPoint] = Field(min_length=1, title="Points", description="monitoring points")
