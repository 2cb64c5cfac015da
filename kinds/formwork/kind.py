"""High formwork (高支模) support systems: their monitoring points during pours (standards.md §6)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contract.config.device import DeviceConfig
from contract.config.formwork import FormworkSpec
from contract.config.scale_lines import formwork
from contract.kinds import offline
from contract.kinds.kind import Kind, Metric, Thresholds
from kinds.formwork.thresholds import FormworkRule

OFFLINE_CLAUSE = (
    "DBJ/T 15-197-2020（广东）高大模板支撑系统实时安全监测，浇筑期间监测中断由 formwork.silent 判定；"
    "JGJ 300-2013 第8章 临时支撑结构监测（章节号未核实）：监测数据中断期间支撑体系失去监测，恢复前人工观测，"
    f"恢复前不得开始浇筑{offline.TIME_LIMITS}"
)
"""A formwork monitor gone silent outside a pour (formwork.silent judges a pour's): the support system unwatched, not a
machine's safety device (建质规〔2024〕5号 第八条(四) is the cranes')."""
POUR = "pour_active"
"""1 while a pour is under way on the device, 0 after: the device's own, not a point's."""


class FormworkDevice(DeviceConfig):
    """A formwork support system's monitoring unit: every point of one system."""

    kind: Literal["formwork"] = Field(title="Kind", description="formwork: a high-formwork monitoring unit")
    formwork: FormworkSpec = Field(
        title="Formwork", description="points with their codes and alarm values (the design's values govern)"
    )

    def over_scale_reasons(self) -> list[str]:
        """Over the line from its support height (the site file gives no span or load to read)."""
        return formwork(self.id, self.formwork.height_m)

    def point_codes(self) -> frozenset[str]:
        """The formwork's monitoring point codes."""
        return frozenset(p.code for p in self.formwork.points)


KIND = Kind(
    name="formwork",
    zh="高支模",
    en="high formwork",
    device=FormworkDevice,
    section="formwork",
    metrics=(
        Metric("settle_mm", "沉降", "mm", "settlement", summary="peak"),
        Metric("disp_h_mm", "水平位移", "mm", "horizontal displacement", summary="peak"),
        Metric("tilt_deg", "立杆倾斜", "°", "pole tilt", summary="peak"),
        Metric("axial_kn", "立杆轴力", "kN", "pole axial force", summary="max"),
        Metric(POUR, "浇筑中", "", "pour under way", states={0: "未浇筑", 1: "浇筑中"}),
    ),
    offline_clause=OFFLINE_CLAUSE,
    device_metrics=frozenset({POUR}),
    judge="kinds.formwork.judge:FormworkJudge",
    rules={
        "formwork.settle": "高支模沉降",
        "formwork.disp": "高支模水平位移",
        "formwork.tilt": "高支模立杆倾斜",
        "formwork.axial": "高支模立杆轴力",
        "formwork.silent": "高支模监测中断",
    },
    simulator="kinds.formwork.sim:FormworkSim",
    scenarios=("normal", "collapse"),
    card="kinds.formwork.card:CARD",
    thresholds=(
        Thresholds(
            "formwork",
            FormworkRule,
            "Formwork",
            "formwork.settle, formwork.disp, formwork.tilt, formwork.axial, formwork.silent",
        ),
    ),
)
