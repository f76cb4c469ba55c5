"""Letters however they arrive: the channel and the sender's own number, who registered it and
the day it counts from, organisations, collective and anonymous letters, answers on paper; the
reissued access codes, the one-click links, the one-time codes of "My letters", the drafts of the
step-by-step form; officials' positions and work phones.

Revision ID: 7933ce10a37b
Revises: 5e5a857100fd
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7933ce10a37b"
down_revision = "5e5a857100fd"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "contact_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact", sa.String(length=254), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("letters_shown", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_code")),
    )
    with op.batch_alter_table("contact_code", schema=None) as batch_op:
        batch_op.create_index("ix_contact_code_client_created", ["client", "created_at"], unique=False)
        batch_op.create_index("ix_contact_code_contact_created", ["contact", "created_at"], unique=False)

    op.create_table(
        "letter_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("akimat_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["akimat_id"], ["akimat.id"], name=op.f("fk_letter_draft_akimat_id_akimat")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_draft")),
        sa.UniqueConstraint("token", name=op.f("uq_letter_draft_token")),
    )
    with op.batch_alter_table("letter_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_draft_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "access_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_via", sa.String(length=20), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["user_account.id"], name=op.f("fk_access_code_issued_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["letter_id"], ["letter.id"], name=op.f("fk_access_code_letter_id_letter")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_code")),
        sa.UniqueConstraint("letter_id", "generation", name=op.f("uq_access_code_letter_id_generation")),
    )
    op.create_table(
        "letter_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["letter_id"], ["letter.id"], name=op.f("fk_letter_link_letter_id_letter")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_letter_link_token_hash")),
    )
    with op.batch_alter_table("letter_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_link_letter_id"), ["letter_id"], unique=False)

    with op.batch_alter_table("akimat", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymous_forward_to", sa.String(length=300), nullable=True))

    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outgoing_number", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("signed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("dispatch", sa.String(length=20), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_answer_signed_by_id_user_account"), "user_account", ["signed_by_id"], ["id"]
        )

    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "channel",
                sa.Enum(
                    "web",
                    "paper",
                    "post",
                    "phone",
                    "email",
                    "in_person",
                    "e_otinish",
                    name="letterchannel",
                    native_enum=False,
                    length=20,
                ),
                server_default="web",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("sender_reference", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("registered_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("counts_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("anonymous", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("organisation_name", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("organisation_bin", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("signatory_position", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("cosignatories", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("paper_answer", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("code_generation", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_unique_constraint(
            batch_op.f("uq_letter_akimat_id_channel_sender_reference"), ["akimat_id", "channel", "sender_reference"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_letter_registered_by_id_user_account"), "user_account", ["registered_by_id"], ["id"]
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("work_phone", sa.String(length=20), nullable=True))

    # Letters from before: a signed letter with only a postal address gets its answer on paper too
    # (new letters are decided at registration).
    op.execute(
        "UPDATE letter SET paper_answer = true WHERE anonymous = false "
        "AND (email IS NULL OR email = '') AND (phone IS NULL OR phone = '')"
    )
    if op.get_bind().dialect.name == "postgresql":
        # A reissued code and a link are history: refused whatever client asks.
        for table in ("access_code", "letter_link"):
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_rewrite()"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in ("access_code", "letter_link"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("work_phone")
        batch_op.drop_column("position")

    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_letter_registered_by_id_user_account"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_letter_akimat_id_channel_sender_reference"), type_="unique")
        batch_op.drop_column("code_generation")
        batch_op.drop_column("paper_answer")
        batch_op.drop_column("cosignatories")
        batch_op.drop_column("signatory_position")
        batch_op.drop_column("organisation_bin")
        batch_op.drop_column("organisation_name")
        batch_op.drop_column("anonymous")
        batch_op.drop_column("counts_from")
        batch_op.drop_column("registered_by_id")
        batch_op.drop_column("sender_reference")
        batch_op.drop_column("channel")

    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_answer_signed_by_id_user_account"), type_="foreignkey")
        batch_op.drop_column("dispatch")
        batch_op.drop_column("dispatched_at")
        batch_op.drop_column("signed_by_id")
        batch_op.drop_column("outgoing_number")

    with op.batch_alter_table("akimat", schema=None) as batch_op:
        batch_op.drop_column("anonymous_forward_to")

    with op.batch_alter_table("letter_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_link_letter_id"))

    op.drop_table("letter_link")
    op.drop_table("access_code")
    with op.batch_alter_table("letter_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_draft_expires_at"))

    op.drop_table("letter_draft")
    with op.batch_alter_table("contact_code", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_code_contact_created")
        batch_op.drop_index("ix_contact_code_client_created")

    op.drop_table("contact_code")
