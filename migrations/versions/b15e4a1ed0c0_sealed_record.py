"""The sealed record: per-akimat Merkle logs of salted commitments, their stored subtrees, signed and
witnessed checkpoints; the database's guards cover every frozen column of letters and sent answers.

Revision ID: b15e4a1ed0c0
Revises: 7933ce10a37b
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "b15e4a1ed0c0"
down_revision = "7933ce10a37b"
branch_labels = None
depends_on = None

# As models/guards.py lists them when this revision was written (a later change adds its own revision).
FROZEN_LETTER_COLUMNS = (
    "akimat_id", "number", "year", "seq", "submission_token", "access_code_hash", "kind", "language",
    "subject", "body", "disputed_party", "complaint_request", "surname", "given_name", "patronymic", "iin",
    "address", "email", "phone", "received_at", "original_deadline", "channel", "sender_reference",
    "registered_by_id", "counts_from", "anonymous", "organisation_name", "organisation_bin",
    "signatory_position", "cosignatories",
)  # fmt: skip
FROZEN_SENT_ANSWER_COLUMNS = (
    "letter_id", "author_id", "department_id", "decision", "body", "reasons", "legal_basis",
    "appeal_procedure", "language", "sent_at", "controlled_by_id", "signed_by_id", "outgoing_number",
)  # fmt: skip
OLD_SENT_ANSWER_COLUMNS = (
    "letter_id", "author_id", "decision", "body", "reasons", "legal_basis", "appeal_procedure", "sent_at",
)  # fmt: skip
OLD_LETTER_COLUMNS = FROZEN_LETTER_COLUMNS[:21]


def upgrade():
    op.create_table(
        "record_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("akimat_id", sa.Integer(), sa.ForeignKey("akimat.id"), unique=True),
        sa.Column("origin", sa.String(200), nullable=False, unique=True),
        sa.Column("size", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("compact", sa.JSON(), nullable=False),
        sa.Column("integrated_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "log_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("log_id", sa.Integer(), sa.ForeignKey("record_log.id"), nullable=False),
        sa.Column("log_index", sa.Integer()),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer()),
        sa.Column("letter_number", sa.String(24)),
        sa.Column("nonce", sa.String(32), nullable=False),
        sa.Column("commitment", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("log_id", "log_index"),
    )
    op.create_index(
        "ix_log_entry_pending",
        "log_entry",
        ["log_id", "id"],
        postgresql_where=sa.text("log_index IS NULL"),
        sqlite_where=sa.text("log_index IS NULL"),
    )
    op.create_index("ix_log_entry_letter", "log_entry", ["letter_id"])
    op.create_index("ix_log_entry_source", "log_entry", ["source", "source_id"])
    op.create_table(
        "tree_node",
        sa.Column("log_id", sa.Integer(), sa.ForeignKey("record_log.id"), primary_key=True),
        sa.Column("height", sa.Integer(), primary_key=True),
        sa.Column("index", sa.Integer(), primary_key=True),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "signed_checkpoint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("log_id", sa.Integer(), sa.ForeignKey("record_log.id"), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(8), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("log_id", "size"),
    )
    op.create_index("ix_signed_checkpoint_log_signed", "signed_checkpoint", ["log_id", "signed_at"])
    op.create_table(
        "witnessed_checkpoint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("origin", "size"),
    )
    op.create_table(
        "witness_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("witness", sa.String(300), nullable=False),
        sa.Column("log_id", sa.Integer(), sa.ForeignKey("record_log.id"), nullable=False),
        sa.Column("acked_size", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("tried_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text()),
        sa.Column("cosignature", sa.Text()),
        sa.UniqueConstraint("witness", "log_id"),
    )
    with op.batch_alter_table("journal_check") as batch:
        batch.add_column(sa.Column("verified_size", sa.Integer()))
        batch.add_column(sa.Column("full", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("seconds", sa.Float()))
    if op.get_bind().dialect.name == "postgresql":
        _guards(FROZEN_LETTER_COLUMNS, FROZEN_SENT_ANSWER_COLUMNS)
        for table in ("tree_node", "signed_checkpoint", "witnessed_checkpoint"):
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_rewrite()"
            )
        # An entry is placed once (its log_index given by the worker) and never changes after.
        op.execute("""
            CREATE FUNCTION log_entry_placed_once() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' OR OLD.log_index IS NOT NULL
                   OR ROW(NEW.id, NEW.log_id, NEW.source, NEW.source_id, NEW.letter_id, NEW.letter_number,
                          NEW.nonce, NEW.commitment, NEW.created_at)
                      IS DISTINCT FROM ROW(OLD.id, OLD.log_id, OLD.source, OLD.source_id, OLD.letter_id,
                          OLD.letter_number, OLD.nonce, OLD.commitment, OLD.created_at) THEN
                    RAISE EXCEPTION '% of log_entry refused: the record is append-only', TG_OP
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END $$""")
        op.execute(
            "CREATE TRIGGER log_entry_append_only BEFORE UPDATE OR DELETE ON log_entry "
            "FOR EACH ROW EXECUTE FUNCTION log_entry_placed_once()"
        )
        op.execute("""
            CREATE FUNCTION record_log_kept() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' OR NEW.size < OLD.size OR NEW.origin IS DISTINCT FROM OLD.origin THEN
                    RAISE EXCEPTION 'a log only grows' USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END $$""")
        op.execute(
            "CREATE TRIGGER record_log_only_grows BEFORE UPDATE OR DELETE ON record_log "
            "FOR EACH ROW EXECUTE FUNCTION record_log_kept()"
        )


JSON_COLUMNS = ("cosignatories",)


def _compared(row, column):
    """PostgreSQL's json type has no equality operator: a JSON column is compared as its text."""
    return f"{row}.{column}::text" if column in JSON_COLUMNS else f"{row}.{column}"


