"""An akimat's staff (қызметкерлер / сотрудники) as its administrator manages them: who works
here (people holding a role, and open invitations), giving and taking roles, an executor's
department, deactivating and reactivating an account, and resetting a lost second factor.

Two rules guard the akimat itself: it never loses its last administrator (by a role taken away or
an account deactivated), and the last administrator's second factor is reset only by the
platform's administrator — otherwise anyone holding that one account could reset it for itself.
domain/staff.py's add_staff stays for `flask create-user`."""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from ...extensions import db
from ...models import Akimat, Department, Invitation, Membership, Role, User
from ..accounts import AccountError, akimats_left_without_admin, end_all_sessions, may_deactivate
from ..accounts import deactivate as deactivate_account
from ..identity import normalize_phone
from ..permissions import Action, can
from ..recovery_codes import void_recovery_codes
from .invitations import Grant, InvitationError, check_grants
from .record import record_change


class StaffRuleError(Exception):
    """A change of staff the rules refuse; `message` is shown to the administrator."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def people_of(akimat: Akimat):
    """A query of the users holding a role in `akimat`, by name (for `paginate`)."""
    holds_role = exists().where(Membership.user_id == User.id, Membership.akimat_id == akimat.id)
    return select(User).where(holds_role).order_by(User.full_name, User.id)


def open_invitations(akimat: Akimat, now: datetime | None = None) -> list[Invitation]:
    """Invitations not yet accepted, revoked or expired, newest first."""
    now = now or datetime.now(UTC)
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.akimat_id == akimat.id,
                Invitation.open_at(now),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def person_in(akimat: Akimat, user_id: int) -> User | None:
    """The user, when they hold a role in `akimat`; None otherwise (the page is then 404)."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.memberships_in(akimat) else None


def _require_admin(by: User, akimat: Akimat) -> None:
    if not (by.is_platform_admin or can(by, Action.MANAGE_STAFF, akimat)):
        raise StaffRuleError(_l("Only an administrator of this akimat may change its staff."))


def grant_role(user: User, akimat: Akimat, grant: Grant, by: User) -> Membership:
    """Gives `user` one more role in `akimat` (an executor's with a department in service). The
    caller commits.

    grant: the role and, for an executor, the department."""
    _require_admin(by, akimat)
    try:
        check_grants(akimat, [grant])
    except InvitationError as error:
        raise StaffRuleError(error.message) from None
    if any(m.role is grant.role and m.department_id == grant.department_id for m in user.memberships_in(akimat)):
        raise StaffRuleError(_l("The person already holds this role."))
    membership = Membership(user=user, akimat_id=akimat.id, role=grant.role, department_id=grant.department_id)
    db.session.add(membership)
    db.session.flush()
    record_change("role_granted", "user", user.id, by, akimat.id, after=grant.to_json())
    return membership


def withdraw_role(membership: Membership, by: User) -> None:
    """Takes one role away; refused when it is the akimat's last active administrator. A department
    whose head loses the executor's role there has no head until another is chosen. The caller
    commits."""
    akimat, user = membership.akimat, membership.user
    _require_admin(by, akimat)
    if membership.role is Role.ADMIN and akimat.id in akimats_left_without_admin(user):
        raise StaffRuleError(_l("This is the akimat's last administrator: appoint another one first."))
    if membership.role is Role.EXECUTOR and membership.department is not None:
        department: Department = membership.department
        if department.head_id == user.id:
            department.head_id = None
            record_change(
                "department_changed",
                "department",
                department.id,
                by,
                akimat.id,
                {"head_id": user.id},
                {"head_id": None},
            )
    record_change(
        "role_withdrawn",
        "user",
        user.id,
        by,
        akimat.id,
        before=Grant(membership.role, membership.department_id).to_json(),
    )
    user.memberships.remove(membership)
    db.session.delete(membership)
    db.session.flush()
    # A session's permissions are read from the memberships at each request: no session to end.


def deactivate(user: User, by: User) -> None:
    """The account signs in no more and its sessions end now (domain/accounts.py). Commits."""
    try:
        deactivate_account(user, by)
    except AccountError as error:
        db.session.rollback()
        raise StaffRuleError(error.message) from None


def reactivate(user: User, akimat: Akimat, by: User) -> None:
    """The account may sign in again, with its roles as they were. The caller commits."""
    _require_admin(by, akimat)
    if user.active:
        raise StaffRuleError(_l("The account is already active."))
    user.active = True
    record_change("staff_reactivated", "user", user.id, by, akimat.id, {"active": False}, {"active": True})


def may_reset_second_factor(by: User, user: User) -> bool:
    """Never one's own; the platform's administrator for anyone; an akimat's administrator for a
    person holding a role in their akimat, unless that person is some akimat's last administrator."""
    if by.id == user.id:
        return False
    if by.is_platform_admin:
        return True
    return may_deactivate(by, user) and not akimats_left_without_admin(user)


def reset_second_factor(user: User, by: User, akimat: Akimat | None = None) -> None:
    """A lost phone: the authenticator's secret and the recovery codes are erased, every session of
    the user ends, and the next sign-in asks for a new enrolment (administrators cannot continue
    without one). Recorded. Commits.

    akimat: whose record the event goes in (None: the first akimat where `by` administers `user`)."""
    if not may_reset_second_factor(by, user):
        if by.id == user.id:
            raise StaffRuleError(_l("You cannot reset your own second factor. Ask another administrator."))
        if akimats_left_without_admin(user):
            raise StaffRuleError(
                _l("This is an akimat's last administrator: only the platform's administrator may reset it.")
            )
        raise StaffRuleError(_l("Only an administrator of the person's akimat may reset the second factor."))
    if akimat is None:
        admin_of = {m.akimat_id for m in by.memberships if m.role is Role.ADMIN}
        akimat_id = next((m.akimat_id for m in user.memberships if m.akimat_id in admin_of), None)
    else:
        akimat_id = akimat.id
    had = user.totp_secret is not None
    user.totp_secret = None
    user.totp_last_step = None
    void_recovery_codes(user)
    record_change(
        "second_factor_reset", "user", user.id, by, akimat_id, {"second_factor": had}, {"second_factor": False}
    )
    end_all_sessions(user)  # commits


def set_official_details(user: User, akimat: Akimat, position: str, work_phone: str, by: User) -> None:
    """What an answer and a receipt slip say of the official: their position and work phone
    (E.164; empty: the answer gives the department's line instead). The caller commits."""
    _require_admin(by, akimat)
    phone = normalize_phone(work_phone) if work_phone.strip() else None
    if work_phone.strip() and phone is None:
        raise StaffRuleError(_l("Enter a phone number like +7 701 234 5678."))
    before = {"position": user.position, "work_phone": user.work_phone}
    user.position, user.work_phone = position.strip() or None, phone
    after = {"position": user.position, "work_phone": user.work_phone}
    if after != before:
        record_change("staff_details_changed", "user", user.id, by, akimat.id, before, after)
