"""The review queue over every open hazard (state IN the four open states) reads a partial index in
order instead of sorting every open hazard: 80,000 open of 200,000 took ~150 ms to sort on PostgreSQL.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# the same text the queue's WHERE uses (regulator/ledger/review.py OPEN_STATES), so the planner matches it
OPEN = "state IN ('pending', 'confirmed', 'rectifying', 'reported')"


def upgrade() -> None:
    """Add the open-queue partial index."""
    op.create_index(
        "hazards_open_queue",
        "hazards",
        ["level_rank", "last_ts"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_index("hazards_open_queue", table_name="hazards")
