"""The authority's year (issue 53 §1–2, regulator/inspections/): inspection plans (a 全覆盖 round with its
deadline, a monthly theme with its checklist, a 双随机 draw), the projects each must reach, the inspections
that cover them; the 双随机 pools of inspectors and projects, the inspectors' recusals, and each draw with
its recorded seed, who drew and the pools as they stood.

Revision ID: 0030
Revises: 0029
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the plans, their targets and inspections, the pools, recusals and draws."""
    op.create_table(
        "inspection_plans",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.Text, nullable=False),  # round | theme | draw
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("theme", sa.Text),  # a theme plan's theme (regulator/inspections/themes.py)
        sa.Column("place", sa.Text, nullable=False),  # the jurisdiction's path it covers ('' : everywhere)
        sa.Column("starts_at", sa.Float, nullable=False),
        sa.Column("due_at", sa.Float, nullable=False),  # every target inspected before it
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "inspection_targets",
        sa.Column("plan_id", BIGID, sa.ForeignKey("inspection_plans.id"), primary_key=True),
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), primary_key=True),
    )
    op.create_table(
        "inspection_assignments",
        sa.Column("plan_id", BIGID, sa.ForeignKey("inspection_plans.id"), primary_key=True),
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), primary_key=True),
        sa.Column("inspector", sa.Text, primary_key=True),
    )
    op.create_table(
        "inspection_records",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("plan_id", BIGID, sa.ForeignKey("inspection_plans.id")),  # NULL: an inspection of no plan
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("inspector", sa.Text, nullable=False),
        sa.Column("inspected_at", sa.Float, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("inspection_records_by_plan", "inspection_records", ["plan_id", "project"])
    op.create_index("inspection_records_by_project", "inspection_records", ["project", "inspected_at"])
    op.create_table(
        "draw_pool_members",
        sa.Column("pool", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, primary_key=True),  # inspector | project
        sa.Column("member", sa.Text, primary_key=True),  # a user's name or a project's code
    )
    op.create_table(
        "draw_recusals",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("inspector", sa.Text, nullable=False),
        sa.Column("project", sa.Text),  # a past role on it
        sa.Column("company", sa.Text),  # a tie to the company: none of its projects
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.Float, nullable=False),
    )
    op.create_table(
        "draws",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("plan_id", BIGID, sa.ForeignKey("inspection_plans.id"), nullable=False),
        sa.Column("inspector_pool", sa.Text, nullable=False),
        sa.Column("project_pool", sa.Text, nullable=False),
        sa.Column("seed", sa.Text, nullable=False),
        sa.Column("projects", sa.Integer, nullable=False),  # how many projects were drawn
        sa.Column("per_project", sa.Integer, nullable=False),  # inspectors drawn for each
        sa.Column("pools", sa.Text, nullable=False),  # JSON: the pools and recusals as drawn from
        sa.Column("drawn_by", sa.Text, nullable=False),
        sa.Column("drawn_at", sa.Float, nullable=False),
        sa.Column("published_at", sa.Float),  # NULL: not yet on the public page
    )


def downgrade() -> None:
    """Drop them."""
    for table in (
        "draws",
        "draw_recusals",
        "draw_pool_members",
        "inspection_records",
        "inspection_assignments",
        "inspection_targets",
        "inspection_plans",
    ):
        op.drop_table(table)
