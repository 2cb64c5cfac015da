"""Listed supervision (挂牌督办, regulator/ledger/supervision.py): a major hazard's listing at each level (district,
city; province when escalated), the notices issued under it (整改通知书, 停工整改通知书) and the
re-inspections (复查) that close it.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "listings",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("hazard_id", BIGID, sa.ForeignKey("hazards.id"), nullable=False),
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("level", sa.Text, nullable=False),  # district, city or province
        sa.Column("authority", sa.Text, nullable=False),  # the listing place's path, 广东省/深圳市/南山区
        sa.Column("deadline", sa.Float, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="listed"),
        sa.Column("listed_by", sa.Text, nullable=False),
        sa.Column("listed_at", sa.Float, nullable=False),
        sa.Column("escalated_to", sa.Text),  # the path of the level above, once overdue
        sa.Column("escalated_at", sa.Float),
        sa.Column("closed_by", sa.Text),
        sa.Column("closed_at", sa.Float),
        sa.CheckConstraint("level IN ('district', 'city', 'province')", name="listing_level"),
        sa.CheckConstraint("state IN ('listed', 'escalated', 'closed')", name="listing_state"),
        sa.UniqueConstraint("hazard_id", "level", name="listing_once_per_level"),
    )
    op.create_index("listings_open", "listings", ["state", "deadline"])
    op.create_index("listings_by_project", "listings", ["project"])
    op.create_table(
        "notices",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("listing_id", BIGID, sa.ForeignKey("listings.id"), nullable=False),
        sa.Column("hazard_id", BIGID, sa.ForeignKey("hazards.id"), nullable=False),
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),  # rectify (整改通知书) or stop_work (停工整改通知书)
        sa.Column("number", sa.Text, nullable=False, unique=True),
        sa.Column("seq", sa.Integer, nullable=False),  # the authority's count in the year
        sa.Column("deadline", sa.Float, nullable=False),
        sa.Column("issued_by", sa.Text, nullable=False),
        sa.Column("issued_at", sa.Float, nullable=False),
        sa.CheckConstraint("kind IN ('rectify', 'stop_work')", name="notice_kind"),
    )
    op.create_index("notices_by_project", "notices", ["project", "id"])
    op.create_table(
        "reinspections",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("hazard_id", BIGID, sa.ForeignKey("hazards.id"), nullable=False),
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("inspector", sa.Text, nullable=False),
        sa.Column("jurisdiction", sa.Text),  # the inspector's place then (None: every project)
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("photo_sha256", sa.Text, nullable=False),
        sa.Column("ts", sa.Float, nullable=False),
    )
    op.create_index("reinspections_by_hazard", "reinspections", ["hazard_id", "ts"])


def downgrade() -> None:
    """Drop them."""
    op.drop_table("reinspections")
    op.drop_table("notices")
    op.drop_table("listings")
