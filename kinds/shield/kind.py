"""The shield machine (盾构机) as its PLC reports it, during a drive (docs/standards.md §16, "Shield: stop and
analyse", Art. 13(五), and "What a gateway can watch" → "Shield machine").

One device is one machine. Its section of the site file is the drive's plan, from the special construction
plan (专项施工方案) and the ring-by-ring drive orders (掘进指令): the allowed roll and deviations, the planned
thrust and chamber pressure (per ring range where they change), the grout and muck volumes of a ring, and the
special sections (特殊地段) by ring number. No standard gives these numbers (GB 55034-2022 §3.7.3 says only
允许范围, 预计范围): each is the plan's, and ``sitegw check-config`` refuses a machine left without one
(kinds/shield/plan.py).

This module is the declaration alone (it imports only the contract and its own thresholds), so the regulator,
which reads the names, never loads the judge or the simulator named here.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Literal

from pydantic import Field, model_validator

from contract.config.common import Model
from contract.config.device import DeviceConfig
from contract.config.scale_lines import tunnelling
from contract.kinds import Kind, Metric, Thresholds
from contract.kinds.offline import TIME_LIMITS
from kinds.shield.thresholds import ShieldRule

RING, ADVANCE, THRUST = "ring", "advance_mm_min", "thrust_kn"
TORQUE, CUTTER = "torque_knm", "cutter_rpm"
CHAMBER, GROUT, MUCK = "chamber_kpa", "grout_m3", "muck_m3"
ROLL, DEV_H, DEV_V = "roll_deg", "dev_h_mm", "dev_v_mm"
TAIL_SEAL, ARTICULATION = "tail_seal_leak", "articulation_leak"
NO_LEAK, LEAK = 0, 1
SAMPLE = frozenset({RING, ADVANCE, THRUST, CHAMBER, GROUT, MUCK, ROLL, DEV_H, DEV_V, TAIL_SEAL, ARTICULATION})
"""What the rules read, one PLC scan at a time (the leak with the advance rate, the thrust with the ring); the
cutterhead's torque and speed are shown, not judged (no rule of §16 names a value for them)."""
PLAN_FIELDS: dict[str, str] = {
    "roll_max_deg": "盾构自转角允许值",
    "deviation_h_mm": "水平偏差允许值",
    "deviation_v_mm": "竖向偏差允许值",
    "thrust_max_kn": "总推力计划上限",
    "chamber_kpa": "土仓（泥水仓）压力设定范围",
    "grout_min_m3": "每环同步注浆计划量",
    "muck_max_m3": "每环理论出土量",
}
"""The plan values every machine needs, each a rule's line: check-config names the one left out."""
Band = tuple[float, float]
CHAMBER_MAX_KPA = 2000.0
"""No shield's face is held at more than this (two megapascals, 200 m of water): a number past it was written
in another unit (Pa), and the check says so."""


def _band(band: Band | None, where: str) -> None:
    """Refuse a chamber band that is no band (its low end not below its high end)."""
    if band is not None and not 0 <= band[0] < band[1] <= CHAMBER_MAX_KPA:
        raise ValueError(
            f"{where}chamber_kpa [{band[0]:g}, {band[1]:g}]: write [low, high] in kPa, "
            f"0 ≤ low < high ≤ {CHAMBER_MAX_KPA:g}, e.g. [180, 240]"
        )


class RingPlan(Model):
    """The plan of a range of rings where it differs from the drive's (a drive order, 掘进指令)."""

    from_ring: int = Field(ge=0, title="From ring", description="the first ring of the range (inclusive)")
    to_ring: int = Field(ge=0, title="To ring", description="the last ring of the range (inclusive)")
    thrust_max_kn: float | None = Field(
        None, gt=0, le=500_000, title="Thrust", description="kN: the planned total thrust's upper end here"
    )
    chamber_kpa: Band | None = Field(
        None, title="Chamber pressure", description="kPa [low, high]: the set chamber pressure's band here"
    )

    @model_validator(mode="after")
    def _valid(self) -> RingPlan:
        if self.to_ring < self.from_ring:
            raise ValueError(f"rings {self.from_ring}–{self.to_ring}: to_ring must not be below from_ring")
        if self.thrust_max_kn is None and self.chamber_kpa is None:
            raise ValueError(
                f"rings {self.from_ring}–{self.to_ring} change nothing: give thrust_max_kn or chamber_kpa"
            )
        _band(self.chamber_kpa, f"rings {self.from_ring}–{self.to_ring}: ")
        return self


