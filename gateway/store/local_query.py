"""Reading the local store back for the API and the demo summary.

Every method opens its own read-only connection (WAL lets it read while the writer commits), so
the API may call them from any worker thread. They block: from async code use
``asyncio.to_thread``. Times are Unix seconds, as in Readings.
"""

from __future__ import annotations

import heapq
import math
import os
from collections.abc import Collection, Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from contract.kinds.kind import Pick
from contract.readings import Quality, Reading
from gateway.store.local_schema import FAULT, QUALITY_CODES, QUALITY_NAMES, open_store
from plumbing.sqlite import sqlite3

"""Which reading of a minute stands for it: the largest, the smallest, the largest magnitude (sign kept),
the newest."""


@dataclass(slots=True, frozen=True)
class SeriesInfo:
    """One stored series: a metric of a device (and monitoring point)."""

    device: str
    point: str
    metric: str
    unit: str


@dataclass(slots=True, frozen=True)
class LatestValue:
    """The newest reading of one series."""

    device: str
    point: str
    metric: str
    unit: str
    ts: float
    value: float | str | None
    quality: str


@dataclass(slots=True, frozen=True)
class HistoryPoint:
    """A raw reading (``count`` 1) or a time bucket of readings.

    For a bucket, ``ts`` is its start, ``value``/``min``/``max`` the average, minimum and maximum
    of the readings that are not ``fault`` (None when all are), and ``faults`` how many were.
    For text metrics ``value`` is the bucket's last text. A raw reading keeps its ``quality``;
    a bucket's quality is ``fault`` when every reading in it is, else ``ok``.
    """

    ts: float
    value: float | str | None
    min: float | None
    max: float | None
    count: int
    faults: int
    quality: str


@dataclass(slots=True, frozen=True)
class History:
    """The history of one series between two instants; ``bucket_s`` is 0 when the points are raw."""

    series: SeriesInfo
    start: float
    end: float
    bucket_s: float
    points: list[HistoryPoint]


@dataclass(slots=True, frozen=True)
class MinuteValue:
    """The reading chosen to stand for one series over one whole minute (``minute``: its start, Unix
    seconds); ``ts`` is when that reading was taken."""

    device: str
    point: str
    metric: str
    unit: str
    minute: float
    ts: float
    value: float


@dataclass(slots=True, frozen=True)
class LateMark:
    """A (series, minute) that got a reading after the summaries may have read it (``minute``: its start, Unix
    seconds); ``seq``: the commit that marked it last."""

    series_id: int
    minute: int
    seq: int


@dataclass(slots=True, frozen=True)
class StoreCounts:
    """Totals for the demo summary and /metrics."""

    rows: int
    series: int
    duplicates: int  # readings not stored again: same series and millisecond as a stored one
    oldest_ts: float | None
    newest_ts: float | None
    file_bytes: int  # database plus WAL


