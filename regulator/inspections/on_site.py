"""四不两直 inspections on a phone (issue 53 §3): an inspector at the site, unannounced, goes through the
plan's checklist, takes photos, and sends the inspection when the phone has a connection.

Nothing reaches the server before the inspector sends it, so neither the site's staff nor its gateway can
see an inspection coming (不发通知、不打招呼): the phone keeps the checklist of the plans it may inspect
and what the inspector recorded (regulator/static/inspect.js), and sends the photos first, one at a time
(a poor connection loses less), then the inspection that cites them. Each carries the phone's key for it,
so a photo or an inspection sent again (the answer lost on the way back, the page reloaded) is kept once:

- a photo (`keep_photo`): checked as the public form's are (regulator/channels/photos.py), kept in the
  evidence store with when it was taken and where the phone was, waiting for its inspection; an
  inspector holds at most ``MAX_WAITING_PHOTOS`` of them waiting;
- an inspection (`send`): the plan's project, each checklist item passed, failed or not applicable, any
  finding beyond the checklist with the article it breaks, the photos of each. It covers the project for
  the plan (coverage.py), and every failed item becomes a hazard of source ``inspection`` under
  rectification with its item's article (major under 建质规〔2024〕5号, listed for supervision then; general
  otherwise) and its photos as evidence, one transaction for all of it.

An inspector sends only to the plans and projects of their jurisdiction (plans.py's 404s) and cites only
their own photos.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from regulator.channels.articles import ArticleError
from regulator.channels.ledger import Finding, write
from regulator.channels.photos import photo
from regulator.ingest.receive import Refusal
from regulator.inspections.coverage import plan_coverage
from regulator.inspections.plans import listed, plan, plans, regulator_only
from regulator.inspections.themes import citation
from regulator.ledger.review import Review, ReviewError
from regulator.storage.db import sql
from regulator.storage.evidence import StoredPicture
from regulator.storage.repository import Repository
from regulator.storage.scope import PROJECTS, Actor, ScopedConnection

RESULTS = {"pass": "符合", "fail": "不符合", "na": "不涉及"}
MAX_WAITING_PHOTOS = 200  # a day's inspections' photos on one phone; more waiting means the phone is stuck
MAX_PHOTOS = 30  # of one inspection
MAX_AGE_S = 30 * 86_400.0  # a phone kept offline longer than a month is sent by hand (the plan's record)
CLOCK_SKEW_S = 300.0  # a phone's clock this far ahead is still taken
RECENT_S = 92 * 86_400.0  # the phone lists the plans due up to a quarter ago (an overdue round goes on)
PHOTO_KEYS = ("client_key", "sha256", "size", "taken_at", "latitude", "longitude", "accuracy_m")


@dataclass(frozen=True, slots=True)
class Position:
    """Where the phone said it was (WGS-84), each None when it did not say."""

    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None


@dataclass(frozen=True, slots=True)
class Result:
    """One checklist item's result (``position``: its place in the checklist) and the photos showing it."""

    position: int
    result: str
    note: str = ""
    photos: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Extra:
    """A finding beyond the checklist: what was found, the article it breaks (as ``themes.citation`` reads
    it) and its photos."""

    description: str
    article: str
    photos: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Visit:
    """An inspection as the phone sends it, under the phone's key for it."""

    key: str
    project: str
    inspected_at: float
    position: Position = Position()
    note: str = ""
    results: tuple[Result, ...] = ()
    extras: tuple[Extra, ...] = ()
    photos: tuple[str, ...] = ()  # of the inspection as a whole

    def photo_keys(self) -> list[str]:
        """Every photo the inspection cites."""
        return [
            *self.photos,
            *(k for r in self.results for k in r.photos),
            *(k for e in self.extras for k in e.photos),
        ]


@dataclass(slots=True)
class _Line:
    """A line of the inspection as kept: a checklist item or an extra finding, and its hazard if failed."""

    position: int
    text: str
    article: str
    result: str
    note: str
    photos: tuple[str, ...]
    finding: Finding | None = None
    hazard_id: int | None = None


def _when(at: float, what: str, now: float) -> float:
    """``at`` if the phone's time is plausible; 422 naming ``what`` otherwise."""
    if at > now + CLOCK_SKEW_S:
        raise ReviewError(
            422, f"{what} is in the future: set the phone's clock (手机时间有误) and send again"
        )
    if at < now - MAX_AGE_S:
        raise ReviewError(
            422, f"{what} is more than {MAX_AGE_S / 86_400:.0f} days ago: record it under its plan by hand"
        )
    return at


