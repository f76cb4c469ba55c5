"""The answer on paper, for a resident who asked for it or can be reached only by post: its
outgoing number, and the record of its posting or handing over. Which letters need it is the rule
of state of DISPATCH_ANSWER (allowed.needs_paper)."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Answer, AnswerStatus, Letter, User
from ...models._common import utcnow
from .. import events, journal
from ._base import LifecycleError, require_role, require_state
from .allowed import LetterAction, needs_paper  # noqa: F401  (dispatch.needs_paper, for pages)


class DispatchMethod(enum.StrEnum):
    POST = "post"  # sent by post to the resident's address
    HANDED = "handed"  # handed over at the chancellery, against signature


def outgoing_number(letter: Letter, answer: Answer) -> str:
    """The answer's outgoing number: the letter's number and the answer's order among the letter's
    sent answers ("AST-2026-000123/1", a second answer after a dispute "/2"). Letter numbers are
    unique in the akimat, so these are too, without a register of their own."""
    earlier = sum(1 for a in letter.answers if a.status is AnswerStatus.SENT and a.id != answer.id)
    return f"{letter.number}/{earlier + 1}"


def dispatch_answer(
    letter: Letter, answer: Answer, method: DispatchMethod | str, user: User, now: datetime | None = None
) -> None:
    """A registrar or the letter's executor records that the printed answer was posted or handed
    over; the letter's history shows it, to the resident too.

    method: "post" or "handed"."""
    now = now or utcnow()
    role = require_role(user, LetterAction.DISPATCH_ANSWER, letter)
    require_state(user, LetterAction.DISPATCH_ANSWER, letter, now)
    try:
        method = DispatchMethod(method)
    except ValueError:
        raise LifecycleError(_l("Choose how the answer left: by post or handed over.")) from None
    if answer is not letter.sent_answer:
        raise LifecycleError(_l("Only the answer sent last goes out on paper."))
    answer.dispatched_at, answer.dispatch = now, method.value
    recorded = events.AnswerDispatched(answer_id=answer.id, method=method.value, outgoing_number=answer.outgoing_number)
    journal.append(letter, recorded, actor=user, actor_role=role, now=now)
    db.session.commit()
