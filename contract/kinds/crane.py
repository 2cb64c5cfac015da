"""Tower cranes (塔式起重机): the black box's readings, judged by the crane rules (standards.md §1, §11)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contract.config.crane import CraneSpec
from contract.config.device import DeviceConfig
from contract.kinds import offline
from contract.kinds.kind import Kind, Metric

KINEMATICS = frozenset({"load_t", "radius_m", "height_m", "slew_deg"})
"""A crane's motion: judged together, as one sample (load against the chart at that radius, the hook's
place against the zones and the other cranes)."""


class CraneDevice(DeviceConfig):
    """A tower crane's black box (塔机安全监控系统)."""

    kind: Literal["crane"] = Field(title="Kind", description="crane: a tower crane's black box")
    crane: CraneSpec = Field(
        title="Crane",
        description="position_m, jib_m, counter_jib_m, jib_height_m, load_chart: geometry and load chart",
    )


FLAG = "黑匣子报告"
KIND = Kind(
    name="crane",
    zh="塔吊",
    en="tower crane",
    device=CraneDevice,
    section="crane",
    metrics=(
        Metric("load_t", "起重量", "t", "load", summary="max"),
        Metric("radius_m", "幅度", "m", "radius", summary="last"),
        Metric("height_m", "吊钩高度", "m", "hook height", summary="last"),
        Metric("slew_deg", "回转角度", "°", "slew", summary="last"),
        Metric("wind_ms", "风速", "m/s", "wind", summary="max"),
        Metric("tilt_deg", "倾角", "°", "tilt", summary="peak"),
        Metric("moment_pct", "力矩", "%", "moment", summary="max"),
        Metric("rated_load_t", "额定起重量", "t", "rated load", summary="last"),
        Metric("trolley_speed_ms", "变幅速度", "m/s", "trolley speed", summary="max"),
        Metric("reeving", "倍率", "", "reeving"),
        Metric("operator_id", "司机", "", "operator", text=True),
        Metric("flag_overload", f"{FLAG}超载", "", "overload flag"),
        Metric("flag_wind_alarm", f"{FLAG}大风", "", "wind alarm flag"),
        Metric("flag_tilt_alarm", f"{FLAG}倾斜", "", "tilt alarm flag"),
        Metric("flag_sensor_fault", f"{FLAG}传感器故障", "", "sensor fault flag"),
        Metric("flag_limiter_bypass", f"{FLAG}限制器旁路", "", "limiter bypass flag"),
        Metric("flag_limiter_fault", f"{FLAG}限制器失效", "", "limiter fault flag"),
        Metric("flag_operator_logged_in", "司机已登录", "", "operator logged in"),
        Metric("flag_anticollision", "防碰撞干预", "", "anti-collision intervening"),
        Metric("flag_zone_limit", "区域限位干预", "", "zone limiter intervening"),
    ),
    offline_clause=offline.MACHINE,
    flags=(
        "flag_limiter_bypass",
        "flag_limiter_fault",
        "flag_sensor_fault",
        "flag_anticollision",
        "flag_zone_limit",
    ),
    sample_metrics=KINEMATICS,
    judge="rules.kinds.crane:CraneJudge",
    rules={
        "crane.load": "塔吊超载",
        "crane.wind": "塔吊大风",
        "crane.tilt": "塔身倾斜",
        "crane.collision": "群塔碰撞",
        "crane.zone": "禁吊区",
        "crane.operator": "塔吊司机资格",
        "crane.safety_device": "塔吊安全装置",
    },
    simulator="drivers.simulators.crane_model:CraneSim",
    scenarios=("normal", "overload", "high_wind"),
    weather_stops=frozenset({"lifting", "outdoor"}),  # its hook loaded is lifting (rules/kinds/crane.py)
    card="crane",
)
