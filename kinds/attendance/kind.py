"""Real-name access gates (实名制闸机): every entry and exit, the key people's presence (standards.md §7)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from contract.config.device import DeviceConfig
from contract.kinds.kind import Kind, Metric

PRESENCE = "on_site"
"""A passage: the person is the reading's point, 1 an entry and 0 an exit. Only the key people's passages stay a
series per person; everyone else's are kept as the gate's one series (kinds/attendance/judge.py)."""


class AttendanceDevice(DeviceConfig):
    """The site's access gates, reporting each passage."""

    kind: Literal["attendance"] = Field(title="Kind", description="attendance: the real-name access gates")


KIND = Kind(
    name="attendance",
    zh="实名制闸机",
    en="access gates",
    device=AttendanceDevice,
    metrics=(
        Metric(PRESENCE, "进出场", "", "passage", states={0: "出场", 1: "进场"}, point_is_subject=True),
    ),
    # a gate is silent whenever nobody passes: its silence says nothing of the gate
    watched=False,
    judge="kinds.attendance.judge:AttendanceJudge",
    rules={
        "personnel.absent": "关键人员不在岗",
        "personnel.attendance": "项目负责人带班不足",
        "personnel.certificate": "安全考核证书失效",
        "personnel.trade_certificate": "特种作业人员无有效证书进场",
    },
    simulator="kinds.attendance.sim:GateSim",
    scenarios=("normal", "pm_absent"),
    card="kinds.attendance.card:CARD",
)
