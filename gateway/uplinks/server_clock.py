"""The regulator's clock as its answers tell it, so signed events get through while this box's clock is wrong.

The regulator refuses a request whose signed timestamp is more than 5 minutes off its own clock (replay
protection, docs/design.md), with a 401. An edge box's clock can be off by far more: a dead RTC battery
after a power cut, an NTP server the 4G side cannot reach, a wrong one. The outbox takes a 401 for a
wrong secret and dead-letters the event, so every hazard of that time would never reach the regulator
(issue #19's clock test found exactly that).

So the ``Date`` header of every answer (RFC 9110 §6.6.1: the server's clock, to the second) is compared
with this machine's clock. Once they are more than ``TRUST_S`` apart, events, heartbeats, readings
summaries, feedback polls, patrol pictures and self-checks (signed_request.py) are signed with the
regulator's time instead, the log says so (once, with the fix), and a refusal of a request signed more
than ``TRUST_S`` off the regulator's clock is a transient failure, tried again with the corrected time,
not a wrong secret. The events keep their own times: only the signature's timestamp moves.
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime

import httpx

log = logging.getLogger(__name__)

TRUST_S = 30.0  # the Date header's second, a slow answer and a little drift are within this


class ServerClock:
    """This machine's time corrected by what the server at ``name`` (its base URL) said its time was."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.offset_s = 0.0  # server minus this machine; 0 while they agree within TRUST_S

    def now_ms(self) -> int:
        """The time to sign with, Unix milliseconds."""
        return int((time.time() + self.offset_s) * 1000)

    def observe(self, response: httpx.Response, signed_ms: int) -> float:
        """Learn the server's clock from ``response``; how many seconds the request's ``signed_ms`` was off
        it (0 when the answer carries no usable Date)."""
        try:
            server = parsedate_to_datetime(response.headers["date"]).timestamp()
        except (KeyError, TypeError, ValueError, IndexError):
            return 0.0
        skew = server - time.time()
        offset = skew if abs(skew) > TRUST_S else 0.0
        if (offset != 0.0) != (self.offset_s != 0.0):
            if offset:
                log.warning(
                    "regulator %s: this machine's clock is %.0f s %s the regulator's (its Date header); "
                    "requests are signed with the regulator's time until they agree. Fix this machine's clock "
                    "(NTP, the RTC battery): the events' own times come from it",
                    self.name,
                    abs(skew),
                    "behind" if skew > 0 else "ahead of",
                )
            else:
                log.warning("regulator %s: this machine's clock agrees with the regulator's again", self.name)
        self.offset_s = offset
        return server - signed_ms / 1000


_CLOCKS: dict[str, ServerClock] = {}


def clock_of(base_url: str) -> ServerClock:
    """The one ServerClock of the regulator at ``base_url``, shared by events, heartbeats, summaries,
    the feedback poll, patrol pictures, self-checks and notices: what one answer taught, the next request of any of them uses."""
    key = base_url.rstrip("/")
    if key not in _CLOCKS:
        _CLOCKS[key] = ServerClock(key)
    return _CLOCKS[key]
