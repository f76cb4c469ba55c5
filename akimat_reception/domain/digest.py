"""The akim's daily email: what arrived, what is overdue, what is due soon, what waits for a decision."""

from datetime import datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import Akimat, ExtensionRequest, ExtensionStatus, Letter, LetterStatus, Role
from ..models._common import utcnow
from . import deadlines, notifications, phones
from .calendar import calendar_for, local_day
from .identity import format_phone_national
from .lifecycle._base import members

LISTED = 10


def queue_digest(akimat: Akimat, now: datetime | None = None) -> int:
    """Queues one digest per akim (and deputy) of the akimat; returns how many."""
    now = now or utcnow()
    today = local_day(akimat, now)
    horizon = deadlines.due_soon_horizon(today, calendar_for(akimat.id))
    open_letters = select(Letter).where(Letter.akimat_id == akimat.id, Letter.status.in_(LetterStatus.unresolved()))

    def count(stmt):
        return db.session.scalar(select(func.count()).select_from(stmt.subquery()))

    new = count(select(Letter.id).where(Letter.akimat_id == akimat.id, Letter.received_at >= now - timedelta(days=1)))
    overdue_stmt = open_letters.where(Letter.deadline < today)
    overdue, due_soon = (
        count(overdue_stmt),
        count(open_letters.where(Letter.deadline >= today, Letter.deadline <= horizon)),
    )
    waiting = count(
        select(ExtensionRequest.id)
        .join(Letter)
        .where(Letter.akimat_id == akimat.id, ExtensionRequest.status == ExtensionStatus.PENDING)
    )
    oldest = db.session.scalars(overdue_stmt.order_by(Letter.deadline, Letter.id).limit(LISTED)).all()
    directory = phones.summarize(phones.directory(akimat, calendar_for(akimat.id), now))

    def build():
        return notifications.Message(
            subject=_(
                "Daily summary for %(date)s: %(overdue)s overdue", date=format_date(today, "long"), overdue=overdue
            ),
            paragraphs=[
                _("New letters in the last 24 hours: %(count)s", count=new),
                _("Overdue: %(count)s", count=overdue),
                _("Due soon: %(count)s", count=due_soon),
                _("Requests for more time waiting for your decision: %(count)s", count=waiting),
                _(
                    "Phone lines not answering: %(count)s; not checked recently: %(count_stale)s",
                    count=len(directory.failing),
                    count_stale=len(directory.stale),
                ),
            ],
            lines=[f"{letter.number} — {format_date(letter.deadline, 'short')} — {letter.subject}" for letter in oldest]
            + [
                f"{state.status.label}: {format_phone_national(line.e164)} — {line.department.name} — {line.purpose}"
                for line, state in directory.failing[:LISTED] + directory.stale[:LISTED]
            ],
            sms="",
            link=f"{notifications._base_url()}/{akimat.slug}/akim/",
            link_text=_("Open the dashboard"),
        )

    akims = members(akimat, Role.AKIM)
    for akim in akims:
        notifications.queue_for_staff("digest", akim, akimat, build=build)
    db.session.commit()
    return len(akims)
