"""Inviting a person to hold roles in an akimat (PRODUCT.md: staff are invited, never created by
code). The administrator names the email, the name and the roles; the person gets a one-time link
that expires, sets a password there (an administrator then enrols the second factor at the first
sign-in, security.py) and holds the roles. A person who already has an account — one person in
several akimats — accepts by signing in with their own password; the roles are added.

Only the token's SHA-256 is stored: the link exists in clear only in the email, which the outbox
erases once delivered (ACCESS_CODE_MARK)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ...extensions import db
from ...models import Akimat, Department, Invitation, Membership, Role, User
from .. import notifications
from ..passwords import password_problems
from .record import record_change

INVITATION_DAYS = 7


class InvitationError(Exception):
    """An invitation the rules refuse; `field` names the form field, `message` is shown."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Grant:
    """One role to hold in the akimat; an executor's in one department."""

    role: Role
    department_id: int | None = None

    def to_json(self) -> dict:
        return {"role": self.role.value, "department_id": self.department_id}

    @classmethod
    def from_json(cls, data: dict) -> "Grant":
        return cls(Role(data["role"]), data.get("department_id"))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_grants(akimat: Akimat, grants: list[Grant]) -> None:
    """An executor needs a department of this akimat that is not retired; no other role has one."""
    if not grants:
        raise InvitationError("roles", _l("Choose at least one role."))
    for grant in grants:
        if grant.role is Role.EXECUTOR:
            department = db.session.get(Department, grant.department_id) if grant.department_id else None
            if department is None or department.akimat_id != akimat.id or department.retired_at is not None:
                raise InvitationError("department", _l("An executor needs a department of this akimat."))
        elif grant.department_id is not None:
            raise InvitationError("department", _l("Only an executor belongs to a department."))


def invite(
    akimat: Akimat,
    email: str,
    full_name: str,
    grants: list[Grant],
    by: User | None,
    send: bool = True,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """Prepares an invitation and, when `send`, queues its email. Returns it and the token (the
    link's secret), which is nowhere else in clear. The caller commits.

    akimat: where the roles will hold.
    email: the address the link goes to; stored in lower case.
    grants: the roles; an executor's with a department of this akimat.
    by: the administrator inviting (None: an import from the command line).
    send: False for an import, whose invitations go out only when the administrator confirms.
    """
    check_grants(akimat, grants)
    now = now or datetime.now(UTC)
    email = email.strip().lower()
    if any(i.email == email for i in _open_in(akimat.id, now)):
        raise InvitationError("email", _l("An invitation to this address is already open: resend it instead."))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        akimat_id=akimat.id,
        email=email,
        full_name=full_name.strip(),
        roles=[g.to_json() for g in grants],
        token_hash=token_hash(token),
        invited_by_id=by.id if by else None,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    record_change(
        "staff_invited",
        "invitation",
        invitation.id,
        by,
        akimat.id,
        after={"email": email, "full_name": invitation.full_name, "roles": invitation.roles},
    )
    if send:
        send_invitation(invitation, token, now)
    return invitation, token


def send_invitation(invitation: Invitation, token: str, now: datetime | None = None) -> None:
    """Queues the invitation's email (in the akimat's default language) and marks it sent."""
    akimat = invitation.akimat
    invitation.sent_at = now or datetime.now(UTC)
    link = notifications.public_url(f"/invitations/{notifications.ACCESS_CODE_MARK}")

    def build():
        return notifications.Message(
            subject=_("Invitation to the virtual reception of %(akimat)s", akimat=akimat.name),
            paragraphs=[
                _(
                    "%(name)s, you are invited to work in the virtual reception of %(akimat)s.",
                    name=invitation.full_name,
                    akimat=akimat.name,
                ),
                _("The link works once and until %(date)s.", date=_format_day(invitation.expires_at)),
            ],
            sms="",
            link=link,
            link_text=_("Accept the invitation"),
        )

    notifications.queue_email(
        "staff_invitation", invitation.email, akimat.default_language, akimat, build, secret=token
    )


def _open_in(akimat_id: int, now: datetime) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation).where(
                Invitation.akimat_id == akimat_id,
                Invitation.open_at(now),
            )
        )
    )


def _check_still_pending(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise InvitationError("invitation", _l("This invitation was already accepted."))
    if invitation.revoked_at is not None:
        raise InvitationError("invitation", _l("This invitation was revoked."))


def resend(invitation: Invitation, by: User | None, now: datetime | None = None) -> str:
    """A new link (the old one stops working) and a new term; the caller commits. Refused for an
    invitation already accepted or revoked (an expired one may be sent again)."""
    _check_still_pending(invitation)
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.expires_at = now + timedelta(days=INVITATION_DAYS)
    record_change("invitation_resent", "invitation", invitation.id, by, invitation.akimat_id)
    send_invitation(invitation, token, now)
    return token


def _format_day(moment: datetime) -> str:
    from flask_babel import format_date

    return format_date(moment.date(), "long")


def find_open(token: str, now: datetime | None = None) -> Invitation | None:
    """The invitation this link opens, or None when it is unknown, used, revoked or expired: the
    page says the same for all four, so a link cannot be probed."""
    now = now or datetime.now(UTC)
    return db.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token), Invitation.open_at(now))
    )


def existing_account(invitation: Invitation) -> User | None:
    # Accounts made before emails were stored in lower case may differ in case: sign-in ignores it.
    return db.session.scalar(select(User).where(func.lower(User.email) == invitation.email))


def accept(invitation: Invitation, password: str, now: datetime | None = None) -> User:
    """Accepts the invitation: a new account with this password, or — when the address already has
    one — the roles added to it once its own password is given. Commits.

    Raises InvitationError("password", ...) for a weak new password or a wrong existing one,
    InvitationError("invitation", ...) when the link was used meanwhile (two tabs, two people) or
    a department it names was retired since.
    """
    now = now or datetime.now(UTC)
    grants = list(map(Grant.from_json, invitation.roles))
    try:
        check_grants(invitation.akimat, grants)
    except InvitationError:
        raise InvitationError(
            "invitation",
            _l("The akimat's structure changed since this invitation: ask its administrator for a new one."),
        ) from None
    user = existing_account(invitation)
    if user is None:
        problems = password_problems(password, (invitation.email, invitation.full_name))
        if problems:
            raise InvitationError("password", problems[0])
        user = User(email=invitation.email, full_name=invitation.full_name)
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
    elif not user.active or not user.check_password(password):
        raise InvitationError("password", _l("The password is not the one of this account."))
    # Used once, even by two requests at the same moment: only one of them changes the row.
    claimed = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.open_at(now),
        )
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise InvitationError("invitation", _l("This link was already used or has expired."))
    for grant in grants:
        held = any(
            m.akimat_id == invitation.akimat_id and m.role is grant.role and m.department_id == grant.department_id
            for m in user.memberships
        )
        if not held:
            db.session.add(
                Membership(
                    user=user, akimat_id=invitation.akimat_id, role=grant.role, department_id=grant.department_id
                )
            )
    invitation.accepted_at = now
    invitation.user_id = user.id
    record_change("invitation_accepted", "user", user.id, user, invitation.akimat_id, after={"roles": invitation.roles})
    db.session.commit()
    return user


def revoke(invitation: Invitation, by: User) -> None:
    """The link stops working; refused for one already accepted or revoked. The caller commits."""
    _check_still_pending(invitation)
    invitation.revoked_at = datetime.now(UTC)
    record_change("invitation_revoked", "invitation", invitation.id, by, invitation.akimat_id)
