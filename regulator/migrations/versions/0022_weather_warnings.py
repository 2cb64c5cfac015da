"""Regional warning signals issued by an authority (气象灾害预警信号, issue #39 part 3): the warning for a
jurisdiction, and per project of that jurisdiction when its gateway received it (the first feedback poll
that carried it) and when a supervisor acknowledged it, and who (regulator/ledger/weather_warnings.py).

Revision ID: 0022
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021_accidents"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "weather_warnings",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("jurisdiction", sa.Text, nullable=False),  # the place's path, e.g. 广东省/深圳市
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("colour", sa.Text, nullable=False),
        sa.Column("measure", sa.Text, nullable=False),
        sa.Column("valid_from", sa.Float, nullable=False),
        sa.Column("valid_to", sa.Float),
        sa.Column("issued_by", sa.Text, nullable=False),
        sa.Column("issued_at", sa.Float, nullable=False),
    )
    op.create_index("weather_warnings_place", "weather_warnings", ["jurisdiction", "valid_to"])
    op.create_table(
        "weather_warning_sites",
        sa.Column("warning_id", BIGID, sa.ForeignKey("weather_warnings.id"), primary_key=True),
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), primary_key=True),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("acked_at", sa.Float),
        sa.Column("acked_by", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("weather_warning_sites")
    op.drop_index("weather_warnings_place", "weather_warnings")
    op.drop_table("weather_warnings")
