"""A staff member's account: the changes that must end every session of the user at once
(signing out, a new password, a new second factor, deactivation, "sign out everywhere").

Each of them raises the user's session generation (`User.session_generation`); a session signed in
under an older generation is refused on its next request, on every worker and host (security.py
explains why a generation and not server-side sessions)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..models import Membership, Role, User
from .administration.record import record_change
from .lifecycle import release_letters_of


class AccountError(Exception):
    """A change the rules do not allow; `message` is shown to the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def end_all_sessions(user: User) -> None:
    """Every session of the user stops working at its next request. Committed at once: the other
    workers see it as soon as they load the user."""
    user.session_generation = (user.session_generation or 0) + 1
    db.session.commit()


def change_password(user: User, new_password: str) -> None:
    """A new password ends every session signed in with the old one (a thief's too)."""
    user.set_password(new_password)
    end_all_sessions(user)


def turn_on_second_factor(user: User, secret: str) -> None:
    """A new second factor: sessions opened before it (perhaps without it) end."""
    user.totp_secret = secret
    end_all_sessions(user)


def may_deactivate(admin: User, user: User) -> bool:
    """An administrator of an akimat where the user holds a role; never oneself (an akimat must not
    lose its last administrator by a slip)."""
    if admin.id == user.id:
        return False
    admin_of = {m.akimat_id for m in admin.memberships if m.role is Role.ADMIN}
    return any(m.akimat_id in admin_of for m in user.memberships)


def akimats_left_without_admin(user: User) -> list[int]:
    """The akimats where `user` is the only active administrator: they would have no one to manage
    them if the user lost the role or the account."""
    sole = []
    for akimat_id in {m.akimat_id for m in user.memberships if m.role is Role.ADMIN}:
        others = db.session.scalar(
            select(func.count(func.distinct(Membership.user_id)))
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.akimat_id == akimat_id,
                Membership.role == Role.ADMIN,
                Membership.user_id != user.id,
                User.active.is_(True),
            )
        )
        if not others:
            sole.append(akimat_id)
    return sorted(sole)


def deactivate(user: User, by: User) -> None:
    """A departing employee: the account can no longer sign in and every open session ends now.
    Recorded in the record of every akimat where `by` administers the user; refused when an akimat
    would lose its last administrator."""
    if not may_deactivate(by, user):
        raise AccountError(_l("Only an administrator of the user's akimat may deactivate the account."))
    if not user.active:
        raise AccountError(_l("The account is already deactivated."))
    if akimats_left_without_admin(user):
        raise AccountError(_l("This is the akimat's last administrator: appoint another one first."))
    admin_of = {m.akimat_id for m in by.memberships if m.role is Role.ADMIN}
    for akimat_id in sorted({m.akimat_id for m in user.memberships} & admin_of):
        record_change("staff_deactivated", "user", user.id, by, akimat_id, {"active": True}, {"active": False})
    release_letters_of(user, by)  # their letters go back to the department's head or the registrar
    user.active = False
    end_all_sessions(user)
