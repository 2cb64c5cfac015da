"""Alarm values of deep-pit monitoring points: GB 50497-2019 Table 8.0.4 defaults (lower bound of
each range, transcribed from a secondary source, which the clause says), or the designer's values.

Every value is expressed in the point's "table unit": mm of displacement (water level: mm of
change from the baseline) or kN of axial force.
"""

from __future__ import annotations

from dataclasses import dataclass

from contract.config.pit import PitPoint, PitSpec
from contract.config.yamlsrc import Loc

PILE_WALLS = {"bored_pile", "diaphragm_wall", "sheet_pile", "smw"}

# grade: (cumulative mm, % of H, rate mm/d)
WALL_TOP_H = {
    "pile": {1: (20, 0.2, 2), 2: (30, 0.3, 2), 3: (40, 0.6, 3)},
    "soil": {1: (30, 0.3, 3), 2: (40, 0.5, 4), 3: (50, 0.7, 5)},
}
WALL_TOP_V = {1: (10, 0.1, 2), 2: (20, 0.3, 2), 3: (30, 0.5, 3)}  # the table gives pile walls only
INCLINOMETER = {1: (30, 0.3), 2: (40, 0.4), 3: (50, 0.6)}
# floats: limits are compared and reported as floats
COLUMN_V = {1: (20.0, 2.0), 2: (20.0, 2.0), 3: (20.0, 2.0)}
GROUND_SETTLEMENT = {1: (25.0, 2.0), 2: (35.0, 3.0), 3: (45.0, 4.0)}
STRUT_PCT = {1: 60, 2: 70, 3: 70}
ANCHOR_MIN_PCT = (
    80.0  # an anchor's force below 80 % of its design prestress (Table 8.0.4's minimum, 80-100 %)
)
WATER_CUMULATIVE_MM, WATER_RATE_MM_D = 1000.0, 500.0

# metrics judged for each kind of point (an anchor's force against Table 8.0.4's minimum)
KIND_METRICS = {
    "wall_top": ("disp_h_mm", "disp_v_mm"),
    "inclinometer": ("incl_mm",),
    "strut": ("axial_kn",),
    "water_level": ("water_level_m",),
    "settlement": ("settle_mm",),
    "column": ("disp_v_mm", "settle_mm"),
    "anchor": ("anchor_kn",),
}

OVERRIDE_KEYS = {
    "cumulative_mm",
    "cumulative_pct_h",
    "rate_mm_d",
    "jump_mm",
    "capacity_pct",
    "cumulative_kn",
    "minimum_pct",
    "baseline_m",
    "range_min",
    "range_max",
}

ITEMS_ZH = {
    "disp_h_mm": "围护墙顶水平位移",
    "disp_v_mm": "围护墙顶竖向位移",
    "incl_mm": "深层水平位移",
    "axial_kn": "支撑轴力",
    "water_level_m": "地下水位变化",
    "settle_mm": "沉降",
    "anchor_kn": "锚杆拉力",
}
ITEMS_EN = {
    "disp_h_mm": "wall-top horizontal displacement",
    "disp_v_mm": "wall-top vertical displacement",
    "incl_mm": "deep horizontal displacement",
    "axial_kn": "strut axial force",
    "water_level_m": "groundwater level change",
    "settle_mm": "settlement",
    "anchor_kn": "anchor force",
}
TABLE_PRACTICE = "（表值取区间下限，录自二手资料，非设计值，可按设计值配置）"


@dataclass(frozen=True)
class PointLimits:
    """The alarm values of one metric of one point, in table units."""

    metric: str
    unit: str  # mm or kN
    cumulative: float | None
    rate_per_day: float | None
    jump: float | None
    clause: str
    baseline: float | None = None  # water level: metres the change is measured from (None: its first reading)
    minimum: float | None = None  # an anchor's force: below it (低于) is the alarm

    def to_table_units(self, raw: float, baseline: float | None) -> float:
        """The reading as compared with the limits (water level: mm of change)."""
        if self.metric == "water_level_m":
            return (raw - (baseline if baseline is not None else raw)) * 1000.0
        return raw


