"""Sign-in security (issue #41, GB/T 22239-2019 level 3 identity and audit items): an append-only trail of
every sign-in, failure, lockout and account change (``auth_log``, read by regulator/access/auth_log.py), when each
user's password was last set (for its expiry), their TOTP second factor (regulator/access/second_factor.py) and when
each session was last used (for its idle timeout).

``auth_log`` refuses UPDATE and DELETE by trigger, on both engines: no code path of the service edits or
removes its rows, and a hand in the database is stopped too (the standard's 审计记录应受到保护). Passwords of
users that existed before this revision count as set now, so that the upgrade expires nobody's at once.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_PG_GUARD = """
CREATE FUNCTION auth_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'auth_log is append-only: sign-in audit records are neither changed nor deleted';
END $$;
CREATE TRIGGER auth_log_append_only BEFORE UPDATE OR DELETE ON auth_log
  FOR EACH ROW EXECUTE FUNCTION auth_log_append_only();
"""
_SQLITE_GUARDS = [
    f"CREATE TRIGGER auth_log_no_{what.lower()} BEFORE {what} ON auth_log BEGIN "
    "SELECT RAISE(ABORT, 'auth_log is append-only: sign-in audit records are neither changed nor deleted'); END"
    for what in ("UPDATE", "DELETE")
]


def upgrade() -> None:
    """Create the trail with its guard; add the two columns."""
    op.create_table(
        "auth_log",
        sa.Column("id", BIGID, primary_key=True, autoincrement=True),
        sa.Column("ts", sa.Float, nullable=False),
        sa.Column("event", sa.Text, nullable=False),  # regulator/access/auth_log.py EVENTS
        sa.Column("username", sa.Text, nullable=False),  # as typed at sign-in (known or not)
        sa.Column("address", sa.Text, nullable=False, server_default=""),  # the client's, '' from the CLI
        sa.Column("actor", sa.Text, nullable=False, server_default=""),  # who changed an account
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("auth_log_by_user", "auth_log", ["username", "ts"])
    op.create_index("auth_log_by_address", "auth_log", ["address", "ts"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_GUARD)
    else:
        for statement in _SQLITE_GUARDS:
            op.execute(statement)
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("password_changed_at", sa.Float))
        users.add_column(sa.Column("totp_secret", sa.Text))  # the second factor, once confirmed
        users.add_column(sa.Column("totp_pending", sa.Text))  # enrolled, not yet confirmed with a code
    op.execute(sa.text("UPDATE users SET password_changed_at = :now").bindparams(now=time.time()))
    with op.batch_alter_table("sessions") as sessions:
        sessions.add_column(sa.Column("last_seen", sa.Float, nullable=False, server_default="0"))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("sessions") as sessions:
        sessions.drop_column("last_seen")
    with op.batch_alter_table("users") as users:
        for column in ("totp_pending", "totp_secret", "password_changed_at"):
            users.drop_column(column)
    op.drop_table("auth_log")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS auth_log_append_only()")
