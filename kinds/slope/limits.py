"""Alarm values of a slope's monitoring points: the monitoring plan's (GB 50330-2013 §19.1.2: the designer sets
them) or the defaults of ``rules.slope`` from §19.1.6 (min(H/500, 20 mm), 2 mm/d three days running; a
building's 80 % of its allowable, its tilt's 0.00008 a day), and what ``sitegw check-config`` says of a point
the rules could not judge. The displacements' defaults are a soil slope's (§19.1.6 words them for 土质边坡
support, docs/standards.md §15): a rock slope's displacement points must give the design's values, and
check-config refuses one that does not, so no rock slope is judged on a soil slope's. A building's allowable
(GB 50007's, per building) and an anchor's band (none in GB 50330) are the design's on every slope: check-config
refuses a building or anchor point without them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from contract.config.yamlsrc import Loc
from kinds.slope.kind import DISPLACEMENTS, POINT_METRICS, Displacement, SlopePoint, SlopeSpec
from kinds.slope.thresholds import SlopeRule
from rules.wording import MAJOR_ZH

BuildingMetric = Literal["bldg_settle_mm", "bldg_tilt"]
UNSURE = "（规范值录自二手资料，可按设计值配置）"
MAJOR = (
    f"；支护结构或周边建筑物变形值超过设计变形控制值且未及时处理属 建质规〔2024〕5号 第五条(四)1 {MAJOR_ZH}"
)
"""Above a design's deformation control value (a displacement's design value, a building's allowable), not
handled in time: the major hazard of the 2024 criteria, added to the alarm's clause."""
ITEMS_ZH = {
    "disp_h_mm": "水平位移",
    "disp_v_mm": "竖向位移",
    "incl_mm": "深层水平位移",
    "incl_depth_m": "最大位移深度",
    "water_level_m": "地下水位",
    "rain_mm": "降雨量",
    "bldg_settle_mm": "坡顶建筑物沉降",
    "bldg_tilt": "坡顶建筑物倾斜",
    "anchor_kn": "锚杆（索）轴力",
    "crack_mm": "裂缝宽度",
}
ITEMS_EN = {
    "disp_h_mm": "horizontal displacement",
    "disp_v_mm": "vertical displacement",
    "incl_mm": "deep horizontal displacement",
    "incl_depth_m": "depth of the largest deep displacement",
    "water_level_m": "groundwater level",
    "rain_mm": "rainfall",
    "bldg_settle_mm": "settlement of the building at the top",
    "bldg_tilt": "tilt of the building at the top",
    "anchor_kn": "anchor force",
    "crack_mm": "crack width",
}
# the design values each kind of point must give (GB 50330 sets none of them): without one the point is not
# judged, so check-config refuses it. The field, then the hint's words of what to write.
REQUIRED: dict[str, tuple[tuple[str, str], ...]] = {
    "building": (
        ("allowable_settle_mm", "<mm>: the building's allowable settlement (GB 50007, from its design)"),
        ("allowable_tilt", "<ratio, e.g. 0.004>: the building's allowable tilt (GB 50007, from its design)"),
    ),
    "anchor": (
        ("anchor_min_kn", "<kN>: the design's alarm band's lower end (prestress lost below it)"),
        ("anchor_max_kn", "<kN>: the design's alarm band's upper end (over-stressed above it)"),
    ),
}


def ratio(value: float) -> str:
    """A tilt (a ratio such as 0.00008) as the standard writes it: decimals, never 8e-05."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@dataclass(frozen=True)
class Limits:
    """The alarm values of one displacement of one point, in mm and mm/d."""

    cumulative: float
    rate: float
    days: int  # days in a row the daily rate must be above ``rate``
    designed: bool  # the cumulative value is the design's (above it: 建质规〔2024〕5号 第五条(四)1)
    clause: str  # the cumulative value's
    rate_clause: str


def displacement_limits(spec: SlopeSpec, point: SlopePoint, metric: Displacement, rule: SlopeRule) -> Limits:
    """The limits of ``metric`` (a displacement) at ``point``: its design values, else ``rule``'s defaults."""
    design = point.design.get(metric)
    item = ITEMS_ZH[metric]
    standard = min(rule.cumulative_mm, spec.height_m * 1000 / rule.height_ratio)
    if design is not None and design.cumulative_mm is not None:
        cumulative, designed = design.cumulative_mm, True
        clause = f"GB 50330-2013 第19.1.2条 监测报警值由设计确定：{item}累计报警值取设计值 {cumulative:g} mm"
    else:
        cumulative, designed = standard, False
        clause = (
            f"GB 50330-2013 第19.1.6条 坡顶水平位移已大于 H/{rule.height_ratio:g} 或 {rule.cumulative_mm:g} mm "
            f"应及时报警（取小者 {standard:g} mm；{item}按此值）{UNSURE}"
        )
    if design is not None and design.rate_mm_d is not None:
        rate = design.rate_mm_d
        rate_clause = f"GB 50330-2013 第19.1.2条 监测报警值由设计确定：{item}速率报警值取设计值 {rate:g} mm/d"
    else:
        rate = rule.rate_mm_d
        rate_clause = (
            f"GB 50330-2013 第19.1.6条 位移速率已连续{rule.rate_days}d大于 {rate:g} mm/d 应及时报警{UNSURE}"
        )
    return Limits(cumulative, rate, rule.rate_days, designed, clause, rate_clause)


@dataclass(frozen=True)
class BuildingLimits:
    """The alarm value of a building's settlement (mm) or tilt (a ratio): a share of its allowable."""

    allowable: float  # GB 50007's, from the design: above it, 建质规〔2024〕5号 第五条(四)1
    alarm: float
    unit: str
    clause: str