def point_limits(pit: PitSpec, point: PitPoint, metric: str) -> PointLimits | None:
    """The limits of ``metric`` at ``point``, or None where GB 50497 sets none for it."""
    if metric not in KIND_METRICS[point.kind]:
        return None
    if metric == "anchor_kn":
        return _anchor_limits(point)
    over = point.thresholds.get(metric, {})
    grade, depth_mm = pit.grade, pit.excavation_depth_m * 1000
    group = "pile" if pit.support in PILE_WALLS else "soil"
    table = "GB 50497-2019 第8.0.3条、表8.0.4 {}报警值" + TABLE_PRACTICE
    unit = "kN" if metric == "axial_kn" else "mm"
    cumulative: float
    rate: float | None
    jump: float | None
    if metric == "incl_mm":
        abs_mm, pct = INCLINOMETER[grade]
        cumulative, item = min(abs_mm, pct / 100 * depth_mm), "深层水平位移"
        rate = None  # the table gives inclinometers no rate
        jump = WALL_TOP_H[group][grade][2]  # chosen: the wall-top horizontal daily rate of the grade
    elif metric == "disp_h_mm":
        abs_mm, pct, rate = WALL_TOP_H[group][grade]
        cumulative, jump, item = min(abs_mm, pct / 100 * depth_mm), rate, "围护墙顶水平位移"
    elif metric == "disp_v_mm" and point.kind == "wall_top":
        abs_mm, pct, rate = WALL_TOP_V[grade]
        cumulative, jump, item = min(abs_mm, pct / 100 * depth_mm), rate, "围护墙顶竖向位移"
    elif point.kind == "column":
        cumulative, rate = COLUMN_V[grade]
        jump, item = rate, "立柱竖向位移"
    elif metric == "settle_mm":
        cumulative, rate = GROUND_SETTLEMENT[grade]
        jump, item = rate, "地表沉降"
    elif metric == "axial_kn":
        pct = over.get("capacity_pct", STRUT_PCT[grade])
        cumulative = over.get("cumulative_kn", (point.capacity_kn or 0) * pct / 100)
        rate, jump, item = None, None, "支撑轴力"
    else:  # water_level_m
        cumulative, rate, jump, item = (
            WATER_CUMULATIVE_MM,
            WATER_RATE_MM_D,
            WATER_RATE_MM_D,
            "地下水位变化",
        )
    designed = bool({"cumulative_mm", "cumulative_pct_h", "cumulative_kn", "capacity_pct"} & over.keys())
    if "cumulative_mm" in over or "cumulative_pct_h" in over:
        cumulative = min(
            over.get("cumulative_mm", float("inf")),
            over.get("cumulative_pct_h", float("inf")) / 100 * depth_mm,
        )
    if "rate_mm_d" in over:
        rate = over["rate_mm_d"]
        jump = rate if jump is not None else None  # the jump value follows the designer's daily rate
    jump = over.get("jump_mm", jump)
    clause = (
        f"GB 50497-2019 第8.0.1条 监测报警值由设计确定：{item}采用设计值" if designed else table.format(item)
    )
    return PointLimits(metric, unit, cumulative, rate, jump, clause, over.get("baseline_m"))


def _anchor_limits(point: PitPoint) -> PointLimits | None:
    """An anchor's minimum force: 80 % of its design prestress (``capacity_kn``; the designer's
    ``minimum_pct`` instead); None without a design prestress (nothing to judge against)."""
    if point.capacity_kn is None:
        return None
    over = point.thresholds.get("anchor_kn", {})
    pct = over.get("minimum_pct", ANCHOR_MIN_PCT)
    clause = (
        f"GB 50497-2019 第8.0.1条 监测报警值由设计确定：锚杆拉力最小值采用设计值（设计预应力的 {pct:g}%）"
        if "minimum_pct" in over
        else f"GB 50497-2019 第8.0.3条、表8.0.4 锚杆拉力最小值报警值（设计预应力的 {pct:g}%）{TABLE_PRACTICE}"
    )
    return PointLimits("anchor_kn", "kN", None, None, None, clause, minimum=point.capacity_kn * pct / 100)


def check_thresholds(device_index: int, pit: PitSpec) -> list[tuple[Loc, str, str]]:
    """Problems with the points' threshold overrides and capacities: (field path, message, hint)."""
    issues: list[tuple[Loc, str, str]] = []
    for j, point in enumerate(pit.points):
        where: Loc = ("devices", device_index, "pit", "points", j)
        if (
            point.kind == "strut"
            and point.capacity_kn is None
            and "cumulative_kn" not in point.thresholds.get("axial_kn", {})
        ):
            issues.append(
                (
                    (*where, "capacity_kn"),
                    f"strut point {point.code} has no capacity_kn",
                    "add capacity_kn: (member capacity, kN) so its axial force can be judged "
                    "(GB 50497 Table 8.0.4)",
                )
            )
        for metric, values in point.thresholds.items():
            unknown = sorted(set(values) - OVERRIDE_KEYS)
            if unknown:
                issues.append(
                    (
                        (*where, "thresholds", metric),
                        f"point {point.code}: unknown threshold key(s) {', '.join(unknown)}",
                        f"known keys: {', '.join(sorted(OVERRIDE_KEYS))}",
                    )
                )
    return issues
