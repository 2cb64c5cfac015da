"""When the gateway drafts the day's safety log and sends the key people's attendance.

Each evening at ``safety_log.draft_at`` (Beijing time) today's log is drafted for the safety officer; once a
day is over its attendance is queued for the regulators (the whole day: who left after the evening's draft
counts). A gateway that was off catches up when it is back: each day since its first log, up to CATCH_UP_DAYS
back, gets its draft (if it had none) and its attendance, so no finished day is left unsent. Days before the
gateway's first log are not invented: it knew no passages then.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

from contract.safety_log import KeyAttendance
from gateway.site.safety_log.attendance import attendance_day, today
from gateway.site.safety_log.draft import Sources, draft
from gateway.site.safety_log.store import SafetyLogStore
from gateway.uplinks.base import BEIJING

log = logging.getLogger(__name__)

CATCH_UP_DAYS = 7
TICK_S = 60.0


class SafetyLogSchedule:
    """Drafts logs and queues attendance days of one site."""

    def __init__(
        self, sources: Sources, store: SafetyLogStore, draft_at: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.sources = sources
        self.store = store
        self._at = datetime.strptime(draft_at, "%H:%M").time()
        self._clock = clock

    def draft_day(self, day: date) -> bool:
        """(Re)draft ``day``'s log from what the gateway holds now; False when it is signed."""
        return self.store.save_draft(day, draft(self.sources, day, self._clock()), self._clock())

    def tick(self) -> None:
        """Draft what is due and queue every finished day's attendance not yet queued."""
        now = self._clock()
        current = today(now)
        if datetime.fromtimestamp(now, BEIJING).time() >= self._at and self.store.get(current) is None:
            self.draft_day(current)
            log.info("safety log: today's (%s) drafted for the safety officer to sign", current)
        drafted = self.store.listing(limit=CATCH_UP_DAYS + 1)
        if not drafted:
            self.draft_day(current)  # the gateway's first day: the log starts here
            return
        first = max(min(r.day for r in drafted), current - timedelta(days=CATCH_UP_DAYS))
        day = first
        while day < current:
            if self.store.get(day) is None:
                self.draft_day(day)
                log.warning(
                    "safety log: %s had no draft (the gateway was off at %s): drafted now", day, self._at
                )
            if not self.store.attendance_queued(day):
                site = self.sources.site.config
                gates = [d.id for d in site.devices if d.kind == "attendance"]
                people = attendance_day(self.sources.readings, gates, site.key_personnel, day, now)
                self.store.queue_attendance(KeyAttendance(project=self.store.project, day=day, people=people))
                self.store.notify()
            day += timedelta(days=1)

    async def run(self) -> None:
        """Until cancelled: a tick a minute."""
        while True:
            try:
                await asyncio.to_thread(self.tick)
            except Exception:  # a bad day's data must not stop the next days' logs
                log.exception("safety log: drafting failed; tried again in %.0f s", TICK_S)
            await asyncio.sleep(TICK_S)
