"""The regulator's repository: projects and their secrets, what ingest stores (nonces, events, their
evidence, readings summaries), kept in PostgreSQL or SQLite (regulator/storage/db.py); pictures are kept in a
folder or an S3-compatible store (regulator/storage/evidence.py).

Ingest (regulator/ingest/receive.py) decides what is acceptable; this module only keeps things durably. A
request's nonce, its event, the hazard the event belongs to and the evidence record are written in
one transaction, after the picture itself is durable (fsynced, or stored by S3), so an event answered
2xx survives a power cut. Nothing is ever deleted here but expired nonces, and a readings summary's
value of a minute that a newer summary of the same minute replaces.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from contract.alert_event import LEVEL_RANK, AlertEvent
from regulator.access.jurisdictions import SEP, chain, ensure
from regulator.access.scope import PROJECTS, Actor, Scope, ScopedConnection
from regulator.ledger.peaks import READING_OF, UNIT_ALIASES, direction, metric_of, number
from regulator.storage.db import current, head, migrate, normalise_url, open_engine, sql
from regulator.storage.evidence import Evidence, Kind, PictureStore, StoredPicture, open_evidence_store
from regulator.storage.legacy import adopt, set_aside
from regulator.storage.partitions import ensure_months

NONCE_SWEEP_S = 10.0  # expired nonces are swept at most this often (a sweep per request costs PostgreSQL)
SEEN_EVERY_S = 10.0  # last_seen_at is rewritten at most this often per project
PROJECT_CACHE_S = 5.0  # a changed secret reaches every replica within this (ingest reads it per request)


class SchemaBehind(Exception):
    """A read-only regulator on a database whose schema is not this release's."""


class NonceReused(Exception):
    """The request's nonce was already used within the replay window."""


