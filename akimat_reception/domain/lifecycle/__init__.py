"""The life of a letter. Every change of a letter goes through a verb here, which checks who may
and in which state (allowed.py: the one answer, which pages use too), changes the row, appends the
journal event (domain/events.py builds it) and queues the notifications, in one transaction.

The verbs, in the order the procedure runs:
- registration: `submit` (the resident) — number, access code, deadline (APPK art. 64);
- anonymous: `assess_anonymous` (the registrar: not considered, or forwarded the same day);
- routing: `assign` (route or move to a department), `assign_executor` (a named executor within
  it), `release_letters_of` (a deactivated executor's letters go back), `forward` (to a body outside the akimats),
  `transfer_to_akimat` (to another akimat), `instruct` (the akim's instruction);
- terms: `request_extension`, `decide_extension` (APPK art. 76), `remind_deadlines` (daily);
- answering: `notify_preliminary_refusal`, `state_position` (APPK art. 73), `submit_draft`;
- control: `approve_draft`, `return_draft`, `uphold_answer`;
- dispatch: `dispatch_answer` (the answer on paper posted or handed over);
- verdict: `rate`, `dispute` (the resident), `close_answered` (daily).
"""

from .. import journal  # noqa: F401  (lifecycle.journal, for callers reading a letter's events)
from ._base import LifecycleError, NotAllowed, QualityProblems
from .allowed import (
    LetterAction,
    allowed_actions,
    allowed_decisions,
    pending_extension,
    resident_actions,
    why_not,
)
from .anonymous import assess_anonymous
from .answering import (
    DraftRefused,
    notify_preliminary_refusal,
    open_returns,
    state_position,
    submit_draft,
    warnings_for,
)
from .control import approve_draft, return_draft, uphold_answer
from .dispatch import DispatchMethod, dispatch_answer, needs_paper, outgoing_number
from .registration import Submission, find_by_token, register, submit
from .routing import (
    assign,
    assign_executor,
    competent_akimat,
    competent_akimats,
    executors_of,
    forward,
    instruct,
    release_letters_of,
    transfer_to_akimat,
)
from .terms import decide_extension, remind_deadlines, request_extension
from .verdict import DISPUTING_RATING, close_answered, dispute, rate

__all__ = [
    "DISPUTING_RATING",
    "DispatchMethod",
    "DraftRefused",
    "LetterAction",
    "LifecycleError",
    "NotAllowed",
    "QualityProblems",
    "Submission",
    "allowed_actions",
    "allowed_decisions",
    "approve_draft",
    "assess_anonymous",
    "assign",
    "assign_executor",
    "competent_akimat",
    "competent_akimats",
    "executors_of",
    "close_answered",
    "decide_extension",
    "dispatch_answer",
    "dispute",
    "find_by_token",
    "forward",
    "instruct",
    "needs_paper",
    "notify_preliminary_refusal",
    "open_returns",
    "outgoing_number",
    "pending_extension",
    "rate",
    "register",
    "release_letters_of",
    "remind_deadlines",
    "request_extension",
    "resident_actions",
    "return_draft",
    "state_position",
    "submit",
    "submit_draft",
    "transfer_to_akimat",
    "uphold_answer",
    "warnings_for",
    "why_not",
]
