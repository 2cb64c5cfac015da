"""The readings summaries the gateways send (one value per device, point, metric and minute), and how a
worse reading becomes the peak of the hazard it falls in (regulator/peaks.py). Part of the repository
(regulator/storage/repository.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from regulator.peaks import READING_OF, UNIT_ALIASES
from regulator.storage.db import sql
from regulator.storage.nonces import Nonces


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


# The readings summaries a hazard holds: of its device, point and metric (``peak_metric``, regulator/peaks.py),
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


class Readings(Nonces):
    """Keeping a gateway's readings summary."""

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
