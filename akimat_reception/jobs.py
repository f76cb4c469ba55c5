"""The daily jobs the worker runs for each akimat (akimat_reception/worker.py decides when, and that
each runs once across all hosts). Each works from the current state, not from "what happened
since the last run": one run catches up any number of missed days, and a second run the same day
finds nothing left to do (the digest excepted, which is why the job-run row guards it)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from flask_babel import gettext as _

from .domain import notifications
from .domain.calendar import calendar_for
from .domain.identity import format_phone_national
from .extensions import db
from .models import Akimat, Role

LISTED = 20


@dataclass(frozen=True)
class Job:
    name: str
    at: time  # local time of the akimat; the job runs on its working days only
    run: Callable[[Akimat, datetime], str]  # returns what it did, in a few words, for the job-run row
    what: str


def _train(akimat: Akimat, now: datetime) -> str:
    from .domain.routing import MINIMUM_SAMPLES, train

    model = train(akimat.id, now=now)
    if model is None:
        return f"fewer than {MINIMUM_SAMPLES} answered letters in 2+ departments: not trained"
    return f"trained on {model.samples} letters"


def _close(akimat: Akimat, now: datetime) -> str:
    from .domain.lifecycle import close_answered

    return f"closed {close_answered(akimat, now=now)} letters"


def _remind(akimat: Akimat, now: datetime) -> str:
    from .domain.lifecycle import remind_deadlines

    return f"reminded about {remind_deadlines(akimat, now=now)} letters"


def _phones(akimat: Akimat, now: datetime) -> str:
    return f"{queue_phone_checks(akimat, now)} lines due for a check call"


def _digest(akimat: Akimat, now: datetime) -> str:
    from .domain.digest import queue_digest

    return f"queued {queue_digest(akimat, now=now)} digests"


def _purge_drafts(akimat: Akimat, now: datetime) -> str:
    from .domain.drafts import purge_expired

    return f"deleted {purge_expired(akimat, now=now)} expired letter drafts"


JOBS: tuple[Job, ...] = (
    Job("routing_train", time(2, 0), _train, "retrain the department classifier on the answered letters"),
    Job("drafts_purge", time(5, 0), _purge_drafts, "delete letter drafts left unsent, with their files"),
    Job("letters_close", time(6, 0), _close, "close answered letters past their 10 working days to rate"),
    Job("deadlines_remind", time(7, 0), _remind, "remind departments of letters due soon or overdue"),
    Job("phones_due", time(7, 30), _phones, "tell the chancellery which phone lines are due for a check call"),
    Job("digest", time(8, 0), _digest, "queue the akim's daily summary email"),
)


def queue_phone_checks(akimat: Akimat, now: datetime) -> int:
    """One email to each registrar (the chancellery makes the check calls) listing the lines due
    for a check call, the longest unchecked first; none when no line is due. Returns how many lines."""
    from .domain import phones
    from .domain.lifecycle._base import members

    due = [(line, state) for line, state in phones.directory(akimat, calendar_for(akimat.id), now) if state.due]
    if not due:
        return 0
    due.sort(key=lambda e: (e[0].last_checked_at is not None, e[0].last_checked_at or e[0].created_at, e[0].id))

    def build():
        return notifications.Message(
            subject=_("Phone lines due for a check call: %(count)s", count=len(due)),
            paragraphs=[
                _(
                    "These lines failed a check, were reported by residents or will soon count as not "
                    "checked recently. Call each one and record the result."
                )
            ],
            lines=[
                f"{format_phone_national(line.e164)} — {line.department.name} — {line.purpose} — {state.status.label}"
                for line, state in due[:LISTED]
            ],
            sms="",
            link=f"{notifications._base_url()}/{akimat.slug}/office/phones/",
            link_text=_("Open the check-call queue"),
        )

    for registrar in members(akimat, Role.REGISTRAR):
        notifications.queue_for_staff("phones_due", registrar, akimat, build=build)
    db.session.commit()
    return len(due)
