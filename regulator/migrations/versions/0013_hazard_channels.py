"""Hazards from every channel (issue #16 §2): each hazard's ``source`` (gateway, inspection, self_check or
public, regulator/channels/), who recorded one that no gateway raised, and the public's reports, kept
apart from the ledger until an inspector of their district verifies or rejects them (群众举报查实).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Add the columns (every hazard so far came from a gateway) and the reports' table."""
    with op.batch_alter_table("hazards") as t:
        t.add_column(sa.Column("source", sa.Text, nullable=False, server_default="gateway"))
        t.add_column(sa.Column("found_by", sa.Text))  # the inspector or safety officer; NULL: a gateway
        t.create_check_constraint(
            "hazard_source", "source IN ('gateway', 'inspection', 'self_check', 'public')"
        )
    op.create_index("hazards_source_queue", "hazards", ["source", "state", "level_rank", "last_ts"])
    op.create_table(
        "public_reports",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("district_id", BIGID, sa.ForeignKey("jurisdictions.id"), nullable=False),
        sa.Column("site", sa.Text, nullable=False),  # the site as the reporter names it: name or address
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("photo_sha256", sa.Text),  # in the evidence store; shown only to the district's inspectors
        sa.Column("photo_size", sa.Integer),
        sa.Column("reporter", sa.Text, nullable=False, server_default=""),  # empty: anonymous
        sa.Column("contact", sa.Text, nullable=False, server_default=""),
        sa.Column("sender", sa.Text, nullable=False),  # SHA-256 of the source address: the flood limit's key
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="received"),
        sa.Column("decided_by", sa.Text),
        sa.Column("decided_at", sa.Float),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("hazard_id", BIGID, sa.ForeignKey("hazards.id")),
        sa.CheckConstraint("state IN ('received', 'verified', 'rejected')", name="public_report_state"),
    )
    op.create_index("public_reports_by_sender", "public_reports", ["sender", "received_at"])
    op.create_index("public_reports_by_time", "public_reports", ["received_at"])
    op.create_index("public_reports_by_district", "public_reports", ["district_id", "state", "received_at"])


def downgrade() -> None:
    """Drop them."""
    op.drop_table("public_reports")
    op.drop_index("hazards_source_queue", "hazards")
    with op.batch_alter_table("hazards") as t:
        t.drop_constraint("hazard_source", type_="check")
        t.drop_column("found_by")
        t.drop_column("source")
