"""The secret code a resident tracks a letter with: shown once, stored only as its hash. A lost
code is replaced by a new generation (`reissue`): from then on only the new one opens the letter,
and every tracking session and one-click link of the old generation stops working."""

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import AccessCode, Letter, User
from ..models._common import utcnow

ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L to misread
ACCESS_CODE_LENGTH = 16  # 16 symbols of 31: 79 bits


def new_access_code() -> str:
    raw = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, ACCESS_CODE_LENGTH, 4))


def normalize_access_code(code: str) -> str:
    """What the resident typed, without the dashes, spaces and case they may have changed."""
    return "".join(c for c in code.upper() if c.isalnum())


def hash_access_code(number: str, code: str) -> str:
    return hashlib.sha256(f"{number}:{normalize_access_code(code)}".encode()).hexdigest()


def current_code_hash(letter: Letter) -> str:
    if letter.code_generation == 0:
        return letter.access_code_hash
    # The row exists: reissue() writes it with the generation it moves the letter to.
    return db.session.scalars(
        select(AccessCode.code_hash).where(
            AccessCode.letter_id == letter.id, AccessCode.generation == letter.code_generation
        )
    ).one()


def access_code_matches(letter: Letter, code: str) -> bool:
    return hmac.compare_digest(current_code_hash(letter), hash_access_code(letter.number, code))


def reissue(letter: Letter, via: str, by: User | None = None, now: datetime | None = None) -> str:
    """A new code for the letter, in the caller's transaction (the caller holds the letter's row
    lock, records the event and sends the code): the next generation's row, and the letter's
    generation moved on, which ends the old code, its sessions and its links. Returns the code."""
    code = new_access_code()
    letter.code_generation += 1
    db.session.add(
        AccessCode(
            letter_id=letter.id,
            generation=letter.code_generation,
            code_hash=hash_access_code(letter.number, code),
            issued_via=via,
            issued_by_id=by.id if by else None,
            issued_at=now or utcnow(),
        )
    )
    return code
