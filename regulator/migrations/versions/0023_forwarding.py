"""A city's platform forwards its ledger to the province's (issue #39 part 1, regulator/forwarding/).

The city's side: ``forward_state`` (one row once forwarding was switched on: where to, and the cursor of
the decisions polled back down), ``forward_outbox`` (what changed and is not yet taken by the province) and
``forward_down`` (which local rows came down from the province, so they go back up as the same record).
On PostgreSQL a trigger on every forwarded table queues the changed row in ``forward_outbox`` in the
transaction that changed it, once ``forward_state`` has its row: whichever code path writes the ledger
(the events' one-statement path, the review loop, the CLI, a future one), the change is queued or rolled
back with it. SQLite gets the tables but no triggers: forwarding runs on PostgreSQL only.

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

# table -> (kind, key column, the columns whose update is a change worth forwarding; None: any)
FORWARDED: dict[str, tuple[str, str, tuple[str, ...] | None]] = {
    # not last_seen_at, rewritten every few seconds while a gateway is online
    "projects": (
        "project",
        "code",
        ("name", "city", "district", "contractor", "supervisor", "district_id", "lat", "lon"),
    ),
    "hazards": ("hazard", "id", None),
    "actions": ("action", "id", None),
    "listings": ("listing", "id", None),
    "notices": ("notice", "id", None),
    "incidents": ("incident", "id", None),
    "incident_reports": ("incident_report", "id", None),
}

ENQUEUE = """
CREATE OR REPLACE FUNCTION forward_enqueue() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM forward_state) THEN
    INSERT INTO forward_outbox(kind, ref, queued_at)
    VALUES (TG_ARGV[0], to_jsonb(NEW) ->> TG_ARGV[1], extract(epoch FROM clock_timestamp()));
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql
"""


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
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(ENQUEUE)
    for table, (kind, key, columns) in FORWARDED.items():
        of = f" OF {', '.join(columns)}" if columns else ""
        op.execute(
            f"CREATE TRIGGER forward_{table} AFTER INSERT OR UPDATE{of} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION forward_enqueue('{kind}', '{key}')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in FORWARDED:
            op.execute(f"DROP TRIGGER IF EXISTS forward_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS forward_enqueue()")
    op.drop_index("forward_records_local", "forward_records")
    for table in ("forward_records", "forward_cities", "forward_down", "forward_outbox", "forward_state"):
        op.drop_table(table)
