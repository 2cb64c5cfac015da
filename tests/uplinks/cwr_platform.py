"""The checks a CWRService-style platform makes, written from docs/standards.md §4 (no such platform can be
reached from here, so a stand-in applies them): query parameters, site-time timestamp, serial and the
upper-case MD5 signature, each concatenation written out here rather than taken from sitegw's code."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from contract.alert_event import AlertEvent
from contract.config.uplinks import UplinkBase
from gateway.alerts.manager import AlertManager
from gateway.outbox import Outbox
from rules import RuleResult
from tests.regulator.support import PROJECT, make_event
from tests.support import verdict
from tests.uplinks.platform import PlatformServer, Request

SITE_TIME = timezone(timedelta(hours=8))  # China Standard Time: "site time" of the Chinese platforms
CLAUSE_110 = "GB 5144-2006 §6.1.2 起重量限制器 110% 切断"
TIME_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def md5_upper(text: str) -> str:
    """Upper-case hex MD5 of ``text`` as UTF-8."""
    return hashlib.md5(text.encode()).hexdigest().upper()


def fresh_site_time(stamp: str) -> str | None:
    """Why ``stamp`` is not ``yyyy-MM-dd HH:mm:ss`` site time within 5 minutes of now (None when it is)."""
    if not TIME_FORMAT.match(stamp):
        return f"timestamp {stamp!r} is not yyyy-MM-dd HH:mm:ss"
    when = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SITE_TIME)
    if abs((when - datetime.now(SITE_TIME)).total_seconds()) > 300:
        return f"timestamp {stamp} is not site time now"
    return None


def refuse(req: Request, expected_keys: set[str]) -> str | None:
    """Why the platform refuses the query's shape (None when the keys are right)."""
    if set(req.query) != expected_keys:
        return f"query keys {sorted(req.query)} are not {sorted(expected_keys)}"
    return fresh_site_time(req.query["timestamp"])


def down_first(
    answer: Callable[[Request], tuple[int, object]], times: int, status: int
) -> Callable[[Request], tuple[int, object]]:
    """``answer``, after the platform answered its first ``times`` requests with ``status`` (it was down)."""
    left = [times]

    def flaky(req: Request) -> tuple[int, object]:
        if left[0]:
            left[0] -= 1
            return status, {"result": False, "detail_message": "platform down"}
        return answer(req)

    return flaky


async def deliver_through_outbox(
    folder: Path, uplink: UplinkBase, server: PlatformServer
) -> list[AlertEvent]:
    """Three events (two of one alert) through a real outbox to ``uplink``, whose platform ``server`` answers
    its first two requests with an error (`down_first`); the events, once the outbox drained. Every event
    was sent exactly once after the errors: the platform saw two requests more than the events."""
    outbox = Outbox(folder, [uplink])
    await outbox.start()
    try:
        events = [make_event("a1", 0), make_event("a1", 1), make_event("a2", 0)]
        for e in events:
            assert outbox.on_event(e)
        assert await outbox.drained(20)
    finally:
        await outbox.stop()
    assert len(server.requests) == len(events) + 2
    return events


def overload(pct: float, ts: float) -> RuleResult:
    """crane-1's crane.load verdict at ``pct`` % of its 2.85 t rated load at 30 m, critical (110 %), as
    kinds/crane/load.py makes it."""
    load_t = round(2.85 * pct / 100, 3)
    said = f"1号塔吊 起重量 {load_t:.2f} t，为额定起重量 2.85 t（幅度 30 m）的 {pct:.0f}%"
    facts: dict[str, float | str | list[str]] = {"load_t": load_t, "radius_m": 30.0, "rated_t": 2.85}
    return verdict("crane.load", ("crane-1", ""), "critical", ts, (pct, 110.0, "%"), said, CLAUSE_110, facts)


async def deliver_worsening(folder: Path, uplink: UplinkBase) -> list[AlertEvent]:
    """An overload that worsens within its level (112 % to 124 % in a minute and a half) as a real alert manager
    tells it, through a real outbox to ``uplink``: its firing event and the update with the worst value
    (gateway/alerts/worsening.py), once the outbox drained."""
    outbox = Outbox(folder / "outbox", [uplink])
    now = [1_790_000_000.0]
    manager = AlertManager(folder / "alerts.sqlite", PROJECT, outbox.put, lambda: now[0])
    await outbox.start()
    try:
        for step, pct in enumerate((112.0, 115.0, 118.0, 124.0, 121.0)):
            now[0] = 1_790_000_000.0 + 30 * step
            manager.handle([overload(pct, now[0])])
        assert await outbox.drained(20)
        [alert] = manager.list_alerts()
        events = manager.get(alert.alert_id).history
    finally:
        await outbox.stop()
        manager.close()
    assert [(e.state, e.value) for e in events] == [("firing", 112.0), ("updated", 124.0)]
    return events


def check_worsening_records(records: list[dict[str, object]], ids: list[str]) -> None:
    """A CWRService-style platform took `deliver_worsening`'s two events as two crane records, their ids
    ``ids``: the firing at 112 %, the update at the worst, 124 % (3.534 t), both flagged critical (3), the
    update at the worst reading's time (site time)."""
    assert [(r["alarmState"], r["weight"], r["weightPercent"], r["weightAlarm"]) for r in records] == [
        ("firing", 3.192, 112.0, 3),
        ("updated", 3.534, 124.0, 3),
    ]
    assert [r["recordTime"] for r in records] == ["2026-09-21 22:13:20", "2026-09-21 22:14:50"]
    assert [r["_id"] for r in records] == ids
