"""High slopes (高边坡, 建筑边坡): the monitoring points of GB 50330-2013 §19.1 (standards.md §15).

This module is the declaration alone (it imports only the contract and its own thresholds), so the regulator,
which reads the names, never loads the judge or the simulator named here."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from contract.config.common import Model
from contract.config.device import DeviceConfig
from contract.config.uniqueness import DUPLICATE_POINT_CODE, require_unique
from contract.kinds import Kind, Metric, Thresholds
from contract.kinds.offline import TIME_LIMITS
from kinds.slope.thresholds import SlopeRule

SlopeGrade = Literal[
    1, 2, 3
]  # 一级, 二级, 三级 (GB 50330-2013 §3.2.1); "高边坡" in 建质规〔2024〕5号: 一级、二级
SlopeType = Literal["soil", "rock"]
PointKind = Literal["surface", "inclinometer", "water_level", "rain_gauge", "building", "anchor", "crack"]
# where a crack point's crack is: the support's (GB 50330 §19.1.6 (1)), the ground's or a building's (3)
CrackIn = Literal["support", "ground", "building"]
Displacement = Literal["disp_h_mm", "disp_v_mm", "incl_mm"]
DISPLACEMENTS: tuple[Displacement, ...] = ("disp_h_mm", "disp_v_mm", "incl_mm")
HEIGHT_MAX_M = 300.0
"""Higher than any building slope (GB 50330 covers rock slopes to 30 m and soil slopes to 15 m, special designs
beyond): a number past it was written in another unit (20000 for 20 m is millimetres)."""
# the metrics each kind of point reports: the profile's and the simulator's, and what the judge expects
POINT_METRICS: dict[str, tuple[str, ...]] = {
    "surface": ("disp_h_mm", "disp_v_mm"),
    "inclinometer": ("incl_mm", "incl_depth_m"),
    "water_level": ("water_level_m",),
    "rain_gauge": ("rain_mm",),
    "building": ("bldg_settle_mm", "bldg_tilt"),
    "anchor": ("anchor_kn",),
    "crack": ("crack_mm",),
}
TILT_MAX = 0.1
"""A building's tilt is a ratio (0.004, GB 50007's way): more than this is a tilt written in ‰ (4) or in %."""


OFFLINE_HIGH = (
    "建质规〔2024〕5号 第五条(三) 高边坡（一级、二级）施工未进行第三方监测属重大事故隐患；"
    f"监测数据中断期间边坡失去监测{TIME_LIMITS}"
)
"""A 一级 or 二级 slope's station gone silent: "高边坡" in the 2024 criteria, so a major hazard."""
OFFLINE_GRADE_3 = (
    "GB 50330-2013 第19.1.2条 边坡监测项目与要求由设计提出，按监测方案实施；"
    f"监测数据中断期间边坡失去监测，应尽快恢复，恢复前人工巡视观测{TIME_LIMITS}"
)
"""A 三级 slope's: no 高边坡 of the 2024 criteria, so its monitoring lost, not their Art. 5(三)
(kinds/slope/judge.py picks it by the slope's grade)."""


class DesignValues(Model):
    """The monitoring plan's alarm values of one displacement of one point (GB 50330 §19.1.2: the designer's)."""

    cumulative_mm: float | None = Field(
        None,
        gt=0,
        le=1000,
        title="Cumulative alarm value",
        description="mm (at most 1000); none: the default",
    )
    rate_mm_d: float | None = Field(
        None, gt=0, le=100, title="Rate alarm value", description="mm/d (at most 100); none: the default"
    )


