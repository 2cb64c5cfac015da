"""The ledger of accidents and serious near misses (非亡人事故和重大险情台账, regulator/ledger/incidents.py): each
incident of a project, and each report of it (who, when, to which level or system).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the two tables."""
    op.create_table(
        "incidents",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("occurred_at", sa.Float, nullable=False),
        sa.Column("deaths", sa.Integer, nullable=False, server_default="0"),
        sa.Column("injuries", sa.Integer, nullable=False, server_default="0"),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),  # the user who entered it
        sa.Column("recorded_at", sa.Float, nullable=False),
        sa.CheckConstraint("kind IN ('accident', 'near_miss')", name="incident_kind"),
        sa.CheckConstraint("deaths >= 0 AND injuries >= 0", name="incident_casualties"),
    )
    op.create_index("incidents_by_project", "incidents", ["project", "occurred_at"])
    op.create_table(
        "incident_reports",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("incident_id", BIGID, sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("to_level", sa.Text, nullable=False),  # regulator/ledger/incidents.py CLOCKS' ``to``
        sa.Column("reported_by", sa.Text, nullable=False),  # the person who reported, as told
        sa.Column("reported_at", sa.Float, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.Float, nullable=False),
    )
    op.create_index("incident_reports_by_incident", "incident_reports", ["incident_id"])


def downgrade() -> None:
    """Drop them."""
    op.drop_table("incident_reports")
    op.drop_table("incidents")
