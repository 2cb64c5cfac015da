"""Deep foundation pits (深基坑): the monitoring points of GB 50497-2019 (standards.md §2)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contract.config.device import DeviceConfig
from contract.config.pit import PitSpec
from contract.kinds import offline
from contract.kinds.kind import Kind, Metric, Thresholds
from kinds.pit.thresholds import PitRule


class PitDevice(DeviceConfig):
    """A pit's data acquisition unit: every monitoring point of one pit."""

    kind: Literal["pit"] = Field(title="Kind", description="pit: a deep pit's monitoring points")
    pit: PitSpec = Field(
        title="Pit", description="grade, support, excavation_depth_m, points: the pit and its points"
    )

    def point_codes(self) -> frozenset[str]:
        """The pit's monitoring point codes."""
        return frozenset(p.code for p in self.pit.points)


KIND = Kind(
    name="pit",
    zh="深基坑",
    en="deep pit",
    device=PitDevice,
    section="pit",
    metrics=(
        # signed: the limit is on the magnitude (GB 50497 cumulative values): the minute's reading
        # farthest from zero, with its sign, says which way the wall moves
        Metric("disp_h_mm", "水平位移", "mm", "horizontal displacement", summary="peak"),
        Metric("disp_v_mm", "竖向位移", "mm", "vertical displacement", summary="peak"),
        Metric("incl_mm", "深层水平位移", "mm", "deep horizontal displacement", summary="peak"),
        Metric("axial_kn", "支撑轴力", "kN", "strut force", summary="max"),
        # GB 50497 Table 8.0.4 sets the anchor's alarm on its minimum (lost prestress)
        Metric("anchor_kn", "锚杆拉力", "kN", "anchor force", summary="min"),
        # its alarm is on its change over days, which each minute's last reading shows as well as any
        Metric("water_level_m", "地下水位", "m", "water level", summary="last"),
        Metric("settle_mm", "沉降", "mm", "settlement", summary="peak"),
    ),
    offline_clause=offline.PIT,
    judge="kinds.pit.judge:PitJudge",
    rules={"pit.cumulative": "基坑累计变形", "pit.rate": "基坑变形速率", "pit.jump": "基坑数据突变"},
    simulator="kinds.pit.sim:PitSim",
    scenarios=("normal", "rate", "jump", "fault"),
    card="kinds.pit.card:CARD",
    thresholds=(Thresholds("pit", PitRule, "Pit", "pit.cumulative, pit.rate, pit.jump"),),
)
