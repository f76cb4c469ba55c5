"""The one-click link in a letter's emails and SMS: a short token that opens the letter without
retyping its number and code. Kept only as its hash; valid for the letter's whole life (answer,
extension, rating, complaint) while its code generation is current, so a reissued code revokes it."""

import hashlib
import secrets

from sqlalchemy import select

from ..extensions import db
from ..models import Letter, LetterLink

TOKEN_BYTES = 12  # 96 bits, 16 URL-safe characters: short enough for an SMS


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link_token(letter: Letter) -> str:
    """A token for the letter's current code generation, in the caller's transaction."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(LetterLink(letter_id=letter.id, generation=letter.code_generation, token_hash=_hash(token)))
    return token


def letter_for_token(token: str) -> Letter | None:
    """The letter the token opens, or None (unknown, or of an earlier code generation)."""
    if not token or len(token) > 64:
        return None
    link = db.session.scalar(select(LetterLink).where(LetterLink.token_hash == _hash(token)))
    if link is None or link.letter.code_generation != link.generation:
        return None
    return link.letter
