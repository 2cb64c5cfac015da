"""The province keeps a city's records as its own (regulator/forwarding/): each record lands in the
province's table of its kind (projects, hazards, actions, listings, notices, incidents and their reports),
its links to other rows turned into the province's ids, and ``forward_records`` remembers which row it
became, so a record sent again (a retry, a later change of it) updates that row instead of adding one.

A city writes only into its own: a project must lie under the city's registered place, and every other
record must belong to a project that city forwarded."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from regulator.forwarding import evidence_links, liveness, pictures, project_lists, site_logs, trust, warnings
from regulator.forwarding.cities import City
from regulator.forwarding.outbox import PRIVATE, TABLES
from regulator.forwarding.rows import checked, refused
from regulator.forwarding.whole import Whole, as_stored, linked, mapped, owned, where_of
from regulator.forwarding.wire import WHAT_TO_DO, Batch, BatchReceipt, Kind, Record, Verdict
from regulator.ingest.receive import Refusal, decode_jpeg
from regulator.storage.db import sql
from regulator.storage.jurisdictions import SEP, ensure

# the kinds of which the province's own rows come down to a city and go back up (regulator/forwarding/down.py)
ADOPTABLE: frozenset[Kind] = frozenset({"action", "listing", "notice", "hazard"})
# what the city's work on a hazard the province recorded on its project moves (the closed loop: 整改, 复查, 销号,
# its escalation), written onto the province's one hazard; the finding itself stays as the province recorded it
LOOP = ("state", "deadline", "escalated_at", "closed_at", "updated_at")


def apply(
    db: Connection, sender: City, batch: Batch, verdicts: bool = False, backlog: int | None = None
) -> BatchReceipt:
    """Keep every record of ``batch`` (one transaction, the caller's); the receipt.

    ``verdicts`` (a city that asked, ``?verdicts=1``): a record that cannot be kept (Refusal 409/422, its
    savepoint rolled back) is named in the receipt's ``refused`` with its reason, and remembered in
    ``forward_refusals`` for the cities' page; everything else of the batch is kept. Without it (a city of an
    earlier release, which would drop a refused record from its outbox): Refusal(409/422) names the record,
    its field (``errors``: ``records.N.row.COLUMN``) and why, and nothing of the batch is kept, as before."""
    if batch.jurisdiction != sender.jurisdiction:
        raise Refusal(
            422,
            f"city {sender.id} forwards as {batch.jurisdiction!r} but is registered here as "
            f"{sender.jurisdiction!r}: correct --forward-jurisdiction at the city, or the province's "
            "`sitegw regulator add-city`",
        )
    now = time.time()
    # the records refused to this city before: one refused no more is struck off the cities' page
    before = (
        {
            (str(k), str(r))
            for k, r in db.execute(
                sql("SELECT kind, ref FROM forward_refusals WHERE origin = :o"), {"o": sender.id}
            )
        }
        if verdicts
        else set()
    )
    run = _Pass(now)
    new = _whole(db, sender, batch, run)
    if new is None:  # something of it refused: record by record, which names it and keeps the others
        run = _Pass(now)
        new, refusals = _one_by_one(db, sender, batch, verdicts, run, before)
    else:
        refusals = []
        _struck_off(db, sender, [(r.kind, r.ref) for r in batch.records if (r.kind, r.ref) in before])
    # a liveness record refused is dropped at the city, not held: nothing of it waits there to list
    for v in (v for v in refusals if v.kind != "liveness"):
        db.execute(
            sql(
                "INSERT INTO forward_refusals(origin, kind, ref, code, reason, first_at, last_at) "
                "VALUES (:o, :k, :r, :c, :why, :now, :now) ON CONFLICT (origin, kind, ref) DO UPDATE SET "
                "code = excluded.code, reason = excluded.reason, last_at = excluded.last_at"
            ),
            {"o": sender.id, "k": v.kind, "r": v.ref, "c": v.code, "why": v.reason, "now": now},
        )
    for kind, refs in run.touched.items():
        db.execute(TOUCHED, {"o": sender.id, "k": kind, "r": refs, "now": now})
    db.execute(
        sql("UPDATE forward_cities SET last_seen_at = :now, backlog = COALESCE(:b, backlog) WHERE id = :i"),
        {"now": now, "i": sender.id, "b": backlog},
    )
    last = max((r.seq for r in batch.records), default=0)
    receipt = BatchReceipt(city=sender.id, records=len(batch.records), last_seq=last, new=new)
    if verdicts:  # a city of an earlier release gets the receipt it knows, word for word
        receipt.refused = refusals
    return receipt


# a batch's records kept again, a kind at a time: an expanding IN (a batch's 500 refs at most), which SQLite
# runs too, where PostgreSQL's = ANY(array) failed every batch of a province on SQLite (sitegw demo
# --regulator-chain's) with 503 "no such function: ANY"
TOUCHED = sa.text(
    "UPDATE forward_records SET updated_at = :now, versions = versions + 1 "
    "WHERE origin = :o AND kind = :k AND ref IN :r"
).bindparams(sa.bindparam("r", expanding=True))


def _whole(db: Connection, sender: City, batch: Batch, run: _Pass) -> int | None:
    """The batch kept whole, set-based (whole.py), inside one savepoint; the records new here, or None (the
    savepoint rolled back) when any of it was refused, as a Refusal or by the database."""
    # whole.py's statements are PostgreSQL's (a province on SQLite: tests)
    if db.dialect.name != "postgresql":
        return None
    try:
        with db.begin_nested():
            whole = Whole(db, sender, run.now, run.projects, run.touched)
            return whole.keep(batch.records, lambda n, rec: _kept(db, sender, n, rec, run))
    except (Refusal, sa.exc.IntegrityError, sa.exc.DataError):
        return None


def _one_by_one(
    db: Connection, sender: City, batch: Batch, verdicts: bool, run: _Pass, before: set[tuple[str, str]]
) -> tuple[int, list[Verdict]]:
    """Keep the batch record by record, each in its savepoint with ``verdicts``; the records new here and
    those refused (without ``verdicts`` the first refusal is raised: nothing of the batch kept)."""
    new = 0
    refusals: list[Verdict] = []
    for n, rec in enumerate(batch.records):
        try:
            if not verdicts:
                new += _kept(db, sender, n, rec, run)
                continue
            with db.begin_nested():
                new += _kept(db, sender, n, rec, run)
        except Refusal as refusal:
            code = refusal.extra.get("code")
            if not verdicts or refusal.status not in (409, 422) or code not in WHAT_TO_DO:
                raise
            refusals.append(
                Verdict(seq=rec.seq, kind=rec.kind, ref=rec.ref, code=code, reason=refusal.reason)
            )
        else:
            if (rec.kind, rec.ref) in before:
                _struck_off(db, sender, [(rec.kind, rec.ref)])
    return new, refusals


def _struck_off(db: Connection, sender: City, records: list[tuple[str, str]]) -> None:
    """The city's records, refused before, kept now: struck off the cities' page."""
    for kind, ref in records:
        db.execute(
            sql("DELETE FROM forward_refusals WHERE origin = :o AND kind = :k AND ref = :r"),
            {"o": sender.id, "k": kind, "r": ref},
        )


@dataclass
class _Pass:
    """What the records of one batch share: its time, the city's projects already found in it (each looked up
    once a batch, not once a record), and the records it updated by kind (their ``forward_records`` rows
    touched in one statement a kind once the batch is through)."""

    now: float
    projects: set[str] = field(default_factory=set)
    touched: dict[str, list[str]] = field(default_factory=dict)


def _kept(db: Connection, sender: City, n: int, rec: Record, run: _Pass) -> int:
    """``_keep``, with what the checks of rows.py did not foresee (the database refusing the row) still the
    city's record at fault: a 422, never a 500 or a 503 that the city would retry for ever."""
    try:
        return _keep(db, sender, n, rec, run)
    except (sa.exc.IntegrityError, sa.exc.DataError) as exc:
        raise refused(
            422,
            f"records.{n}",
            f"cannot be stored: {str(exc.orig).splitlines()[0][:300]}",
            where_of(sender, n, rec),
            code="schema",
        ) from None


