"""Jurisdictions (辖区): the province → city → district tree (``jurisdictions``), each project in one district
(``projects.district_id``) and each user at one place (``users.jurisdiction_id``).

Existing projects are placed from the city and district they were registered with
(regulator/storage/jurisdictions.py: 深圳 + 南山区 -> 广东省/深圳市/南山区; no district -> the city's 未定区县).
Existing users get no jurisdiction, which means every project: a regulator or admin of before this
revision keeps seeing and acting on all of them, as before. Give one a place with
``sitegw regulator add-user NAME --role regulator --jurisdiction 广东省/深圳市/南山区``.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from regulator.storage.jurisdictions import place_projects

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the tree, link projects and users to it, place the existing projects."""
    op.create_table(
        "jurisdictions",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("parent_id", BIGID, sa.ForeignKey("jurisdictions.id")),  # NULL: a province
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False, unique=True),  # 广东省/深圳市/南山区
        sa.CheckConstraint("level IN ('province', 'city', 'district')", name="jurisdiction_level"),
    )
    op.create_index("jurisdictions_by_parent", "jurisdictions", ["parent_id"])
    with op.batch_alter_table("projects") as t:
        t.add_column(
            sa.Column("district_id", BIGID, sa.ForeignKey("jurisdictions.id", name="project_district"))
        )
    op.create_index("projects_by_district", "projects", ["district_id"])
    with op.batch_alter_table("users") as t:
        # NULL: every project (an admin, or a user from before jurisdictions: as it was)
        t.add_column(
            sa.Column("jurisdiction_id", BIGID, sa.ForeignKey("jurisdictions.id", name="user_jurisdiction"))
        )
    # a picture is served only if it is of a hazard the user may see: found by its hash
    op.create_index("evidence_by_sha256", "evidence", ["sha256"])
    place_projects(op.get_bind())


def downgrade() -> None:
    """Drop them (the projects keep their city and district names)."""
    op.drop_index("evidence_by_sha256", "evidence")
    with op.batch_alter_table("users") as t:
        t.drop_column("jurisdiction_id")
    op.drop_index("projects_by_district", "projects")
    with op.batch_alter_table("projects") as t:
        t.drop_column("district_id")
    op.drop_index("jurisdictions_by_parent", "jurisdictions")
    op.drop_table("jurisdictions")
