"""Patrols as records (巡查记录, regulator/ledger/patrol_duty.py): who patrolled when, and each project (camera) they
looked at with what they found, a hazard recorded from the picture linked to it; the video-monitoring set's
coverage is counted from these sightings.

Revision ID: 0019_patrol_duty
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_patrol_duty"
down_revision = "0018"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the patrols and their sightings; coverage reads sightings by project and time."""
    op.create_table(
        "patrols",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("patrolled_by", sa.Text, nullable=False),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("ended_at", sa.Float),  # NULL: under way
        sa.Column("note", sa.Text, nullable=False, server_default=""),  # the patrol's summary at its end
    )
    op.create_table(
        "patrol_sightings",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("patrol_id", BIGID, sa.ForeignKey("patrols.id"), nullable=False),
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("camera", sa.Text, nullable=False, server_default=""),
        sa.Column("seen_at", sa.Float, nullable=False),
        sa.Column("finding", sa.Text, nullable=False, server_default=""),  # empty: nothing found
        sa.Column("hazard_id", BIGID, sa.ForeignKey("hazards.id")),  # a hazard recorded from the picture
    )
    op.create_index("patrol_sightings_by_project", "patrol_sightings", ["project", "seen_at"])
    op.create_index("patrol_sightings_by_patrol", "patrol_sightings", ["patrol_id", "id"])


def downgrade() -> None:
    """Drop them."""
    op.drop_table("patrol_sightings")
    op.drop_table("patrols")