def local_id(db: Connection, origin: str, kind: str, ref: str) -> str | None:
    """The province's id of the city's record, or None when it never arrived."""
    found = mapped(db, origin, kind, ref)
    return None if found is None else found[0]


def _keep(db: Connection, sender: City, n: int, rec: Record, run: _Pass) -> int:
    """Keep record ``n`` of the batch; 1 when it is new here."""
    where = where_of(sender, n, rec)
    at = f"records.{n}"
    if rec.upstream_id is not None and rec.kind not in ADOPTABLE:
        raise refused(
            422,
            f"{at}.upstream_id",
            f"names a province's {rec.kind}: only listings, notices and actions come down from the province",
            where,
        )
    if rec.kind == "liveness":
        _keep_liveness(db, sender, rec, at, where)
        return 0
    if rec.kind == "warning_site":
        _keep_warning_site(db, sender, rec, at, where)
        return 0
    if rec.kind == "camera_picture":
        _keep_camera_picture(db, sender, rec, at, where, run.now)
        return 0
    if rec.kind in ("safety_log", "attendance_day"):
        _keep_site_log(db, sender, rec, at, where)
        return 0
    if rec.kind in ("dangerous_works", "video_set"):
        _keep_project_list(db, sender, rec, at, where, run.now)
        return 0
    known = mapped(db, sender.id, rec.kind, rec.ref)
    if known is None and rec.upstream_id is not None:
        _adopt(db, sender, rec, at, where)
        _remember(db, sender, rec, rec.upstream_id, run.now, adopted=True)
        return 0
    if known is not None and known[1]:
        if rec.kind == "hazard":  # the province's finding, worked at the city: its loop moves the one hazard
            _keep_loop(db, sender, rec, known[0], at, where)
        # the province's own row come back up: the province's decision as it took it, never the city's copy
        run.touched.setdefault(rec.kind, []).append(rec.ref)
        return 0
    row = checked(rec.kind, {k: v for k, v in rec.row.items() if k not in PRIVATE}, f"{at}.row", where)
    if rec.kind == "project":
        _check_place(sender, rec, where)
        row["district_id"] = ensure(db, tuple((rec.place or "").split(SEP)))
    else:
        owned(row, rec.kind, at, where, sender, run.projects, lambda k, r: mapped(db, sender.id, k, r))
    linked(row, rec.kind, at, where, lambda k, r: mapped(db, sender.id, k, r))
    trust.check(db, sender, rec.kind, row, None if known is None else known[0], at, where)
    table, key = TABLES[rec.kind]
    row, listed = as_stored(db, table, row)
    if known is None:
        mine = _insert(db, rec, table, key, row, where)
        _remember(db, sender, rec, mine, run.now, adopted=False)
    else:
        mine = known[0]
        if rec.kind != "project":
            row.pop("project", None)  # a record never moves to another project
        sets = ", ".join(f"{c} = :{c}" for c in row if c != key)
        if sets:
            db.execute(
                sa.text(f"UPDATE {table} SET {sets} WHERE {key} = :_key"), {**row, "_key": _typed(key, mine)}
            )
        run.touched.setdefault(rec.kind, []).append(rec.ref)
    if rec.kind == "hazard":
        evidence_links.keep(db, int(mine), listed)
    return 1 if known is None else 0


