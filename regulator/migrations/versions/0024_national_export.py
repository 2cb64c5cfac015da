"""The national platform's exchange packages (issue 39 parts 1 and 2): each package produced (its period,
jurisdiction, who made it and when, the zip's SHA-256 and what it held) and the accidents in it, so that
marking it sent (sent_at, sent_by) reports each of them to the national platform and stops its 48 h clock
(regulator/reports/national_packages.py).

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "national_exports",
        sa.Column("id", sa.Text, primary_key=True),  # e.g. NE-20261125-060512-3f9a1c, written in the package
        sa.Column("jurisdiction", sa.Text, nullable=False),  # the producer's place path; '' for every project
        sa.Column("period_from", sa.Float, nullable=False),  # Unix seconds, included
        sa.Column("period_to", sa.Float, nullable=False),  # Unix seconds, excluded
        sa.Column("produced_by", sa.Text, nullable=False),
        sa.Column("produced_at", sa.Float, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),  # of the zip as handed out
        sa.Column("counts", sa.Text, nullable=False),  # JSON: records per item
        sa.Column("sent_at", sa.Float),  # when it was uploaded to the national platform, as the sender says
        sa.Column("sent_by", sa.Text),
        sa.Column("marked_by", sa.Text),  # the user who recorded the sending, and when
        sa.Column("marked_at", sa.Float),
    )
    op.create_index("national_exports_produced", "national_exports", ["produced_at"])
    op.create_table(
        "national_export_incidents",
        sa.Column("package_id", sa.Text, sa.ForeignKey("national_exports.id"), primary_key=True),
        sa.Column("incident_id", BIGID, sa.ForeignKey("incidents.id"), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("national_export_incidents")
    op.drop_index("national_exports_produced", "national_exports")
    op.drop_table("national_exports")
