"""Events and readings partitioned by month on PostgreSQL; idempotency by event_id moves to ``event_ids``.

Nothing is ever deleted by ingest, and 500 projects send up to ~1,000 events/s: ``events`` and
``readings`` grow without bound. Partitioned by month (``received_at``/``ts``, UTC), an old month can
be archived (DETACH PARTITION, dump, keep) and vacuum and indexes work month by month. A partitioned
table cannot keep UNIQUE(event_id) (a unique key must include the partition key), so the duplicate check
reads a small unpartitioned ``event_ids`` table instead, on SQLite too, so ingest asks the same query on
both engines. SQLite's tables are otherwise unchanged (it is the embedded, one-machine default).

Existing rows keep their ids: the old table is renamed, the partitioned one created beside it, the rows
copied, the id sequence handed over (ALTER SEQUENCE ... OWNED BY) and the old table dropped. Month
partitions are created for every month present in the data and the current and next two
(regulator/storage/partitions.py, shared with the repository's run-time upkeep).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

from regulator.storage.partitions import PARTITIONED, create_default_sql, create_month_sql, months_in, wanted

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# the columns of each table exactly as 0001 created them on PostgreSQL; ids keep drawing from the
# sequence its BIGSERIAL made
COLUMNS = {
    "events": (
        "id BIGINT NOT NULL DEFAULT nextval('events_id_seq'), event_id TEXT NOT NULL, "
        "hazard_id BIGINT NOT NULL REFERENCES hazards(id), project TEXT NOT NULL, "
        "state TEXT NOT NULL, level TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL, "
        "backfill BOOLEAN NOT NULL, received_at DOUBLE PRECISION NOT NULL, body TEXT NOT NULL"
    ),
    "readings": (
        "id BIGINT NOT NULL DEFAULT nextval('readings_id_seq'), "
        "project TEXT NOT NULL REFERENCES projects(code), device TEXT NOT NULL, "
        "point TEXT NOT NULL, metric TEXT NOT NULL, ts DOUBLE PRECISION NOT NULL, "
        "value DOUBLE PRECISION NOT NULL, unit TEXT NOT NULL"
    ),
}
NAMES = {
    "events": "id, event_id, hazard_id, project, state, level, ts, backfill, received_at, body",
    "readings": "id, project, device, point, metric, ts, value, unit",
}
INDEXES = {
    "events": {"events_by_hazard": "hazard_id, id", "events_by_project": "project, id"},
    "readings": {"readings_by_device": "project, device, ts"},
}
# the keys a plain table had (0001) and a partitioned one has (the partition key must be in every unique key)
PLAIN_KEYS = {"events": "PRIMARY KEY (id), UNIQUE (event_id)", "readings": "PRIMARY KEY (id)"}


def upgrade() -> None:
    """Partition events and readings by month (PostgreSQL) and fill ``event_ids`` (both engines)."""
    op.create_table(
        "event_ids",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("received_at", sa.Float, nullable=False),
    )
    op.execute("INSERT INTO event_ids(event_id, received_at) SELECT event_id, received_at FROM events")
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in PARTITIONED.items():
        _rebuild(table, f"PRIMARY KEY (id, {column})", partition_by=column)


def downgrade() -> None:
    """Back to plain tables with the same rows and ids; ``event_ids`` goes (events' UNIQUE is back)."""
    if op.get_bind().dialect.name == "postgresql":
        for table in PARTITIONED:
            _rebuild(table, PLAIN_KEYS[table])
    op.drop_table("event_ids")


def _rebuild(table: str, keys: str, partition_by: str | None = None) -> None:
    """Replace ``table`` by a new one with these ``keys``, partitioned by month on ``partition_by`` or
    plain, holding the same rows with the same ids.

    The old table's index names are freed first (they live in the schema's namespace), so the new ones
    are named as 0001 named them.
    """
    db = op.get_bind()
    old = f"{table}_old"
    op.execute(f"ALTER TABLE {table} RENAME TO {old}")
    for index in INDEXES[table]:
        op.execute(f"DROP INDEX {index}")
    indexed = sa.text(
        "SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) AND contype IN ('p', 'u')"
    )
    for name in db.execute(indexed, {"t": old}).scalars():  # a primary key or UNIQUE is an index too
        op.execute(f"ALTER TABLE {old} DROP CONSTRAINT {name}")
    partitioning = f" PARTITION BY RANGE ({partition_by})" if partition_by else ""
    op.execute(f"CREATE TABLE {table} ({COLUMNS[table]}, {keys}){partitioning}")
    if partition_by:
        op.execute(create_default_sql(table))
        months = set(months_in(db, old, partition_by)) | set(wanted(time.time()))
        for month in sorted(months):
            op.execute(create_month_sql(table, month))
    op.execute(f"INSERT INTO {table}({NAMES[table]}) SELECT {NAMES[table]} FROM {old}")
    op.execute(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id")
    op.execute(f"DROP TABLE {old}")
    for index, columns in INDEXES[table].items():
        op.execute(f"CREATE INDEX {index} ON {table} ({columns})")