@dataclass(frozen=True, slots=True)
class Project:
    """A registered project and its signing secret."""

    code: str
    name: str
    city: str
    secret: str
    district: str = ""
    contractor: str = ""
    last_seen_at: float | None = None
    supervisor: str = ""  # the supervision company (监理单位)
    gateway_release: str | None = None  # the sitegw release its gateway's last heartbeat named; None: never


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as the regulator keeps it: receive order ``id`` and time, and the event."""

    id: int
    received_at: float
    event: AlertEvent


@dataclass(frozen=True, slots=True)
class ReadingRecord:
    """One value of a readings summary a gateway sent (a crane's or a pit point's metric)."""

    device: str
    point: str
    metric: str
    ts: float
    value: float
    unit: str


# A readings summary keeps one value per (project, device, point, metric) and minute: a gateway sends a minute
# again when readings reached it late (a device's backfill may move the minute's peak), or when the answer to
# the first send was lost, and the newer value replaces the one kept. The minute is the UTC minute of ``ts``
# (the picked reading's own time), so [lo, lo + 60) lies within one monthly partition.
DELETE_MINUTE = (
    "DELETE FROM readings WHERE project = :p AND device = :d AND point = :pt AND metric = :m "
    "AND ts >= :lo AND ts < :hi"
)
# ON CONFLICT: two values of one instant in one request (a sender's bug) are kept once, as before
INSERT_READING = (
    "INSERT INTO readings(project, device, point, metric, ts, value, unit) "
    "VALUES (:p, :d, :pt, :m, :ts, :v, :u) ON CONFLICT DO NOTHING"
)
# PostgreSQL: summaries of one project replace minutes in turn (two of them at once, a retry overtaking a slow
# first try, would each delete before the other inserts and keep both values); a key pair of its own, apart
# from partitions.py's single-key upkeep lock
READINGS_LOCK = int.from_bytes(b"sgwr", "big")


def default_evidence_dir(db: str | Path) -> Path:
    """Next to a SQLite file (``X.sqlite`` -> ``X.evidence/``); ``./regulator-evidence`` for PostgreSQL."""
    url = normalise_url(db)
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).with_suffix(".evidence")
    return Path("regulator-evidence")


def stored_body(event: AlertEvent, picture: StoredPicture | None) -> str:
    """The event as kept: an inline picture (kept once, on disk) is replaced by ``sha256:<hex>``."""
    if picture is None:
        return event.model_dump_json()
    return event.model_copy(update={"evidence": f"sha256:{picture.sha256}"}).model_dump_json()


# The writes of one accepted event, shared by the one-statement path (PostgreSQL) and the
# statement-per-table path (SQLite). ``{guard}``, ``{h}`` and ``{source}`` are where the two differ.
INSERT_NONCE = "INSERT INTO nonces VALUES (:p, :n, :exp) ON CONFLICT DO NOTHING"
SWEEP_NONCES = "DELETE FROM nonces WHERE expires_at < :now"
TOUCH_PROJECT = (
    "UPDATE projects SET last_seen_at=:now WHERE code=:p AND (last_seen_at IS NULL OR last_seen_at < :stale)"
)
# the request's nonce, and last_seen_at moved on only if the nonce is fresh: the CTEs that begin PostgreSQL's
# one-statement writes (an event's, a heartbeat's)
NONCE_AND_SEEN = (
    "nonce AS (" + INSERT_NONCE + " RETURNING 1), "
    "seen AS (" + TOUCH_PROJECT + " AND EXISTS (SELECT 1 FROM nonce) RETURNING 1)"
)
# PostgreSQL (regulator/ingest/on_loop.py): a heartbeat's writes (Repository.heartbeat's transaction) in one
# statement; answers whether the nonce was fresh (1) or used before (0)
HEARTBEAT = "WITH " + NONCE_AND_SEEN + " SELECT COUNT(*) FROM nonce"
PROJECT_OF = "SELECT code, name, city, secret, district, contractor, last_seen_at, supervisor FROM projects WHERE code=:code"
_NEWER = "excluded.last_ts >= hazards.last_ts"
# the peak: the worst value of the hazard's firing and updated events (and of its readings summaries:
# FOLD_READINGS), by the hazard's direction (``peak_dir``: 1 higher is worse, -1 lower, a clearance; the
# firing event's, which is past its limit, else the first event's); an acknowledgement or the resolution,
# which carry the value at that moment (an overload resolved at 32 %), only stands in until a firing or
# updated event arrives; a text value (a licence number) has no direction, and the worst level's first
# event stands. Column by column from the row as it was (ON CONFLICT's SET reads the old row throughout).
_DIR = (
    "CASE WHEN excluded.site_state = 'firing' AND excluded.peak_dir IS NOT NULL THEN excluded.peak_dir "
    "ELSE COALESCE(hazards.peak_dir, excluded.peak_dir) END"
)
# (a NULL anywhere in the values' comparison, text or no direction, leaves it to the levels)
_PEAK = (
    "CASE WHEN excluded.peak_firing <> hazards.peak_firing THEN excluded.peak_firing "
    f"ELSE COALESCE((excluded.peak_value - hazards.peak_value) * {_DIR} > 0, "
    "excluded.level_rank > hazards.level_rank) END"
)
PEAK = ("peak_value", "peak_threshold", "peak_message", "peak_ts", "peak_firing")
# the clause of the worst level reached (a firing event's over a stand-in's of its level)
_CLAUSE = (
    "clause=CASE WHEN excluded.level_rank > hazards.level_rank OR (excluded.level_rank = hazards.level_rank "
    "AND excluded.peak_firing AND NOT hazards.peak_firing) THEN excluded.clause ELSE hazards.clause END, "
)
# the hazard (one per alert) an event belongs to, opened as ``pending`` on its first event; the highest
# level and the newest site-side facts win, so out-of-order redelivery cannot lower it
UPSERT_HAZARD = (
    "INSERT INTO hazards(project, alert_id, city, district, device, point, rule, clause, level, level_rank, "
    "message, value, threshold, unit, site_state, first_ts, last_ts, evidence_event, state, updated_at, "
    "peak_value, peak_threshold, peak_message, peak_ts, peak_firing, peak_dir, peak_metric) "
    "SELECT :p, :alert_id, p.city, p.district, :device, :point, :rule, :clause, :l, :rank, "
    ":message, :value, :threshold, :unit, :s, :ts, :ts, :evidence_event, 'pending', :now, "
    ":peak_value, :threshold, :message, :ts, :peak_firing, :dir, :metric "
    "FROM projects p WHERE p.code=:p {guard} "
    "ON CONFLICT (project, alert_id) DO UPDATE SET "
    # the peak's columns in one row-valued SET, so its condition is written (and evaluated) once: with it
    # six times the statement passed psycopg's 4,096-character limit for caching its parsed form, which
    # cost every event a parse
    f"({', '.join(PEAK)}, peak_dir) = (SELECT "
    + ", ".join(f"CASE WHEN better THEN excluded.{column} ELSE hazards.{column} END" for column in PEAK)
    + f", dir FROM (SELECT {_PEAK} AS better, {_DIR} AS dir) AS peak), "
    "peak_metric=COALESCE(hazards.peak_metric, excluded.peak_metric), "
    + _CLAUSE
    + "level=CASE WHEN excluded.level_rank > hazards.level_rank THEN excluded.level ELSE hazards.level END, "
    "level_rank=CASE WHEN excluded.level_rank > hazards.level_rank THEN excluded.level_rank "
    "ELSE hazards.level_rank END, "
    f"message=CASE WHEN {_NEWER} AND excluded.message <> '' THEN excluded.message ELSE hazards.message END, "
    f"value=CASE WHEN {_NEWER} THEN excluded.value ELSE hazards.value END, "
    f"threshold=CASE WHEN {_NEWER} THEN excluded.threshold ELSE hazards.threshold END, "
    f"site_state=CASE WHEN {_NEWER} THEN excluded.site_state ELSE hazards.site_state END, "
    "first_ts=CASE WHEN excluded.first_ts < hazards.first_ts THEN excluded.first_ts ELSE hazards.first_ts END, "
    f"last_ts=CASE WHEN {_NEWER} THEN excluded.last_ts ELSE hazards.last_ts END, "
    "evidence_event=COALESCE(excluded.evidence_event, hazards.evidence_event), "
    "updated_at=excluded.updated_at RETURNING id"
)
INSERT_EVENT = (
    "INSERT INTO events(event_id, hazard_id, project, state, level, ts, backfill, received_at, body) "
    "{source} :e, {h}, :p, :s, :l, :ts, :b, :received, :body"
)
# idempotency by event_id (events is partitioned on PostgreSQL, so it cannot keep UNIQUE(event_id));
# without ON CONFLICT, so a concurrent duplicate fails on this table's primary key and is retried
INSERT_EVENT_ID = "INSERT INTO event_ids(event_id, received_at) {source} :e, :received"
IS_STORED = "SELECT COUNT(*) FROM event_ids WHERE event_id = :e"
INSERT_EVIDENCE = (
    "INSERT INTO evidence(event_id, hazard_id, purpose, kind, sha256, size, url, created_at) "
    "{source} :e, {h}, 'event', :k, :sha, :size, :url, :received"
)


# The readings summaries a hazard holds: of its device, point and metric (``peak_metric``, regulator/ledger/peaks.py),
# in its unit, from its first event to its resolution (while it is open: to now)
_UNITS = " OR ".join(
    ["r.unit = hazards.unit"]
    + [f"(r.unit = '{a}' AND hazards.unit = '{b}')" for a, b in UNIT_ALIASES.items()]
)
_HAZARD_READINGS = (
    "FROM readings r WHERE r.project = hazards.project AND r.device = hazards.device "
    "AND r.point = hazards.point AND r.metric = hazards.peak_metric AND r.ts >= hazards.first_ts "
    f"AND (hazards.site_state <> 'resolved' OR r.ts <= hazards.last_ts) AND ({_UNITS}) "
    # finite values only (PostgreSQL orders NaN above every number): a broken sensor's is no peak
    "AND r.value > -1e308 AND r.value < 1e308"
)
# a reading worse than the hazard's peak becomes its peak (its value and time; the site said nothing at it,
# so no message): a minute's peak between two updates of the site's, or one backfilled after an outage. One
# statement per direction (``{dir}``, the worst first by ``{order}``): SQLite's subqueries cannot order by
# the updated row's columns.
_FOLD = (
    "UPDATE hazards SET (peak_value, peak_ts, peak_message, peak_firing) = (SELECT r.value, r.ts, '', :yes "
    f"{_HAZARD_READINGS} ORDER BY r.value {{order}}, r.ts LIMIT 1) "
    "WHERE {which} AND peak_metric IS NOT NULL AND peak_dir = {dir} AND EXISTS (SELECT 1 "
    f"{_HAZARD_READINGS} AND (hazards.peak_value IS NULL OR NOT hazards.peak_firing "
    "OR r.value {worse} hazards.peak_value))"
)


def _folds(which: str) -> tuple[str, str]:
    """The two statements folding readings into the hazards ``which`` selects: higher worse, lower worse."""
    return (
        _FOLD.format(which=which, dir=1, order="DESC", worse=">"),
        _FOLD.format(which=which, dir=-1, order="ASC", worse="<"),
    )


# the hazards of one series a readings summary brought (its readings from :lo to :hi)
FOLD_SERIES = _folds(
    "project = :p AND device = :d AND point = :pt AND peak_metric = :m AND first_ts <= :hi "
    "AND (site_state <> 'resolved' OR last_ts >= :lo)"
)
# one hazard, as it opens (or a held warning becomes one): what the summaries brought before its events
FOLD_HAZARD = _folds("project = :p AND alert_id = :alert_id")
SERIES_METRICS = frozenset(READING_OF.values())


def opens_series(args: dict[str, Any]) -> bool:
    """Whether an event (``_event_args``) opens a hazard whose value is a reading of the summaries."""
    return bool(args["s"] == "firing" and args["metric"] is not None)


def fold_hazard(db: Connection, project: str, alert_id: str) -> None:
    """Make the worst reading of its series that a hazard holds its peak, if worse than its events'."""
    for statement in FOLD_HAZARD:
        db.execute(sql(statement), {"p": project, "alert_id": alert_id, "yes": True})


