"""power.trip: the box's RCD tripped on a residual current (漏电脱扣). The protection acted, but someone
may have been shocked and the fault is still there: an electrician must find it on site before the
breaker is closed there (GB 55034-2022 §3.10.5: no scheduled or remote energising; sitegw never closes
a breaker). An alarm while the RCD stays tripped.

A trip that is the RCD's test (试跳: the monitor reports the test with the trip, ``rcd_test`` 1) is no
residual-current trip and raises nothing here (power.rcd_test counts it as the day's test): :class:`TripCauses`
tells the two apart."""

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


class TripCauses:
    """Per box: whether the RCD's present trip is its test rather than a residual current's.

    What a trip is, is decided at its first reading and kept until the RCD reads anything but tripped: a trip
    is a test only when the monitor's test flag rises in the very reading the trip first shows in. A flag
    already up before (a monitor that keeps its last result up) excuses nothing, a flag coming after a trip
    does not turn it into a test (a firing power.trip is never cleared by it), and a silence ends what was
    known: the RCD may have been closed and tripped again meanwhile, so the next tripped reading is a trip
    unless its own flag rises with it."""

    def __init__(self) -> None:
        self._test: dict[str, bool] = {}  # the present trip, per box: whether it is a test
        self._flag: dict[str, bool] = {}  # whether the box's last reading of its RCD carried the test flag
        self._seen: dict[str, float] = {}  # the box's last reading of its RCD

    def excused(self, device: str, state: float, flag: bool, gap_s: float, ts: float) -> bool:
        """Whether the RCD's ``state`` at ``ts`` is a test trip: ``flag``, this reading reports a test that
        tripped it; readings more than ``gap_s`` apart have a silence between them."""
        risen = flag and not self._flag.get(device, False)
        self._flag[device] = flag
        silent = ts - self._seen.get(device, ts) > gap_s
        self._seen[device] = max(ts, self._seen.get(device, ts))
        if round(state) != RCD_TRIPPED or silent:
            self._test.pop(device, None)
        if round(state) != RCD_TRIPPED:
            return False
        return self._test.setdefault(device, risen)
