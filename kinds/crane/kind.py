"""Tower cranes (塔式起重机): the black box's readings, judged by the crane rules (standards.md §1, §11)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from contract.config.crane import CraneSpec
from contract.config.device import DeviceConfig
from contract.config.papers import INSTALL, INSTALL_STAGES, MachineDevice
from contract.config.scale_lines import lifting
from contract.kinds import offline
from contract.kinds.kind import Kind, Metric, Thresholds
from kinds.crane.thresholds import (
    CraneCollisionRule,
    CraneJackingRule,
    CraneLoadRule,
    CraneTiltRule,
    CraneWindRule,
    CraneZoneRule,
)

JACKING = "jacking_active"
"""1 while a jacking window is open on the crane (顶升、加节、降节, started by a supervisor), 0 after."""
JIB_HEIGHT = "jib_height_m"
"""The jib's height above site datum as the last jacking window closed it: the crane's geometry from then."""
TIES_ADDED = "ties_added"
"""How many ties (附着) a jacking window fitted, recorded as it closed: an acceptance is owed before the crane works
again (standards.md §10, §13: added ties need acceptance, jacking alone does not)."""
MAX_TIES = 20  # ties fitted in one climb, as recorded: a tower crane has a handful in all
LIMITERS = "limiters_recalibrated"
"""1 when a supervisor records the limiters re-adjusted and tested after a jacking window (at its close or
later), 0 when the window closed without (crane.recalibration, kinds/crane/recalibration.py)."""

KINEMATICS = frozenset({"load_t", "radius_m", "height_m", "slew_deg", "moment_pct", "reeving"})
"""A crane's motion: judged together, as one sample (load against the chart for its reeving at that
radius and beside the box's own moment, the hook's place against the zones and the other cranes)."""


class CraneDevice(MachineDevice):
    """A tower crane's black box (塔机安全监控系统)."""

    installer_trade = "tower_crane_installer"

    kind: Literal["crane"] = Field(title="Kind", description="crane: a tower crane's black box")
    crane: CraneSpec = Field(
        title="Crane",
        description="position_m, jib_m, counter_jib_m, jib_height_m, load_chart: geometry and load chart",
    )

    def over_scale_reasons(self) -> list[str]:
        """An item the crane is attached to is its 安拆 (起重机械安装和拆卸): over the line from its largest rated
        load, or from its top's height above the site's datum, the one height the site file gives: at least its
        搭设总高度 (standing at or above the datum) and above its 基础标高, so it is over 200 m whenever either is
        (and, fail safe, when only the two together are)."""
        return lifting(self.id, self.crane.max_rated_t, self.crane.top_m, "最高点高度（站点基准以上）")

    def check_site(self, devices: Sequence[DeviceConfig]) -> list[str]:
        """The cranes as high or higher (or in its layer) whose tower this crane's jib reaches closer than
        GB 5144-2006 §10.5 allows at some slew, where no slew limiter keeps it off (:func:`jib_past_tower`)."""
        if self.crane.slew_limiter_set:
            return []
        problems = []
        for other in devices:
            if not isinstance(other, CraneDevice) or other.id == self.id:
                continue
            lower = other.crane.jib_height_m >= self.crane.jib_height_m
            if not lower and not self.crane.shares_layer(other.crane, MIN_CLEARANCE_M):
                continue  # a higher jib passes over the other tower
            past = jib_past_tower(self.crane, other.crane)
            if past is not None:
                reach, limit = past
                problems.append(
                    f"cranes {self.id} and {other.id} can never be kept apart: {self.id}'s jib "
                    f"({reach:g} m, jib at {self.crane.jib_height_m:g} m) is longer than the tower distance "
                    f"{math.dist(self.crane.position_m, other.crane.position_m):.2f} m − {other.id}'s "
                    f"half-width {other.crane.tower_half_width_m:g} m − {MIN_CLEARANCE_M:g} m = {limit:.2f} m "
                    f"(GB 5144-2006 §10.5: the lower jib's end ≥ {MIN_CLEARANCE_M:g} m from the other tower); "
                    f"move a crane, shorten the jib, raise {self.id} above {other.id}, or set "
                    f"slew_limiter_set: true on {self.id} once its slew limiter keeps it off that tower"
                )
        return problems


MIN_CLEARANCE_M = 2.0  # GB 5144-2006 §10.5: the lower jib's end at least 2 m from another tower


def jib_past_tower(lower: CraneSpec, other: CraneSpec) -> tuple[float, float] | None:
    """(jib length, the longest jib §10.5 allows) when the crane of ``lower`` (no higher than
    ``other``) has a jib longer than the tower distance − the other's half-width − 2 m: at some slew
    its end comes within 2 m of the other tower. None when it does not."""
    limit = math.dist(lower.position_m, other.position_m) - other.tower_half_width_m - MIN_CLEARANCE_M
    return (lower.jib_m, limit) if lower.jib_m > limit else None


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
        Metric(JACKING, "顶升作业", "", "jacking window", states={0: "结束", 1: "进行中"}),
        Metric(INSTALL, "安拆作业", "", "安拆 window", states=INSTALL_STAGES),
        Metric(JIB_HEIGHT, "起重臂高度", "m", "jib height", summary="last"),
        Metric(TIES_ADDED, "新增附着", "道", "ties added", summary="last"),
        Metric(LIMITERS, "限位器重新调试", "", "limiters re-calibrated", states={0: "未调试", 1: "已调试"}),
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
    judge="kinds.crane.judge:CraneJudge",
    rules={
        "crane.install": "安拆作业（资质告知、持证旁站、禁吊、验收）",
        "crane.load": "塔吊超载",
        "crane.wind": "塔吊大风",
        "crane.tilt": "塔身倾斜",
        "crane.collision": "群塔碰撞",
        "crane.zone": "禁吊区",
        "crane.operator": "塔吊司机资格",
        "crane.safety_device": "塔吊安全装置",
        "crane.jacking_motion": "顶升时塔吊动作",
        "crane.jacking_wind": "顶升时大风",
        "crane.jacking_balance": "顶升未配平",
        "crane.jacking_night": "夜间顶升",
        "crane.jacking_tilt": "顶升时塔身倾斜突变",
        "crane.recalibration": "顶升后限位器重新调试",
    },
    simulator="kinds.crane.sim:CraneSim",
    scenarios=("normal", "overload", "high_wind"),
    # its hook loaded, or any slewing, trolley travel or hoisting, is lifting work (kinds/crane/judge.py)
    weather_stops=frozenset({"lifting", "outdoor"}),
    card="kinds.crane.card:CARD",
    thresholds=(
        Thresholds("crane_load", CraneLoadRule, "Load", "crane.load"),
        Thresholds("crane_wind", CraneWindRule, "Wind", "crane.wind"),
        Thresholds("crane_tilt", CraneTiltRule, "Tilt", "crane.tilt"),
        Thresholds("crane_collision", CraneCollisionRule, "Collision", "crane.collision", per_device=False),
        Thresholds(
            "crane_jacking",
            CraneJackingRule,
            "Jacking",
            "crane.jacking_motion, crane.jacking_wind, crane.jacking_balance, crane.jacking_night, "
            "crane.jacking_tilt",
        ),
        Thresholds("crane_zone", CraneZoneRule, "Zone", "crane.zone", per_device=False),
    ),
)
