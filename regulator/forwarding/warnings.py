"""Warning signals down the chain, and each site's receipt and acknowledgement back up (issue 50 §2).

Down: a child platform (a city under its province, a district under its city) asks its parent every poll for
the parent's warnings over its place (``for_child``): those in force or to come whose place holds the child's
or lies in it, the parent's own and those that came down to the parent from above, and those the child
names as held in force, whatever became of them since (lifted, shortened). The child keeps one copy of each
(``take``), remembered by the parent's id in ``forward_down``: the parent's id is the key that makes a
warning arrive once however often it is answered, and a change of it (valid_to moved: lifted, shortened) is
written onto the same copy. The copy is a warning of the child's like its own, so the child's gateways hear
it on their feedback poll (regulator/ledger/weather_warnings.py) and its own children hear it from it, as
far down as the chain goes.

Up: a site's receipt and acknowledgement is a row of ``weather_warning_sites``; at a child it is queued by
the outbox's trigger like a ledger row (outbox.py) and, for a copy, goes up as a ``warning_site`` record
naming the parent's warning id (``site_row``). The parent keeps it on its own row for that warning and
project (``keep_site``), the pair being the key: the earliest receipt and the first acknowledgement win, so
a record sent twice, or late behind a newer one, changes nothing. At a middle platform that row is itself
queued by its trigger and goes up again, named by its own parent's id.

Why the child polls its parent rather than the parent pushing down: as for the parent's decisions (down.py),
the child already holds the one signed, retried link, a parent needs no way into each child's network, and a
poll that answers the current state loses nothing while either side was away: a warning issued and lifted
while the child was away never needed to reach its sites.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from regulator.forwarding import came_down
from regulator.forwarding.wire import MAX_HELD, DownWarning, DownWarnings
from regulator.ledger.weather_warnings import COLUMNS, COVERS, KEYS
from regulator.storage.db import sql

KIND = "warning"  # forward_down's kind of a warning's copy
MAX_LIVE = 500  # warnings in force or to come a poll answers at most, the newest first
# the warning's place and the child's place lie one in the other (a province's warning over a city, a city's
# over one of its districts)
OVERLAPS = (
    "(w.jurisdiction = :place OR substr(:place, 1, length(w.jurisdiction) + 1) = w.jurisdiction || '/' "
    "OR substr(w.jurisdiction, 1, length(:place) + 1) = :place || '/')"
)
IN_FORCE = "(w.valid_to IS NULL OR w.valid_to > :now)"


def for_child(db: Connection, place: str, held: list[int], now: float) -> DownWarnings:
    """The parent's warnings over the child's ``place`` in force or to come, and those of ``held`` (the
    parent's ids the child holds in force) over it whatever their state."""
    live = db.execute(
        sql(
            f"SELECT {COLUMNS} FROM weather_warnings w WHERE {IN_FORCE} AND {OVERLAPS} "
            "ORDER BY w.id DESC LIMIT :n"
        ),
        {"now": now, "place": place, "n": MAX_LIVE},
    ).all()
    named = (
        db.execute(
            sa.text(f"SELECT {COLUMNS} FROM weather_warnings w WHERE w.id IN :ids AND {OVERLAPS}").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": held[:MAX_HELD], "place": place},
        ).all()
        if held
        else []
    )
    found = {r[0]: dict(zip(KEYS, r, strict=True)) for r in (*live, *named)}
    return DownWarnings(warnings=[DownWarning.model_validate(found[i]) for i in sorted(found)])


def held(engine: Engine, now: float) -> list[int]:
    """The parent's ids of the copies this child holds in force or to come (the newest MAX_HELD)."""
    with engine.connect() as db:
        return [
            int(r)
            for r in db.execute(
                sql(
                    "SELECT d.remote_id FROM forward_down d JOIN weather_warnings w "
                    f"ON CAST(w.id AS TEXT) = d.local_id WHERE d.kind = '{KIND}' AND {IN_FORCE} "
                    "ORDER BY w.id DESC LIMIT :n"
                ),
                {"now": now, "n": MAX_HELD},
            ).scalars()
        ]


def take(engine: Engine, answer: list[DownWarning], place: str) -> int:
    """Keep the parent's warnings over ``place`` as copies here, one per parent's id (one transaction); how
    many copies were made or changed. A warning of the answer not over ``place`` is no business of this
    platform's and is passed over (a parent's mistake must not sound another place's sirens)."""
    changed = 0
    with engine.begin() as db:
        for w in answer:
            if not _overlaps(w.jurisdiction, place):
                continue
            mine = came_down.local(db, KIND, w.id)
            if mine is None:
                made = db.execute(
                    sql(
                        "INSERT INTO weather_warnings(jurisdiction, type, colour, measure, valid_from, valid_to, "
                        "issued_by, issued_at) VALUES (:jurisdiction, :type, :colour, :measure, :valid_from, "
                        ":valid_to, :issued_by, :issued_at) RETURNING id"
                    ),
                    w.model_dump(exclude={"id"}),
                ).scalar_one()
                came_down.remember(db, KIND, int(made), w.id)
                changed += 1
                continue
            # what the parent may change of a warning: its end (lifted, shortened), and its text
            changed += db.execute(
                sql(
                    "UPDATE weather_warnings SET measure = :measure, valid_from = :valid_from, "
                    "valid_to = :valid_to WHERE id = :id AND (measure <> :measure OR valid_from <> :valid_from "
                    "OR valid_to IS DISTINCT FROM :valid_to)"
                ),
                {"measure": w.measure, "valid_from": w.valid_from, "valid_to": w.valid_to, "id": mine},
            ).rowcount
    return changed


def _overlaps(a: str, b: str) -> bool:
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


def site_row(db: Connection, ref: str) -> dict[str, Any] | None:
    """The ``warning_site`` record's row of ``ref`` (``WARNING:PROJECT``, this platform's ids) as it is now,
    naming the parent's warning; None when the warning is this platform's own (its sites are its own
    business) or the row is gone."""
    warning, _, project = ref.partition(":")
    if not warning.isdigit():
        return None
    found = db.execute(
        sql(
            "SELECT d.remote_id, s.project, s.received_at, s.acked_at, s.acked_by FROM weather_warning_sites s "
            f"JOIN forward_down d ON d.kind = '{KIND}' AND d.local_id = CAST(s.warning_id AS TEXT) "
            "WHERE s.warning_id = :w AND s.project = :p"
        ),
        {"w": int(warning), "p": project},
    ).first()
    if found is None:
        return None
    keys = ("warning_id", "project", "received_at", "acked_at", "acked_by")
    return dict(zip(keys, (int(found[0]), *found[1:]), strict=True))


def covers(db: Connection, warning_id: int, project: str) -> bool | None:
    """Whether warning ``warning_id`` is over ``project``'s place; None when there is no such warning."""
    found = db.execute(
        sql(
            "SELECT CASE WHEN p.code IS NULL THEN 0 ELSE 1 END FROM weather_warnings w "
            "LEFT JOIN (projects p JOIN jurisdictions j ON j.id = p.district_id) "
            f"ON p.code = :p AND {COVERS} WHERE w.id = :i"
        ),
        {"i": warning_id, "p": project},
    ).scalar()
    return None if found is None else bool(found)


def keep_site(db: Connection, row: dict[str, Any]) -> None:
    """Keep a child's receipt and acknowledgement (checked: rows.WarningSiteRow, its project and warning
    this platform's) on this platform's row of the pair: the earliest receipt and the first acknowledgement
    count, so a record kept twice, or an older one after a newer, changes nothing (and, changing nothing,
    queues nothing further up)."""
    db.execute(
        sql(
            "INSERT INTO weather_warning_sites(warning_id, project, received_at, acked_at, acked_by) "
            "VALUES (:warning_id, :project, :received_at, :acked_at, :acked_by) "
            "ON CONFLICT (warning_id, project) DO UPDATE SET "
            "received_at = CASE WHEN excluded.received_at < weather_warning_sites.received_at "
            "THEN excluded.received_at ELSE weather_warning_sites.received_at END, "
            "acked_at = COALESCE(weather_warning_sites.acked_at, excluded.acked_at), "
            "acked_by = CASE WHEN weather_warning_sites.acked_at IS NULL THEN excluded.acked_by "
            "ELSE weather_warning_sites.acked_by END "
            "WHERE excluded.received_at < weather_warning_sites.received_at "
            "OR (weather_warning_sites.acked_at IS NULL AND excluded.acked_at IS NOT NULL)"
        ),
        row,
    )