def _keep_loop(db: Connection, sender: City, rec: Record, mine: str, at: str, where: str) -> None:
    """The city's work on the hazard the province recorded on its project (its copy came down): the loop's
    columns written onto the province's hazard, held to what a city's own hazard is (it closes nothing the
    province's listed supervision holds)."""
    row = checked("hazard", {k: v for k, v in rec.row.items() if k not in PRIVATE}, f"{at}.row", where)
    loop = {c: row.get(c) for c in LOOP}
    trust.check(db, sender, "hazard", loop, mine, at, where)
    sets = ", ".join(f"{c} = :{c}" for c in loop)
    db.execute(sa.text(f"UPDATE hazards SET {sets} WHERE id = :_key"), {**loop, "_key": int(mine)})
    evidence_links.keep(db, int(mine), row.get("evidence"))  # the city's rectification photos of it


def _keep_liveness(db: Connection, sender: City, rec: Record, at: str, where: str) -> None:
    """A project's liveness summary on the province's row of it (the city's project it forwarded): kept
    on the row, not remembered as a record (there is nothing of it to update but the row)."""
    kept = checked("liveness", rec.row, f"{at}.row", where)
    liveness.apply(db, _forwarded_project(db, sender, rec.ref, f"{at}.ref", where), kept)


def _keep_warning_site(db: Connection, sender: City, rec: Record, at: str, where: str) -> None:
    """A site's receipt and acknowledgement of one of the province's warnings (its copy at the city), kept on
    the province's row of the pair (warnings.keep_site): the project the city's, the warning over it."""
    kept = checked("warning_site", rec.row, f"{at}.row", where)
    kept["project"] = _forwarded_project(db, sender, kept["project"], f"{at}.row.project", where)
    over = warnings.covers(db, kept["warning_id"], kept["project"])
    if over is None:
        raise refused(409, f"{at}.row.warning_id", "is not a warning of this platform", where, "conflict")
    if not over:
        raise refused(422, f"{at}.row.warning_id", "is a warning not over the project's place", where)
    warnings.keep_site(db, kept)