# SQLite: one statement per table inside a transaction, the hazard id passed on as ``:h``
HAZARD_ROW = UPSERT_HAZARD.format(guard="")
EVENT_ROW = INSERT_EVENT.format(source="VALUES (", h=":h") + ")"
EVIDENCE_ROW = INSERT_EVIDENCE.format(source="VALUES (", h=":h") + ")"
EVENT_ID_ROW = INSERT_EVENT_ID.format(source="VALUES (") + ")"
# PostgreSQL: all of it in one statement; each step runs only if the nonce is fresh and the event new


def one_statement(guard: str = "", more: str = "", answer: str = "") -> str:
    """The PostgreSQL statement; ``guard``: a further condition on writing the event (nothing but the nonce
    is written when it fails). Answers (nonce fresh, event a duplicate, event written); ``more``: CTEs of
    further writes, which may use those of the event (``nonce``, ``dup``), and ``answer``: further columns
    of the answer (flood control's, regulator/ingest/held.py)."""
    return (
        "WITH " + NONCE_AND_SEEN + ", "
        "dup AS (SELECT 1 FROM event_ids WHERE event_id = :e), "
        "hazard AS ("
        + UPSERT_HAZARD.format(
            guard=f"AND EXISTS (SELECT 1 FROM nonce) AND NOT EXISTS (SELECT 1 FROM dup) {guard}"
        )
        + "), "
        "event AS ("
        + INSERT_EVENT.format(source="SELECT", h="hazard.id")
        + " FROM hazard RETURNING hazard_id), "
        "known AS (" + INSERT_EVENT_ID.format(source="SELECT") + " FROM hazard), "
        "proof AS ("
        + INSERT_EVIDENCE.format(source="SELECT", h="event.hazard_id")
        + " FROM event WHERE :has_evidence)"
        + more
        + " SELECT (SELECT COUNT(*) FROM nonce), (SELECT COUNT(*) FROM dup), (SELECT COUNT(*) FROM hazard)"
        + answer
    )


