"""Control of answers, ratings and disputes, repeat letters, transfers between akimats,
answer templates, the routing classifier.

Revision ID: 4b7e2c91d0aa
Revises: 166d9215c464
"""

import sqlalchemy as sa
from alembic import op

revision = "4b7e2c91d0aa"
down_revision = "166d9215c464"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("letter") as batch:
        batch.add_column(sa.Column("repeat_of_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("transferred_to_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("transferred_from_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_letter_repeat_of_id_letter"), "letter", ["repeat_of_id"], ["id"])
        batch.create_foreign_key(op.f("fk_letter_transferred_to_id_letter"), "letter", ["transferred_to_id"], ["id"])
        batch.create_foreign_key(
            op.f("fk_letter_transferred_from_id_letter"), "letter", ["transferred_from_id"], ["id"]
        )
        batch.create_index(op.f("ix_letter_repeat_of_id"), ["repeat_of_id"])
    with op.batch_alter_table("answer") as batch:
        batch.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column(
                "status",
                sa.Enum("submitted", "returned", "sent", name="answerstatus", native_enum=False, length=30),
                nullable=False,
                server_default="sent",
            )
        )
        batch.add_column(sa.Column("language", sa.String(length=2), nullable=False, server_default="ru"))
        batch.add_column(sa.Column("body_fingerprint", sa.String(length=64), nullable=False, server_default=""))
        batch.add_column(sa.Column("control_comment", sa.Text(), nullable=True))
        batch.add_column(sa.Column("controlled_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rating", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rating_comment", sa.Text(), nullable=True))
        batch.add_column(sa.Column("disputed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_foreign_key(op.f("fk_answer_department_id_department"), "department", ["department_id"], ["id"])
        batch.create_foreign_key(
            op.f("fk_answer_controlled_by_id_user_account"), "user_account", ["controlled_by_id"], ["id"]
        )
        batch.create_index("ix_answer_department_sent", ["department_id", "sent_at"])
        batch.create_index("ix_answer_fingerprint_created", ["body_fingerprint", "created_at"])
    op.create_table(
        "answer_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("akimat_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["akimat_id"], ["akimat.id"], name=op.f("fk_answer_template_akimat_id_akimat")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_answer_template_department_id_department")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_template")),
    )
    op.create_index(op.f("ix_answer_template_akimat_id"), "answer_template", ["akimat_id"])
    op.create_index("ix_answer_template_department_language", "answer_template", ["department_id", "language"])
    op.create_table(
        "routing_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("akimat_id", sa.Integer(), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("holdout_accuracy", sa.Float(), nullable=True),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["akimat_id"], ["akimat.id"], name=op.f("fk_routing_model_akimat_id_akimat")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_model")),
    )
    op.create_index(op.f("ix_routing_model_akimat_id"), "routing_model", ["akimat_id"])


def downgrade():
    op.drop_index(op.f("ix_routing_model_akimat_id"), table_name="routing_model")
    op.drop_table("routing_model")
    op.drop_index("ix_answer_template_department_language", table_name="answer_template")
    op.drop_index(op.f("ix_answer_template_akimat_id"), table_name="answer_template")
    op.drop_table("answer_template")
    with op.batch_alter_table("answer") as batch:
        batch.drop_index("ix_answer_fingerprint_created")
        batch.drop_index("ix_answer_department_sent")
        batch.drop_constraint(op.f("fk_answer_controlled_by_id_user_account"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_answer_department_id_department"), type_="foreignkey")
        for column in (
            "disputed",
            "rating_comment",
            "rating",
            "controlled_by_id",
            "control_comment",
            "body_fingerprint",
            "language",
            "status",
            "department_id",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("letter") as batch:
        batch.drop_index(op.f("ix_letter_repeat_of_id"))
        batch.drop_constraint(op.f("fk_letter_transferred_from_id_letter"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_letter_transferred_to_id_letter"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_letter_repeat_of_id_letter"), type_="foreignkey")
        for column in ("transferred_from_id", "transferred_to_id", "repeat_of_id"):
            batch.drop_column(column)
