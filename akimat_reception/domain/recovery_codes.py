"""One-time recovery codes for the second factor: ten codes shown once when it is set up (or when
the user asks for new ones), each opening one sign-in without the authenticator app.

A code is 8 characters in two groups of 4 (XXXX-XXXX) from an alphabet without look-alikes (no 0/O,
1/I/L), 40 bits: guessing online is throttled like the app's codes. Only a SHA-256 of the user's id
and the code is stored; new codes void every earlier one."""

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import CursorResult, delete, func, select, update

from ..extensions import db
from ..models import RecoveryCode, User

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
COUNT = 10
GROUP = 4


def _normalized(code: str) -> str:
    """What the user typed, as stored: upper case, without spaces or dashes."""
    return "".join(c for c in code.upper() if c.isalnum())


def code_hash(user: User, code: str) -> str:
    """Salted by the user, so one table of hashes does not serve every account."""
    return hashlib.sha256(f"{user.id}:{_normalized(code)}".encode()).hexdigest()


def _new_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(2 * GROUP))
    return f"{chars[:GROUP]}-{chars[GROUP:]}"


def issue_recovery_codes(user: User, now: datetime | None = None) -> list[str]:
    """Ten new codes for the user, returned in clear to be shown once; the earlier ones stop
    working. Commits.

    user: an account with the second factor on.
    now: when they were issued.
    """
    now = now or datetime.now(UTC)
    codes = [_new_code() for _ in range(COUNT)]
    void_recovery_codes(user)
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=code_hash(user, c), created_at=now) for c in codes)
    db.session.commit()
    return codes


def void_recovery_codes(user: User) -> None:
    """Every recovery code of the user stops working (the second factor was reset by an
    administrator: the new one gets new codes). The caller commits.

    user: the account whose codes go.
    """
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def use_recovery_code(user: User, code: str, now: datetime | None = None) -> bool:
    """True, once, for an unused code of this user (it is then marked used); False for anything
    else, a used code included. Commits when it accepts.

    user: the person signing in, whose password was right.
    code: as typed; case, spaces and the dash do not matter.
    """
    if len(_normalized(code)) != 2 * GROUP:
        return False
    now = now or datetime.now(UTC)
    # One UPDATE decides: two sign-ins racing with the same code cannot both get in.
    used: CursorResult = db.session.execute(  # type: ignore[assignment]
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == code_hash(user, code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    if used.rowcount != 1:
        db.session.rollback()
        return False
    db.session.commit()
    return True


def codes_left(user: User) -> int:
    """How many of the user's recovery codes are still unused."""
    return (
        db.session.scalar(
            select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )
