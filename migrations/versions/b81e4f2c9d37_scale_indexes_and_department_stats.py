"""Scale: indexes for the lists and lookups at a million letters, and each department's answer
counts kept up to date instead of aggregated from every answer on each page.

- letter: the status index also covers the dashboard's counts (department, transfers); the
  department index ends with the id (keyset pages); new indexes for "all letters" by deadline,
  for the same person's earlier letters (email, phone, date of receipt) and the day's new letters.
- extension_request: the requests still waiting, by time.
- department_answer_stats: answers sent, rated (and the sum of the ratings), disputed and returned
  per department, filled here from the answers already written.

Revision ID: b81e4f2c9d37
Revises: 9c1f5e7a2b34
"""

import sqlalchemy as sa
from alembic import op

revision = "b81e4f2c9d37"
down_revision = "9c1f5e7a2b34"
branch_labels = None
depends_on = None

NEW_LETTER_INDEXES = {
    "ix_letter_akimat_status_deadline_cover": [
        "akimat_id",
        "status",
        "deadline",
        "id",
        "department_id",
        "transfer_count",
    ],
    "ix_letter_akimat_department_status_deadline": ["akimat_id", "department_id", "status", "deadline", "id"],
    "ix_letter_akimat_deadline": ["akimat_id", "deadline", "id"],
    "ix_letter_akimat_received": ["akimat_id", "received_at"],
    "ix_letter_akimat_email": ["akimat_id", "email", "received_at"],
    "ix_letter_akimat_phone": ["akimat_id", "phone", "received_at"],
}
OLD_LETTER_INDEXES = {
    "ix_letter_akimat_status_deadline": ["akimat_id", "status", "deadline", "id"],
    "ix_letter_akimat_department_status": ["akimat_id", "department_id", "status", "deadline"],
}

BACKFILL = """
INSERT INTO department_answer_stats (department_id, akimat_id, sent, rated, rating_sum, disputed, returned)
SELECT d.id, d.akimat_id,
       COALESCE(SUM(CASE WHEN a.status = 'sent' THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN a.status = 'sent' AND a.rating IS NOT NULL THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN a.status = 'sent' AND a.rating IS NOT NULL THEN a.rating ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN a.status = 'sent' AND a.disputed THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN a.status = 'returned' THEN 1 ELSE 0 END), 0)
FROM department d JOIN answer a ON a.department_id = d.id
GROUP BY d.id, d.akimat_id
"""


def upgrade():
    op.create_table(
        "department_answer_stats",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("akimat_id", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("disputed", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["akimat_id"], ["akimat.id"], name=op.f("fk_department_answer_stats_akimat_id_akimat")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_department_answer_stats_department_id_department")
        ),
        sa.PrimaryKeyConstraint("department_id", name=op.f("pk_department_answer_stats")),
    )
    op.create_index(op.f("ix_department_answer_stats_akimat_id"), "department_answer_stats", ["akimat_id"])
    op.execute(BACKFILL)

    for name, columns in NEW_LETTER_INDEXES.items():
        op.create_index(name, "letter", columns)
    for name in OLD_LETTER_INDEXES:
        op.drop_index(name, table_name="letter")
    op.create_index("ix_extension_request_status_time", "extension_request", ["status", "requested_at"])


def downgrade():
    op.drop_index("ix_extension_request_status_time", table_name="extension_request")
    for name, columns in OLD_LETTER_INDEXES.items():
        op.create_index(name, "letter", columns)
    for name in NEW_LETTER_INDEXES:
        op.drop_index(name, table_name="letter")
    op.drop_index(op.f("ix_department_answer_stats_akimat_id"), table_name="department_answer_stats")
    op.drop_table("department_answer_stats")
