"""power.trip: the box's RCD tripped on a residual current (漏电脱扣). The protection acted, but someone
may have been shocked and the fault is still there: an electrician must find it on site before the
breaker is closed there (GB 55034-2022 §3.10.5: no scheduled or remote energising; sitegw never closes
a breaker). An alarm while the RCD stays tripped."""

from __future__ import annotations

from kinds.power.clauses import RCD
from kinds.power.kind import RCD_TRIPPED
from kinds.power.state import StateRule

TRIP = StateRule(
    "power.trip",
    RCD_TRIPPED,
    "alarm",
    f"{RCD}：漏电保护器动作跳闸；GB 55034-2022 第3.10.5条 线路和设备作业严禁预约停送电，须有人到场查明原因后方可合闸",
    "漏电保护器漏电动作跳闸",
    "its RCD tripped on a residual current",
    "电工到场查明漏电原因并排除后就地合闸，严禁远程或预约送电；如有人员触电立即施救",
    "an electrician finds and clears the leak on site before closing it there: never remotely; "
    "if anyone was shocked, give first aid now",
)
"""A trip: the protection acted; someone must find why on site before it is closed (sitegw never does)."""
