"""Rows straight to the database in batches, and the ids they are written with."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import func, select

from ...extensions import db
from ...models import Answer, Event, ExtensionRequest, Letter, LogEntry, PersonalDataAccess
from .tenant import EPOCH, EPOCH_NAIVE


class Writer:
    """Rows straight to the database: COPY on PostgreSQL, executemany on SQLite. Values are given
    as the ORM would bind them (timestamps in UTC microseconds, dates, dicts for JSON)."""

    def __init__(self):
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect.name
        self.raw = self.connection.connection.dbapi_connection
        self.rows: dict[str, list[tuple]] = {}
        self.columns: dict[str, list[str]] = {}
        self.postgres = self.dialect == "postgresql"

    def ts(self, us: int | None):
        if us is None:
            return None
        if self.postgres:
            return EPOCH + timedelta(microseconds=us)
        return (EPOCH_NAIVE + timedelta(microseconds=us)).isoformat(sep=" ", timespec="microseconds")

    def day(self, value: date | None):
        return value if value is None or self.postgres else value.isoformat()

    def json(self, value: dict) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def flag(self, value: bool):
        return value if self.postgres else int(value)

    def add(self, table: str, columns: list[str], row: tuple) -> None:
        self.columns.setdefault(table, columns)
        self.rows.setdefault(table, []).append(row)

    def flush(self, order: Iterable[str]) -> None:
        for table in order:
            rows = self.rows.pop(table, None)
            if not rows:
                continue
            columns = self.columns[table]
            names = ", ".join(f'"{c}"' for c in columns)  # tree_node has a column named "index"
            if self.postgres:
                with self.raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(columns))
                self.raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


LETTER_COLUMNS = [
    "id",
    "akimat_id",
    "number",
    "year",
    "seq",
    "submission_token",
    "access_code_hash",
    "kind",
    "category_id",
    "language",
    "subject",
    "body",
    "disputed_party",
    "complaint_request",
    "surname",
    "given_name",
    "patronymic",
    "iin",
    "address",
    "email",
    "phone",
    "status",
    "department_id",
    "received_at",
    "deadline",
    "original_deadline",
    "forward_by",
    "transfer_count",
    "journal_head",
    "reminded",
    "hearing_notified_on",
    "hearing_until",
    "forwarded_to",
    "repeat_of_id",
    "transferred_to_id",
    "transferred_from_id",
    "answered_at",
    "rating",
    "rating_comment",
    "anonymous",
]
EVENT_COLUMNS = [
    "id",
    "akimat_id",
    "letter_id",
    "seq",
    "kind",
    "actor_id",
    "actor_role",
    "created_at",
    "payload",
    "prev_hash",
    "hash",
]
ANSWER_COLUMNS = [
    "id",
    "letter_id",
    "author_id",
    "department_id",
    "status",
    "language",
    "body_fingerprint",
    "control_comment",
    "controlled_by_id",
    "rating",
    "rating_comment",
    "disputed",
    "decision",
    "body",
    "reasons",
    "legal_basis",
    "appeal_procedure",
    "created_at",
    "sent_at",
]
EXTENSION_COLUMNS = [
    "id",
    "letter_id",
    "requested_by_id",
    "requested_deadline",
    "reason",
    "status",
    "requested_at",
    "decided_by_id",
    "decision_reason",
    "decided_at",
]
ACCESS_COLUMNS = ["id", "akimat_id", "letter_id", "user_id", "role", "accessed_at", "path"]
LOG_ENTRY_COLUMNS = [
    "id",
    "log_id",
    "log_index",
    "source",
    "source_id",
    "letter_id",
    "letter_number",
    "nonce",
    "commitment",
    "created_at",
]
TABLE_ORDER = ("letter", "answer", "extension_request", "event", "personal_data_access", "log_entry", "tree_node")
MODELS = {
    "letter": (Letter, LETTER_COLUMNS),
    "event": (Event, EVENT_COLUMNS),
    "answer": (Answer, ANSWER_COLUMNS),
    "extension_request": (ExtensionRequest, EXTENSION_COLUMNS),
    "personal_data_access": (PersonalDataAccess, ACCESS_COLUMNS),
    "log_entry": (LogEntry, LOG_ENTRY_COLUMNS),
}


def _check_columns() -> None:
    """A column added to a model after this generator was written must not be silently left out."""
    for table, (model, columns) in MODELS.items():
        missing = [
            c.name
            for c in model.__table__.columns
            if c.name not in columns and not c.nullable and c.server_default is None
        ]
        if missing:
            raise RuntimeError(f"demo_bulk does not fill {table}.{missing}: teach it these columns")


class Ids:
    def __init__(self):
        self.next = {
            table: (db.session.scalar(select(func.max(model.id))) or 0) + 1
            for table, (model, _columns) in MODELS.items()
        }

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value
