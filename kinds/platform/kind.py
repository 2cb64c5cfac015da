"""Suspended platforms (高处作业吊篮): the platform's monitoring box (吊篮安全监控, standards.md §8)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contract.config.papers import MachineDevice
from contract.config.platform import PlatformSpec
from contract.kinds.kind import Kind, Metric

ROPE_STATES = {1: "正常", 2: "异常"}  # the 云筑 interface's wireState: 01 normal, 02 abnormal
ROPES = {
    "rope_left_state": ("左工作钢丝绳", "left working rope"),
    "rope_right_state": ("右工作钢丝绳", "right working rope"),
    "safety_rope_left_state": ("左安全钢丝绳", "left safety rope"),
    "safety_rope_right_state": ("右安全钢丝绳", "right safety rope"),
}
"""Each wire rope the box watches: its metric, and its Chinese and English names."""
LOCK_STATES = {0: "未锁绳", 1: "已锁绳"}
"""The safety locks: 1 once one has locked its safety rope (acted), 0 while both let it run."""
# the box going silent is not itself the criteria's major hazard (a lock that failed): it leaves the lock,
# the load and the tilt unwatched until someone checks on the platform, so the clause says both
OFFLINE_CLAUSE = (
    "吊篮安全监控离线期间超载、倾斜与安全锁状态无人监测，须停用或现场核查；离线本身不构成建质规〔2024〕5号 "
    "第九条(五)（安全锁失效）所列重大事故隐患（离线时限为行业惯例，非标准条文，可配置）"
)


class PlatformDevice(MachineDevice):
    """A suspended platform's monitoring box, one platform."""

    installer_trade = "platform_installer"

    kind: Literal["platform"] = Field(
        title="Kind", description="platform: a suspended platform's monitoring box"
    )
    platform: PlatformSpec = Field(
        title="Platform",
        description="rated_load_kg, max_persons, rated_counterweight_kg, lock_angle_deg, top_margin_m, "
        "lock_calibrated_on: what the platform may carry and its limits",
    )


SAMPLE = frozenset(
    {
        "load_kg",
        "counterweight_kg",
        "tilt_deg",
        "top_distance_m",
        "persons",
        "buckles",
        "lock_state",
        "wind_ms",
        *ROPES,
    }
)
"""Judged together: the lock with the tilt, the lifeline buckles with the persons; one sample."""

KIND = Kind(
    name="platform",
    zh="高处作业吊篮",
    en="suspended platform",
    device=PlatformDevice,
    section="platform",
    metrics=(
        Metric("load_kg", "载重", "kg", "load", summary="max"),
        Metric("counterweight_kg", "配重", "kg", "counterweight", summary="min"),
        Metric("tilt_deg", "纵向倾角", "°", "longitudinal tilt", summary="peak"),
        Metric("swing_deg", "摆动角", "°", "swing", summary="peak"),
        Metric("top_distance_m", "距顶距离", "m", "distance to the top", summary="min"),
        Metric("persons", "载人数", "", "persons", summary="max"),
        Metric("buckles", "安全带扣挂数", "", "lifeline buckles in use", summary="min"),
        *(Metric(m, zh, "", en, states=ROPE_STATES) for m, (zh, en) in ROPES.items()),
        Metric("lock_state", "安全锁", "", "safety lock", states=LOCK_STATES),
        Metric("wind_ms", "风速", "m/s", "wind", summary="max"),
        Metric("operator_id", "操作人员", "", "operator", text=True),
    ),
    offline_clause=OFFLINE_CLAUSE,
    sample_metrics=SAMPLE,
    judge="kinds.platform.judge:PlatformJudge",
    weather_stops=frozenset(
        {"platform", "height", "outdoor"}
    ),  # people on it are at work (kinds/platform/judge.py)
    rules={
        "platform.persons": "吊篮超员",
        "platform.load": "吊篮超载",
        "platform.tilt": "吊篮倾斜",
        "platform.lock": "吊篮安全锁失效",
        "platform.counterweight": "吊篮配重不足",
        "platform.lifeline": "安全绳未使用",
        "platform.rope": "吊篮钢丝绳异常",
        "platform.top": "吊篮接近上限位",
        "platform.wind": "吊篮大风停止作业",
        "platform.lock_calibration": "安全锁标定",
    },
    simulator="kinds.platform.sim:PlatformSim",
    scenarios=("normal", "platform_overload", "platform_tilt_lock", "platform_wind", "platform_buckles"),
    card="kinds.platform.card:CARD",
)