ONE_STATEMENT = one_statement()
# an event held back unless its alert is a hazard already (flood control's warnings, regulator/ingest/held.py)
IF_HAZARD = "EXISTS (SELECT 1 FROM hazards h WHERE h.project = :p AND h.alert_id = :alert_id)"
ONE_STATEMENT_IF_HAZARD = one_statement("AND " + IF_HAZARD)


def _event_args(
    event: AlertEvent,
    evidence: Evidence | None,
    picture: StoredPicture | None,
    now: float,
    received_at: float,
) -> dict[str, Any]:
    """The bind parameters of UPSERT_HAZARD, INSERT_EVENT and INSERT_EVIDENCE for one event."""
    return {
        "e": event.event_id,
        "p": event.project,
        "alert_id": event.alert_id,
        "device": event.device,
        "point": event.point,
        "rule": event.rule,
        "clause": event.clause,
        "l": event.level,
        "rank": LEVEL_RANK[event.level],
        "message": event.message,
        "value": "" if event.value is None else str(event.value),
        "peak_value": number(event.value),
        "peak_firing": event.state in ("firing", "updated"),
        "dir": direction(event),
        "metric": metric_of(event.rule),
        "threshold": event.threshold,
        "unit": event.unit,
        "s": event.state,
        "ts": event.ts,
        "b": event.backfill,
        "now": now,
        "received": received_at,
        "body": stored_body(event, picture),
        "evidence_event": event.event_id if evidence is not None else None,
        "has_evidence": evidence is not None,
        "k": "url" if picture is None else "stored",
        "sha": picture and picture.sha256,
        "size": picture and picture.size,
        "url": evidence and evidence.url,
    }


def event_args(
    event: AlertEvent,
    nonce: str,
    keep_nonce_s: float,
    evidence: Evidence | None,
    picture: StoredPicture | None,
    received_at: float | None = None,
) -> dict[str, Any]:
    """The bind parameters of storing one event and using its request's nonce (ONE_STATEMENT and the
    statements of write_event), as of now; ``picture``: the event's JPEG once kept in the evidence store."""
    now = time.time()
    args = _event_args(event, evidence, picture, now, now if received_at is None else received_at)
    args.update({"n": nonce, "exp": now + keep_nonce_s, "keep": keep_nonce_s, "stale": now - SEEN_EVERY_S})
    return args


