"""Journal checks are recorded: the oversight page shows the last complete check of a large akimat
(from `flask journal verify`) and checks on each visit only the letters changed since, instead of
every letter on every visit. The event index by akimat ends with the id, so "events since the
last check" is a range of it.

Revision ID: c3d5a7e9f1b2
Revises: b81e4f2c9d37
"""

import sqlalchemy as sa
from alembic import op

revision = "c3d5a7e9f1b2"
down_revision = "b81e4f2c9d37"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "journal_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("akimat_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("through_event_id", sa.Integer(), nullable=False),
        sa.Column("letters", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("breaks", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["akimat_id"], ["akimat.id"], name=op.f("fk_journal_check_akimat_id_akimat")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_check")),
    )
    op.create_index("ix_journal_check_akimat_finished", "journal_check", ["akimat_id", "finished_at"])
    op.create_index("ix_event_akimat_id_id", "event", ["akimat_id", "id"])
    op.drop_index("ix_event_akimat_id", table_name="event")


def downgrade():
    op.create_index("ix_event_akimat_id", "event", ["akimat_id"])
    op.drop_index("ix_event_akimat_id_id", table_name="event")
    op.drop_index("ix_journal_check_akimat_finished", table_name="journal_check")
    op.drop_table("journal_check")