class SlopePoint(Model):
    """One monitoring point (测点) with the site's code, e.g. BP-01."""

    code: str = Field(max_length=64, title="Point code", description="the site's own code, e.g. BP-01")
    kind: PointKind = Field(
        title="Kind",
        description="surface (GNSS or prism: disp_h_mm, disp_v_mm), inclinometer (incl_mm and the depth "
        "incl_depth_m of its largest displacement), water_level (water_level_m), rain_gauge (rain_mm), "
        "building (a building at the slope's top: bldg_settle_mm, bldg_tilt) or anchor (an anchor's load "
        "cell: anchor_kn)"
        ", or crack (a crack meter: crack_mm, the crack's width; crack_in says where it is)",
    )
    interval_s: float = Field(
        3600, gt=0, le=86400, title="Reporting interval", description="seconds between readings"
    )
    design: dict[Displacement, DesignValues] = Field(
        default_factory=dict,
        title="Design values",
        description="the monitoring plan's alarm values per displacement: {disp_h_mm: {cumulative_mm: 30, "
        "rate_mm_d: 3}}; none: rules.slope's (GB 50330 §19.1.6, a soil slope's: required on a rock slope)",
    )
    rise_m: float | None = Field(
        None,
        gt=0,
        le=100,
        title="Water rise alarm value",
        description="water_level points: m the level may rise above its baseline, from the design (GB 50330 "
        "gives no value: required)",
    )
    baseline_m: float | None = Field(
        None,
        ge=-500,
        le=500,
        title="Water baseline",
        description="water_level points: the level the rise is measured from, m; none: its first reading (kept "
        "across restarts)",
    )
    allowable_settle_mm: float | None = Field(
        None,
        gt=0,
        le=1000,
        title="Building's allowable settlement",
        description="building points: mm, the building's allowable settlement (GB 50007, from its design): "
        "settlement above 80 % of it is the alarm (GB 50330 §19.1.6 (2)); required",
    )
    allowable_tilt: float | None = Field(
        None,
        gt=0,
        le=TILT_MAX,
        title="Building's allowable tilt",
        description="building points: the building's allowable tilt as a ratio (0.004, not 4 ‰; GB 50007, "
        "from its design): tilt above 80 % of it is the alarm (GB 50330 §19.1.6 (2)); required",
    )
    anchor_min_kn: float | None = Field(
        None,
        ge=0,
        le=20000,
        title="Anchor load's lower alarm value",
        description="anchor points: kN, the design's alarm band's lower end: a load below it (小于: "
        "prestress lost, loosening) is the alarm (GB 50330 §19.1.6 (4)); required",
    )
    anchor_max_kn: float | None = Field(
        None,
        gt=0,
        le=20000,
        title="Anchor load's upper alarm value",
        description="anchor points: kN, the design's alarm band's upper end: a load above it (大于: "
        "over-stressed) is the alarm (GB 50330 §19.1.6 (4)); required",
    )
    # crack_in, not "on": YAML 1.1 reads an unquoted on as true, and a site file's key must be a name
    crack_in: CrackIn | None = Field(
        None,
        title="Crack's place",
        description="crack points: support (a crack in the support: its width against allowable_crack_mm), "
        "ground (a ground crack at the top) or building (a crack in a building at the top): a ground or "
        "building crack's growth from its baseline is judged (GB 50330 §19.1.6 (1), (3); §18.5.1); required",
    )
    allowable_crack_mm: float | None = Field(
        None,
        gt=0,
        le=10,
        title="Support crack's allowable width",
        description="support crack points: mm, the design's allowable crack width of the support (GB 50330 "
        "gives no value): a width reaching it (达到) is the alarm (GB 50330 §19.1.6 (1)); required",
    )
    baseline_mm: float | None = Field(
        None,
        ge=0,
        le=500,
        title="Crack's baseline width",
        description="ground and building crack points: mm, the crack's width its growth is measured from (the "
        "first survey's); none: the point's first reading (kept across restarts)",
    )
    growth_mm: float | None = Field(
        None,
        gt=0,
        le=50,
        title="Crack growth alarm value",
        description="ground and building crack points: mm the width may grow above its baseline, its meter's "
        "noise, before the alarm (大于); none: rules.slope's crack_growth_mm",
    )

    @model_validator(mode="after")
    def _anchor_band(self) -> SlopePoint:
        # a band upside down would judge every load outside it: the alarm at every reading
        low, high = self.anchor_min_kn, self.anchor_max_kn
        if low is not None and high is not None and low >= high:
            raise ValueError(
                f"point {self.code}: anchor_min_kn ({low:g}) must be below anchor_max_kn ({high:g})"
            )
        return self


