"""The national export's desk: making a package (regulator/reports/national_export.py) and keeping a record of
each one made (migration 0024: id, jurisdiction, period, who and when, the zip's SHA-256, the counts, the
accidents in it), listing them, and marking one sent.

Marking a package sent is what stops the national clock (48 h, regulator/ledger/incidents.py CLOCKS) of every
accident and near miss in it: each is reported to ``national_platform`` through ``Incidents.report`` with
``how="export"`` (导出报送), by who sent it, at when it was sent. One sent after its deadline is kept as
late (迟报) with how late; one already reported to the national platform (by hand, or in an earlier
package) keeps its first report. The reports are made before the package is marked, so a marking cut
short is finished by marking again: the accidents reported already are skipped.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from regulator.ledger.incidents import FUTURE_SLACK_S, Incidents
from regulator.ledger.review import Review, ReviewError
from regulator.ledger.supervision import Supervision, covers
from regulator.names import beijing_text
from regulator.reports import national_export as ne
from regulator.storage.db import sql
from regulator.storage.jurisdictions import SEP
from regulator.storage.scope import Actor

NATIONAL = "national_platform"  # regulator/ledger/incidents.py CLOCKS' ``to`` of the 48 h clock
PACKAGE_COLUMNS = (
    "id, jurisdiction, period_from, period_to, produced_by, produced_at, sha256, counts, sent_at, sent_by, "
    "marked_by, marked_at"
)
PACKAGE_KEYS = tuple(PACKAGE_COLUMNS.split(", "))
LISTED = 200  # packages a list shows, newest first


@dataclass(frozen=True, slots=True)
class Sending:
    """A package's sending as the sender tells it: who uploaded it to the national platform, and when."""

    sent_by: str
    sent_at: float | None = None  # None: now


