"""Risk grading (regulator/reports/risk.py): a project's supervision company (监理单位) beside its contractor, and the
weights of the risk score as regulators set them (the code's defaults where no row is kept).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column and the table."""
    op.add_column("projects", sa.Column("supervisor", sa.Text, nullable=False, server_default=""))
    op.create_table(
        "risk_weights",
        sa.Column("name", sa.Text, primary_key=True),  # regulator/reports/risk.py RiskPolicy's field
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("risk_weights")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("supervisor")
