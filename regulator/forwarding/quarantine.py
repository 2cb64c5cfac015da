"""The city's records its province refused for good, set aside so everything behind them flows (issue 50 §3).

A record the province refuses for a reason retrying cannot cure (a place outside the city, a project the
province does not know, a row it cannot read: wire.Reason) waits here with the province's reason instead of
holding the outbox for ever. Its later changes wait with it (the record is read as it is when released); a
new record of a project set aside is refused for its project (``unknown_project``) and joins it. It goes back to
the outbox, behind what is queued and in the order it was refused, when the city fixes its project (the
project's row changes: re-registering its place) or an admin runs ``sitegw regulator forwarding release``;
the province refuses it again if the fix did not cure it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from regulator.forwarding.outbox import Pending
from regulator.forwarding.wire import WHAT_TO_DO, Reason, Record
from regulator.storage.db import sql

log = logging.getLogger(__name__)

HOLD = sql(
    "INSERT INTO forward_quarantine(kind, ref, project, seq, code, reason, first_at, last_at) "
    "VALUES (:k, :r, :p, :s, :c, :why, :now, :now) ON CONFLICT (kind, ref) DO UPDATE SET "
    "project = excluded.project, code = excluded.code, reason = excluded.reason, last_at = excluded.last_at, "
    "refusals = forward_quarantine.refusals + 1"
)


@dataclass(frozen=True, slots=True)
class Held:
    """One record set aside: what the city's forwarding page and ``forwarding list`` show."""

    kind: str
    ref: str
    project: str | None
    code: str
    reason: str
    first_at: float
    last_at: float
    refusals: int

    @property
    def what_to_do(self) -> str:
        said = {str(k): v for k, v in WHAT_TO_DO.items()}
        return said.get(self.code, said["schema"])


def project_of(db: Connection, rec: Record) -> str | None:
    """The project whose fix releases ``rec``: its own code, its row's project, an incident report's
    incident's project."""
    if rec.kind == "project":
        return rec.ref
    if isinstance(rec.row.get("project"), str):
        return str(rec.row["project"])
    incident = rec.row.get("incident_id")
    if isinstance(incident, int):
        found = db.execute(sql("SELECT project FROM incidents WHERE id = :i"), {"i": incident}).scalar()
        return None if found is None else str(found)
    return None


def hold(db: Connection, rec: Record, code: Reason, reason: str) -> None:
    """Set ``rec`` aside with the province's reason; a WARNING names it, its project and the fix."""
    project = project_of(db, rec)
    db.execute(
        HOLD,
        {
            "k": rec.kind,
            "r": rec.ref,
            "p": project,
            "s": rec.seq,
            "c": code,
            "why": reason[:2000],
            "now": time.time(),
        },
    )
    log.warning(
        "forwarding: the province refused %s %s (project %s) for good, set aside, the rest goes on: %s — %s",
        rec.kind,
        rec.ref,
        project or "-",
        WHAT_TO_DO[code],
        reason[:300],
    )


def sort_out(db: Connection, items: list[Pending]) -> list[Pending]:
    """Of the queued ``items``, those to send: a change of a record set aside joins it (its queued rows are
    then the caller's to delete), and a change of a project set aside is its fix: sent, and the project's
    records queued again behind it."""
    aside = {(k, r): p for k, r, p in db.execute(sql("SELECT kind, ref, project FROM forward_quarantine"))}
    if not aside:
        return items
    projects = {r for (k, r) in aside if k == "project"}
    send: list[Pending] = []
    for item in items:
        if item.kind == "project" and item.ref in projects:
            release(db, item.ref, queued=True)
            send.append(item)
        elif (item.kind, item.ref) not in aside:
            send.append(item)
    return send


def release(db: Connection, project: str | None = None, *, queued: bool = False) -> int:
    """Queue the records set aside (of ``project``; None: all) again, behind what is queued, in the order
    they were refused (a project before its hazards); how many. ``queued``: the project's own change is in
    the outbox already (the fix that releases it), so it is not queued twice."""
    which = "" if project is None else " WHERE project = :p"
    rows = db.execute(
        sql(f"DELETE FROM forward_quarantine{which} RETURNING kind, ref, seq"), {"p": project}
    ).all()
    now = time.time()
    for kind, ref, _ in sorted(rows, key=lambda r: int(r[2])):
        if queued and kind == "project":
            continue
        db.execute(
            sql("INSERT INTO forward_outbox(kind, ref, queued_at) VALUES (:k, :r, :now)"),
            {"k": kind, "r": ref, "now": now},
        )
    log.warning("forwarding: %d records set aside queued again (%s)", len(rows), project or "all")
    return len(rows)


def held(db: Connection) -> list[Held]:
    """The records set aside, oldest refusal first."""
    return [
        Held(*row)
        for row in db.execute(
            sql(
                "SELECT kind, ref, project, code, reason, first_at, last_at, refusals FROM forward_quarantine "
                "ORDER BY seq"
            )
        )
    ]
