"""Alarm values of a slope's monitoring points: the monitoring plan's (GB 50330-2013 §19.1.2: the designer sets
them) or the defaults of ``rules.slope`` from §19.1.6 (min(H/500, 20 mm), 2 mm/d three days running), and what
``sitegw check-config`` says of a point the rules could not judge. Those defaults are a soil slope's (§19.1.6
words them for 土质边坡 support, docs/standards.md §15): a rock slope's displacement points must give the
design's values, and check-config refuses one that does not, so no rock slope is judged on a soil slope's."""

from __future__ import annotations

from dataclasses import dataclass

from contract.config.yamlsrc import Loc
from kinds.slope.kind import DISPLACEMENTS, POINT_METRICS, Displacement, SlopePoint, SlopeSpec
from kinds.slope.thresholds import SlopeRule

UNSURE = "（规范值录自二手资料，可按设计值配置）"
ITEMS_ZH = {
    "disp_h_mm": "水平位移",
    "disp_v_mm": "竖向位移",
    "incl_mm": "深层水平位移",
    "incl_depth_m": "最大位移深度",
    "water_level_m": "地下水位",
    "rain_mm": "降雨量",
}
ITEMS_EN = {
    "disp_h_mm": "horizontal displacement",
    "disp_v_mm": "vertical displacement",
    "incl_mm": "deep horizontal displacement",
    "incl_depth_m": "depth of the largest deep displacement",
    "water_level_m": "groundwater level",
    "rain_mm": "rainfall",
}


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


def check_points(index: int, device: str, spec: SlopeSpec) -> list[tuple[Loc, str, str]]:
    """Points the rules could not judge as written: (field path, message, hint)."""
    issues: list[tuple[Loc, str, str]] = []
    for j, point in enumerate(spec.points):
        where: Loc = ("devices", index, "slope", "points", j)
        if spec.type == "rock":
            issues.extend(_rock_design(device, point, (*where, "design")))
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