class SpecialSection(Model):
    """A special section of the drive (特殊地段, GB 50446-2017 §8.1.1–8.1.2) by its rings."""

    name: str = Field(
        min_length=1,
        max_length=60,
        title="Name",
        description="what the alert names, e.g. 下穿幸福里小区 (under buildings) or 浅覆土段 (cover ≤ D)",
    )
    from_ring: int = Field(ge=0, title="From ring", description="the first ring of the section (inclusive)")
    to_ring: int = Field(ge=0, title="To ring", description="the last ring of the section (inclusive)")

    @model_validator(mode="after")
    def _valid(self) -> SpecialSection:
        if self.to_ring < self.from_ring:
            raise ValueError(f"section {self.name}: to_ring must not be below from_ring")
        return self


class ShieldSpec(Model):
    """The drive's plan: the lines the rules judge the machine's readings against."""

    roll_max_deg: float | None = Field(
        None,
        gt=0,
        le=30,
        title="Roll allowed",
        description="° either way: 盾构自转角允许范围 from the plan (GB 55034-2022 §3.7.3 gives no value)",
    )
    deviation_h_mm: float | None = Field(
        None,
        gt=0,
        le=1000,
        title="Horizontal deviation allowed",
        description="mm either side of the design axis: 水平偏差允许范围 from the plan (§3.7.3 gives no value)",
    )
    deviation_v_mm: float | None = Field(
        None,
        gt=0,
        le=1000,
        title="Vertical deviation allowed",
        description="mm above or below the design axis: 竖向偏差允许范围 from the plan",
    )
    thrust_max_kn: float | None = Field(
        None,
        gt=0,
        le=500_000,
        title="Thrust",
        description="kN: the planned total thrust's upper end (推力预计范围, §3.7.3), where rings gives none",
    )
    chamber_kpa: Band | None = Field(
        None,
        title="Chamber pressure",
        description="kPa [low, high]: the set earth/slurry chamber pressure's band (土仓/泥水仓压力设定), "
        "where rings gives none",
    )
    grout_min_m3: float | None = Field(
        None,
        gt=0,
        le=200,
        title="Grout per ring",
        description="m³: the planned simultaneous grout volume of a ring (同步注浆量); less is a warning",
    )
    muck_max_m3: float | None = Field(
        None,
        gt=0,
        le=2000,
        title="Muck per ring",
        description="m³: the theoretical muck volume of a ring as the plan counts it (理论出土量, with its "
        "bulking); more is a warning",
    )
    rings: list[RingPlan] = Field(
        default_factory=list,
        title="Ring ranges",
        description="from_ring, to_ring, thrust_max_kn, chamber_kpa: where the plan differs by ring",
    )
    sections: list[SpecialSection] = Field(
        default_factory=list,
        title="Special sections",
        description="name, from_ring, to_ring: the special sections (特殊地段) the drive passes",
    )

    @model_validator(mode="after")
    def _valid(self) -> ShieldSpec:
        _band(self.chamber_kpa, "")
        spans = sorted((r.from_ring, r.to_ring) for r in self.rings)
        for (_, end), (start, next_end) in pairwise(spans):
            if start <= end:  # which plan would a ring of both be under?
                raise ValueError(
                    f"rings overlap: ring {start} is in two ranges (up to {end}, and to {next_end})"
                )
        names = [s.name for s in self.sections]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:  # each section is an alert of its own, named by it
            raise ValueError(f"section names must be unique: {', '.join(doubled)} used more than once")
        return self


