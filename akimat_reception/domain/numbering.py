"""Registration numbers: `AST-2026-000123`, gap-free per akimat and year (the year is the
akimat's local year of receipt)."""

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import Akimat, LetterCounter


def next_sequence(akimat: Akimat, year: int) -> int:
    """Takes the next number of the akimat's year. The counter's row lock, held until the
    transaction ends, numbers the akimat's letters one at a time, so numbers are gap-free."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(LetterCounter).values(akimat_id=akimat.id, year=year, last_seq=0).on_conflict_do_nothing()
    )
    return db.session.execute(
        update(LetterCounter)
        .where(LetterCounter.akimat_id == akimat.id, LetterCounter.year == year)
        .values(last_seq=LetterCounter.last_seq + 1)
        .returning(LetterCounter.last_seq)
    ).scalar_one()


def registration_number(akimat: Akimat, year: int, seq: int) -> str:
    return f"{akimat.number_prefix}-{year}-{seq:06d}"