def _keep_camera_picture(db: Connection, sender: City, rec: Record, at: str, where: str, now: float) -> None:
    """A camera's latest picture (its small version) on the province's row of the camera, the project the
    city's; a picture that is no whole JPEG is refused naming ``records.N.row.jpeg``."""
    kept = checked("camera_picture", rec.row, f"{at}.row", where)
    kept["project"] = _forwarded_project(db, sender, kept["project"], f"{at}.row.project", where)
    try:
        kept["jpeg"] = decode_jpeg(kept["jpeg"], f"{at}.row.jpeg")
    except Refusal as bad:
        raise refused(
            422, f"{at}.row.jpeg", bad.reason.removeprefix(f"{at}.row.jpeg is "), where, "schema"
        ) from None
    pictures.keep(db, kept, now)


def _keep_site_log(db: Connection, sender: City, rec: Record, at: str, where: str) -> None:
    """A site's day's safety log or key people's attendance on the province's rows of that project and day
    (site_logs.py), the project the city's."""
    kept = checked(rec.kind, rec.row, f"{at}.row", where)
    kept["project"] = _forwarded_project(db, sender, kept["project"], f"{at}.row.project", where)
    if rec.kind == "safety_log":
        site_logs.keep_log(db, kept)
    else:
        site_logs.keep_attendance(db, kept, json.loads(kept["people"]))


def _keep_project_list(db: Connection, sender: City, rec: Record, at: str, where: str, now: float) -> None:
    """A project's 危大 list or its membership of the video-monitoring set (project_lists.py), the project
    the city's, the decision's maker none of this platform's users."""
    kept = checked(rec.kind, rec.row, f"{at}.row", where)
    kept["project"] = _forwarded_project(db, sender, kept["project"], f"{at}.row.project", where)
    if rec.kind == "dangerous_works":
        project_lists.keep_works(db, kept, now)
        return
    trust.check(db, sender, rec.kind, kept, None, at, where)
    project_lists.keep_member(db, kept, now)


def _forwarded_project(db: Connection, sender: City, code: str, field: str, where: str) -> str:
    """The province's code of the city's project ``code``; refused (``unknown_project``) when the city never
    forwarded it."""
    project = local_id(db, sender.id, "project", code)
    if project is None:
        raise refused(
            422, field, f"is {code!r}, which city {sender.id} never forwarded", where, "unknown_project"
        )
    return project


def _remember(db: Connection, sender: City, rec: Record, mine: str, now: float, adopted: bool) -> None:
    db.execute(
        sql(
            "INSERT INTO forward_records(origin, kind, ref, local_id, received_at, updated_at, adopted) "
            "VALUES (:o, :k, :r, :l, :now, :now, :a)"
        ),
        {"o": sender.id, "k": rec.kind, "r": rec.ref, "l": mine, "now": now, "a": adopted},
    )


