"""A city's project liveness at the province (issue 50 §1): what the city's summaries say of each of its
projects' gateway, devices and cameras, so the province's pages show a forwarded project as live as its own.

``devices_online``/``devices_total``, ``cameras_online``/``cameras_total``: NULL for a project whose gateway
reports here (its own liveness is read from its rows), set from the city's summaries for a forwarded one;
``liveness_at``: the city's time of the summary kept, so an older one arriving late changes nothing.

Revision ID: 0031
Revises: 0030
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

COLUMNS = ("devices_online", "devices_total", "cameras_online", "cameras_total")


def upgrade() -> None:
    """Add the columns, empty: the city's next summary fills them."""
    for name in COLUMNS:
        op.add_column("projects", sa.Column(name, sa.Integer))
    op.add_column("projects", sa.Column("liveness_at", sa.Float))


def downgrade() -> None:
    """Drop them."""
    # ALTER TABLE, not a batch: SQLite's batch would copy the table without the triggers others put on it
    for name in (*COLUMNS, "liveness_at"):
        op.execute(f"ALTER TABLE projects DROP COLUMN {name}")
