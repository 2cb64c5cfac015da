"""The smoke/heat detector (烟感温感探测器) at a hot-work place, as sitegw reads it (docs/standards.md §18).

A detector's alarm is a fire alarm whatever the place is doing; near hot work it says more: within the watch
period after a permit at its place stopped being in force it is a suspected rekindling of that work's embers
(GB 50720 §6.3.1(8): the place is checked after hot work, and the operator leaves only once no fire risk is
confirmed). The detector names its place as the permits do, and that place counts as one the permits can
name, as a welder's does (``hot_work_place``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contract.config.camera import Place
from contract.config.common import Model
from contract.config.device import DeviceConfig
from contract.kinds import offline
from contract.kinds.kind import Kind, Metric, Thresholds
from kinds.fire_detector.thresholds import FireDetectorRule

ALARM = "fire_alarm"
"""The detector's state: 0 normal, 1 smoke or heat alarm; any other value is no state it has (a fault)."""
TEMP = "temp_c"
"""The heat element's temperature where the detector reports one: shown, not judged (its alarm is its own)."""
NORMAL, FIRE = 0, 1
RULE = "fire_detector.alarm"
SECTION = "fire_detector"
OFFLINE_CLAUSE = (
    "GB/T 50720-2011（2025年版）第6.3.1条第8款 动火作业后，应对现场进行检查，并应在确认无火灾危险后，动火操作人员"
    "再离开（条文经GB 50720-2011核实，2025年版未核实）；烟感温感探测器监测中断期间无法发现余火复燃，恢复前由动火"
    f"监护人、安全员现场巡查{offline.TIME_LIMITS}"
)
"""A detector gone silent: a fire at its place can no longer be seen (not a machine's black box)."""


class FireDetectorSpec(Model):
    """Where the detector watches."""

    place: Place | None = Field(
        None,
        title="Place",
        description="the hot-work place it watches, as permits name places, e.g. 3号楼5层 (a welder's place "
        "or one of the site's hot_work_places; matched exactly); none: it watches no hot-work place (a store, "
        "an office), and its every alarm is a plain detector alarm",
    )


class FireDetectorDevice(DeviceConfig):
    """A smoke/heat detector, at a hot-work place or not."""

    kind: Literal["fire_detector"] = Field(
        title="Kind", description="fire_detector: a smoke/heat detector, e.g. at a hot-work place"
    )
    fire_detector: FireDetectorSpec = Field(
        default_factory=FireDetectorSpec, title="Fire detector", description="place (none: no hot-work place)"
    )

    def hot_work_place(self) -> str | None:
        """The place its permits name (None: it watches none)."""
        return self.fire_detector.place


KIND = Kind(
    name="fire_detector",
    zh="烟感温感探测器",
    en="smoke/heat detector",
    device=FireDetectorDevice,
    section=SECTION,
    metrics=(
        Metric(ALARM, "火灾报警", "", "fire alarm", states={NORMAL: "正常", FIRE: "火警"}),
        Metric(TEMP, "探测温度", "℃", "detector temperature", summary="max"),
    ),
    offline_clause=OFFLINE_CLAUSE,
    judge="kinds.fire_detector.judge:FireDetectorJudge",
    rules={RULE: "火灾探测器报警"},
    simulator="kinds.fire_detector.sim:FireDetectorSim",
    scenarios=("normal", "smolder"),
    thresholds=(Thresholds(SECTION, FireDetectorRule, "Smoke/heat detectors", RULE),),
)
