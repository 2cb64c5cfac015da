"""The provincial video-monitoring project set (省级视频监控项目集, regulator/ledger/video_set.py): the projects in it
now, with their category, and every inclusion, change and removal with its reason and date.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the set and its history."""
    op.create_table(
        "video_set",
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), primary_key=True),
        sa.Column("category", sa.Text, nullable=False),  # regulator/ledger/video_set.py CATEGORIES
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("effective_on", sa.Text, nullable=False),  # yyyy-MM-dd, the decision's date (Beijing)
        sa.Column("decided_by", sa.Text, nullable=False),
        sa.Column("decided_at", sa.Float, nullable=False),
    )
    op.create_table(
        "video_set_changes",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("effective_on", sa.Text, nullable=False),
        sa.Column("decided_by", sa.Text, nullable=False),
        sa.Column("decided_at", sa.Float, nullable=False),
        sa.CheckConstraint("action IN ('include', 'change', 'remove')", name="video_set_action"),
    )
    op.create_index("video_set_changes_by_project", "video_set_changes", ["project", "id"])


def downgrade() -> None:
    """Drop them."""
    op.drop_table("video_set_changes")
    op.drop_table("video_set")
