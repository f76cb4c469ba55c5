"""The answer rules, checked when the executor drafts and again when control approves: the
resident's language and the grounds of a negative decision block both; a curt answer and one
copied word for word from another letter warn, and control may approve them knowingly."""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Answer, AnswerStatus, Decision, Letter

MINIMUM_ANSWER_CHARACTERS = 80
SAME_ANSWER_WINDOW = timedelta(days=7)

# Kazakh Cyrillic has nine letters Russian does not; English is written in Latin letters.
KAZAKH_ONLY = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_LATIN = re.compile(r"[a-zA-Z]")


def language_of(text: str) -> str | None:
    """kk, ru or en by the alphabet the text is mostly written in; None when it cannot tell."""
    cyrillic, latin = len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))
    kazakh = sum(1 for c in text if c in KAZAKH_ONLY)
    if cyrillic + kazakh + latin < 20:
        return None
    if latin > (cyrillic + kazakh):
        return "en"
    # A Kazakh text of any length uses its own letters often; a Russian one may quote a name.
    return "kk" if kazakh >= max(3, 0.02 * (cyrillic + kazakh)) else "ru"


def fingerprint(text: str) -> str:
    """Equal for answers that differ only in spacing, case and punctuation."""
    words = re.findall(r"\w+", text.casefold())
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Wording:
    """What an answer says, drafted or stored: the rules read only this."""

    decision: Decision
    body: str
    reasons: str = ""
    legal_basis: str = ""
    appeal_procedure: str = ""

    @classmethod
    def of(cls, answer: Answer) -> "Wording":
        return cls(
            answer.decision, answer.body, answer.reasons or "", answer.legal_basis or "", answer.appeal_procedure or ""
        )


@dataclass(frozen=True)
class Finding:
    """One rule the answer breaks. A blocking one stops the draft and its approval; a warning
    tells the executor and control, and control may approve despite it, knowingly."""

    message: object
    field: str  # the answer form's field the message stands next to
    blocks: bool


# Which rules only warn, in words for the answer form: control judges these, since a short answer
# may be complete and the same words may rightly answer the same question asked by many.
WARNING_RULES = (
    _l("The answer is shorter than %(count)s characters.", count=MINIMUM_ANSWER_CHARACTERS),
    _l("The answer is word for word one sent this week to another letter."),
)


def _missing_grounds(wording: Wording) -> str | None:
    for name in ("reasons", "legal_basis", "appeal_procedure"):
        if not getattr(wording, name).strip():
            return name
    return None


def _same_answer_sent(wording: Wording, letter: Letter, now: datetime) -> bool:
    same = db.session.scalar(
        select(Answer.id)
        .join(Letter, Letter.id == Answer.letter_id)
        .where(
            Answer.body_fingerprint == fingerprint(wording.body),
            Answer.letter_id != letter.id,
            Answer.created_at >= now - SAME_ANSWER_WINDOW,
            Answer.status == AnswerStatus.SENT,
            Letter.akimat_id == letter.akimat_id,
        )
        .limit(1)
    )
    return same is not None


def review(wording: Wording, letter: Letter, now: datetime) -> list[Finding]:
    """Every answer rule this wording breaks, blocking first: the one check, run by the executor's
    draft (lifecycle.submit_draft) and by control's approval (lifecycle.approve_draft)."""
    findings = []
    language = language_of(" ".join(filter(None, (wording.body, wording.reasons))))
    if language is not None and language != letter.language:
        findings.append(Finding(_l("The answer must be written in the language of the letter."), "body", True))
    if wording.decision.needs_grounds and (missing := _missing_grounds(wording)) is not None:
        findings.append(
            Finding(
                _l("A refusal or leaving without consideration needs the reasons, the legal basis and how to appeal."),
                missing,
                True,
            )
        )
    if len(wording.body.strip()) < MINIMUM_ANSWER_CHARACTERS:
        findings.append(
            Finding(
                _l(
                    "The answer is too short to answer the letter: write at least %(count)s characters.",
                    count=MINIMUM_ANSWER_CHARACTERS,
                ),
                "body",
                False,
            )
        )
    if _same_answer_sent(wording, letter, now):
        findings.append(
            Finding(
                _l(
                    "This answer is word for word one sent this week to another letter: answer this "
                    "resident's own question."
                ),
                "body",
                False,
            )
        )
    return findings


def problems_with(answer: Answer, letter: Letter, now: datetime) -> list:
    """Every reason control must not approve this answer yet (empty when it may), blocking and
    warning alike: the messages of `review`."""
    return [finding.message for finding in review(Wording.of(answer), letter, now)]
