"""A city's sites' daily safety logs and their key people's attendance at the province (issue 50 §4), so the
province's safety-log page (regulator/channels/safety_logs.py) shows a city's project's daily compliance
(received, late, missing) and its 90-day attendance look-back (倒查3个月考勤) as its own projects'.

What goes up is what those read: a log's day, who signed it and when, and when the city received it (its
``safety_log`` record; the log's text stays at the city, which a province user opens there), and a day's
attendance whole (its ``attendance_day`` record: every key person's first in, last out and minutes), since a
site sending a day again replaces the day at the city, persons dropped included, which rows sent one by one
could not say. Both are keyed ``PROJECT:DAY`` (YYYY-MM-DD, Beijing): the outbox's trigger queues the pair,
each record is read as it is when sent.

The province does not flag a city's missing log itself (``flag_missing`` skips relayed projects): the city
flags its own, and that hazard comes up with the ledger.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Connection

from regulator.storage.db import sql

PERSON = ("person", "name", "role", "first_in", "last_out", "minutes")


def _split(ref: str) -> tuple[str, str]:
    project, _, day = ref.rpartition(":")  # a day has no colon, a project's code may
    return project, day


def log_row(db: Connection, ref: str) -> dict[str, Any] | None:
    """The ``safety_log`` record's row of ``ref`` (``PROJECT:DAY``) as it is now; None when it is gone."""
    project, day = _split(ref)
    found = db.execute(
        sql("SELECT signed_by, signed_at, received_at FROM safety_logs WHERE project = :p AND day = :d"),
        {"p": project, "d": day},
    ).first()
    if found is None:
        return None
    return {
        "project": project,
        "day": day,
        "signed_by": found[0],
        "signed_at": found[1],
        "received_at": found[2],
    }


def attendance_row(db: Connection, ref: str) -> dict[str, Any] | None:
    """The ``attendance_day`` record's row of ``ref`` (``PROJECT:DAY``): the day's people as JSON (the row
    of person '' for a day sent without key people); None when the day is gone."""
    project, day = _split(ref)
    found = db.execute(
        sql(
            f"SELECT {', '.join(PERSON)}, received_at FROM key_attendance WHERE project = :p AND day = :d "
            "ORDER BY person"
        ),
        {"p": project, "d": day},
    ).all()
    if not found:
        return None
    people = [dict(zip(PERSON, r[: len(PERSON)], strict=True)) for r in found]
    received = max(float(r[len(PERSON)]) for r in found)
    return {
        "project": project,
        "day": day,
        "people": json.dumps(people, ensure_ascii=False),
        "received_at": received,
    }


def keep_log(db: Connection, kept: dict[str, Any]) -> None:
    """Keep the city's log ``kept`` (checked: rows.SafetyLogRow, ``project`` the province's) on the
    province's row of its project and day; the log's text stays at the city (an empty body here)."""
    db.execute(
        sql(
            "INSERT INTO safety_logs(project, day, signed_by, signed_at, received_at, body) "
            "VALUES (:project, :day, :signed_by, :signed_at, :received_at, '') ON CONFLICT (project, day) DO UPDATE "
            "SET signed_by = excluded.signed_by, signed_at = excluded.signed_at, received_at = excluded.received_at"
        ),
        kept,
    )


def keep_attendance(db: Connection, kept: dict[str, Any], people: list[dict[str, Any]]) -> None:
    """Replace the province's attendance of the project's day with the city's ``people`` (checked: rows.PersonRow)."""
    args = {"p": kept["project"], "d": kept["day"]}
    db.execute(sql("DELETE FROM key_attendance WHERE project = :p AND day = :d"), args)
    db.execute(
        sql(
            f"INSERT INTO key_attendance(project, day, {', '.join(PERSON)}, received_at) "
            f"VALUES (:p, :d, {', '.join(':' + c for c in PERSON)}, :now)"
        ),
        [{**args, **person, "now": kept["received_at"]} for person in people],
    )
