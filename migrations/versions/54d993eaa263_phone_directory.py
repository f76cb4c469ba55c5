"""The contact directory: phone lines, staff check calls (append-only) and residents' reports.

Revision ID: 54d993eaa263
Revises: 4b7e2c91d0aa
"""

import sqlalchemy as sa
from alembic import op

revision = "54d993eaa263"
down_revision = "4b7e2c91d0aa"
branch_labels = None
depends_on = None

CHECK_RESULTS = ("answered", "no_answer", "busy", "wrong_number", "voicemail")


def upgrade():
    op.create_table(
        "phone_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("akimat_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("e164", sa.String(length=20), nullable=False),
        sa.Column("purpose_kk", sa.String(length=300), nullable=False),
        sa.Column("purpose_ru", sa.String(length=300), nullable=False),
        sa.Column("purpose_en", sa.String(length=300), nullable=False),
        sa.Column("languages", sa.String(length=20), nullable=False),
        sa.Column("days", sa.Enum("working", "daily", name="linedays", native_enum=False, length=20), nullable=False),
        sa.Column("opens_at", sa.Time(), nullable=True),
        sa.Column("closes_at", sa.Time(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "last_result", sa.Enum(*CHECK_RESULTS, name="checkresult", native_enum=False, length=20), nullable=True
        ),
        sa.Column("last_answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["akimat_id"], ["akimat.id"], name=op.f("fk_phone_line_akimat_id_akimat")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_phone_line_department_id_department")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_line")),
    )
    with op.batch_alter_table("phone_line", schema=None) as batch_op:
        batch_op.create_index("ix_phone_line_akimat_retired", ["akimat_id", "retired_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_phone_line_department_id"), ["department_id"], unique=False)

    op.create_table(
        "phone_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("akimat_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("checked_by_id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.Enum(*CHECK_RESULTS, name="checkresult", native_enum=False, length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["akimat_id"], ["akimat.id"], name=op.f("fk_phone_check_akimat_id_akimat")),
        sa.ForeignKeyConstraint(["line_id"], ["phone_line.id"], name=op.f("fk_phone_check_line_id_phone_line")),
        sa.ForeignKeyConstraint(
            ["checked_by_id"], ["user_account.id"], name=op.f("fk_phone_check_checked_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_check")),
    )
    with op.batch_alter_table("phone_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phone_check_akimat_id"), ["akimat_id"], unique=False)
        batch_op.create_index("ix_phone_check_line_time", ["line_id", "checked_at"], unique=False)

    op.create_table(
        "phone_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("akimat_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("resolved_by_check_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["akimat_id"], ["akimat.id"], name=op.f("fk_phone_report_akimat_id_akimat")),
        sa.ForeignKeyConstraint(["line_id"], ["phone_line.id"], name=op.f("fk_phone_report_line_id_phone_line")),
        sa.ForeignKeyConstraint(
            ["resolved_by_check_id"], ["phone_check.id"], name=op.f("fk_phone_report_resolved_by_check_id_phone_check")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_report")),
    )
    with op.batch_alter_table("phone_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phone_report_akimat_id"), ["akimat_id"], unique=False)
        batch_op.create_index("ix_phone_report_line_open", ["line_id", "resolved_by_check_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # Check calls are history: the database refuses to change or delete them, whatever client asks
        # (refuse_rewrite() comes with the initial schema).
        op.execute(
            "CREATE TRIGGER phone_check_append_only BEFORE UPDATE OR DELETE ON phone_check "
            "FOR EACH ROW EXECUTE FUNCTION refuse_rewrite()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS phone_check_append_only ON phone_check")
    with op.batch_alter_table("phone_report", schema=None) as batch_op:
        batch_op.drop_index("ix_phone_report_line_open")
        batch_op.drop_index(batch_op.f("ix_phone_report_akimat_id"))
    op.drop_table("phone_report")
    with op.batch_alter_table("phone_check", schema=None) as batch_op:
        batch_op.drop_index("ix_phone_check_line_time")
        batch_op.drop_index(batch_op.f("ix_phone_check_akimat_id"))
    op.drop_table("phone_check")
    with op.batch_alter_table("phone_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phone_line_department_id"))
        batch_op.drop_index("ix_phone_line_akimat_retired")
    op.drop_table("phone_line")
