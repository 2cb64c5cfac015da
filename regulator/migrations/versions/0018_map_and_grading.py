"""Projects on the real map, and the facts the campaign's grading needs that had no record (issue 40).

``projects.lat``/``lon``: where the site is (WGS-84 degrees), from ``add-project --lat/--lon`` or the
admin's form; NULL until known (the map lists such a project beside it).

``enforcement``: what a supervision station did to a project that the ledger had no row for: a dynamic
deduction (动态扣分) of ``points`` from ``company``, a stop-work order (责令停工) lifted at ``lifted_at``,
a routine inspection (监督检查) or a project's monthly report (月度报告) received: the two duties a
key-risk project has each month.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer, "sqlite")  # SQLite autoincrements INTEGER keys only


def upgrade() -> None:
    """Add the columns and the table."""
    op.add_column("projects", sa.Column("lat", sa.Float))
    op.add_column("projects", sa.Column("lon", sa.Float))
    op.create_table(
        "enforcement",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("company", sa.Text, nullable=False, server_default=""),  # a deduction's company
        sa.Column("points", sa.Float, nullable=False, server_default="0"),  # a deduction's points
        sa.Column("happened_at", sa.Float, nullable=False),
        sa.Column("lifted_at", sa.Float),  # a stop-work order's end (复工); NULL: still stopped
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.Float, nullable=False),
        sa.CheckConstraint(
            "kind IN ('deduction', 'stop_work', 'inspection', 'report')", name="enforcement_kind"
        ),
        sa.CheckConstraint("points >= 0", name="enforcement_points"),
    )
    op.create_index("enforcement_by_project", "enforcement", ["project", "kind", "happened_at"])


def downgrade() -> None:
    """Drop them."""
    op.drop_table("enforcement")
    for column in ("lon", "lat"):
        op.execute(f"ALTER TABLE projects DROP COLUMN {column}")
