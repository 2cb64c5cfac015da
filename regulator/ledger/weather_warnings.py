"""Regional warning signals (气象灾害预警信号) issued by an authority for its jurisdiction and delivered to every
site in it (issue #39 part 3).

A regulator issues a warning for its own place or one under it (type, colour, the measures it requires,
defaulting to the per-type-and-colour text of contract/weather.py, docs/standards.md §12, and its validity).
Each project whose district lies in that place hears it on its gateway's feedback poll while it is in force
or to come (`for_project`): the first poll that carried it is the site's receipt. A supervisor acknowledges
it on the site's dashboard and the gateway sends that back, signed (`acknowledge`). The authority's page of a
warning lists its sites with receipt and acknowledgement, and the sites that kept cranes, hoists or platforms
running during a stop: their weather.work hazards (冒险作业, 建质规〔2024〕5号 第十五条(二)) in its time.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from contract.weather import COLOUR_ZH, TYPE_ZH, default_measure
from regulator.ledger.review import ReviewError
from regulator.ledger.weather_warning_models import NewWarning
from regulator.names import BEIJING
from regulator.storage import jurisdictions
from regulator.storage.db import sql
from regulator.storage.jurisdictions import SEP
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, SITE_ROLES, Actor, ScopedConnection

WORK_RULE = "weather.work"  # 冒险作业: a machine at work while a stop holds (rules/weather_work.py)
ISSUERS = ("regulator", "admin")
COLUMNS = (
    "w.id, w.jurisdiction, w.type, w.colour, w.measure, w.valid_from, w.valid_to, w.issued_by, w.issued_at"
)
KEYS = ("id", "jurisdiction", "type", "colour", "measure", "valid_from", "valid_to", "issued_by", "issued_at")
# the project's district lies in the warning's place: the place itself or under it
COVERS = "(j.path = w.jurisdiction OR substr(j.path, 1, length(w.jurisdiction) + 1) = w.jurisdiction || '/')"
# a copy of the parent platform's warning (regulator/forwarding/warnings.py): the parent's to lift
CAME_DOWN = sql("SELECT 1 FROM forward_down WHERE kind = 'warning' AND local_id = :i")


def _within(place: str, of: str | None) -> bool:
    """Whether ``place`` is ``of`` or under it (``of`` None: everywhere)."""
    return of is None or place == of or place.startswith(of + SEP)


def _overlaps(place: str, of: str | None) -> bool:
    """Whether a warning for ``place`` concerns a viewer of ``of``: one lies in the other."""
    return of is None or _within(place, of) or _within(of, place)


def _concerns(actor: Actor, sites: list[dict[str, Any]]) -> bool:
    """A project's user sees the warnings of their project's place only (a regulator: by place, above)."""
    return actor.role not in SITE_ROLES or bool(sites)


def _when(value: datetime | None, field: str, default: float) -> float:
    if value is None:
        return default
    if value.tzinfo is None:
        raise ReviewError(422, f"{field} needs a UTC offset, e.g. 2026-11-25T08:00:00+08:00")
    return value.timestamp()


class WeatherWarnings:
    """The warnings issued and their delivery, over the regulator's repository."""

    def __init__(self, repo: Repository, clock: Callable[[], float] = time.time) -> None:
        self.repo = repo
        self.clock = clock

    def issue(self, actor: Actor, new: NewWarning) -> dict[str, Any]:
        """Record a warning; ReviewError 403 for a non-regulator or a place outside the issuer's, 422 for a
        colour its type does not use, bad times or an unknown place."""
        if actor.role not in ISSUERS:
            raise ReviewError(403, f"a {actor.role} may not issue a warning signal (预警由主管部门发布)")
        try:
            measure, _ = default_measure(new.type, new.colour)
        except KeyError as exc:
            raise ReviewError(422, str(exc.args[0])) from None
        now = self.clock()
        start = _when(new.valid_from, "valid_from", now)
        end = _when(new.valid_to, "valid_to", 0.0) if new.valid_to is not None else None
        if end is not None and end <= start:
            raise ReviewError(422, "valid_to is not after valid_from: the warning would never be in force")
        text = new.jurisdiction.strip() or actor.jurisdiction or ""
        if not text:
            raise ReviewError(422, "jurisdiction: name the place the warning is for, e.g. 广东省/深圳市")
        with self.repo.engine.begin() as db:
            place = _place(db, text, actor.jurisdiction)
            if not _within(place, actor.jurisdiction):
                raise ReviewError(403, f"{place} is outside your jurisdiction {actor.jurisdiction}")
            warning_id = db.execute(
                sql(
                    "INSERT INTO weather_warnings(jurisdiction, type, colour, measure, valid_from, valid_to, "
                    "issued_by, issued_at) VALUES (:j, :t, :c, :m, :f, :to, :by, :at) RETURNING id"
                ),
                {
                    "j": place,
                    "t": new.type,
                    "c": new.colour,
                    "m": new.measure.strip() or measure,
                    "f": start,
                    "to": end,
                    "by": actor.name,
                    "at": now,
                },
            ).scalar_one()
        return self.detail(actor, int(warning_id))

    def lift(self, actor: Actor, warning_id: int) -> dict[str, Any]:
        """End a warning now (解除), by a regulator whose jurisdiction holds its place; its sites' gateways
        clear it on their next poll, which no longer carries it. ReviewError 403, 404 or 409 (already over)."""
        if actor.role not in ISSUERS:
            raise ReviewError(403, f"a {actor.role} may not lift a warning signal")
        now = self.clock()
        with self.repo.engine.begin() as db:
            row = db.execute(
                sql("SELECT jurisdiction, valid_to FROM weather_warnings WHERE id = :i"), {"i": warning_id}
            ).one_or_none()
            if row is None or not _overlaps(row[0], actor.jurisdiction):
                raise ReviewError(404, f"no warning {warning_id}")
            if not _within(row[0], actor.jurisdiction):
                raise ReviewError(403, f"warning {warning_id} is for {row[0]}, outside your jurisdiction")
            if row[1] is not None and row[1] <= now:
                raise ReviewError(409, f"warning {warning_id} is already over")
            if db.execute(CAME_DOWN, {"i": str(warning_id)}).first() is not None:
                raise ReviewError(
                    409,
                    f"warning {warning_id} came down from the platform above (上级平台发布): it is lifted there, "
                    "and its lifting reaches this platform's sites by itself",
                )
            db.execute(
                sql("UPDATE weather_warnings SET valid_to = :now WHERE id = :i"),
                {"now": now, "i": warning_id},
            )
        return self.detail(actor, warning_id)

    def visible(self, actor: Actor) -> list[dict[str, Any]]:
        """The warnings of places that concern the actor, newest first, with their sites' figures."""
        with self.repo.scoped(actor) as scoped:
            rows = scoped.db.execute(
                sql(f"SELECT {COLUMNS} FROM weather_warnings w ORDER BY w.id DESC")
            ).all()
            found = [dict(zip(KEYS, r, strict=True)) for r in rows]
            return [
                self._row(w, sites, self._kept_working(scoped, w))
                for w in found
                if _overlaps(w["jurisdiction"], actor.jurisdiction)
                and _concerns(actor, sites := self._sites(scoped, w))
            ]

    def detail(self, actor: Actor, warning_id: int) -> dict[str, Any]:
        """One warning with its sites and the sites that kept working; ReviewError 404 when not the actor's."""
        with self.repo.scoped(actor) as scoped:
            row = scoped.db.execute(
                sql(f"SELECT {COLUMNS} FROM weather_warnings w WHERE w.id = :i"), {"i": warning_id}
            ).one_or_none()
            if row is None or not _overlaps(row[1], actor.jurisdiction):
                raise ReviewError(404, f"no warning {warning_id}")
            w = dict(zip(KEYS, row, strict=True))
            sites, kept = self._sites(scoped, w), self._kept_working(scoped, w)
            if not _concerns(actor, sites):
                raise ReviewError(404, f"no warning {warning_id}")
        return self._row(w, sites, kept) | {"site_list": sites, "kept_working_list": kept}

    def for_project(self, project: str) -> list[dict[str, Any]]:
        """The warnings in force or to come for the project's place, as its gateway hears them; the first
        poll that carries one records the site's receipt."""
        now = self.clock()
        with self.repo.engine.begin() as db:
            rows = db.execute(
                sql(
                    f"SELECT {COLUMNS}, s.acked_at, s.received_at FROM weather_warnings w "
                    "JOIN projects p ON p.code = :p JOIN jurisdictions j ON j.id = p.district_id "
                    "LEFT JOIN weather_warning_sites s ON s.warning_id = w.id AND s.project = p.code "
                    f"WHERE {COVERS} AND (w.valid_to IS NULL OR w.valid_to > :now) ORDER BY w.id"
                ),
                {"p": project, "now": now},
            ).all()
            for r in rows:
                if r[10] is None:
                    _received(db, r[0], project, now)
        return [
            dict(zip(KEYS, r[:9], strict=True))
            | {
                "valid_from": datetime.fromtimestamp(r[5], BEIJING),
                "valid_to": datetime.fromtimestamp(r[6], BEIJING) if r[6] is not None else None,
                "acked_at": r[9],
            }
            for r in rows
        ]

    def acknowledge(self, project: str, warning_id: int, who: str, at: float) -> dict[str, Any]:
        """A supervisor of ``project`` acknowledged the warning (the first acknowledgement counts; repeats
        change nothing); ReviewError 404 for a warning not for the project's place."""
        with self.repo.engine.begin() as db:
            covered = db.execute(
                sql(
                    "SELECT 1 FROM weather_warnings w JOIN projects p ON p.code = :p "
                    f"JOIN jurisdictions j ON j.id = p.district_id WHERE w.id = :i AND {COVERS}"
                ),
                {"p": project, "i": warning_id},
            ).first()
            if covered is None:
                raise ReviewError(404, f"no warning {warning_id} for project {project}")
            _received(db, warning_id, project, min(at, self.clock()))
            db.execute(
                sql(
                    "UPDATE weather_warning_sites SET acked_at = :at, acked_by = :by "
                    "WHERE warning_id = :i AND project = :p AND acked_at IS NULL"
                ),
                {"at": at, "by": who, "i": warning_id, "p": project},
            )
            acked_at, acked_by = db.execute(
                sql(
                    "SELECT acked_at, acked_by FROM weather_warning_sites WHERE warning_id = :i AND project = :p"
                ),
                {"i": warning_id, "p": project},
            ).one()
        return {"warning_id": warning_id, "project": project, "acked_at": acked_at, "acked_by": acked_by}

    def _row(
        self, w: dict[str, Any], sites: list[dict[str, Any]], kept: list[dict[str, Any]]
    ) -> dict[str, Any]:
        now = self.clock()
        return w | {
            "title": f"{TYPE_ZH[w['type']]}{COLOUR_ZH[w['colour']]}预警",
            "in_force": w["valid_from"] <= now and (w["valid_to"] is None or now < w["valid_to"]),
            "sites": len(sites),
            "received": sum(s["received_at"] is not None for s in sites),
            "acknowledged": sum(s["acked_at"] is not None for s in sites),
            "kept_working": len({k["project"] for k in kept}),
        }

    @staticmethod
    def _sites(scoped: ScopedConnection, w: dict[str, Any]) -> list[dict[str, Any]]:
        rows = scoped.execute(
            "SELECT p.code, p.name, j.path, s.received_at, s.acked_at, s.acked_by FROM "
            f"{PROJECTS} p JOIN jurisdictions j ON j.id = p.district_id "
            "CROSS JOIN (SELECT CAST(:w_place AS TEXT) AS jurisdiction) w "
            "LEFT JOIN weather_warning_sites s ON s.project = p.code AND s.warning_id = :w_id "
            f"WHERE {COVERS} ORDER BY p.code",
            {"w_place": w["jurisdiction"], "w_id": w["id"]},
        ).all()
        keys = ("project", "name", "district", "received_at", "acked_at", "acked_by")
        return [dict(zip(keys, r, strict=True)) | {"acked_by": r[5] or ""} for r in rows]

    def _kept_working(self, scoped: ScopedConnection, w: dict[str, Any]) -> list[dict[str, Any]]:
        end = w["valid_to"] if w["valid_to"] is not None else self.clock()
        rows = scoped.execute(
            "SELECT h.id, h.project, h.device, h.message, h.value, h.unit, h.clause, h.level, h.state, "
            f"h.first_ts, h.last_ts FROM hazards h JOIN {PROJECTS} p ON p.code = h.project "
            "JOIN jurisdictions j ON j.id = p.district_id CROSS JOIN (SELECT CAST(:w_place AS TEXT) AS jurisdiction) w "
            f"WHERE h.rule = :rule AND {COVERS} AND h.last_ts >= :start AND h.first_ts <= :end "
            "ORDER BY h.first_ts",
            {"w_place": w["jurisdiction"], "rule": WORK_RULE, "start": w["valid_from"], "end": end},
        ).all()
        keys = ("hazard_id", "project", "device", "message", "value", "unit", "clause", "level", "state")
        return [
            dict(zip(keys, r[:9], strict=True))
            | {"first_ts": r[9], "last_ts": r[10], "link": f"/#hazard={r[0]}"}
            for r in rows
        ]


def _place(db: Connection, text: str, own: str | None) -> str:
    """The path of the place written ``text``: from the province down, or (the issuer's own place first) under
    the issuer's jurisdiction, e.g. 福田区 for a regulator of 广东省/深圳市. ReviewError 422 naming the fix."""
    try:
        return jurisdictions.find(db, text).path
    except jurisdictions.UnknownPlace as exc:
        if own and not text.startswith(own):
            with contextlib.suppress(jurisdictions.UnknownPlace):
                return jurisdictions.find(db, own + SEP + text).path
        raise ReviewError(422, f"jurisdiction: {exc}") from None


def _received(db: Connection, warning_id: int, project: str, at: float) -> None:
    """Record the project's receipt of the warning, once."""
    db.execute(
        sql(
            "INSERT INTO weather_warning_sites(warning_id, project, received_at) "
            "SELECT :i, :p, :at WHERE NOT EXISTS (SELECT 1 FROM weather_warning_sites "
            "WHERE warning_id = :i AND project = :p)"
        ),
        {"i": warning_id, "p": project, "at": at},
    )
