"""A hazard's peak is its worst value, by its direction, of all its events and of the readings summaries of
its series while it is open (issue #37): a formwork pole that passed its 20 kN design value at 20.88 kN
and went on to 59 kN is ledgered at 59 kN, not at the first event's 20.88.

``peak_dir``: 1 when a higher value is worse, -1 when a lower one is (a clearance, a share), NULL for a
text value (no peak of its own). ``peak_metric``: the readings-summary metric the hazard's value is (a
formwork point's axial force, settlement, displacement, tilt; a crane's or a hoist's wind), NULL where the
value is no reading (a ratio, a rate, a change from a baseline).

Hazards stored before this revision get the direction their peak shows against its limit and the metric
their rule's value is; their peak stays as it was (their readings are folded in when a summary of their
series arrives while they are open).

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# regulator/peaks.py's READING_OF as this revision wrote it (a migration does not follow later code)
READING_OF = {
    "formwork.axial": "axial_kn",
    "formwork.settle": "settle_mm",
    "formwork.disp": "disp_h_mm",
    "formwork.tilt": "tilt_deg",
    "crane.wind": "wind_ms",
    "hoist.wind": "wind_ms",
}


def upgrade() -> None:
    """Add the columns, set them for the hazards there are, and index the hazards a summary may concern."""
    op.add_column("hazards", sa.Column("peak_dir", sa.SmallInteger))
    op.add_column("hazards", sa.Column("peak_metric", sa.Text))
    metric = " ".join(f"WHEN '{rule}' THEN '{m}'" for rule, m in READING_OF.items())
    op.execute(
        "UPDATE hazards SET peak_dir = CASE WHEN peak_value IS NULL OR peak_threshold IS NULL THEN NULL "
        "WHEN peak_value >= peak_threshold THEN 1 ELSE -1 END, "
        f"peak_metric = CASE rule {metric} END WHERE source = 'gateway'"
    )
    # a readings summary's series -> the hazards of it (few per project have a metric)
    op.create_index(
        "hazards_by_series",
        "hazards",
        ["project", "device", "point", "peak_metric"],
        postgresql_where=sa.text("peak_metric IS NOT NULL"),
        sqlite_where=sa.text("peak_metric IS NOT NULL"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_index("hazards_by_series", table_name="hazards")
    # ALTER TABLE, not a batch: SQLite's batch copies the table, and the copy has none of 0015's triggers
    for column in ("peak_metric", "peak_dir"):
        op.execute(f"ALTER TABLE hazards DROP COLUMN {column}")
