"""The issue's scenario of the review queue (#16 item 10): one demo site made 59 pending hazards in six
minutes, one of them an overload that peaked at 107.7 % and that the site resolved at 32 %.

The events are what the gateway's alert manager sends (gateway/alerts/manager.py): an alert opens with
``firing``, a change of level is ``updated`` with the new level's figures and clause, and the resolution
carries the value at that moment with the alert's (worst) level kept.
"""

from __future__ import annotations

import time

from contract.alert_event import AlertEvent
from tests.regulator.support import make_event

HAZARDS = 59
OVERLOAD = "crane-1:crane.load:7"
ALARM_CLAUSE = "GB 5144-2006 §6.1.2 起重量限制器 100% 报警"
PEAK_MESSAGE = "1号塔吊 起重量 3.07 t，为额定起重量 2.85 t（幅度 30 m）的 107.7%：立即停止起升"
OTHER_RULES = (
    "crane.wind",
    "crane.tilt",
    "hoist.load",
    "pit.cumulative",
    "formwork.settle",
    "vision.no_helmet",
)


def overload(start: float) -> list[AlertEvent]:
    """The overload's three events, in the order they happened: a warning, the alarm at its peak, the
    resolution at 32 %."""
    common = {"alert": OVERLOAD, "rule": "crane.load", "unit": "%"}
    return [
        make_event(
            **common,
            level="warning",
            value=95.0,
            threshold=90.0,
            ts=start,
            clause="GB 5144-2006 §6.1.2 90% 预警",
            message="1号塔吊 起重量 95%：接近额定",
        ),
        make_event(
            **common,
            n=1,
            level="alarm",
            value=107.7,
            threshold=100.0,
            ts=start + 20,
            clause=ALARM_CLAUSE,
            message=PEAK_MESSAGE,
        ),
        make_event(
            **common,
            n=2,
            state="resolved",
            level="alarm",
            value=32.0,
            threshold=100.0,
            ts=start + 50,
            clause=ALARM_CLAUSE,
            message="1号塔吊 起重量 32%",
        ),
    ]


def scenario(now: float | None = None) -> list[AlertEvent]:
    """Every event of the 59 hazards, oldest first: the overload, then 58 alerts of other checks and
    levels, each one alarm or critical (firing, still open on the site)."""
    now = time.time() if now is None else now
    start = now - 360
    events = overload(start)
    for i in range(HAZARDS - 1):
        rule = OTHER_RULES[i % len(OTHER_RULES)]
        events.append(
            make_event(
                alert=f"dev-{i}:{rule}:1",
                device=f"dev-{i}",
                rule=rule,
                level="critical" if i % 5 == 0 else "alarm",
                value=float(50 + i),
                threshold=40.0,
                unit="mm",
                ts=start + 60 + i * 5,
                clause="GB 50497-2019 §8.0.4",
                message=f"测点 {i} 超过报警值",
            )
        )
    return events
