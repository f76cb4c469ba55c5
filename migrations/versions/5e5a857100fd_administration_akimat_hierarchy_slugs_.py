"""Putting an akimat into service: its kind, parent (with the dated history of placements), former
slugs and other spellings, reception hours, closing; departments' codes, heads and retirement, and
retired categories; invitations, password resets and recovery codes; the platform administrator;
a letter's named executor; and the append-only record of administrative changes.

Revision ID: 5e5a857100fd
Revises: e4a6c8f0b2d5
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e5a857100fd"
down_revision = "e4a6c8f0b2d5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "admin_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("akimat_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("target_type", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], name=op.f("fk_admin_event_actor_id_user_account")),
        sa.ForeignKeyConstraint(["akimat_id"], ["akimat.id"], name=op.f("fk_admin_event_akimat_id_akimat")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_event")),
    )
    with op.batch_alter_table("admin_event", schema=None) as batch_op:
        batch_op.create_index("ix_admin_event_akimat_id_id", ["akimat_id", "id"], unique=False)

    op.create_table(
        "akimat_placement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("akimat_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["akimat_id"], ["akimat.id"], name=op.f("fk_akimat_placement_akimat_id_akimat")),
        sa.ForeignKeyConstraint(["parent_id"], ["akimat.id"], name=op.f("fk_akimat_placement_parent_id_akimat")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"], name=op.f("fk_akimat_placement_recorded_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_akimat_placement")),
    )
    with op.batch_alter_table("akimat_placement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_akimat_placement_akimat_id"), ["akimat_id"], unique=False)
        batch_op.create_index(
            "ix_akimat_placement_parent_period", ["parent_id", "valid_from", "valid_to"], unique=False
        )

    op.create_table(
        "akimat_slug",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("akimat_id", sa.Integer(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["akimat_id"], ["akimat.id"], name=op.f("fk_akimat_slug_akimat_id_akimat")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_akimat_slug")),
        sa.UniqueConstraint("slug", name=op.f("uq_akimat_slug_slug")),
    )
    with op.batch_alter_table("akimat_slug", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_akimat_slug_akimat_id"), ["akimat_id"], unique=False)

    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("akimat_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["akimat_id"], ["akimat.id"], name=op.f("fk_invitation_akimat_id_akimat")),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["user_account.id"], name=op.f("fk_invitation_invited_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_invitation_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_token_hash")),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index("ix_invitation_akimat_created", ["akimat_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_invitation_email"), ["email"], unique=False)

    op.create_table(
        "password_reset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_password_reset_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_hash")),
    )
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_reset_user_id"), ["user_id"], unique=False)

    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_recovery_code_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
    )
    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recovery_code_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("akimat", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "region",
                    "republican_city",
                    "regional_city",
                    "district",
                    "city_district",
                    "district_city",
                    "rural_district",
                    "village",
                    name="akimatkind",
                    native_enum=False,
                    length=20,
                ),
                server_default="republican_city",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("aliases", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("opens_at", sa.Time(), server_default="09:00:00", nullable=False))
        batch_op.add_column(sa.Column("closes_at", sa.Time(), server_default="18:30:00", nullable=False))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column(
            "search_text", existing_type=sa.VARCHAR(length=800), type_=sa.String(length=2000), existing_nullable=False
        )
        batch_op.create_index(batch_op.f("ix_akimat_parent_id"), ["parent_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_akimat_parent_id_akimat"), "akimat", ["parent_id"], ["id"])

    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("head_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_department_akimat_id_code"), ["akimat_id", "code"])
        batch_op.create_foreign_key(
            batch_op.f("fk_department_head_id_user_account"), "user_account", ["head_id"], ["id"]
        )
    # Departments from before codes get one, so that every department can be exported and imported
    # back; the import file names departments by code.
    op.execute("UPDATE department SET code = 'DEP-' || id WHERE code IS NULL")
    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.alter_column("code", existing_type=sa.String(length=40), nullable=False)

    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("executor_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_letter_executor_id"), ["executor_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_letter_executor_id_user_account"), "user_account", ["executor_id"], ["id"]
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_platform_admin", sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("akimat_id", existing_type=sa.Integer(), nullable=True)

    if op.get_bind().dialect.name == "postgresql":
        # Administrative changes are history: refused whatever client asks (refuse_rewrite() comes
        # with the initial schema).
        op.execute(
            "CREATE TRIGGER admin_event_append_only BEFORE UPDATE OR DELETE ON admin_event "
            "FOR EACH ROW EXECUTE FUNCTION refuse_rewrite()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS admin_event_append_only ON admin_event")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("akimat_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("is_platform_admin")

    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_letter_executor_id_user_account"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_letter_executor_id"))
        batch_op.drop_column("executor_id")

    with op.batch_alter_table("department", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_department_head_id_user_account"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_department_akimat_id_code"), type_="unique")
        batch_op.drop_column("retired_at")
        batch_op.drop_column("head_id")
        batch_op.drop_column("code")

    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.drop_column("retired_at")

    with op.batch_alter_table("akimat", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_akimat_parent_id_akimat"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_akimat_parent_id"))
        batch_op.alter_column(
            "search_text", existing_type=sa.String(length=2000), type_=sa.VARCHAR(length=800), existing_nullable=False
        )
        batch_op.drop_column("created_at")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("closes_at")
        batch_op.drop_column("opens_at")
        batch_op.drop_column("aliases")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("kind")

    with op.batch_alter_table("recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_code_user_id"))

    op.drop_table("recovery_code")
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_reset_user_id"))

    op.drop_table("password_reset")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_email"))
        batch_op.drop_index("ix_invitation_akimat_created")

    op.drop_table("invitation")
    with op.batch_alter_table("akimat_slug", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_akimat_slug_akimat_id"))

    op.drop_table("akimat_slug")
    with op.batch_alter_table("akimat_placement", schema=None) as batch_op:
        batch_op.drop_index("ix_akimat_placement_parent_period")
        batch_op.drop_index(batch_op.f("ix_akimat_placement_akimat_id"))

    op.drop_table("akimat_placement")
    with op.batch_alter_table("admin_event", schema=None) as batch_op:
        batch_op.drop_index("ix_admin_event_akimat_id_id")

    op.drop_table("admin_event")
