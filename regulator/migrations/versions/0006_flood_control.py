"""Flood control: warnings a site resolves within minutes are counted, not put in the ledger.

``held_warnings``: one row per warning alert that has no hazard (yet): its site times and state, when the
regulator first heard of it, and what became of it: ``held`` (waiting: resolved within the hold it is
counted, persisting past it it becomes a hazard), ``counted`` or ``promoted``. ``held_events``: the
events of those alerts as received (moved to ``events`` when the alert becomes a hazard; kept here
when it was counted, so nothing accepted is lost). ``warning_counts``: per project and rule, the
warning episodes counted and the events they had, for statistics.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "held_warnings",
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), primary_key=True),
        sa.Column("alert_id", sa.Text, primary_key=True),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("first_ts", sa.Float, nullable=False),
        sa.Column("last_ts", sa.Float, nullable=False),
        sa.Column("site_state", sa.Text, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),  # first heard of, by the regulator's clock
        sa.Column("state", sa.Text, nullable=False),  # held, counted, promoted
    )
    # the upkeep's question: which held warnings have waited out the hold
    op.create_index("held_warnings_waiting", "held_warnings", ["state", "received_at"])
    op.create_table(
        "held_events",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("project", sa.Text, nullable=False),
        sa.Column("alert_id", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("ts", sa.Float, nullable=False),
        sa.Column("backfill", sa.Boolean, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("has_evidence", sa.Boolean, nullable=False),
    )
    op.create_index("held_events_by_alert", "held_events", ["project", "alert_id", "ts"])
    op.create_table(
        "warning_counts",
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), primary_key=True),
        sa.Column("rule", sa.Text, primary_key=True),
        sa.Column("episodes", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("events", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("first_ts", sa.Float),  # site time of the first and the newest counted event
        sa.Column("last_ts", sa.Float),
    )


def downgrade() -> None:
    """Drop them (held warnings' events go with them: a downgrade is for undoing a release)."""
    op.drop_table("warning_counts")
    op.drop_table("held_events")
    op.drop_index("held_warnings_waiting", table_name="held_warnings")
    op.drop_table("held_warnings")
