""" "Forgot your password?": a one-time link by email that expires in an hour. Only the token's
SHA-256 is stored, and the link exists in clear only in the email, which the outbox erases once
delivered (ACCESS_CODE_MARK).

A reset changes the password and nothing else: it ends every session (accounts.change_password)
and never skips the second factor — the person then signs in as usual, with the code."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import CursorResult, func, select, update

from ..extensions import db
from ..models import PasswordReset, User
from . import accounts, notifications
from .administration.record import record_change
from .passwords import password_problems

VALID_FOR = timedelta(hours=1)


class ResetError(Exception):
    """A new password the rules refuse; `message` is shown next to the field."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _home_akimat(user: User):
    """The akimat of the user's first role (its language and name on the email); None for a
    platform administrator without one."""
    memberships = sorted(user.memberships, key=lambda m: m.id)
    return memberships[0].akimat if memberships else None


def _language(user: User, akimat) -> str:
    if akimat is not None:
        return notifications.staff_language(user, akimat)
    return user.language or current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")


def _end_open_resets(user_id: int, now: datetime) -> None:
    """Earlier links of the user stop working: only the newest one opens the reset."""
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None), PasswordReset.expires_at > now)
        .values(expires_at=now)
    )


def request_reset(email: str, now: datetime | None = None) -> None:
    """Sends a reset link when an active account has this address; does nothing visible otherwise.
    The caller shows the same answer either way, and both ways run the same queries (the lookup and
    the ending of earlier links), so neither the page nor its timing tells whether the address
    exists. Commits.

    email: the address typed on the form, in any case.
    now: the moment of the request (tests pass their own clock).
    """
    now = now or datetime.now(UTC)
    address = email.strip().lower()[:254]
    user = db.session.scalar(select(User).where(func.lower(User.email) == address, User.active.is_(True)))
    token = secrets.token_urlsafe(32)
    _end_open_resets(user.id if user is not None else 0, now)
    if user is not None:
        reset = PasswordReset(user_id=user.id, token_hash=token_hash(token), created_at=now, expires_at=now + VALID_FOR)
        db.session.add(reset)
        _queue_email(user, token)
    db.session.commit()


def _queue_email(user: User, token: str) -> None:
    akimat = _home_akimat(user)
    link = notifications.public_url(f"/login/reset/{notifications.ACCESS_CODE_MARK}")

    def build():
        return notifications.Message(
            subject=_("Setting a new password for the virtual reception"),
            paragraphs=[
                _("%(name)s, someone asked to set a new password for your account.", name=user.full_name),
                _("The link works once and for one hour. After the new password, you sign in as usual."),
                _("If it was not you, ignore this email: your password stays as it is."),
            ],
            sms="",
            link=link,
            link_text=_("Set a new password"),
        )

    notifications.queue_email("password_reset", user.email, _language(user, akimat), akimat, build, secret=token)


def find_reset(token: str, now: datetime | None = None) -> PasswordReset | None:
    """The reset this link opens, or None when it is unknown, expired, used, superseded by a newer
    link, or its account was deactivated: the page says the same for all of them."""
    now = now or datetime.now(UTC)
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= now or not reset.user.active:
        return None
    return reset


def complete_reset(reset: PasswordReset, new_password: str, now: datetime | None = None) -> User:
    """Sets the new password, once per link: every session of the user ends, the event is recorded
    (without the password), and the second factor stays as it was. Commits.

    reset: an open reset, as find_reset gives it.
    new_password: the password typed twice on the form; it must pass password_problems.
    Raises ResetError when the password is refused or the link was used meanwhile.
    """
    now = now or datetime.now(UTC)
    user = reset.user
    problems = password_problems(new_password, (user.email, user.full_name))
    if problems:
        raise ResetError(problems[0])
    # Used once even when two tabs send the form at the same moment: only one UPDATE finds it open.
    claimed: CursorResult = db.session.execute(  # type: ignore[assignment]
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None), PasswordReset.expires_at > now)
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise ResetError(_("This link was already used. Ask for a new one."))
    _end_open_resets(user.id, now)
    akimat = _home_akimat(user)
    record_change("password_reset", "user", user.id, user, akimat.id if akimat is not None else None)
    accounts.change_password(user, new_password)  # commits, with the lines above
    return user
