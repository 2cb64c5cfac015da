"""A hazard keeps its peak: the value, limit, message and time of the event that reached its worst level
(and, within that level, went furthest past the limit), besides the newest figures it kept already.

A site resolves an alert with an event carrying the value at that moment: an overload that peaked at
107.7 % is resolved at 32 %, and a queue showing the newest figures read "起重量 32 %". The review queue
now shows the peak and the clause of the worst level (``clause`` follows the peak from here on).

``peak_firing``: the peak came from a firing or updated event, not from an acknowledgement or the
resolution (which only stand in until the alert's own events arrive, e.g. out of order).

Hazards stored before this revision start from the figures they kept (the newest), recomputing them
from their events would read every event body of a province's ledger during the upgrade.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# a value kept as text (AlertEvent.value may be a string) that is a plain number
NUMERIC = {
    "postgresql": r"value ~ '^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$'",
    "sqlite": "value <> '' AND value NOT GLOB '*[^0-9.eE+-]*' AND value GLOB '*[0-9]*'",
}


def upgrade() -> None:
    """Add the peak columns and start them from each hazard's kept figures."""
    with op.batch_alter_table("hazards") as t:
        t.add_column(sa.Column("peak_value", sa.Float))
        t.add_column(sa.Column("peak_threshold", sa.Float))
        t.add_column(sa.Column("peak_message", sa.Text, nullable=False, server_default=""))
        t.add_column(sa.Column("peak_ts", sa.Float))
        t.add_column(sa.Column("peak_firing", sa.Boolean, nullable=False, server_default=sa.false()))
    numeric = NUMERIC[op.get_bind().dialect.name]
    op.execute(
        sa.text(
            f"UPDATE hazards SET peak_value = CASE WHEN {numeric} THEN CAST(value AS DOUBLE PRECISION) END, "
            "peak_threshold = threshold, peak_message = message, peak_ts = last_ts"
        )
    )


def downgrade() -> None:
    """Drop the peak columns."""
    with op.batch_alter_table("hazards") as t:
        for column in ("peak_firing", "peak_ts", "peak_message", "peak_threshold", "peak_value"):
            t.drop_column(column)
