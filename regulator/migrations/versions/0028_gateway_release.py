"""Each project's gateway release (issue 57 §3): the sitegw release its gateway's last heartbeat named, so
the regulator can tell which release each site runs (the overview's and the projects' lists show it).

``gateway_release``: NULL until a gateway that says its release is heard (gateways before 0.2.0 do not).

Revision ID: 0028
Revises: 0027
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column, empty: the next heartbeat of each gateway fills it."""
    op.add_column("projects", sa.Column("gateway_release", sa.Text))


def downgrade() -> None:
    """Drop it."""
    # ALTER TABLE, not a batch: SQLite's batch would copy the table without the triggers others put on it
    op.execute("ALTER TABLE projects DROP COLUMN gateway_release")
