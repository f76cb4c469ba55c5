"""How each department answers: residents' ratings, disputes and control's returns. Counts only,
never a resident's name or words, so they may be shown publicly.

The counts live in department_answer_stats, changed by the lifecycle in the transaction of each
answer sent, rated, disputed or returned (`record`), so that a page reads one row per department
instead of aggregating every answer; `from_answers` aggregates the answers themselves, and
`rebuild_department_stats` rewrites the counts from them. Anonymous letters' answers are counted
apart and left out (domain/anonymous.py): `record` skips them, and the aggregates filter them."""

from dataclasses import dataclass

from sqlalchemy import Table, case, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import Answer, AnswerStatus, Department, DepartmentAnswerStats, Letter
from .anonymous import counted


@dataclass(frozen=True)
class DepartmentRating:
    department: Department
    answers: int
    rated: int
    average: float | None
    disputed: int
    returned: int

    @property
    def dispute_share(self) -> float | None:
        return self.disputed / self.answers if self.answers else None


def department_ratings(akimat_id: int) -> list[DepartmentRating]:
    """Every department of the akimat with its counts: one query."""
    rows = db.session.execute(
        select(Department, DepartmentAnswerStats)
        .outerjoin(DepartmentAnswerStats, DepartmentAnswerStats.department_id == Department.id)
        .where(Department.akimat_id == akimat_id)
        .order_by(Department.id)
    ).all()
    return [
        DepartmentRating(
            department,
            stats.sent,
            stats.rated,
            stats.rating_sum / stats.rated if stats.rated else None,
            stats.disputed,
            stats.returned,
        )
        if stats is not None
        else DepartmentRating(department, 0, 0, None, 0, 0)
        for department, stats in rows
    ]


def from_answers(akimat_id: int) -> list[DepartmentRating]:
    """The same counts aggregated from every answer of the akimat: what the kept counts must equal."""
    in_akimat = (Letter.akimat_id == akimat_id) & counted(Letter.anonymous)
    sent = dict(
        (row[0], row[1:])
        for row in db.session.execute(
            select(
                Answer.department_id,
                func.count(),
                func.count(Answer.rating),
                func.avg(Answer.rating),
                func.sum(case((Answer.disputed, 1), else_=0)),
            )
            .join(Letter, Letter.id == Answer.letter_id)
            .where(in_akimat, Answer.status == AnswerStatus.SENT)
            .group_by(Answer.department_id)
        )
    )
    returned = dict(
        db.session.execute(
            select(Answer.department_id, func.count())
            .join(Letter, Letter.id == Answer.letter_id)
            .where(in_akimat, Answer.status == AnswerStatus.RETURNED)
            .group_by(Answer.department_id)
        )
        .tuples()
        .all()
    )
    departments = db.session.scalars(
        select(Department).where(Department.akimat_id == akimat_id).order_by(Department.id)
    ).all()
    rows = []
    for department in departments:
        answers, rated, average, disputed = sent.get(department.id, (0, 0, None, 0))
        rows.append(
            DepartmentRating(
                department,
                answers,
                rated,
                float(average) if average is not None else None,
                int(disputed or 0),
                returned.get(department.id, 0),
            )
        )
    return rows


COUNTS = ("sent", "rated", "rating_sum", "disputed", "returned")


def _stats_table() -> Table:
    # Declarative types every model's __table__ as a FromClause (a class may be mapped onto a
    # SELECT); this one is declared with columns, so it is a Table, which insert() and delete() take.
    table = DepartmentAnswerStats.__table__
    assert isinstance(table, Table)
    return table


def record(department_id: int | None, of: Letter | None = None, **counts: int) -> None:
    """Adds to a department's counts in the current transaction (an atomic upsert: two answers
    sent at once both count), e.g. record(d, sent=1) or record(d, rated=1, rating_sum=4); nothing
    for an answer `of` an anonymous letter, which the figures leave out."""
    if department_id is None or not any(counts.values()) or (of is not None and of.anonymous):
        return
    unknown = set(counts) - set(COUNTS)
    if unknown:
        raise ValueError(f"unknown counts: {unknown}")
    akimat_id = select(Department.akimat_id).where(Department.id == department_id).scalar_subquery()
    dialect = db.session.get_bind().dialect.name
    upsert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {name: counts.get(name, 0) for name in COUNTS}
    table = _stats_table()
    stmt = upsert(table).values(department_id=department_id, akimat_id=akimat_id, **values)
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.department_id],
            set_={name: table.c[name] + stmt.excluded[name] for name, value in values.items() if value},
        )
    )


def rebuild_department_stats(akimat_id: int | None = None) -> None:
    """Rewrites the counts from the answers (of one akimat, or all), in the current transaction."""
    table = _stats_table()
    sent = Answer.status == AnswerStatus.SENT
    rated = sent & Answer.rating.is_not(None)

    def total(condition, value=1):
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    source = (
        select(
            Department.id,
            Department.akimat_id,
            total(sent),
            total(rated),
            total(rated, Answer.rating),
            total(sent & Answer.disputed),
            total(Answer.status == AnswerStatus.RETURNED),
        )
        .join(Answer, Answer.department_id == Department.id)
        .join(Letter, Letter.id == Answer.letter_id)
        .where(counted(Letter.anonymous))
        .group_by(Department.id, Department.akimat_id)
    )
    wipe = delete(table)
    if akimat_id is not None:
        source = source.where(Department.akimat_id == akimat_id)
        wipe = wipe.where(table.c.akimat_id == akimat_id)
    db.session.execute(wipe)
    db.session.execute(insert(table).from_select(["department_id", "akimat_id", *COUNTS], source))
