"""A key person's day at the site from the real-name gates' passages (``on_site``: the person is the reading's
point, 1 an entry, 0 an exit; contract/kinds/attendance.py): first in, last out, minutes on site.

A passage of the day before that left the person inside counts from midnight; a person still inside at the
end of the day (or now, for today) counts up to it. Two entries in a row (a missed exit: a tailgate) keep
the first; an exit without an entry before it counts from midnight only if the day began with the person
inside, else nothing (a gate that missed the entry is no proof of the time on site).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from contract.config.personnel import KeyPerson
from contract.kinds.attendance import PRESENCE
from contract.safety_log import PersonDay
from gateway.store.local_query import HistoryReader
from gateway.uplinks.base import BEIJING

LOOK_BACK_S = 86_400.0  # how far before the day a passage is looked for, to know who was inside at midnight


def day_bounds(day: date) -> tuple[float, float]:
    """The day's start and end (Beijing time), Unix seconds."""
    start = datetime.combine(day, time(0), BEIJING).timestamp()
    return start, start + 86_400.0


def today(now: float) -> date:
    """The site's calendar day (Beijing time) at ``now``."""
    return datetime.fromtimestamp(now, BEIJING).date()


def person_day(
    person: KeyPerson, passages: Iterable[tuple[float, bool]], start: float, end: float
) -> PersonDay:
    """``person``'s day in ``[start, end)`` from their passages (ts, entered), in any order."""
    inside_since: float | None = None
    first_in: float | None = None
    last_out: float | None = None
    seconds = 0.0
    for ts, entered in sorted(passages):
        if ts >= end:
            break
        if entered:
            if inside_since is None:
                inside_since = max(ts, start)
                if ts >= start and first_in is None:
                    first_in = ts
            continue
        if inside_since is not None:
            if ts >= start:
                seconds += ts - inside_since
                last_out = ts
                if first_in is None:  # inside since the day before
                    first_in = start
            inside_since = None
    if inside_since is not None:
        seconds += end - inside_since
        last_out = None
        if first_in is None:
            first_in = start
    return PersonDay(
        person=person.id,
        name=person.name,
        role=person.role,
        first_in=first_in,
        last_out=last_out,
        minutes=min(1440, round(seconds / 60)),
    )


def attendance_day(
    reader: HistoryReader, gates: Sequence[str], people: Sequence[KeyPerson], day: date, now: float
) -> list[PersonDay]:
    """Every key person's ``day`` from the stored passages of ``gates`` (up to ``now`` for today)."""
    start, end = day_bounds(day)
    end = min(end, max(start, now))
    out = []
    for person in people:
        passages: list[tuple[float, bool]] = []
        for gate in gates:
            history = reader.history(
                gate, PRESENCE, start - LOOK_BACK_S, end, point=person.id, max_points=100_000
            )
            if history is not None:
                passages += [(p.ts, p.value == 1) for p in history.points if p.quality != "fault"]
        out.append(person_day(person, passages, start, end))
    return out


def days_before(day: date, count: int) -> list[date]:
    """The ``count`` days before ``day``, oldest first."""
    return [day - timedelta(days=n) for n in range(count, 0, -1)]
