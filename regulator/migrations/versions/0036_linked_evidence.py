"""Linked evidence (issue 50, "the province sees the cities' work"): at a province, the public address of each
registered city (``forward_cities.public_url``, ``add-city --url``) its users' browsers open a city's evidence
at; at a city, who at the province opened which object of which hazard by a signed link (``evidence_views``),
each link's nonce once.

Revision ID: 0036
Revises: 0035
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Add the column (empty: no address, no links) and the table."""
    op.add_column("forward_cities", sa.Column("public_url", sa.Text, nullable=False, server_default=""))
    op.create_table(
        "evidence_views",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("hazard_id", BIGID, sa.ForeignKey("hazards.id"), nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("viewer", sa.Text, nullable=False),  # the province's user
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("platform", sa.Text, nullable=False),  # the link's city id at the province
        sa.Column("nonce", sa.Text, nullable=False, unique=True),  # a link opens once
        sa.Column("address", sa.Text, nullable=False),  # the browser's
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("viewed_at", sa.Float, nullable=False),
    )
    op.create_index("evidence_views_by_hazard", "evidence_views", ["hazard_id", "id"])


def downgrade() -> None:
    """Drop both."""
    op.drop_table("evidence_views")
    op.execute("ALTER TABLE forward_cities DROP COLUMN public_url")
