"""The worker: outbox messages are claimed under a lease and keep one Message-ID (the SMS
idempotency key) across retries, with a count of uncertain outcomes; a job-run row per daily job,
akimat and local day decides which host runs it; each worker's heartbeat.

Revision ID: e4a6c8f0b2d5
Revises: d4e6f8a0b2c4
"""

import sqlalchemy as sa
from alembic import op

revision = "e4a6c8f0b2d5"
down_revision = "d4e6f8a0b2c4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("uncertain", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index(batch_op.f("ix_outbox_message_claimed_by"), ["claimed_by"], unique=False)
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=40), nullable=False),
        sa.Column("akimat_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("worker", sa.String(length=120), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["akimat_id"], ["akimat.id"], name=op.f("fk_job_run_akimat_id_akimat")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_run")),
        sa.UniqueConstraint("job", "akimat_id", "day", name=op.f("uq_job_run_job_akimat_id_day")),
    )
    op.create_table(
        "worker_heartbeat",
        sa.Column("worker_id", sa.String(length=120), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_worker_heartbeat")),
    )


def downgrade():
    op.drop_table("worker_heartbeat")
    op.drop_table("job_run")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_claimed_by"))
        batch_op.drop_column("uncertain")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("message_id")