class ShieldDevice(DeviceConfig):
    """A shield machine's PLC (or its vendor's data server) during a drive."""

    kind: Literal["shield"] = Field(
        title="Kind", description="shield: a shield machine (盾构机) during a drive"
    )
    shield: ShieldSpec = Field(
        default_factory=ShieldSpec,
        title="Shield",
        description="the drive's plan: roll_max_deg, deviation_h_mm, deviation_v_mm, thrust_max_kn, chamber_kpa, "
        "grout_min_m3, muck_max_m3 (each required), rings, sections",
    )

    def over_scale_reasons(self) -> list[str]:
        """The tunnel a shield machine drives is built by 盾构法: always over the line (附件2 六)."""
        return tunnelling(self.id, "盾构法")


KIND = Kind(
    name="shield",
    zh="盾构机",
    en="shield machine",
    device=ShieldDevice,
    section="shield",
    metrics=(
        Metric(RING, "环号", "", "ring", summary="max"),
        Metric(ADVANCE, "推进速度", "mm/min", "advance rate", summary="max"),
        Metric(THRUST, "总推力", "kN", "total thrust", summary="max"),
        Metric(TORQUE, "刀盘扭矩", "kN·m", "cutterhead torque", summary="peak"),
        Metric(CUTTER, "刀盘转速", "r/min", "cutterhead speed", summary="peak"),
        Metric(CHAMBER, "土仓压力", "kPa", "chamber pressure", summary="last"),
        # the last completed ring's totals (the PLC's 上一环 registers), not the running counters of the ring
        # being built: a counter starting from zero at every ring is below any plan
        Metric(GROUT, "同步注浆量", "m³", "grout volume per ring", summary="last"),
        Metric(MUCK, "出土量", "m³", "muck volume per ring", summary="last"),
        # signed, as the guidance system gives them (roll clockwise looking ahead positive, right and up
        # positive): the allowed range is either way, so the minute's value farthest from zero stands for it
        Metric(ROLL, "盾构自转角", "°", "roll", summary="peak"),
        Metric(DEV_H, "水平偏差", "mm", "horizontal deviation", summary="peak"),
        Metric(DEV_V, "竖向偏差", "mm", "vertical deviation", summary="peak"),
        Metric(TAIL_SEAL, "盾尾密封", "", "tail seal", summary="max", states={NO_LEAK: "正常", LEAK: "渗漏"}),
        Metric(
            ARTICULATION,
            "铰接密封",
            "",
            "articulation seal",
            summary="max",
            states={NO_LEAK: "正常", LEAK: "渗漏"},
        ),
    ),
    offline_clause=(
        "GB 55034-2022 第3.7.3条 盾构自转角度、位置偏离、推力超出允许（预计）范围应停止掘进，分析原因并采取"
        f"措施：盾构数据中断期间无法判断，恢复前由盾构司机人工记录掘进参数并巡查盾尾、铰接{TIME_LIMITS}"
    ),
    sample_metrics=SAMPLE,
    judge="kinds.shield.judge:ShieldJudge",
    rules={
        "shield.roll": "盾构自转角超限",
        "shield.deviation": "盾构姿态偏差超限",
        "shield.thrust": "盾构推力超限",
        "shield.chamber": "盾构仓压超限",
        "shield.grout": "同步注浆量不足",
        "shield.muck": "出土量超方",
        "shield.leak": "盾尾铰接渗漏",
        "shield.section": "盾构进入特殊地段",
    },
    simulator="kinds.shield.sim:ShieldSim",
    scenarios=("normal", "tail_leak"),
    card="kinds.shield.card:CARD",
    thresholds=(
        Thresholds(
            "shield",
            ShieldRule,
            "Shield machine",
            "shield.roll, shield.deviation, shield.thrust, shield.chamber, shield.grout, shield.muck, "
            "shield.leak",
        ),
    ),
)
