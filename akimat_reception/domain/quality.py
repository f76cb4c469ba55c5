"""What control checks before an answer may be sent: the resident's language, the grounds of a
negative decision, and that it is a real answer, not empty boilerplate."""

import hashlib
import re
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Answer, AnswerStatus, Letter

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


def problems_with(answer: Answer, letter: Letter, now: datetime) -> list:
    """Every reason control must not approve this answer yet (empty when it may)."""
    problems = []
    language = language_of(" ".join(filter(None, (answer.body, answer.reasons))))
    if language is not None and language != letter.language:
        problems.append(_l("The answer must be written in the language of the letter."))
    if len(answer.body.strip()) < MINIMUM_ANSWER_CHARACTERS:
        problems.append(
            _l(
                "The answer is too short to answer the letter: write at least %(count)s characters.",
                count=MINIMUM_ANSWER_CHARACTERS,
            )
        )
    if answer.decision.needs_grounds and not (answer.reasons and answer.legal_basis and answer.appeal_procedure):
        problems.append(
            _l("A refusal or leaving without consideration needs the reasons, the legal basis and how to appeal.")
        )
    same = db.session.scalar(
        select(Answer.id)
        .join(Letter, Letter.id == Answer.letter_id)
        .where(
            Answer.body_fingerprint == answer.body_fingerprint,
            Answer.letter_id != letter.id,
            Answer.created_at >= now - SAME_ANSWER_WINDOW,
            Answer.status == AnswerStatus.SENT,
            Letter.akimat_id == letter.akimat_id,
        )
        .limit(1)
    )
    if same is not None:
        problems.append(
            _l(
                "This answer is word for word one sent this week to another letter: answer this "
                "resident's own question."
            )
        )
    return problems
