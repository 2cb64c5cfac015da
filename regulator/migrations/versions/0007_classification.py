"""Classification against 建质规〔2024〕5号: the table mapping rule and clause to major or general with the
article and item (seeded from docs/standards.md, regulator/ledger/classify.py), and an inspector's
reclassification of one hazard (``class_*``, NULL while the table decides).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

from regulator.ledger.classify import SEEDS

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create and seed the table; add the reclassification columns."""
    table = op.create_table(
        "classification_rules",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("rule", sa.Text, nullable=False),  # a rule id, or * for any
        sa.Column("clause_contains", sa.Text, nullable=False, server_default=""),
        sa.Column("major", sa.Boolean, nullable=False),
        sa.Column("article", sa.Text, nullable=False, server_default=""),
        sa.Column("item", sa.Text, nullable=False, server_default=""),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("rule", "clause_contains", name="classification_once"),
    )
    now = time.time()
    op.bulk_insert(
        table,
        [
            {
                "rule": s.rule,
                "clause_contains": s.clause_contains,
                "major": s.major,
                "article": s.article,
                "item": s.item,
                "basis": s.basis,
                "updated_by": "seed (docs/standards.md)",
                "updated_at": now,
            }
            for s in SEEDS
        ],
    )
    with op.batch_alter_table("hazards") as t:
        t.add_column(sa.Column("class_major", sa.Boolean))
        t.add_column(sa.Column("class_article", sa.Text))
        t.add_column(sa.Column("class_item", sa.Text))
        t.add_column(sa.Column("class_basis", sa.Text))
        t.add_column(sa.Column("class_by", sa.Text))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("hazards") as t:
        for column in ("class_by", "class_basis", "class_item", "class_article", "class_major"):
            t.drop_column(column)
    op.drop_table("classification_rules")
