"""The regulator's service: projects, ingest (nonces, events, evidence, readings), the hazard ledger
(hazards, actions as audit trail), users and sessions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets BIGSERIAL for the big tables
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create every table of the first release."""
    op.create_table(
        "projects",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("city", sa.Text, nullable=False, server_default=""),
        sa.Column("district", sa.Text, nullable=False, server_default=""),
        sa.Column("contractor", sa.Text, nullable=False, server_default=""),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_seen_at", sa.Float),
    )
    op.create_table(
        "nonces",
        sa.Column("project", sa.Text, primary_key=True),
        sa.Column("nonce", sa.Text, primary_key=True),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("nonces_by_expiry", "nonces", ["expires_at"])
    op.create_table(
        "hazards",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("alert_id", sa.Text, nullable=False),
        sa.Column("city", sa.Text, nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("device", sa.Text, nullable=False),
        sa.Column("point", sa.Text, nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("clause", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("level_rank", sa.SmallInteger, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("threshold", sa.Float),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("site_state", sa.Text, nullable=False),
        sa.Column("first_ts", sa.Float, nullable=False),
        sa.Column("last_ts", sa.Float, nullable=False),
        sa.Column("evidence_event", sa.Text),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("major", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("deadline", sa.Float),
        sa.Column("escalated_at", sa.Float),
        sa.Column("closed_at", sa.Float),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("project", "alert_id", name="hazards_one_per_alert"),
    )
    # the review queue: one state, most severe then newest first, optionally one city or project
    op.create_index("hazards_queue", "hazards", ["state", "level_rank", "last_ts"])
    op.create_index("hazards_city_queue", "hazards", ["city", "state", "level_rank", "last_ts"])
    op.create_index("hazards_project_queue", "hazards", ["project", "state", "level_rank", "last_ts"])
    op.create_index("hazards_deadline", "hazards", ["state", "deadline"])
    op.create_table(
        "events",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Text, nullable=False, unique=True),
        sa.Column("hazard_id", BIGID, sa.ForeignKey("hazards.id"), nullable=False),
        sa.Column("project", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("ts", sa.Float, nullable=False),
        sa.Column("backfill", sa.Boolean, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("events_by_hazard", "events", ["hazard_id", "id"])
    op.create_index("events_by_project", "events", ["project", "id"])
    op.create_table(
        "evidence",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Text),
        sa.Column("hazard_id", BIGID, sa.ForeignKey("hazards.id")),
        sa.Column("purpose", sa.Text, nullable=False),  # 'event' (the gateway's) or 'rectification' (the fix)
        sa.Column("kind", sa.Text, nullable=False),  # 'stored' (a file in the evidence store) or 'url'
        sa.Column("sha256", sa.Text),
        sa.Column("size", sa.Integer),
        sa.Column("url", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("evidence_by_event", "evidence", ["event_id"])
    op.create_index("evidence_by_hazard", "evidence", ["hazard_id"])
    op.create_table(
        "readings",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("device", sa.Text, nullable=False),
        sa.Column("point", sa.Text, nullable=False),
        sa.Column("metric", sa.Text, nullable=False),
        sa.Column("ts", sa.Float, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
    )
    op.create_index("readings_by_device", "readings", ["project", "device", "ts"])
    op.create_table(
        "users",
        sa.Column("username", sa.Text, primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),  # regulator, project, admin
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code")),
        sa.Column("display_name", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("token_sha256", sa.Text, primary_key=True),
        sa.Column("username", sa.Text, sa.ForeignKey("users.username"), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_table(
        "actions",  # the audit trail: every decision, who and when; also what the site is told
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("hazard_id", BIGID, sa.ForeignKey("hazards.id")),
        sa.Column("project", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("from_state", sa.Text, nullable=False),
        sa.Column("to_state", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("deadline", sa.Float),
        sa.Column("ts", sa.Float, nullable=False),
    )
    op.create_index("actions_by_hazard", "actions", ["hazard_id", "id"])
    op.create_index("actions_by_project", "actions", ["project", "id"])


def downgrade() -> None:
    """Drop everything (an empty regulator)."""
    for table in (
        "actions",
        "sessions",
        "users",
        "readings",
        "evidence",
        "events",
        "hazards",
        "nonces",
        "projects",
    ):
        op.drop_table(table)
