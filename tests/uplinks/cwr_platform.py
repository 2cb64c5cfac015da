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
from gateway.outbox import Outbox
from tests.regulator.support import make_event
from tests.uplinks.platform import PlatformServer, Request

SITE_TIME = timezone(timedelta(hours=8))  # China Standard Time: "site time" of the Chinese platforms
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
