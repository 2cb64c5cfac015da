"""Construction hoists (施工升降机, rack-and-pinion SC type): the cage's black box (standards.md §5)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contract.config.hoist import HoistSpec
from contract.config.papers import INSTALL, INSTALL_STAGES, MachineDevice
from contract.config.scale_lines import lifting
from contract.kinds import offline
from contract.kinds.kind import Kind, Metric, Thresholds
from kinds.hoist.thresholds import HoistLoadRule, HoistRule


class HoistDevice(MachineDevice):
    """A construction hoist's black box, one cage."""

    installer_trade = "hoist_installer"

    kind: Literal["hoist"] = Field(title="Kind", description="hoist: a construction hoist's black box")
    hoist: HoistSpec = Field(
        title="Hoist",
        description="rated_load_t, rated_persons, erected_height_m, arrester_calibrated_on: "
        "what the cage may carry, its height, its fall arrester",
    )

    def over_scale_reasons(self) -> list[str]:
        """An item the hoist is attached to is its 安拆 (起重机械安装和拆卸): over the line from its erected
        height; its rated load is read too, though the schema's 10 t at most (98 kN) never reaches 300 kN."""
        return lifting(self.id, self.hoist.rated_load_t, self.hoist.erected_height_m, "安装高度")


SAMPLE = frozenset(
    {
        "load_t",
        "persons",
        "speed_ms",
        "door_state",
        "limit_state",
        "arrester_ok",
        "wind_ms",
        "tilt_x_deg",
        "tilt_y_deg",
        "driver_id",
    }
)
"""Most hoist rules read several of these at once (door and speed, driver and speed): one sample."""

KIND = Kind(
    name="hoist",
    zh="施工升降机",
    en="construction hoist",
    device=HoistDevice,
    section="hoist",
    metrics=(
        Metric("load_t", "载重", "t", "load", summary="max"),
        Metric("persons", "载人数", "", "persons", summary="max"),
        Metric("height_m", "高度", "m", "height", summary="last"),
        Metric("floor", "楼层", "", "floor", summary="last"),
        # up positive: the fastest run of the minute, with its direction
        Metric("speed_ms", "运行速度", "m/s", "speed", summary="peak"),
        Metric("wind_ms", "风速", "m/s", "wind", summary="max"),
        Metric("tilt_x_deg", "X向倾角", "°", "tilt X", summary="peak"),
        Metric("tilt_y_deg", "Y向倾角", "°", "tilt Y", summary="peak"),
        Metric(
            "door_state",
            "门状态",
            "",
            "doors",
            states={0: "全部关闭", 1: "吊笼门开", 2: "层门开", 3: "天窗开"},
        ),
        Metric(
            "limit_state",
            "限位状态",
            "",
            "limits",
            states={0: "正常", 1: "上限位", 2: "下限位", 3: "冲顶（上极限）"},
        ),
        Metric("arrester_ok", "防坠安全器", "", "fall arrester", states={0: "不在位", 1: "在位"}),
        Metric("driver_id", "司机", "", "driver", text=True),
        Metric(INSTALL, "安拆作业", "", "安拆 window", states=INSTALL_STAGES),
        Metric("flag_sensor_fault", "黑匣子报告传感器故障", "", "sensor fault flag"),
        Metric("flag_limiter_bypass", "黑匣子报告限制器旁路", "", "limiter bypass flag"),
        Metric("flag_limiter_fault", "黑匣子报告限制器失效", "", "limiter fault flag"),
        Metric("flag_driver_logged_in", "司机已登录", "", "driver logged in"),
    ),
    offline_clause=offline.MACHINE,
    flags=("flag_limiter_bypass", "flag_limiter_fault", "flag_sensor_fault"),
    sample_metrics=SAMPLE,
    judge="kinds.hoist.judge:HoistJudge",
    rules={
        "hoist.install": "安拆作业（资质告知、持证旁站、验收）",
        "hoist.load": "升降机超载",
        "hoist.persons": "升降机超员",
        "hoist.wind": "升降机大风",
        "hoist.tilt": "升降机导轨架垂直度",
        "hoist.door": "升降机门联锁",
        "hoist.limit": "升降机限位",
        "hoist.arrester": "防坠安全器",
        "hoist.operator": "升降机司机资格",
        "hoist.safety_device": "升降机安全装置",
    },
    simulator="kinds.hoist.sim:HoistSim",
    scenarios=("normal", "hoist_door", "hoist_overload"),
    card="kinds.hoist.card:CARD",
    weather_stops=frozenset({"hoist", "outdoor"}),  # a moving or loaded cage (kinds/hoist/judge.py)
    thresholds=(
        Thresholds("hoist_load", HoistLoadRule, "Hoist load", "hoist.load"),
        Thresholds(
            "hoist", HoistRule, "Hoist", "hoist.door, hoist.wind, hoist.tilt, hoist.arrester, hoist.operator"
        ),
    ),
)
