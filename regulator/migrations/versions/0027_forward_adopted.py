"""The province marks which of a city's forwarded records are its own rows coming back (issue 56 finding 3):
``forward_records.adopted`` is true where the city's record named the province's row by ``upstream_id``
(a listing, notice or action the province made, which came down to the city and goes back up). Such a row
is the province's: what the city sends for it later is never written into it, so a city cannot rewrite the
province's decisions or its audit trail (regulator/forwarding/apply.py).

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # adoptions made before this revision cannot be told from the city's own records here: they stay false
    op.add_column(
        "forward_records", sa.Column("adopted", sa.Boolean, nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    op.drop_column("forward_records", "adopted")
