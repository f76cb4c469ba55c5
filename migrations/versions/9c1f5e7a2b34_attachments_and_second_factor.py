"""Residents' attachments; staff's second factor (TOTP).

Revision ID: 9c1f5e7a2b34
Revises: 54d993eaa263
"""

import sqlalchemy as sa
from alembic import op

revision = "9c1f5e7a2b34"
down_revision = "54d993eaa263"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("akimat_id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["akimat_id"], ["akimat.id"], name=op.f("fk_attachment_akimat_id_akimat")),
        sa.ForeignKeyConstraint(["letter_id"], ["letter.id"], name=op.f("fk_attachment_letter_id_letter")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
        sa.UniqueConstraint("storage_name", name=op.f("uq_attachment_storage_name")),
    )
    op.create_index(op.f("ix_attachment_letter_id"), "attachment", ["letter_id"])
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER attachment_append_only BEFORE UPDATE OR DELETE ON attachment "
            "FOR EACH ROW EXECUTE FUNCTION refuse_rewrite()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS attachment_append_only ON attachment")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_secret")
    op.drop_index(op.f("ix_attachment_letter_id"), table_name="attachment")
    op.drop_table("attachment")
