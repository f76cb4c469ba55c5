"""How each department answers: residents' ratings, disputes and control's returns. Counts only,
never a resident's name or words, so they may be shown publicly."""
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import case, func, select

from ..extensions import db
from ..models import Answer, AnswerStatus, Department, Letter


@dataclass(frozen=True)
class DepartmentRating:
    department: Department
    answers: int
    rated: int
    average: Optional[float]
    disputed: int
    returned: int

    @property
    def dispute_share(self) -> Optional[float]:
        return self.disputed / self.answers if self.answers else None


def department_ratings(akimat_id: int) -> list[DepartmentRating]:
    in_akimat = Letter.akimat_id == akimat_id
    sent = dict((row[0], row[1:]) for row in db.session.execute(
        select(Answer.department_id, func.count(), func.count(Answer.rating), func.avg(Answer.rating),
               func.sum(case((Answer.disputed, 1), else_=0)))
        .join(Letter, Letter.id == Answer.letter_id)
        .where(in_akimat, Answer.status == AnswerStatus.SENT).group_by(Answer.department_id)))
    returned = dict(db.session.execute(
        select(Answer.department_id, func.count()).join(Letter, Letter.id == Answer.letter_id)
        .where(in_akimat, Answer.status == AnswerStatus.RETURNED).group_by(Answer.department_id)).all())
    departments = db.session.scalars(select(Department).where(Department.akimat_id == akimat_id)
                                     .order_by(Department.id)).all()
    rows = []
    for department in departments:
        answers, rated, average, disputed = sent.get(department.id, (0, 0, None, 0))
        rows.append(DepartmentRating(department, answers, rated, float(average) if average is not None else None,
                                     int(disputed or 0), returned.get(department.id, 0)))
    return rows
