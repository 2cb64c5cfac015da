"""A second factor that is really one (issue 56): the time step of each authority user's last accepted
one-time code (``totp_last_step``: a code is accepted once, RFC 6238 §5.2), and the SHA-256 of the one-time
enrolment code an administrator hands a user for their first factor, with its expiry (``enrol_code_sha256``,
``enrol_code_expires``: a password alone no longer enrols a phone).

Users who had no second factor before this revision have no enrolment code: an administrator issues one
(`sitegw regulator enrolment-code NAME`) before they can enrol.

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the three columns."""
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("totp_last_step", sa.BigInteger))
        users.add_column(sa.Column("enrol_code_sha256", sa.Text))
        users.add_column(sa.Column("enrol_code_expires", sa.Float))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("users") as users:
        for column in ("enrol_code_expires", "enrol_code_sha256", "totp_last_step"):
            users.drop_column(column)
