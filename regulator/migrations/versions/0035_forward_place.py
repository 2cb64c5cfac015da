"""The platform's own place on its link to the level above (issue 50): ``forward_state.jurisdiction``, as
``--forward-jurisdiction`` says it (广东省/深圳市 for a city, 广东省/深圳市/南山区 for a district), so the
forwarding page names the level it forwards to (a district's city, a city's province) from the place, not
"the province" whatever the level. Empty until the forwarder's next start writes it.

Revision ID: 0035
Revises: 0034
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column, empty: the forwarder's next start fills it."""
    op.add_column("forward_state", sa.Column("jurisdiction", sa.Text))


def downgrade() -> None:
    """Drop it."""
    op.execute("ALTER TABLE forward_state DROP COLUMN jurisdiction")
