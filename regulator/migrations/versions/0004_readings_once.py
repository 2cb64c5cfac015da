"""A readings summary sent twice is kept once: unique (project, device, point, metric, ts).

The gateway advances its summary cursor only on a 2xx, so a summary whose answer was lost (a power
cut, a timeout after the regulator committed) is sent again; without a key the reviewer's chart would
show each of those minutes twice. The key includes ``ts``, the partition key on PostgreSQL, so it is
a plain unique index on the partitioned table. Rows already stored twice keep their first copy (the
lowest id): the copies are identical summaries of one minute.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KEY = ["project", "device", "point", "metric", "ts"]


def upgrade() -> None:
    """Drop repeated copies, then add the key."""
    on = " AND ".join(f"r.{c} = k.{c}" for c in KEY)
    op.execute(
        sa.text(
            f"DELETE FROM readings WHERE id NOT IN (SELECT MIN(id) FROM readings GROUP BY {', '.join(KEY)})"
            if op.get_bind().dialect.name == "sqlite"
            else f"DELETE FROM readings r USING readings k WHERE {on} AND r.id > k.id"
        )
    )
    op.create_index("readings_once", "readings", KEY, unique=True)


def downgrade() -> None:
    """Drop the key (the copies it prevented are not made back)."""
    op.drop_index("readings_once", table_name="readings")