class HistoryReader:
    """Queries over the store file at ``path`` (which the LocalStore writer creates)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = open_store(self.path, writer=False)
        try:
            yield conn
        finally:
            conn.close()

    def series(self) -> list[SeriesInfo]:
        """Every series ever stored, by device, point, metric."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT device, point, metric, unit FROM series ORDER BY device, point, metric"
            ).fetchall()
        return [SeriesInfo(*row) for row in rows]

    def latest(self, device: str | None = None) -> list[LatestValue]:
        """The newest reading of every series (of one ``device`` if given)."""
        sql = (
            "SELECT s.device, s.point, s.metric, s.unit, r.ts, r.value, r.text, r.quality FROM series s "
            "JOIN readings r ON r.series_id = s.id "
            "AND r.ts = (SELECT MAX(ts) FROM readings WHERE series_id = s.id)"
        )
        params: tuple[str, ...] = ()
        if device is not None:
            sql += " WHERE s.device = ?"
            params = (device,)
        with self._connect() as conn:
            rows = conn.execute(sql + " ORDER BY s.device, s.point, s.metric", params).fetchall()
        return [
            LatestValue(
                dev, point, metric, unit, ts / 1000, text if text is not None else value, QUALITY_NAMES[q]
            )
            for dev, point, metric, unit, ts, value, text, q in rows
        ]

    def history(
        self, device: str, metric: str, start: float, end: float, point: str = "", max_points: int = 1000
    ) -> History | None:
        """Readings of one series with ``start <= ts <= end``; when there are more than
        ``max_points``, equal time buckets (at most ``max_points``) with avg/min/max/count.
        None when the series does not exist."""
        if max_points < 1:
            raise ValueError(f"max_points must be at least 1, not {max_points}")
        start_ms, end_ms = math.floor(start * 1000), math.ceil(end * 1000)
        with self._connect() as conn:
            found = conn.execute(
                "SELECT id, unit FROM series WHERE device = ? AND point = ? AND metric = ?",
                (device, point, metric),
            ).fetchone()
            if found is None:
                return None
            sid, unit = found
            info = SeriesInfo(device, point, metric, unit)
            raw = conn.execute(
                "SELECT ts, value, text, quality FROM readings WHERE series_id = ? "
                "AND ts BETWEEN ? AND ? ORDER BY ts LIMIT ?",
                (sid, start_ms, end_ms, max_points + 1),
            ).fetchall()
            if len(raw) <= max_points:
                points = [_raw_point(*row) for row in raw]
                return History(info, start, end, 0.0, points)
            width = -(-(end_ms - start_ms + 1) // max_points)  # ceil: never more than max_points buckets
            is_text = raw[-1][2] is not None
            points = (
                _text_buckets(conn, sid, start_ms, end_ms, width)
                if is_text
                else _number_buckets(conn, sid, start_ms, end_ms, width)
            )
        return History(info, start, end, width / 1000, points)

    def minute_values(self, picks: Mapping[str, Pick], start: float, end: float) -> list[MinuteValue]:
        """For each series of a metric in ``picks``, one reading per minute with readings in ``[start, end)``
        (minute boundaries, Unix seconds), chosen as ``picks[metric]`` says; ordered by minute, device, point,
        metric. Readings judged ``fault`` (a broken sensor) or ``stale`` (a repeated last value, not a
        measurement) never stand for a minute; text metrics have no value to pick."""
        if not picks:
            return []
        with self._connect() as conn:
            return _picked(
                conn,
                picks,
                "",
                "series s",
                "r.ts >= ? AND r.ts < ?",
                [math.floor(start * 1000), math.floor(end * 1000)],
            )

    def late_minutes(
        self, picks: Mapping[str, Pick], uplink: str, before: float, limit: int
    ) -> tuple[list[LateMark], list[MinuteValue]]:
        """The oldest ``limit`` of ``uplink``'s late-minute marks of minutes before ``before``, and each marked
        minute's value as :meth:`minute_values` picks it from every reading the minute now holds (none for a
        minute with no reading to pick, e.g. one past the retention). Both come from one read snapshot, so a
        reading committed after it has marked its minute again (a newer ``seq``)."""
        marks_sql = (
            "SELECT series_id, minute, seq FROM late_minutes WHERE uplink = ? AND minute < ? "
            "ORDER BY minute, series_id LIMIT ?"
        )
        marks_args: list[object] = [uplink, math.floor(before), limit]
        with self._connect() as conn:
            conn.execute("BEGIN")  # one snapshot for the marks and the values
            try:
                marks = [LateMark(*row) for row in conn.execute(marks_sql, marks_args)]
                values = (
                    _picked(
                        conn,
                        picks,
                        f", marks AS ({marks_sql})",
                        "marks l JOIN series s ON s.id = l.series_id",
                        "r.ts >= l.minute * 1000 AND r.ts < l.minute * 1000 + 60000",
                        marks_args,
                    )
                    if marks and picks
                    else []
                )
            finally:
                conn.execute("COMMIT")
        return marks, values

    def counts(self) -> StoreCounts:
        """Rows, series, oldest and newest reading, and the file size."""
        with self._connect() as conn:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            nseries, oldest, newest = conn.execute(
                "SELECT COUNT(*), MIN((SELECT MIN(ts) FROM readings WHERE series_id = s.id)), "
                "MAX((SELECT MAX(ts) FROM readings WHERE series_id = s.id)) FROM series s"
            ).fetchone()
        size = sum(os.path.getsize(p) for p in (self.path, Path(f"{self.path}-wal")) if os.path.exists(p))
        return StoreCounts(
            rows=meta["rows"],
            series=nseries,
            duplicates=meta["duplicates"],
            oldest_ts=None if oldest is None else oldest / 1000,
            newest_ts=None if newest is None else newest / 1000,
            file_bytes=size,
        )

    def readings_since(
        self, since: float, project: str, devices: Collection[str], chunk: int = 500
    ) -> Generator[Reading, None, None]:
        """Every stored reading of ``devices`` with ``ts >= since``, in ts order (readings of one
        instant by device, point, metric), as Readings of ``project``.

        Streams: each series is read along its (series, ts) index ``chunk`` rows at a time and the
        series are merged, so memory holds about ``chunk`` rows per series, whatever the period.
        The connection stays open until the iterator is exhausted or closed.
        """
        since_ms = math.floor(since * 1000)
        with self._connect() as conn:
            found = conn.execute(
                "SELECT id, device, point, metric, unit FROM series ORDER BY device, point, metric"
            ).fetchall()
            streams = [
                _series_readings(conn, row, since_ms, project, chunk) for row in found if row[1] in devices
            ]
            # merge is stable: readings of one instant keep the series order, so a device's are together
            yield from heapq.merge(*streams, key=lambda r: r.ts)


def _picked(
    conn: sqlite3.Connection,
    picks: Mapping[str, Pick],
    more_ctes: str,
    source: str,
    where: str,
    args: list[object],
) -> list[MinuteValue]:
    """One reading per series and minute among the readings of the series ``source`` names ``s`` that match
    ``where``, chosen as ``picks`` says; ``args`` fill the placeholders of ``more_ctes`` and ``where``.
    Readings judged ``fault`` (a broken sensor) or ``stale`` (a repeated last value, not a measurement) never
    stand for a minute; text metrics have no value to pick."""
    table = ", ".join("(?, ?)" for _ in picks)
    # One MAX() is the only aggregate, so SQLite takes the bare columns (ts, value) from the row holding the
    # maximum: every pick is written as a maximum of a key (min = max of -value, last = max of ts).
    query = (
        f"WITH pick(metric, how) AS (VALUES {table}){more_ctes} "
        "SELECT s.device, s.point, s.metric, s.unit, r.ts / 60000 AS m, r.ts, r.value, "
        "MAX(CASE p.how WHEN 'max' THEN r.value WHEN 'min' THEN -r.value WHEN 'peak' THEN ABS(r.value) "
        f"ELSE r.ts END) FROM {source} JOIN pick p ON p.metric = s.metric "
        f"JOIN readings r ON r.series_id = s.id WHERE {where} "
        "AND r.value IS NOT NULL AND r.quality NOT IN (?, ?) "
        "GROUP BY s.id, m ORDER BY m, s.device, s.point, s.metric"
    )
    params = [x for item in picks.items() for x in item] + args + [FAULT, QUALITY_CODES[Quality.STALE]]
    rows = conn.execute(query, params).fetchall()
    return [
        MinuteValue(device, point, metric, unit, m * 60.0, ts / 1000, value)
        for device, point, metric, unit, m, ts, value, _key in rows
    ]


def _series_readings(
    conn: sqlite3.Connection, series: tuple[int, str, str, str, str], since_ms: int, project: str, chunk: int
) -> Iterator[Reading]:
    sid, device, point, metric, unit = series
    cursor = conn.execute(
        "SELECT ts, value, text, quality FROM readings WHERE series_id = ? AND ts >= ? ORDER BY ts",
        (sid, since_ms),
    )
    qualities = {code: Quality(name) for code, name in QUALITY_NAMES.items()}
    while rows := cursor.fetchmany(chunk):
        for ts, value, text, quality in rows:
            yield Reading(
                ts / 1000,
                project,
                device,
                metric,
                text if text is not None else value,
                unit,
                qualities[quality],
                point,
            )


def _raw_point(ts: int, value: float | None, text: str | None, quality: int) -> HistoryPoint:
    shown = text if text is not None else value
    number = None if quality == FAULT or text is not None else value
    return HistoryPoint(ts / 1000, shown, number, number, 1, int(quality == FAULT), QUALITY_NAMES[quality])


def _number_buckets(
    conn: sqlite3.Connection, sid: int, start_ms: int, end_ms: int, width: int
) -> list[HistoryPoint]:
    rows = conn.execute(
        "SELECT (ts - :start) / :width AS b, AVG(CASE WHEN quality != :fault THEN value END), "
        "MIN(CASE WHEN quality != :fault THEN value END), MAX(CASE WHEN quality != :fault THEN value END), "
        "COUNT(*), SUM(quality = :fault) FROM readings "
        "WHERE series_id = :sid AND ts BETWEEN :start AND :end GROUP BY b ORDER BY b",
        {"start": start_ms, "end": end_ms, "width": width, "sid": sid, "fault": FAULT},
    ).fetchall()
    return [
        HistoryPoint((start_ms + b * width) / 1000, avg, lo, hi, n, faults, _bucket_quality(n, faults))
        for b, avg, lo, hi, n, faults in rows
    ]


def _text_buckets(
    conn: sqlite3.Connection, sid: int, start_ms: int, end_ms: int, width: int
) -> list[HistoryPoint]:
    # with a single max() aggregate, SQLite takes the bare column (text) from the row holding the max
    rows = conn.execute(
        "SELECT (ts - :start) / :width AS b, MAX(ts), text, COUNT(*), SUM(quality = :fault) FROM readings "
        "WHERE series_id = :sid AND ts BETWEEN :start AND :end GROUP BY b ORDER BY b",
        {"start": start_ms, "end": end_ms, "width": width, "sid": sid, "fault": FAULT},
    ).fetchall()
    return [
        HistoryPoint((start_ms + b * width) / 1000, text, None, None, n, faults, _bucket_quality(n, faults))
        for b, _last, text, n, faults in rows
    ]


def _bucket_quality(count: int, faults: int) -> str:
    return QUALITY_NAMES[FAULT] if faults == count else QUALITY_NAMES[0]
