"""Accidents on the clock and the 危大 list (issue 39 parts 2 and 5): how each report of an incident was made
(by hand, forwarded, exported) and how late it came (迟报, kept as recorded); the 四不放过 checklist, the
investigation's and the penalty's completion and the incident's closing; each project's list of dangerous
works as its gateway last sent it.

Revision ID: 0021_accidents
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_accidents"
down_revision = "0020_safety_logs"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Add the columns and the two tables."""
    op.add_column("incident_reports", sa.Column("how", sa.Text, nullable=False, server_default="manual"))
    # seconds past the clock's deadline when the report was recorded (None: in time, or no clock yet)
    op.add_column("incident_reports", sa.Column("late_s", sa.Float))
    for column in ("investigation_done", "penalty_done", "closed"):
        op.add_column("incidents", sa.Column(f"{column}_at", sa.Float))
        op.add_column("incidents", sa.Column(f"{column}_by", sa.Text))
    op.create_table(
        "incident_steps",  # the 四不放过 checklist: one row per step done
        sa.Column("incident_id", BIGID, sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("step", sa.Text, primary_key=True),  # regulator/ledger/accident_followup.py STEPS
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("done_by", sa.Text, nullable=False),
        sa.Column("done_at", sa.Float, nullable=False),
    )
    op.create_table(
        "dangerous_works",  # the 危大 list as the project's gateway last sent it
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), primary_key=True),
        sa.Column(
            "items", sa.Text, nullable=False
        ),  # JSON: contract/config/dangerous_works.py DangerousWork[]
        sa.Column("received_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("dangerous_works")
    op.drop_table("incident_steps")
    for column in ("investigation_done", "penalty_done", "closed"):
        op.drop_column("incidents", f"{column}_at")
        op.drop_column("incidents", f"{column}_by")
    op.drop_column("incident_reports", "late_s")
    op.drop_column("incident_reports", "how")