class SlopeSpec(Model):
    """A slope and its monitoring design."""

    grade: SlopeGrade = Field(title="Grade", description="safety grade 1 (一级), 2 (二级) or 3 (三级)")
    type: SlopeType = Field(
        title="Type",
        description="soil (土质) or rock (岩质: its displacement points need the design's values, which "
        "check-config asks for)",
    )
    height_m: float = Field(
        gt=0, le=HEIGHT_MAX_M, title="Height H", description=f"slope height, m (at most {HEIGHT_MAX_M:g})"
    )
    points: list[SlopePoint] = Field(min_length=1, title="Points", description="monitoring points")
    buildings_in_sliding_zone: bool = Field(
        False,
        title="Important buildings in the sliding zone",
        description="important buildings stand in the slope's sliding zone: a grade 1 slope then must monitor "
        "its top's displacement (a surface point), its ground cracks (a crack point on the ground) and its "
        "buildings (a building point), GB 50330 §19.1.1 (mandatory), which check-config asks for; a building "
        "point is taken as such a building whatever this says",
    )

    @model_validator(mode="after")
    def _unique_codes(self) -> SlopeSpec:
        # the rules key each point by (device, code): a second point of a code would hide the first
        require_unique([p.code for p in self.points], DUPLICATE_POINT_CODE, "point codes")
        return self


class SlopeDevice(DeviceConfig):
    """A slope's automatic monitoring station (RTU): every monitoring point of one slope."""

    kind: Literal["slope"] = Field(title="Kind", description="slope: a high slope's monitoring points")
    slope: SlopeSpec = Field(
        title="Slope", description="grade, type, height_m, points: the slope and its monitoring points"
    )

    def point_codes(self) -> frozenset[str]:
        """The slope's monitoring point codes."""
        return frozenset(p.code for p in self.slope.points)


KIND = Kind(
    name="slope",
    zh="高边坡",
    en="high slope",
    device=SlopeDevice,
    section="slope",
    metrics=(
        # one id, one meaning: the pit's displacement metrics (signed: the limit is on the magnitude)
        Metric("disp_h_mm", "水平位移", "mm", "horizontal displacement", summary="peak"),
        Metric("disp_v_mm", "竖向位移", "mm", "vertical displacement", summary="peak"),
        Metric("incl_mm", "深层水平位移", "mm", "deep horizontal displacement", summary="peak"),
        Metric("incl_depth_m", "最大位移深度", "m", "depth of the largest deep displacement", summary="last"),
        Metric("water_level_m", "地下水位", "m", "water level", summary="last"),
        Metric("rain_mm", "降雨量", "mm", "rainfall since the last report", summary="max"),
        Metric(
            "bldg_settle_mm", "坡顶建筑物沉降", "mm", "settlement of a building at the top", summary="peak"
        ),
        # a ratio (0.004 = 4 ‰), as GB 50007 gives a building's allowable tilt: no unit
        Metric("bldg_tilt", "坡顶建筑物倾斜", "", "tilt of a building at the top", summary="peak"),
        # one id, one meaning: the pit's anchor force (kN, its summary the minute's least: a lost prestress)
        Metric("anchor_kn", "锚杆（索）轴力", "kN", "anchor force", summary="min"),
        # a crack's width (+, never signed: the meter spans the crack), the minute's widest
        Metric("crack_mm", "裂缝宽度", "mm", "crack width", summary="max"),
    ),
    offline_clause=OFFLINE_HIGH,  # a 三级 slope's is OFFLINE_GRADE_3 (SlopeJudge.offline_clause)
    judge="kinds.slope.judge:SlopeJudge",
    rules={
        "slope.cumulative": "边坡累计位移",
        "slope.rate": "边坡位移速率",
        "slope.water": "边坡地下水位",
        "slope.rain": "边坡降雨",
        "slope.building": "坡顶建筑物变形",
        "slope.building_rate": "坡顶建筑物倾斜速率",
        "slope.crack_width": "支护结构裂缝宽度",
        "slope.crack_growth": "坡顶建筑物及地表裂缝扩展",
        "slope.anchor": "边坡锚杆（索）轴力",
        "slope.rain_signal": "暴雨预警边坡加密监测",
    },
    simulator="kinds.slope.sim:SlopeSim",
    scenarios=("normal", "creep", "rate", "rain", "fault", "rainstorm", "building"),
    thresholds=(
        Thresholds(
            "slope",
            SlopeRule,
            "Slope",
            "slope.cumulative, slope.rate, slope.water, slope.rain, slope.building, slope.building_rate"
            ", slope.crack_width, slope.crack_growth",
        ),
    ),
    card="kinds.slope.card:CARD",
)
