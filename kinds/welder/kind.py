"""The welding machine (电焊机) as sitegw reads it: a current sensor on its output (docs/standards.md §18).

A machine drawing more than its idle current is welding, which is hot work: the site's hot-work rules
(rules/hot_work*.py) judge it against the permits in force for the machine's place. The permit rules are
declared here, the kind that sees hot work, so that the regulator names them from the registry; so is
hot_work.zone_unpermitted, the same family seen by a camera zone marked for hot work (rules/hot_work_zone.py).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contract.config.common import Model
from contract.config.device import DeviceConfig
from contract.kinds import offline
from contract.kinds.kind import Kind, Metric

CURRENT = "current_a"
OFFLINE_CLAUSE = (
    "GB/T 50720-2011（2025年版）第6.3.1条第1款 动火作业应办理动火许可证（条文经GB 50720-2011核实，2025年版未核实）；"
    f"焊机电流监测中断期间无法发现无证动火，恢复前由动火监护人、安全员现场核查{offline.TIME_LIMITS}"
)
"""A welder's current sensor gone silent: hot work at its place can no longer be seen (not a machine's black box)."""


class WelderSpec(Model):
    """Where the machine works and when it counts as welding."""

    place: str = Field(
        min_length=1,
        max_length=100,
        title="Place",
        description="the hot-work place it serves, as permits name places, e.g. 3号楼5层",
    )
    idle_current_a: float = Field(
        10.0,
        gt=0,
        le=1000,
        title="Idle current",
        description="A; above it the machine is welding (no-load draw stays below it) [U: practice]",
    )
    idle_settle_s: float = Field(
        60.0,
        ge=0,
        le=3600,
        title="Idle for",
        description="s at or below the idle current before a hot-work alert ends (a pause between rods "
        "is no end of the work) [U: practice]",
    )


class WelderDevice(DeviceConfig):
    """A welding machine's current sensor."""

    kind: Literal["welder"] = Field(title="Kind", description="welder: a welding machine's current sensor")
    welder: WelderSpec = Field(title="Welder", description="place, idle_current_a, idle_settle_s")

    def hot_work_place(self) -> str | None:
        """The place its permits name."""
        return self.welder.place


KIND = Kind(
    name="welder",
    zh="电焊机",
    en="welding machine",
    device=WelderDevice,
    section="welder",
    metrics=(Metric(CURRENT, "焊接电流", "A", "welding current", summary="max"),),
    offline_clause=OFFLINE_CLAUSE,
    judge="kinds.welder.judge:WelderJudge",
    rules={
        "hot_work.unpermitted": "无证动火作业",
        "hot_work.fire_watch": "动火监护人不在场",
        "hot_work.unclosed": "动火后未检查关闭许可证",
        "hot_work.wind": "五级以上风力露天动火",
        "hot_work.zone_unpermitted": "疑似无动火证作业",
    },
    simulator="kinds.welder.sim:WelderSim",
    scenarios=("normal", "unpermitted"),
)
