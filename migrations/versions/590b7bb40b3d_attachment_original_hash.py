"""Attachments keep the hash of the bytes the resident sent beside the stored file's: photos are
now stored re-encoded without their metadata, so the two differ. Files stored before this were
kept byte for byte, so their original hash is their stored hash.

Revision ID: 590b7bb40b3d
Revises: c3d5a7e9f1b2
"""

import sqlalchemy as sa
from alembic import op

revision = "590b7bb40b3d"
down_revision = "c3d5a7e9f1b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_sha256", sa.String(length=64), nullable=True))
    op.execute("UPDATE attachment SET original_sha256 = sha256")


def downgrade():
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_column("original_sha256")
