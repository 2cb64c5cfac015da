"""四不两直 inspections on a phone (issue 53 §3, regulator/inspections/on_site.py), 举一反三 sweeps after an
accident (§5, sweeps.py) and the typical cases a bureau exposes on its public page (§6, public_page.py).

An inspection sent from a phone carries the phone's key for it (sent twice, it is one record), where the
phone was, and each checklist item's result (a failed one's hazard); each photo is kept once by the
phone's key for it, with when it was taken and where, first on its own (a poor connection sends photos one
at a time) and then tied to the inspection that cites it. A typical case is a hazard or an accident a
bureau chose to expose, with the text the bureau wrote for the public.

Revision ID: 0034
Revises: 0032
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0032"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _position(prefix: str = "") -> list[sa.Column[float]]:
    """Where the phone said it was (WGS-84 degrees and its accuracy in metres), each NULL when not given."""
    return [sa.Column(f"{prefix}{name}", sa.Float) for name in ("latitude", "longitude", "accuracy_m")]


def upgrade() -> None:
    """Add the phone's keys and positions to inspection records and a sweep's accident to plans; create the
    results, photos and cases."""
    # a 举一反三 sweep (regulator/inspections/sweeps.py): the accident it follows and the kind of work it reaches
    with op.batch_alter_table("inspection_plans") as batch:  # SQLite adds a foreign key by copying the table
        batch.add_column(sa.Column("incident_id", BIGID, sa.ForeignKey("incidents.id", name="plan_incident")))
        batch.add_column(sa.Column("work", sa.Text))
    op.add_column("inspection_records", sa.Column("client_key", sa.Text))  # the phone's; NULL: not a phone's
    op.add_column("inspection_records", sa.Column("received_at", sa.Float))
    for column in _position():
        op.add_column("inspection_records", column)
    op.create_index("inspection_records_once", "inspection_records", ["inspector", "client_key"], unique=True)
    op.create_table(
        "inspection_results",
        sa.Column("record_id", BIGID, sa.ForeignKey("inspection_records.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),  # the checklist's order; extra findings after
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("article", sa.Text, nullable=False),
        sa.Column("result", sa.Text, nullable=False),  # pass | fail | na
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("hazard_id", BIGID, sa.ForeignKey("hazards.id")),  # a failed item's hazard
    )
    op.create_table(
        "inspection_photos",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("inspector", sa.Text, nullable=False),
        sa.Column("client_key", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("taken_at", sa.Float, nullable=False),
        *_position(),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("record_id", BIGID, sa.ForeignKey("inspection_records.id")),  # NULL: not yet cited
        sa.Column("position", sa.Integer),  # the result it shows (NULL: the inspection as a whole)
        sa.UniqueConstraint("inspector", "client_key", name="inspection_photos_once"),
    )
    op.create_index("inspection_photos_by_record", "inspection_photos", ["record_id"])
    op.create_table(
        "public_cases",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("hazard_id", BIGID, sa.ForeignKey("hazards.id")),
        sa.Column("incident_id", BIGID, sa.ForeignKey("incidents.id")),
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),  # the bureau's redacted text, the only one shown
        sa.Column("published_by", sa.Text, nullable=False),
        sa.Column("published_at", sa.Float, nullable=False),
        sa.Column("withdrawn_at", sa.Float),  # NULL: on the public page
        sa.CheckConstraint("(hazard_id IS NULL) <> (incident_id IS NULL)", name="public_case_of_one"),
    )


def downgrade() -> None:
    """Drop them."""
    for table in ("public_cases", "inspection_photos", "inspection_results"):
        op.drop_table(table)
    op.drop_index("inspection_records_once", "inspection_records")
    with op.batch_alter_table("inspection_records") as batch:
        for name in ("client_key", "received_at", "latitude", "longitude", "accuracy_m"):
            batch.drop_column(name)
    with op.batch_alter_table("inspection_plans") as batch:
        batch.drop_column("work")
        batch.drop_column("incident_id")