def keep_photo(
    repo: Repository, actor: Actor, key: str, b64: str, taken_at: float, where: Position
) -> dict[str, Any]:
    """Keep a phone's photo (checked, in the evidence store) under its key until an inspection cites it; the
    photo as kept and whether it was kept already (``duplicate``). 409 for another photo under a key already
    used, 429 when ``MAX_WAITING_PHOTOS`` wait; the photo checks' 413/415/422."""
    regulator_only(actor)
    now = time.time()
    _when(taken_at, "taken_at", now)
    jpeg = photo(b64, "jpeg")
    kept = _photo(repo, actor, key)
    if kept is None:
        _room_for_one(repo, actor)
        picture = repo.pictures.put(jpeg)
        try:
            with repo.engine.begin() as db:
                db.execute(
                    sql(
                        "INSERT INTO inspection_photos(inspector, client_key, sha256, size, taken_at, latitude, "
                        "longitude, accuracy_m, received_at) VALUES (:who, :key, :sha, :size, :at, :lat, :lon, "
                        ":acc, :now)"
                    ),
                    {
                        "who": actor.name,
                        "key": key,
                        "sha": picture.sha256,
                        "size": picture.size,
                        "at": taken_at,
                    }
                    | {"lat": where.latitude, "lon": where.longitude, "acc": where.accuracy_m, "now": now},
                )
        except sa.exc.IntegrityError:  # the same key kept meanwhile by a copy of this request
            kept = _photo(repo, actor, key)
        else:
            return _must(_photo(repo, actor, key)) | {"duplicate": False}
    if _must(kept)["sha256"] != hashlib.sha256(jpeg).hexdigest():
        raise ReviewError(
            409, f"photo {key} was sent before with another picture: give each photo its own key"
        )
    return _must(kept) | {"duplicate": True}


def _must(row: dict[str, Any] | None) -> dict[str, Any]:
    """A row the caller knows is there (a unique key refused a second one)."""
    if row is None:
        raise RuntimeError("the row a unique key refused to repeat is missing")
    return row


def _room_for_one(repo: Repository, actor: Actor) -> None:
    """429 when ``MAX_WAITING_PHOTOS`` of ``actor``'s photos wait for their inspections."""
    with repo.engine.connect() as db:
        waiting = db.execute(
            sql("SELECT COUNT(*) FROM inspection_photos WHERE inspector = :who AND record_id IS NULL"),
            {"who": actor.name},
        ).scalar_one()
    if waiting >= MAX_WAITING_PHOTOS:
        raise Refusal(
            429, f"{waiting} photos wait for their inspections: send the inspections on the phone first"
        )


def _photo(repo: Repository, actor: Actor, key: str) -> dict[str, Any] | None:
    with repo.engine.connect() as db:
        row = db.execute(
            sql(
                f"SELECT {', '.join(PHOTO_KEYS)} FROM inspection_photos WHERE inspector = :who AND client_key = :key"
            ),
            {"who": actor.name, "key": key},
        ).first()
    return None if row is None else dict(zip(PHOTO_KEYS, row, strict=True))


def _lines(visit: Visit, the_plan: dict[str, Any]) -> list[_Line]:
    """The inspection's lines: every checklist item's result, then the extra findings, each failed one with
    its finding; 422 naming an item without a result, a result of no item, or a citation the criteria lack."""
    checklist = the_plan["checklist"]
    given = {r.position: r for r in visit.results}
    if len(given) != len(visit.results) or any(not 0 <= p < len(checklist) for p in given):
        raise ReviewError(422, f"results name each of the checklist's {len(checklist)} items once, from 0")
    missing = [i for i in range(len(checklist)) if i not in given]
    if missing:
        raise ReviewError(
            422, f"checklist item {missing[0] + 1} ({checklist[missing[0]]['text']}) has no result"
        )
    wrong = [r for r in visit.results if r.result not in RESULTS]
    if wrong:
        raise ReviewError(422, f"result {wrong[0].result!r} is none of {', '.join(RESULTS)}")
    lines = []
    for i, item in enumerate(checklist):
        r = given[i]
        lines.append(_Line(i, item["text"], item["article"], r.result, r.note.strip(), r.photos))
    for j, extra in enumerate(visit.extras):
        try:
            cited = citation(extra.article).text
        except ArticleError as exc:
            raise ReviewError(422, f"findings[{j}]: {exc}") from None
        lines.append(_Line(len(checklist) + j, extra.description.strip(), cited, "fail", "", extra.photos))
    for line in lines:
        if line.result == "fail":
            said = line.text + (f"：{line.note}" if line.note else "")
            line.finding = Finding(visit.project, said, citation(line.article))
    return lines