def building_limits(point: SlopePoint, metric: BuildingMetric, rule: SlopeRule) -> BuildingLimits | None:
    """The alarm value of ``metric`` at a building point, None without its allowable (check-config asks)."""
    settle = metric == "bldg_settle_mm"
    allowable = point.allowable_settle_mm if settle else point.allowable_tilt
    if allowable is None:
        return None
    item, unit = ("沉降", "mm") if settle else ("倾斜", "")
    shown = f"{allowable:g} mm" if settle else ratio(allowable)
    share = f"{rule.building_fraction * 100:g}%"
    clause = (
        f"GB 50330-2013 第19.1.6条第2款 坡顶建筑物{item}已大于 GB 50007 允许值（设计取 {shown}）的 {share} "
        f"应及时报警{UNSURE}"
    )
    return BuildingLimits(allowable, allowable * rule.building_fraction, unit, clause)


def tilt_rate_clause(rule: SlopeRule) -> str:
    """slope.building_rate's clause, with its configured line and days."""
    return (
        f"GB 50330-2013 第19.1.6条第2款 坡顶建筑物倾斜速率已连续{rule.rate_days}d每天大于 "
        f"{ratio(rule.tilt_rate_d)} 应及时报警{UNSURE}"
    )


@dataclass(frozen=True)
class AnchorBand:
    """The design's alarm band of an anchor's load, kN: below ``low`` (小于) or above ``high`` (大于) alarms."""

    low: float
    high: float
    clause: str

    @property
    def middle(self) -> float:
        """The band's middle, from which a load's departure towards either end is measured."""
        return (self.low + self.high) / 2

    @property
    def half(self) -> float:
        """Half the band's width: a departure this large from the middle is on an end."""
        return (self.high - self.low) / 2


def anchor_band(point: SlopePoint) -> AnchorBand | None:
    """The design's band of an anchor point, None without both ends (check-config asks for them). GB 50330
    gives no value (docs/standards.md §15), so the clause cites no default to be unsure of."""
    low, high = point.anchor_min_kn, point.anchor_max_kn
    if low is None or high is None:
        return None
    clause = (
        "GB 50330-2013 第19.1.6条第4款 支护结构的主要构件出现应力突变、松弛或拔出应及时报警："
        f"锚杆（索）轴力小于设计下限 {low:g} kN（预应力损失、松弛）或大于设计上限 {high:g} kN（超载）"
        "（报警值由设计确定，第19.1.2条）"
    )
    return AnchorBand(low, high, clause)


def check_points(index: int, device: str, spec: SlopeSpec) -> list[tuple[Loc, str, str]]:
    """Points the rules could not judge as written: (field path, message, hint)."""
    issues: list[tuple[Loc, str, str]] = []
    for j, point in enumerate(spec.points):
        where: Loc = ("devices", index, "slope", "points", j)
        if spec.type == "rock":
            issues.extend(_rock_design(device, point, (*where, "design")))
        issues.extend(_required(device, point, where))
        if point.kind == "water_level" and point.rise_m is None:
            issues.append(
                (
                    (*where, "rise_m"),
                    f"water-level point {point.code} has no rise_m",
                    "add rise_m: (m the level may rise above its baseline, from the slope's design): "
                    "GB 50330 gives no value, so its level is not judged without one",
                )
            )
        foreign = sorted(m for m in point.design if m not in POINT_METRICS[point.kind])
        if foreign:
            issues.append(
                (
                    (*where, "design"),
                    f"point {point.code} ({point.kind}) does not report {', '.join(foreign)}",
                    f"a {point.kind} point reports {', '.join(POINT_METRICS[point.kind])}: "
                    "give its design values under those",
                )
            )
    return issues


def _required(device: str, point: SlopePoint, where: Loc) -> list[tuple[Loc, str, str]]:
    """The design values ``point``'s kind needs (REQUIRED) that it does not give, each at its own field."""
    return [
        (
            (*where, field),
            f"slope {device}: {point.kind} point {point.code} has no {field}",
            f"add {field}: {what}: GB 50330 gives no value, so the point is not judged without it",
        )
        for field, what in REQUIRED.get(point.kind, ())
        if getattr(point, field) is None
    ]


def _rock_design(device: str, point: SlopePoint, where: Loc) -> list[tuple[Loc, str, str]]:
    """A rock slope's displacement of ``point`` without both of the design's alarm values: the defaults
    (H/500, 20 mm, 2 mm/d over three days) are GB 50330 §19.1.6's for a soil slope, not a rock slope's."""
    issues: list[tuple[Loc, str, str]] = []
    for metric in DISPLACEMENTS:
        if metric not in POINT_METRICS[point.kind]:
            continue
        design = point.design.get(metric)
        missing = [
            name
            for name, value in (
                ("cumulative_mm", None if design is None else design.cumulative_mm),
                ("rate_mm_d", None if design is None else design.rate_mm_d),
            )
            if value is None
        ]
        if missing:
            issues.append(
                (
                    where,
                    f"rock slope {device}: point {point.code} has no design alarm values for {metric} "
                    f"({', '.join(missing)})",
                    f"add design: {{{metric}: {{cumulative_mm: <mm>, rate_mm_d: <mm/d>}}}} from the slope's "
                    "monitoring design (GB 50330 §19.1.2): the defaults H/500, 20 mm and 2 mm/d are a soil "
                    "slope's (§19.1.6), not a rock slope's",
                )
            )
    return issues
