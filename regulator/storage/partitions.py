"""Monthly partitions of the regulator's growing tables on PostgreSQL (``events`` by ``received_at``,
``readings`` by ``ts``; float epoch seconds, month boundaries in UTC).

Nothing is ever deleted by ingest, so these two tables grow without bound; a month per partition lets an
operator archive an old month (DETACH PARTITION, dump, keep) without touching the rest. Migration 0003
turns the tables into partitioned ones; the repository keeps the current and the next two months'
partitions in place at run time (``ensure_months``). A DEFAULT partition per table catches any row no
month partition covers (a gateway clock years off, a month not yet created), so an insert never fails.

SQLite (the embedded default) is not partitioned: everything here is for PostgreSQL only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

# each partitioned table and the column its months are cut on
PARTITIONED: dict[str, str] = {"events": "received_at", "readings": "ts"}
MONTHS_AHEAD = 2  # besides the current month, so a month never starts without its partition
LOCK_TIMEOUT = "5s"  # creating a partition locks its parent: give up (retry tomorrow) rather than stall it
# one advisory lock for all upkeep, so workers and replicas starting together never race to create a month
UPKEEP_LOCK = int.from_bytes(b"sgwparts", "big")


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month in UTC."""

    year: int
    month: int

    @classmethod
    def of(cls, epoch_s: float) -> Month:
        """The UTC month an epoch-seconds instant falls in."""
        at = datetime.fromtimestamp(epoch_s, UTC)
        return cls(at.year, at.month)

    def next(self, months: int = 1) -> Month:
        """The month ``months`` later."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    @property
    def start(self) -> float:
        """Epoch seconds of its first instant (inclusive bound of its partition)."""
        return datetime(self.year, self.month, 1, tzinfo=UTC).timestamp()

    def partition(self, table: str) -> str:
        """The partition's name, e.g. ``events_y2026m11`` (zero-padded so names sort by month)."""
        return f"{table}_y{self.year}m{self.month:02d}"

    def __str__(self) -> str:
        return date(self.year, self.month, 1).strftime("%Y-%m")


# months are made for keys from 1970 to the last month Python's datetime can bound; anything else (a
# gateway sending milliseconds, NaN) is left to the DEFAULT partition rather than failing the migration
FIRST_KEY, END_KEY = 0.0, Month(9999, 12).start


def wanted(now: float) -> list[Month]:
    """The months that must have a partition at ``now``: the current one and MONTHS_AHEAD after it."""
    current = Month.of(now)
    return [current.next(i) for i in range(MONTHS_AHEAD + 1)]


def create_month_sql(table: str, month: Month) -> str:
    """DDL of one month's partition (no bind parameters: DDL takes none)."""
    return (
        f"CREATE TABLE IF NOT EXISTS {month.partition(table)} PARTITION OF {table} "
        f"FOR VALUES FROM ({month.start!r}) TO ({month.next().start!r})"
    )


def create_default_sql(table: str) -> str:
    """DDL of the partition that catches every row outside the month partitions."""
    return f"CREATE TABLE IF NOT EXISTS {table}_default PARTITION OF {table} DEFAULT"


def months_in(db: Connection, table: str, column: str) -> list[Month]:
    """Every UTC month some row of ``table`` falls in (by ``column``), oldest first; keys outside
    FIRST_KEY..END_KEY are not counted."""
    rows = db.execute(
        sa.text(
            f"SELECT DISTINCT EXTRACT(YEAR FROM m)::int, EXTRACT(MONTH FROM m)::int FROM "
            f"(SELECT date_trunc('month', to_timestamp({column}) AT TIME ZONE 'UTC') AS m FROM {table} "
            f"WHERE {column} >= :first AND {column} < :end) months"
        ),
        {"first": FIRST_KEY, "end": END_KEY},
    ).all()
    return sorted(Month(y, m) for y, m in rows)


def existing(db: Connection, table: str) -> set[str]:
    """Names of ``table``'s partitions."""
    return set(
        db.execute(
            sa.text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = CAST(:t AS regclass)"
            ),
            {"t": table},
        ).scalars()
    )


def ensure_months(engine: Engine, now: float) -> list[str]:
    """Create the current and next MONTHS_AHEAD months' partitions of every partitioned table where missing;
    the names created.

    One catalog query when all exist (the usual case). A month whose rows already sit in the DEFAULT
    partition cannot be created (PostgreSQL refuses): that is logged as a warning naming the month and the
    fix, and its rows keep landing in the DEFAULT partition meanwhile, so ingest never fails over upkeep.
    """
    with engine.connect() as db:
        have = {table: existing(db, table) for table in PARTITIONED}
    missing = [
        (table, month)
        for month in wanted(now)
        for table in PARTITIONED
        if month.partition(table) not in have[table]
    ]
    created = []
    for table, month in missing:
        try:
            with engine.begin() as db:
                db.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
                db.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": UPKEEP_LOCK})
                if month.partition(table) in existing(db, table):
                    continue  # another worker made it while this one waited for the lock
                db.execute(sa.text(create_month_sql(table, month)))
            created.append(month.partition(table))
        except sa.exc.DBAPIError as exc:
            log.warning(
                "could not create partition %s (%s); rows of %s land in %s_default meanwhile. "
                "If %s_default already holds rows of %s, move them out by hand: copy them to a table "
                "of their own, DELETE them from %s_default, restart the regulator (it creates the "
                "partition), INSERT them back into %s. Upkeep retries daily",
                month.partition(table),
                _first_line(exc),
                month,
                table,
                table,
                month,
                table,
                table,
            )
    return created


def _first_line(exc: sa.exc.DBAPIError) -> str:
    """PostgreSQL's own message, without SQLAlchemy's statement dump."""
    return str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