def send(review: Review, actor: Actor, plan_id: int, visit: Visit) -> dict[str, Any]:
    """Record the phone's inspection of one of the plan's projects and a hazard for each failed line; the
    inspection as kept (`sent`) and whether it was kept already (``duplicate``: the same key). 404 for a plan
    or project the inspector may not see, 422 for a project the plan does not list or a checklist not gone
    through, 409 for a photo not yet received (send it first) or another inspection's."""
    repo = review.repo
    the_plan = plan(repo, actor, plan_id)
    kept = sent(repo, actor, visit.key)
    if kept is not None:
        return _same_plan(kept, plan_id) | {"duplicate": True}
    now = time.time()
    _when(visit.inspected_at, "inspected_at", now)
    if len(visit.photo_keys()) > MAX_PHOTOS:
        raise ReviewError(
            422, f"an inspection takes at most {MAX_PHOTOS} photos; send the others with another"
        )
    lines = _lines(visit, the_plan)
    try:
        with repo.scoped(actor, write=True) as db:
            listed(db, plan_id, visit.project)
            photos = _cited(db, actor, visit)
            record_id = _insert_record(db, actor, plan_id, visit, now)
            for line in lines:
                if line.finding is not None:
                    line.hazard_id = _hazard(review, db, actor, the_plan, visit, line, photos, now)
                _insert_line(db, record_id, line)
            _tie_photos(db, actor, record_id, visit, lines, photos)
    except sa.exc.IntegrityError:  # the same key committed meanwhile by a copy of this request
        return _same_plan(_must(sent(repo, actor, visit.key)), plan_id) | {"duplicate": True}
    return _must(sent(repo, actor, visit.key)) | {"duplicate": False}


def _same_plan(kept: dict[str, Any], plan_id: int) -> dict[str, Any]:
    if kept["plan_id"] != plan_id:
        raise ReviewError(
            409, f"inspection {kept['key']} was sent for plan {kept['plan_id']}: give each its own key"
        )
    return kept


def _cited(db: ScopedConnection, actor: Actor, visit: Visit) -> dict[str, StoredPicture]:
    """The inspector's photos the inspection cites, by key; 409 for one not received or another's."""
    keys = visit.photo_keys()
    if len(set(keys)) != len(keys):
        raise ReviewError(422, "a photo is cited twice: cite each photo once")
    found: dict[str, StoredPicture] = {}
    for key in keys:
        row = db.db.execute(
            sql(
                "SELECT sha256, size, record_id FROM inspection_photos WHERE inspector = :who AND client_key = :k"
            ),
            {"who": actor.name, "k": key},
        ).first()
        if row is None:
            raise ReviewError(409, f"photo {key} has not arrived: send the photo, then the inspection")
        if row[2] is not None:
            raise ReviewError(409, f"photo {key} belongs to another inspection: give each photo its own key")
        found[key] = StoredPicture(str(row[0]), int(row[1]))
    return found


def _insert_record(db: ScopedConnection, actor: Actor, plan_id: int, visit: Visit, now: float) -> int:
    where = visit.position
    return int(
        db.db.execute(
            sql(
                "INSERT INTO inspection_records(plan_id, project, inspector, inspected_at, note, client_key, "
                "received_at, latitude, longitude, accuracy_m) VALUES (:id, :p, :by, :at, :note, :key, :now, "
                ":lat, :lon, :acc) RETURNING id"
            ),
            {
                "id": plan_id,
                "p": visit.project,
                "by": actor.name,
                "at": visit.inspected_at,
                "note": visit.note.strip(),
            }
            | {
                "key": visit.key,
                "now": now,
                "lat": where.latitude,
                "lon": where.longitude,
                "acc": where.accuracy_m,
            },
        ).scalar_one()
    )


def _hazard(
    review: Review,
    db: ScopedConnection,
    actor: Actor,
    the_plan: dict[str, Any],
    visit: Visit,
    line: _Line,
    photos: dict[str, StoredPicture],
    now: float,
) -> int:
    """The failed line's hazard under rectification, its photos as evidence, listed when major."""
    assert line.finding is not None
    finding = line.finding
    hazard_id = write(
        db,
        actor,
        "inspection",
        f"inspection:{actor.name}:{visit.key}:{line.position}",
        finding,
        state="rectifying",
        deadline=review.policy.deadline(now, finding.major, None),
        pictures=[photos[k] for k in line.photos],
        note=f"四不两直现场检查（{the_plan['title']}）发现，责令限期整改",
        now=now,
    )
    review.ordered(db, hazard_id, actor, now)
    return hazard_id


