"""The site's hot-work permits (动火许可证, docs/standards.md §18): issued by a supervisor who confirmed the
fire measures on the spot, closed with the post-work check, kept durably in the gateway's SQLite and handed
to the rules whole at start and at every change, as the warning signals are (weather_warnings.py).

A permit is no device's work window (pours.json, jacking): its place is a part of the building, not a
machine, and gas cutting has no sensor at all. The rules judge it by time (rules/hot_work.py): a welder
at work at a place with none in force, its fire watch not badged in, its window over without the check.

What issuing refuses, each naming the field and the fix: the operator's card past its last valid day
before the window ends (消防法 Art. 21; GB 50720-2011 §6.3.1(2); §19: the issuer's date, never computed),
fewer than 2 extinguishers or not checked (§5.2.1), combustibles not cleared (§6.3.1(3)), the fire watch
being the operator (§6.3.1(6): a watch of their own), a window longer than MAX_WINDOW, or than its approval
level's validity where the permit names one (LEVEL_WINDOW, company practice [U]).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol

from contract.hot_work import MIN_EXTINGUISHERS, Permit, PermitRequest
from gateway.site.site_work import WorkError
from gateway.site.weather_warnings import KEPT_FOR_RULES_S
from gateway.sqlite_tx import connect, transaction

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS permits (id TEXT PRIMARY KEY, body TEXT NOT NULL, start_ts REAL NOT NULL)"
)
MAX_WINDOW = timedelta(days=7)  # the longest validity any scheme in §18 gives (三级, a week [U])
# a permit of an approval level is valid as long as the company scheme §18 quotes lets that level be (一级 1 day,
# 二级 3 days, 三级 1 week [U]: one company's rule, not GB 50720's, which defines no levels)
LEVEL_WINDOW = {"一级": timedelta(days=1), "二级": timedelta(days=3), "三级": MAX_WINDOW}


class PermitSink(Protocol):
    """What judges the permits (the RuleEngine)."""

    def set_permits(self, permits: list[Permit]) -> None: ...


class HotWork:
    """The hot-work permits of one gateway, in ``hot_work.sqlite``."""

    def __init__(
        self, path: Path, sink: PermitSink, utc_offset_h: float, clock: Callable[[], float] = time.time
    ) -> None:
        self._db = connect(path, SCHEMA)
        self._sink = sink
        self._tz = timezone(timedelta(hours=utc_offset_h))
        self._clock = clock
        self._tell()

    def all(self) -> list[Permit]:
        """Every permit kept, the latest window first."""
        rows = self._db.execute("SELECT body FROM permits ORDER BY start_ts DESC, id DESC").fetchall()
        return [Permit.model_validate_json(body) for (body,) in rows]

    def of_day(self, day: date) -> list[Permit]:
        """The permits whose window touches ``day`` (site time), earliest first: the safety log's."""
        start = datetime.combine(day, datetime.min.time(), self._tz)
        end = start + timedelta(days=1)
        return [p for p in reversed(self.all()) if p.start < end and p.end > start]

    def issue(self, request: PermitRequest, signer: str) -> Permit:
        """Record a permit signed by ``signer`` now (WorkError naming what is missing or wrong)."""
        _check(request, self._tz)
        now = self._clock()
        day = datetime.fromtimestamp(now, self._tz).strftime("%Y%m%d")
        taken = self._db.execute("SELECT COUNT(*) FROM permits WHERE id LIKE ?", (f"DH-{day}-%",)).fetchone()[
            0
        ]
        permit = Permit(**request.model_dump(), id=f"DH-{day}-{taken + 1:03d}", signer=signer, signed_ts=now)
        self._write(permit)
        return permit

    def close(self, permit_id: str, who: str, checked: bool) -> Permit:
        """Close a permit with its post-work check (WorkError for an unknown id, one closed, no check)."""
        permit = self.find(permit_id)
        if permit.closed_ts is not None:
            raise WorkError(f"permit {permit_id} was already closed by {permit.closed_by or '?'}")
        if not checked:
            raise WorkError(
                f"{permit_id}: closing needs checked: true: the place and what lies below and around it "
                "inspected, no fire risk left (GB 50720-2011 §6.3.1(8))"
            )
        closed = permit.model_copy(update={"closed_ts": self._clock(), "closed_by": who})
        self._write(closed)
        return closed

    def find(self, permit_id: str) -> Permit:
        """One permit by id (WorkError if there is none)."""
        row = self._db.execute("SELECT body FROM permits WHERE id = ?", (permit_id,)).fetchone()
        if row is None:
            raise WorkError(f"no hot-work permit {permit_id!r} (sitegw hot-work list shows them)")
        return Permit.model_validate_json(row[0])

    def _write(self, permit: Permit) -> None:
        with transaction(self._db):
            self._db.execute(
                "INSERT OR REPLACE INTO permits (id, body, start_ts) VALUES (?, ?, ?)",
                (permit.id, permit.model_dump_json(), permit.start.timestamp()),
            )
        self._tell()

    def _tell(self) -> None:
        """Hand the rules every permit not yet over, unclosed, or over within KEPT_FOR_RULES_S (older ones
        are history only)."""
        since = self._clock() - KEPT_FOR_RULES_S
        self._sink.set_permits([p for p in self.all() if p.closed_ts is None or p.closed_ts >= since])

    def shut(self) -> None:
        """Close the database."""
        self._db.close()


def _check(r: PermitRequest, tz: timezone) -> None:
    """WorkError for a request §18 does not allow to be signed."""
    if r.end <= r.start:
        raise WorkError(
            f"end {r.end.isoformat()} is not after start {r.start.isoformat()}: give the window's times"
        )
    longest = MAX_WINDOW if r.level is None else LEVEL_WINDOW[r.level]
    if r.end - r.start > longest:
        of_level = "" if r.level is None else f" a {r.level} permit's validity (company practice [U], §18),"
        raise WorkError(
            f"the window {r.start.isoformat()} to {r.end.isoformat()} is longer than{of_level} "
            f"{longest.days} day{'s' if longest.days > 1 else ''}: issue a permit per stretch of work"
        )
    last_day = r.end.astimezone(tz).date()
    if r.operator.valid_until < last_day:
        raise WorkError(
            f"operator {r.operator.name}'s certificate {r.operator.certificate_no} ({r.operator.certificate_kind}) "
            f"is valid until {r.operator.valid_until.isoformat()}, before the window ends on "
            f"{last_day.isoformat()}: hot work needs a valid card (消防法 第二十一条, GB 50720-2011 "
            "§6.3.1(2)); name a certified operator or renew the card"
        )
    if r.extinguishers < MIN_EXTINGUISHERS or not r.extinguishers_checked:
        raise WorkError(
            f"extinguishers: {r.extinguishers} given{'' if r.extinguishers_checked else ', not checked'}: "
            f"at least {MIN_EXTINGUISHERS} at the place, checked (extinguishers_checked: true; "
            "GB 50720-2011 §5.2.1, §6.3.1(6))"
        )
    if not r.combustibles_cleared:
        raise WorkError(
            "combustibles_cleared must be true: combustibles removed, or covered with non-combustible "
            "material, before signing (GB 50720-2011 §6.3.1(1)(3))"
        )
    if r.operator.person_id and r.operator.person_id == r.fire_watch.person_id:
        raise WorkError(
            f"the fire watch {r.fire_watch.person_id} is the operator: each hot-work point needs a watch "
            "of its own (GB 50720-2011 §6.3.1(6))"
        )