class NationalExports:
    """Packages over one review loop's repository: made, recorded, listed and marked sent."""

    def __init__(self, review: Review, supervision: Supervision, incidents: Incidents) -> None:
        self.review = review
        self.supervision = supervision
        self.incidents = incidents
        self.engine = review.repo.engine

    def produce(self, actor: Actor, period: ne.Period, now: float | None = None) -> ne.Package:
        """The package of ``period`` as ``actor`` (a regulator or admin) sees it, recorded as produced."""
        ne.require_authority(actor)
        now = time.time() if now is None else now
        sources = ne.gather(self.review, self.supervision, self.incidents, actor, period, now)
        package = ne.assemble(actor, period, sources, now, ne.new_id(now))
        with self.engine.begin() as db:
            db.execute(
                sql(
                    f"INSERT INTO national_exports({PACKAGE_COLUMNS}) VALUES (:id, :place, :start, :end, :by, "
                    ":now, :sha, :counts, NULL, NULL, NULL, NULL)"
                ),
                {
                    "id": package.id,
                    "place": package.jurisdiction,
                    "start": period.start,
                    "end": period.end,
                    "by": actor.name,
                    "now": now,
                    "sha": package.sha256,
                    "counts": json.dumps(package.counts),
                },
            )
            if package.incident_ids:
                db.execute(
                    sql("INSERT INTO national_export_incidents(package_id, incident_id) VALUES (:p, :i)"),
                    [{"p": package.id, "i": i} for i in package.incident_ids],
                )
        return package

    def packages(self, actor: Actor) -> list[dict[str, Any]]:
        """The packages of places at or under ``actor``'s jurisdiction, newest first (at most LISTED)."""
        ne.require_authority(actor)
        mine = actor.jurisdiction
        # covers(mine, jurisdiction), in SQL: the place itself or one whose path goes on below it
        where = "1 = 1" if mine is None else "jurisdiction = :mine OR substr(jurisdiction, 1, :n) = :prefix"
        with self.engine.connect() as db:
            rows = db.execute(
                sql(
                    f"SELECT {PACKAGE_COLUMNS} FROM national_exports WHERE {where} "
                    "ORDER BY produced_at DESC, id DESC LIMIT :limit"
                ),
                {"mine": mine, "n": len(mine or "") + 1, "prefix": f"{mine}{SEP}", "limit": LISTED},
            ).all()
            return [self._view(db, r) for r in rows]

    def one(self, actor: Actor, package_id: str) -> dict[str, Any]:
        """One package of ``actor``'s places, with its accidents' national clocks now; 404 otherwise."""
        ne.require_authority(actor)
        with self.engine.connect() as db:
            row = db.execute(
                sql(f"SELECT {PACKAGE_COLUMNS} FROM national_exports WHERE id = :id"), {"id": package_id}
            ).first()
            # another place's package answers as if absent, as another place's hazard does
            if row is None or not covers(actor.jurisdiction, row[1]):
                raise ReviewError(404, f"no national export package {package_id!r}")
            package = self._view(db, row)
        package["accidents"] = [self._national(actor, i) for i in package["incident_ids"]]
        return package

    def mark_sent(
        self, actor: Actor, package_id: str, sending: Sending, now: float | None = None
    ) -> dict[str, Any]:
        """Record that the package was sent to the national platform: each accident in it is reported there
        (its 48 h clock stops; 迟报 past the deadline), then the package is marked. 409 for a package marked
        already, 422 for a sending before the package was made or in the future."""
        package = self.one(actor, package_id)
        if package["sent_at"] is not None:
            raise ReviewError(
                409,
                f"package {package_id} was marked sent already: sent {package['sent_at_text']} by "
                f"{package['sent_by']} (recorded by {package['marked_by']})",
            )
        sent_by = sending.sent_by.strip()
        if not sent_by:
            raise ReviewError(422, "say who sent it to the national platform (报送人): sent_by")
        now = time.time() if now is None else now
        sent_at = now if sending.sent_at is None else sending.sent_at
        if sent_at > now + FUTURE_SLACK_S:
            raise ReviewError(422, "sent_at is in the future: give the time it was uploaded")
        if sent_at < package["produced_at"]:
            raise ReviewError(
                422, f"sent_at is before the package was made ({package['produced_at_text']}): check the date"
            )
        for accident in package["accidents"]:
            if accident["reported_at"] is None:
                self.incidents.report(
                    actor,
                    accident["id"],
                    NATIONAL,
                    sent_by,
                    sent_at,
                    f"全国平台交换包 {package_id}",
                    "export",
                )
        with self.engine.begin() as db:
            db.execute(
                sql(
                    "UPDATE national_exports SET sent_at = :at, sent_by = :who, marked_by = :by, marked_at = :now "
                    "WHERE id = :id AND sent_at IS NULL"
                ),
                {"at": sent_at, "who": sent_by, "by": actor.name, "now": now, "id": package_id},
            )
        return self.one(actor, package_id)

    def _national(self, actor: Actor, incident_id: int) -> dict[str, Any]:
        """An accident of a package with its national clock now."""
        found = self.incidents.one(actor, incident_id)
        [clock] = [c for c in found["clocks"] if c["to"] == NATIONAL]
        return {
            "id": found["id"],
            "project": found["project"],
            "project_name": found["project_name"],
            "kind_name": found["kind_name"],
            "occurred_at": found["occurred_at"],
            "deadline": clock["deadline"],
            "reported_at": clock["reported_at"],
            "state": clock["state"],
            "state_name": clock["state_name"],
            "late_s": clock["seconds"] if clock["state"] == "late" else None,
        }

    @staticmethod
    def _view(db: Connection, row: sa.Row[Any]) -> dict[str, Any]:
        """A package's record as the API gives it: the counts read, the days and times in words."""
        p = dict(zip(PACKAGE_KEYS, row, strict=True))
        p["counts"] = json.loads(p["counts"])
        p["incident_ids"] = list(
            db.execute(
                sql(
                    "SELECT incident_id FROM national_export_incidents WHERE package_id = :p ORDER BY incident_id"
                ),
                {"p": p["id"]},
            ).scalars()
        )
        p["period_first"] = beijing_text(p["period_from"])[:10]
        p["period_until"] = beijing_text(p["period_to"])[:10]
        p["produced_at_text"] = beijing_text(p["produced_at"])
        p["sent_at_text"] = beijing_text(p["sent_at"])
        return p