def _check_place(sender: City, rec: Record, where: str) -> None:
    place = rec.place or ""
    if not (place + SEP).startswith(sender.jurisdiction + SEP) or place.count(SEP) != 2:
        raise Refusal(
            422,
            f"{where} lies in {place or 'no district'!r}, not under the city's place {sender.jurisdiction}: "
            "register the project's city and district at the city (add-project --city/--district)",
            errors=[{"field": "place", "problem": "not under the city's place"}],
            code="place",
        )


def _insert(db: Connection, rec: Record, table: str, key: str, row: dict[str, Any], where: str) -> str:
    if rec.kind == "project":
        taken = db.execute(sql("SELECT 1 FROM projects WHERE code = :c"), {"c": rec.ref}).first()
        if taken:
            raise Refusal(
                409,
                f"{where}: the province already holds a project {rec.ref} of its own or another city's; "
                "one project reports through one platform (its code is registered twice)",
                code="conflict",
            )
        # the province never hears from this project's gateways: a key nobody holds
        row = {**row, "code": rec.ref, "secret": secrets.token_hex(16)}
    names = ", ".join(row)
    values = ", ".join(f":{c}" for c in row)
    made = db.execute(
        sa.text(f"INSERT INTO {table}({names}) VALUES ({values}) RETURNING {key}"), row
    ).scalar_one()
    return str(made)


# a hazard the province recorded on a project city :o forwarded, that no city's record names yet
ON_CITY_PROJECT = sql(
    "SELECT 1 FROM hazards h JOIN forward_records p ON p.origin = :o AND p.kind = 'project' "
    "AND p.local_id = h.project AND NOT p.adopted WHERE h.id = :id AND NOT EXISTS "
    "(SELECT 1 FROM forward_records f WHERE f.kind = 'hazard' AND f.local_id = :l)"
)


def _adopt(db: Connection, sender: City, rec: Record, at: str, where: str) -> None:
    """A row that came down from the province and goes back up: ``upstream_id`` must name a row the province
    made itself (not one a city forwarded) on one of this city's hazards. Nothing of the city's copy is
    written: the row stays as the province's regulators left it. A hazard: one the province recorded on one
    of this city's projects, which no city's record names yet (one copy of it at one city: never two)."""
    table, key = TABLES[rec.kind]
    upstream = rec.upstream_id or ""
    if rec.kind == "hazard":
        if (
            not (upstream.isdigit() and len(upstream) < 19)
            or db.execute(ON_CITY_PROJECT, {"o": sender.id, "id": int(upstream), "l": upstream}).first()
            is None
        ):
            raise refused(
                422,
                f"{at}.upstream_id",
                f"names hazard {upstream}, not one the province recorded on one of the city's projects "
                "that no record of a city names yet",
                where,
            )
        return
    hazard = (
        db.execute(
            sa.text(f"SELECT hazard_id FROM {table} WHERE {key} = :id"), {"id": int(upstream)}
        ).scalar()
        if upstream.isdigit() and len(upstream) < 19
        else None
    )
    forwarded = db.execute(
        sql("SELECT 1 FROM forward_records WHERE kind = :k AND local_id = :l AND NOT adopted"),
        {"k": rec.kind, "l": upstream},
    ).first()
    if (
        hazard is None
        or forwarded is not None
        or db.execute(
            sql("SELECT 1 FROM forward_records WHERE origin = :o AND kind = 'hazard' AND local_id = :l"),
            {"o": sender.id, "l": str(hazard)},
        ).first()
        is None
    ):
        raise refused(
            422,
            f"{at}.upstream_id",
            f"names {rec.kind} {upstream}, not one the province made on one of the city's hazards",
            where,
        )


def _typed(key: str, value: str) -> str | int:
    """A key's value as its column takes it (ids are integers, a project's code text)."""
    return value if key == "code" else int(value)
