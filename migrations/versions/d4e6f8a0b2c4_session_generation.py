"""Sessions that end: each staff account counts its session generation. A session signed in under
an older generation is refused (security.py), so raising it ends every session of the user at once.
Existing sessions carry no generation and end once, at the first request after the upgrade.

Revision ID: d4e6f8a0b2c4
Revises: 590b7bb40b3d
"""

import sqlalchemy as sa
from alembic import op

revision = "d4e6f8a0b2c4"
down_revision = "590b7bb40b3d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("session_generation")
