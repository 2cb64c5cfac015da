"""The sites' daily safety logs (施工安全日志) and their key people's attendance (regulator/channels/safety_logs.py): one
signed log per project and day (the body as received), one attendance row per project, day and key person.

Revision ID: 0020_safety_logs
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_safety_logs"
down_revision = "0019_patrol_duty"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables; their keys are also the listings' order."""
    op.create_table(
        "safety_logs",
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("day", sa.Text, nullable=False),  # YYYY-MM-DD, the site's (Beijing) calendar day
        sa.Column("signed_by", sa.Text, nullable=False),
        sa.Column("signed_at", sa.Float, nullable=False),  # late when after the day's deadline
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("body", sa.Text, nullable=False),  # contract.safety_log.SafetyLog as JSON
        sa.PrimaryKeyConstraint("project", "day", name="safety_logs_pkey"),
    )
    op.create_table(
        "key_attendance",
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("day", sa.Text, nullable=False),
        sa.Column("person", sa.Text, nullable=False),  # '' marks a day sent without key people
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("first_in", sa.Float),
        sa.Column("last_out", sa.Float),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("project", "day", "person", name="key_attendance_pkey"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("key_attendance")
    op.drop_table("safety_logs")
