"""A city's platform forwards its ledger to the province's (issue #39 part 1, regulator/forwarding/).

The city's side: ``forward_state`` (one row once forwarding was switched on: where to, and the cursor of
the decisions polled back down), ``forward_outbox`` (what changed and is not yet taken by the province) and
``forward_down`` (which local rows came down from the province, so they go back up as the same record).
The triggers that queue a changed row in ``forward_outbox`` are not made here but when forwarding is
switched on (regulator/forwarding/outbox.py): a province, or a city that never forwards, pays nothing for
them on each ingested event. SQLite gets the tables only: forwarding runs on PostgreSQL.

The province's side: ``forward_cities`` (the cities allowed to forward, their keys and jurisdictions) and
``forward_records`` (each forwarded record once, by origin city, kind and the city's id of it, with the
province's own id of the row it became).

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "forward_state",
        sa.Column("id", sa.SmallInteger, primary_key=True),  # always 1: one upward link per city
        sa.Column("province_url", sa.Text, nullable=False),
        sa.Column("city_id", sa.Text, nullable=False),
        sa.Column("since", sa.Float, nullable=False),
        sa.Column("decisions_after", BIGID, nullable=False, server_default="0"),
    )
    op.create_table(
        "forward_outbox",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("ref", sa.Text, nullable=False),  # the row's key (a project's code, another row's id)
        sa.Column("queued_at", sa.Float, nullable=False),
    )
    op.create_table(
        "forward_down",
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("local_id", sa.Text, primary_key=True),
        sa.Column("remote_id", sa.Text, nullable=False),
    )
    op.create_table(
        "forward_cities",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("jurisdiction", sa.Text, nullable=False),  # the city's path, 广东省/深圳市
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_seen_at", sa.Float),
    )
    op.create_table(
        "forward_records",
        sa.Column("origin", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("ref", sa.Text, primary_key=True),
        sa.Column("local_id", sa.Text, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("versions", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("forward_records_local", "forward_records", ["kind", "local_id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # with the triggers switching on installed
        op.execute("DROP FUNCTION IF EXISTS forward_enqueue() CASCADE")
        op.execute("DROP FUNCTION IF EXISTS forward_enqueue_join_pictures() CASCADE")  # the video set's join
    op.drop_index("forward_records_local", "forward_records")
    for table in ("forward_records", "forward_cities", "forward_down", "forward_outbox", "forward_state"):
        op.drop_table(table)