def _insert_line(db: ScopedConnection, record_id: int, line: _Line) -> None:
    db.db.execute(
        sql(
            "INSERT INTO inspection_results(record_id, position, text, article, result, note, hazard_id) "
            "VALUES (:r, :pos, :text, :article, :result, :note, :h)"
        ),
        {"r": record_id, "pos": line.position, "text": line.text, "article": line.article}
        | {"result": line.result, "note": line.note, "h": line.hazard_id},
    )


def _tie_photos(
    db: ScopedConnection,
    actor: Actor,
    record_id: int,
    visit: Visit,
    lines: list[_Line],
    photos: dict[str, StoredPicture],
) -> None:
    """The cited photos now belong to the record, each with the line it shows (None: the whole)."""
    position: dict[str, int | None] = dict.fromkeys(visit.photos)
    for line in lines:
        position |= dict.fromkeys(line.photos, line.position)
    for key in photos:
        db.db.execute(
            sql(
                "UPDATE inspection_photos SET record_id = :r, position = :pos "
                "WHERE inspector = :who AND client_key = :k"
            ),
            {"r": record_id, "pos": position[key], "who": actor.name, "k": key},
        )


RECORD_COLUMNS = (
    "r.id, r.client_key, r.plan_id, r.project, p.name, r.inspector, r.inspected_at, r.received_at, r.latitude, "
    "r.longitude, r.accuracy_m, r.note"
)
RECORD_KEYS = (
    "id",
    "key",
    "plan_id",
    "project",
    "name",
    "inspector",
    "inspected_at",
    "received_at",
    "latitude",
    "longitude",
    "accuracy_m",
    "note",
)
LINE_KEYS = ("position", "text", "article", "result", "note", "hazard_id")


def sent(repo: Repository, actor: Actor, key: str) -> dict[str, Any] | None:
    """``actor``'s inspection sent under the phone's ``key``, as `inspection` gives it; None if none."""
    return _inspection(
        repo, actor, "r.inspector = :who AND r.client_key = :key", {"who": actor.name, "key": key}
    )


def inspection(repo: Repository, actor: Actor, record_id: int) -> dict[str, Any]:
    """An inspection of a project ``actor`` may see, with its lines (each failed one's hazard) and photos
    (when and where each was taken); 404 otherwise, as if absent."""
    regulator_only(actor)
    found = _inspection(repo, actor, "r.id = :id", {"id": record_id})
    if found is None:
        raise ReviewError(404, f"no inspection {record_id}")
    return found


def _inspection(repo: Repository, actor: Actor, where: str, args: dict[str, Any]) -> dict[str, Any] | None:
    with repo.scoped(actor) as db:
        row = db.execute(
            f"SELECT {RECORD_COLUMNS} FROM inspection_records r JOIN {PROJECTS} p ON p.code = r.project WHERE {where}",
            args,
        ).first()
        if row is None:
            return None
        found = dict(zip(RECORD_KEYS, row, strict=True))
        lines = db.db.execute(
            sql(
                f"SELECT {', '.join(LINE_KEYS)} FROM inspection_results WHERE record_id = :id ORDER BY position"
            ),
            {"id": found["id"]},
        ).all()
        pictures = db.db.execute(
            sql(
                f"SELECT {', '.join(PHOTO_KEYS[1:])}, position FROM inspection_photos WHERE record_id = :id "
                "ORDER BY taken_at, id"
            ),
            {"id": found["id"]},
        ).all()
    found["lines"] = [dict(zip(LINE_KEYS, r, strict=True)) | {"result_name": RESULTS[r[3]]} for r in lines]
    found["photos"] = [dict(zip((*PHOTO_KEYS[1:], "position"), r, strict=True)) for r in pictures]
    found["hazards"] = [line["hazard_id"] for line in found["lines"] if line["hazard_id"] is not None]
    return found


def photo_of(repo: Repository, actor: Actor, record_id: int, sha256: str) -> bytes | None:
    """A photo of an inspection ``actor`` may see (404 for the inspection otherwise); None if not its."""
    if not any(p["sha256"] == sha256 for p in inspection(repo, actor, record_id)["photos"]):
        return None
    return repo.pictures.get(sha256)


def field_plans(repo: Repository, actor: Actor, now: float | None = None) -> list[dict[str, Any]]:
    """What the phone keeps to inspect offline: the plans ``actor`` sees that started and were due no more
    than ``RECENT_S`` ago, each with its checklist and its projects ``actor`` sees (the unseen first)."""
    now = time.time() if now is None else now
    found = []
    for one in plans(repo, actor):
        if one["starts_at"] <= now and one["due_at"] >= now - RECENT_S and one["projects"]:
            projects = plan_coverage(repo, actor, one, now)["projects"]
            found.append(one | {"targets": projects})
    return found