def _guards(letter_columns, answer_columns):
    """(Re)writes the two functions the initial schema's triggers call, over these columns."""
    old = ", ".join(_compared("OLD", c) for c in letter_columns)
    new = ", ".join(_compared("NEW", c) for c in letter_columns)
    op.execute(f"""
        CREATE OR REPLACE FUNCTION letter_content_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'letters are never deleted' USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF ROW({new}) IS DISTINCT FROM ROW({old}) THEN
                RAISE EXCEPTION 'the content of a submitted letter cannot be changed'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$""")
    old = ", ".join(f"OLD.{c}" for c in answer_columns)
    new = ", ".join(f"NEW.{c}" for c in answer_columns)
    op.execute(f"""
        CREATE OR REPLACE FUNCTION sent_answer_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'answers are never deleted' USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF OLD.sent_at IS NOT NULL AND ROW({new}) IS DISTINCT FROM ROW({old}) THEN
                RAISE EXCEPTION 'a sent answer cannot be changed' USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS record_log_only_grows ON record_log")
        op.execute("DROP TRIGGER IF EXISTS log_entry_append_only ON log_entry")
        op.execute("DROP FUNCTION IF EXISTS record_log_kept()")
        op.execute("DROP FUNCTION IF EXISTS log_entry_placed_once()")
        _guards(OLD_LETTER_COLUMNS, OLD_SENT_ANSWER_COLUMNS)
    with op.batch_alter_table("journal_check") as batch:
        batch.drop_column("seconds")
        batch.drop_column("full")
        batch.drop_column("verified_size")
    op.drop_table("witness_state")
    op.drop_table("witnessed_checkpoint")
    op.drop_table("signed_checkpoint")
    op.drop_table("tree_node")
    op.drop_index("ix_log_entry_source", table_name="log_entry")
    op.drop_index("ix_log_entry_letter", table_name="log_entry")
    op.drop_index("ix_log_entry_pending", table_name="log_entry")
    op.drop_table("log_entry")
    op.drop_table("record_log")
