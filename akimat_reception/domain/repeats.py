"""Repeat letters: the same person writing again on a similar subject, linked to the earlier one."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from ..extensions import db
from ..models import Akimat, Letter

if TYPE_CHECKING:
    from .lifecycle.registration import Submission

REPEAT_WINDOW_DAYS = 90
SIMILAR = 0.2


def _stems(text: str) -> set[str]:
    """Word beginnings: enough to match "отопление" with "отопления" in either language."""
    return {w[:5] for w in re.findall(r"\w+", text.casefold()) if len(w) >= 4}


def similarity(a: str, b: str) -> float:
    first, second = _stems(a), _stems(b)
    return len(first & second) / len(first | second) if first and second else 0.0


def find_earlier_letter(akimat: Akimat, submission: Submission, now: datetime) -> Letter | None:
    """The same person's letter on a similar subject within 90 days, by IIN, email or phone."""
    same_person = [
        c
        for c in (
            Letter.iin == submission.iin if submission.iin else None,
            Letter.email == submission.email.lower() if submission.email else None,
            Letter.phone == submission.phone if submission.phone else None,
        )
        if c is not None
    ]
    if not same_person:
        return None
    candidates = db.session.scalars(
        select(Letter)
        .where(
            Letter.akimat_id == akimat.id,
            or_(*same_person),
            Letter.received_at >= now - timedelta(days=REPEAT_WINDOW_DAYS),
        )
        .order_by(Letter.received_at.desc())
        .limit(20)
    ).all()
    text = f"{submission.subject} {submission.body}"
    scored = [
        (similarity(text, f"{c.subject} {c.body}") + (0.1 if c.category_id == submission.category.id else 0), c)
        for c in candidates
    ]
    best = max(scored, key=lambda pair: pair[0], default=(0, None))
    return best[1] if best[0] >= SIMILAR else None