EventWriter = Callable[[Connection, dict[str, Any]], None]


def write_event(db: Connection, args: dict[str, Any]) -> None:
    """Write an accepted event (``_event_args``) into its hazard, opening the hazard on its first event:
    the hazard, the event, its id and its evidence record; the hazard's id is left in ``args["h"]``."""
    args["h"] = db.execute(sql(HAZARD_ROW), args).scalar_one()
    db.execute(sql(EVENT_ROW), args)
    db.execute(sql(EVENT_ID_ROW), args)
    if args["has_evidence"]:
        db.execute(sql(EVIDENCE_ROW), args)
    if opens_series(args):  # the readings summaries of its series that came before it
        fold_hazard(db, args["p"], args["alert_id"])


def _series_spans(records: Iterable[ReadingRecord]) -> dict[tuple[str, str, str], tuple[float, float]]:
    """The first and last time of each series (device, point, metric) among ``records`` whose metric a
    hazard's value may be (peaks.READING_OF)."""
    spans: dict[tuple[str, str, str], tuple[float, float]] = {}
    for r in records:
        if r.metric in SERIES_METRICS:
            key = (r.device, r.point, r.metric)
            lo, hi = spans.get(key, (r.ts, r.ts))
            spans[key] = (min(lo, r.ts), max(hi, r.ts))
    return spans


