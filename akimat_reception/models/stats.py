"""Counts kept up to date by the lifecycle in the transaction of each change, for pages that would
otherwise aggregate every row on each request. Rebuilt from the rows they count by
domain.ratings.rebuild_department_stats (the bulk demo, `flask ratings rebuild`)."""

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model


class DepartmentAnswerStats(Model):
    """A department's sent answers, their ratings and disputes, and the drafts control returned."""

    __tablename__ = "department_answer_stats"
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), index=True)
    sent: Mapped[int] = mapped_column(default=0)
    rated: Mapped[int] = mapped_column(default=0)
    rating_sum: Mapped[int] = mapped_column(default=0)  # the average is rating_sum / rated
    disputed: Mapped[int] = mapped_column(default=0)
    returned: Mapped[int] = mapped_column(default=0)
