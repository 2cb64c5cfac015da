"""Camera patrol (远程巡查, regulator/video/patrol.py): the latest picture of each camera of each project, with the
findings of the site's analysis, kept in the row itself (replaced by the next one, so a 4,000-camera set
keeps ~160 MB of pictures, not every picture ever sent), and the pictures a regulator asked a site for now
(answered on the site's next feedback poll, until a newer picture arrives).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table; its key (project, camera) is also the wall's order."""
    op.create_table(
        "camera_pictures",
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("camera", sa.Text, nullable=False),
        sa.Column("taken_at", sa.Float, nullable=False),  # the analysed frame's time at the site
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("every_s", sa.Float, nullable=False),  # the camera's patrol period: stale after it
        sa.Column("findings", sa.Text, nullable=False),  # contract.wire.PictureFindings as JSON
        sa.Column("jpeg", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("project", "camera", name="camera_pictures_pkey"),
    )
    op.create_table(
        "picture_requests",
        sa.Column("project", sa.Text, sa.ForeignKey("projects.code"), nullable=False),
        sa.Column("camera", sa.Text, nullable=False),
        sa.Column("requested_at", sa.Float, nullable=False),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("project", "camera", name="picture_requests_pkey"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("picture_requests")
    op.drop_table("camera_pictures")