class Repository:
    """Thread-safe storage of the regulator; every write is durable before it returns."""

    def __init__(
        self,
        db: str | Path,
        evidence: PictureStore | str | Path | None = None,
        pool_size: int = 10,
        read_only: bool = False,
    ) -> None:
        """``evidence``: a picture store, a folder or ``s3://BUCKET/PREFIX`` (None: default_evidence_dir);
        ``read_only``: a standby's reader (regulator/routes/read_only.py), which changes nothing, the schema included:
        SchemaBehind when the primary's regulator has not brought it to this release's head."""
        self.read_only = read_only
        self.engine: Engine = open_engine(db, pool_size, read_only)
        self.pictures = (
            open_evidence_store(evidence or default_evidence_dir(db))
            if evidence is None or isinstance(evidence, str | Path)
            else evidence
        )
        self._next_sweep = 0.0
        self._projects: dict[str, tuple[float, Project]] = {}
        if read_only:
            if (found := current(self.engine)) != (wanted := head()):
                self.engine.dispose()
                raise SchemaBehind(
                    f"the database's schema is at revision {found}, this regulator's is {wanted}: start (or "
                    "upgrade) the primary's `sitegw regulator serve` first, which migrates it"
                )
            return
        set_aside(
            self.engine
        )  # a first receiver's tables, out of the migrations' way (regulator/storage/legacy.py)
        migrate(self.engine)
        self.ensure_partitions()
        adopt(self)

    @property
    def dialect(self) -> str:
        """``postgresql`` or ``sqlite``."""
        return self.engine.dialect.name

    def ensure_partitions(self, now: float | None = None) -> list[str]:
        """PostgreSQL: create the current and next two months' partitions of events and readings where
        missing (regulator/storage/partitions.py); the names created. A no-op on SQLite, which is not partitioned.

        Called on open and daily by the regulator's periodic loop; ``now`` (default: the clock) is the
        instant whose month counts as current.
        """
        if self.dialect != "postgresql":
            return []
        return ensure_months(self.engine, time.time() if now is None else now)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def add_project(
        self,
        code: str,
        name: str,
        city: str,
        secret: str,
        district: str = "",
        contractor: str = "",
        province: str = "",
        supervisor: str = "",
    ) -> str:
        """Register a project, or replace its name, place, companies and secret; it goes in the district its
        city and district name (regulator/access/jurisdictions.py, ``province`` where the city table does not know
        the city), created with its city and province where new. ``supervisor``: the supervision company
        (监理单位). Returns that district's path."""
        place = chain(city, district, province)
        with self.engine.begin() as db:
            db.execute(
                sql(
                    "INSERT INTO projects(code, name, city, district, contractor, supervisor, secret, created_at, "
                    "district_id) VALUES (:code, :name, :city, :district, :contractor, :supervisor, :secret, :now, "
                    ":district_id) ON CONFLICT (code) DO UPDATE SET name=excluded.name, city=excluded.city, "
                    "district=excluded.district, contractor=excluded.contractor, supervisor=excluded.supervisor, "
                    "secret=excluded.secret, district_id=excluded.district_id"
                ),
                {
                    "code": code,
                    "name": name,
                    "city": city,
                    "district": district,
                    "contractor": contractor,
                    "supervisor": supervisor,
                    "secret": secret,
                    "now": time.time(),
                    "district_id": ensure(db, place),
                },
            )
        self._projects.pop(code, None)
        return SEP.join(place)

    @contextmanager
    def scoped(self, actor: Actor, write: bool = False) -> Iterator[ScopedConnection]:
        """A connection (a transaction with ``write``) that reads only the projects ``actor`` may see
        (regulator/access/scope.py): every read of the ledger for a person goes through here."""
        with self.engine.begin() if write else self.engine.connect() as db:
            yield ScopedConnection(db, Scope.of(actor))

    def cached_project(self, code: str) -> Project | None:
        """The project with this code as project(code, cached=True) last read it, if that was at most
        PROJECT_CACHE_S ago; None otherwise (no query: project(code, cached=True) asks the database)."""
        hit = self._projects.get(code)
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def project(self, code: str, cached: bool = False) -> Project | None:
        """The project with this code, if registered (``cached``: as read at most PROJECT_CACHE_S ago)."""
        if cached:
            return self.cached_project(code) or self.keep_project(code, self.project(code))
        with self.engine.connect() as db:
            row = db.execute(sql(PROJECT_OF), {"code": code}).first()
        return Project(*row) if row else None

    def keep_project(self, code: str, found: Project | None) -> Project | None:
        """``found``, the project PROJECT_OF just read for ``code``, kept for cached_project during
        PROJECT_CACHE_S; returns it."""
        if (
            found is not None
        ):  # only registered codes: a cache of every code anyone sends would grow without end
            self._projects[code] = (time.monotonic() + PROJECT_CACHE_S, found)
        return found

    def projects(self) -> list[Project]:
        """Every registered project, by code."""
        with self.engine.connect() as db:
            rows = db.execute(
                sql(
                    "SELECT code, name, city, secret, district, contractor, last_seen_at, supervisor, "
                    "gateway_release FROM projects ORDER BY code"
                )
            ).all()
        return [Project(*r) for r in rows]

    def visible_projects(
        self, actor: Actor, limit: int, offset: int = 0, search: str = ""
    ) -> tuple[list[tuple[Project, str | None]], int]:
        """The projects ``actor`` may see whose code or name holds ``search`` in any case (every one if it is
        empty), by code, each
        with its place's path (None: in no place yet): ``limit`` of them from ``offset``, and how many match
        in all."""
        args = {"q": "%" + "".join("\\" + c if c in "\\%_" else c for c in search.lower()) + "%"}
        where = (
            "WHERE LOWER(p.code) LIKE :q ESCAPE '\\' OR LOWER(p.name) LIKE :q ESCAPE '\\'" if search else ""
        )
        with self.scoped(actor) as db:
            rows = db.execute(
                "SELECT p.code, p.name, p.city, p.secret, p.district, p.contractor, p.last_seen_at, p.supervisor, "
                "p.gateway_release, j.path "
                f"FROM {PROJECTS} p LEFT JOIN jurisdictions j ON j.id = p.district_id {where} ORDER BY p.code "
                "LIMIT :limit OFFSET :offset",
                args | {"limit": limit, "offset": offset},
            ).all()
            total = db.execute(f"SELECT COUNT(*) FROM {PROJECTS} p {where}", args).scalar_one()
        return [(Project(*r[:-1]), r[-1]) for r in rows], int(total)

    def picture(self, actor: Actor, sha256: str, kind: Kind = "jpg") -> bytes | None:
        """A stored evidence or rectification picture (or a vision alert's clip: ``kind`` webm), if it is of
        a hazard ``actor`` may see."""
        with self.scoped(actor) as db:
            seen = db.execute(
                "SELECT 1 FROM evidence e JOIN hazards h ON h.id = e.hazard_id "
                f"JOIN {PROJECTS} p ON p.code = h.project WHERE e.sha256 = :sha LIMIT 1",
                {"sha": sha256},
            ).first()
        return self.pictures.get(sha256, kind) if seen else None

    def sweep_due(self) -> float | None:
        """The time to forget expired nonces before, if a sweep is due: at most one every NONCE_SWEEP_S (a
        sweep per request would cost more than ingest); the caller runs SWEEP_NONCES with it."""
        now = time.time()
        if now < self._next_sweep:
            return None
        self._next_sweep = now + NONCE_SWEEP_S
        return now

    def _sweep_nonces(self, db: Connection) -> None:
        """Forget expired nonces when a sweep is due (sweep_due)."""
        now = self.sweep_due()
        if now is not None:
            db.execute(sql(SWEEP_NONCES), {"now": now})

    def use_nonce(self, db: Connection, project: str, nonce: str, keep_s: float, event_id: str = "") -> bool:
        """Remember a request's nonce inside the caller's transaction; `NonceReused` if seen before.

        Returns whether ``event_id`` is already stored (asked in the same statement: one round trip less).
        """
        self._sweep_nonces(db)
        now = time.time()
        args = {
            "p": project,
            "n": nonce,
            "exp": now + keep_s,
            "e": event_id,
            "now": now,
            "stale": now - SEEN_EVERY_S,
        }
        stored = db.execute(sql(INSERT_NONCE + f" RETURNING ({IS_STORED})"), args).scalar()
        if stored is None:
            raise NonceReused(nonce)
        db.execute(sql(TOUCH_PROJECT), args)
        return bool(stored)

    def store_event(
        self,
        event: AlertEvent,
        nonce: str,
        keep_nonce_s: float,
        evidence: Evidence | None = None,
        received_at: float | None = None,
        write: EventWriter | None = None,
    ) -> bool:
        """Remember the request's nonce and store the event, its hazard and its evidence in one commit.

        Returns False if this event_id was stored before (the nonce is still remembered); raises
        `NonceReused` if the nonce was seen within ``keep_nonce_s`` (nothing is written then).
        ``received_at`` is now unless an older database is being adopted (regulator/storage/legacy.py).
        ``write`` writes the event once its nonce and id passed (default `write_event`: into its hazard);
        flood control (regulator/ingest/held.py) holds warnings back with its own.
        """
        picture = self.pictures.put(evidence.jpeg) if evidence is not None and evidence.jpeg else None
        args = event_args(event, nonce, keep_nonce_s, evidence, picture, received_at)
        for attempt in (1, 2):
            try:
                if self.dialect == "postgresql" and write is None:
                    return self._store_event_one_statement(args)
                if self.dialect == "postgresql" and write is not None:
                    return self._store_event_unless_held(args, write)
                return self._store_event_statements(args, write or write_event)
            except sa.exc.IntegrityError:
                # the same event_id committed by a concurrent request between our check and insert
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _store_event_one_statement(self, args: dict[str, Any]) -> bool:
        """PostgreSQL: nonce, duplicate check, hazard, event and evidence in one autocommitted statement.

        One round trip instead of seven: at a few hundred events a second the receiver spends its time
        waiting on the network to the database, not computing. A statement is atomic, so a reused nonce
        (the ``nonce`` CTE inserts nothing) or a duplicate event (``dup``) writes nothing else.
        """
        _, duplicate, written = self._one_statement(ONE_STATEMENT, args)
        if written:
            self.fold_opened(args)
        return not duplicate

    def fold_opened(self, args: dict[str, Any]) -> None:
        """PostgreSQL, after the one statement stored an event: `fold_hazard` in a transaction of its own
        when the event opens a hazard of a series the readings summaries carry."""
        if opens_series(args):
            with self.engine.begin() as db:
                fold_hazard(db, args["p"], args["alert_id"])

    def _one_statement(self, statement: str, args: dict[str, Any]) -> tuple[int, int, int]:
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
            self._sweep_nonces(db)
            fresh, duplicate, written = db.execute(sql(statement), args).one()
        if not fresh:
            raise NonceReused(args["n"])
        return fresh, duplicate, written

    def _store_event_unless_held(self, args: dict[str, Any], write: EventWriter) -> bool:
        """PostgreSQL, an event ``write`` may hold back (a warning): into its hazard in one statement as
        above when the alert is one already (most of a hazard's later events), else ``write`` in a
        transaction of its own (the nonce is used by then; the event id is asked again, since a
        concurrent copy may have been stored meanwhile, and its key on event_ids catches one that commits
        while this one writes: a duplicate either way, never a retry that would find the nonce used)."""
        _, duplicate, written = self._one_statement(ONE_STATEMENT_IF_HAZARD, args)
        if written:
            self.fold_opened(args)
        if duplicate or written:
            return not duplicate
        return self.store_held(args, write)

    def store_held(self, args: dict[str, Any], write: EventWriter) -> bool:
        """PostgreSQL, the second step of an event flood control may hold back, once ONE_STATEMENT_IF_HAZARD
        found no hazard for its alert (and used the request's nonce): ``write`` in a transaction of its
        own; whether the event was stored (False: a concurrent copy was)."""
        try:
            with self.engine.begin() as db:
                if db.execute(sql(IS_STORED), args).scalar():
                    return False
                write(db, args)
        except sa.exc.IntegrityError:  # event_ids' key: a concurrent copy committed between the two steps
            return False
        return True

    def _store_event_statements(self, args: dict[str, Any], write: EventWriter) -> bool:
        """SQLite (and a ``write`` of its own): the same writes as statements of one transaction (no
        data-modifying CTEs on SQLite; the database is in-process, so extra statements cost no round trips)."""
        with self.engine.begin() as db:
            if self.use_nonce(db, args["p"], args["n"], args["keep"], args["e"]):
                return False
            write(db, args)
        return True

    def store_readings(
        self, project: str, nonce: str, keep_nonce_s: float, records: list[ReadingRecord]
    ) -> int:
        """Remember the nonce and keep a readings summary (the context a reviewer sees around a hazard); the
        readings received.

        One value per device, point, metric and minute (UTC, of ``ts``) is kept: a record replaces the value
        kept for its minute, and of several records of one minute in a request the last stands. All in one
        transaction, so a reviewer never sees a minute without its value."""
        latest: dict[tuple[str, str, str, float], ReadingRecord] = {}
        for r in records:
            latest[(r.device, r.point, r.metric, r.ts // 60 * 60)] = (
                r  # floor division: no error on inf or NaN
            )
        with self.engine.begin() as db:
            self.use_nonce(db, project, nonce, keep_nonce_s)
            if latest:
                if self.dialect == "postgresql":
                    db.execute(
                        sql("SELECT pg_advisory_xact_lock(CAST(:k AS integer), hashtext(:p))"),
                        {"k": READINGS_LOCK, "p": project},
                    )
                db.execute(
                    sql(DELETE_MINUTE),
                    [
                        {"p": project, "d": d, "pt": pt, "m": m, "lo": lo, "hi": lo + 60}
                        for d, pt, m, lo in latest
                    ],
                )
                db.execute(
                    sql(INSERT_READING),
                    [
                        {
                            "p": project,
                            "d": r.device,
                            "pt": r.point,
                            "m": r.metric,
                            "ts": r.ts,
                            "v": r.value,
                            "u": r.unit,
                        }
                        for r in latest.values()
                    ],
                )
                series = _series_spans(latest.values())
                for statement in FOLD_SERIES if series else ():
                    # worse readings become the peaks of the hazards open then
                    db.execute(
                        sql(statement),
                        [
                            {"p": project, "d": d, "pt": pt, "m": m, "lo": lo, "hi": hi, "yes": True}
                            for (d, pt, m), (lo, hi) in series.items()
                        ],
                    )
        return len(records)

    def heartbeat(self, project: str, nonce: str, keep_nonce_s: float) -> None:
        """Remember the nonce; the project's last_seen_at moves on (a gateway with nothing to report)."""
        with self.engine.begin() as db:
            self.use_nonce(db, project, nonce, keep_nonce_s)

    def keep_release(self, project: str, release: str) -> None:
        """The sitegw release the project's gateway says it runs (its heartbeat), kept until another is said:
        written only when it changed, so the heartbeats of a gateway that was not upgraded write nothing."""
        with self.engine.begin() as db:
            db.execute(
                sql(
                    "UPDATE projects SET gateway_release = :r WHERE code = :p "
                    "AND (gateway_release IS NULL OR gateway_release <> :r)"
                ),
                {"p": project, "r": release},
            )

    def events(self, project: str | None = None) -> list[StoredEvent]:
        """Every accepted event in the order they were received: those of hazards and the warnings flood
        control holds or counted (``held_events``; ``id`` numbers each table on its own)."""
        where, args = ("WHERE project=:p", {"p": project}) if project else ("", {})
        with self.engine.connect() as db:
            rows = db.execute(
                sql(
                    f"SELECT id, received_at, body FROM events {where} UNION ALL "
                    f"SELECT id, received_at, body FROM held_events {where} ORDER BY 2, 1"
                ),
                args,
            ).all()
        return [StoredEvent(i, at, AlertEvent.model_validate_json(body)) for i, at, body in rows]

    def evidence_jpeg(self, event_id: str) -> bytes | None:
        """The evidence JPEG stored with an event, if it came inline."""
        with self.engine.connect() as db:
            row = db.execute(
                sql("SELECT sha256 FROM evidence WHERE event_id=:e AND kind='stored'"), {"e": event_id}
            ).first()
        return self.pictures.get(row[0]) if row else None
