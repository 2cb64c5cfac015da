"""A record the province refuses for good is set aside, not a wall (issue 50 §3).

``forward_quarantine`` (the city): each of its records the province refused for a reason retrying cannot cure
(a place outside the city, a project the province does not know, a row it cannot read), with the province's
reason code and words, its project, and when it was first and last refused; the forwarder sends everything
behind it meanwhile, and a fix of the project (or ``sitegw regulator forwarding release``) queues it again.

``forward_refusals`` (the province): the same refusals as the province saw them, per city, for its cities'
page; ``forward_cities.backlog``: the changes a city said it still had queued at its last contact;
``forward_state.contact_at``: when the city last had the province's receipt.

Revision ID: 0029
Revises: 0028
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Both tables, empty; the column, NULL until the city's next batch."""
    op.create_table(
        "forward_quarantine",
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("ref", sa.Text, primary_key=True),
        sa.Column("project", sa.Text),  # the project whose fix releases it (None: only by hand)
        sa.Column("seq", sa.BigInteger, nullable=False),  # its outbox position when refused: release order
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("first_at", sa.Float, nullable=False),
        sa.Column("last_at", sa.Float, nullable=False),
        sa.Column("refusals", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_table(
        "forward_refusals",
        sa.Column("origin", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("ref", sa.Text, primary_key=True),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("first_at", sa.Float, nullable=False),
        sa.Column("last_at", sa.Float, nullable=False),
    )
    op.add_column("forward_cities", sa.Column("backlog", sa.BigInteger))
    op.add_column("forward_state", sa.Column("contact_at", sa.Float))  # the province's last receipt


def downgrade() -> None:
    """Drop them."""
    op.execute("ALTER TABLE forward_state DROP COLUMN contact_at")
    op.execute("ALTER TABLE forward_cities DROP COLUMN backlog")
    op.drop_table("forward_refusals")
    op.drop_table("forward_quarantine")
