"""Enforcement on record (issue 53 §4, regulator/ledger/enforcement_records.py, person_scores.py): the
administrative penalties (行政处罚), talks (约谈) and circulated notices (通报) a station issued, each with
its decision document kept in the evidence store; and the person-level scores (个人记分) of project
managers and chief supervising engineers.

Revision ID: 0032
Revises: 0031
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the enforcement actions and the person scores."""
    op.create_table(
        "enforcement_actions",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.Text, nullable=False),  # penalty | interview | notice
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("authority", sa.Text, nullable=False),  # the issuing place's path ('' : unscoped user)
        sa.Column("case_number", sa.Text),  # a penalty's 案号; unique per authority
        sa.Column("article", sa.Text, nullable=False, server_default=""),  # the law and article applied
        sa.Column("party", sa.Text, nullable=False),  # company, or person (name only)
        sa.Column("party_kind", sa.Text, nullable=False),  # company | person
        sa.Column("amount", sa.Float, nullable=False, server_default="0"),  # yuan
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("happened_at", sa.Float, nullable=False),
        sa.Column("document_sha256", sa.Text),
        sa.Column("document_type", sa.Text),  # pdf | jpg | png
        sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.Float, nullable=False),
        sa.CheckConstraint("kind IN ('penalty', 'interview', 'notice')", name="enforcement_action_kind"),
        sa.CheckConstraint("party_kind IN ('company', 'person')", name="enforcement_action_party"),
        sa.CheckConstraint("amount >= 0", name="enforcement_action_amount"),
        sa.UniqueConstraint("authority", "case_number", name="enforcement_action_case"),
    )
    op.create_index("enforcement_actions_by_project", "enforcement_actions", ["project", "happened_at"])
    op.create_table(
        "person_scores",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("person", sa.Text, nullable=False),  # name
        sa.Column("certificate", sa.Text, nullable=False),  # 注册/执业证书编号: who, never shown publicly
        sa.Column("role", sa.Text, nullable=False),  # manager | chief_supervisor
        sa.Column("points", sa.Float, nullable=False),
        sa.Column("rule_item", sa.Text, nullable=False),  # the province's scoring rule's item
        sa.Column("happened_at", sa.Float, nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.Float, nullable=False),
        sa.CheckConstraint("role IN ('manager', 'chief_supervisor')", name="person_score_role"),
        sa.CheckConstraint("points > 0", name="person_score_points"),
    )
    op.create_index("person_scores_by_certificate", "person_scores", ["certificate", "happened_at"])


def downgrade() -> None:
    """Drop them."""
    op.drop_table("person_scores")
    op.drop_table("enforcement_actions")
