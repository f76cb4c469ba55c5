"""The staff rules of an akimat's administration: the akimat keeps its last administrator, a
second factor is reset only by whom the rules allow, every change is in the record, and a
deactivated person's sessions end."""

import uuid

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from akimat_reception.demo import DEMO_PASSWORD
from akimat_reception.domain.administration import staff
from akimat_reception.domain.administration.invitations import Grant
from akimat_reception.domain.staff import add_staff
from akimat_reception.extensions import db
from akimat_reception.models import AdminEvent, Akimat, RecoveryCode, Role, User
from tests import factories


def _person(role: Role = Role.EXECUTOR, slug="astana", department_id=None) -> User:
    """A person of their own: an executor of a fresh department, so that no other test's counts of
    the demo akimat's staff (reminders, notifications) see them."""
    akimat = factories.akimat(slug)
    if role is Role.EXECUTOR and department_id is None:
        department_id = factories.department(slug).id
    email = f"{role.value}-{uuid.uuid4().hex[:8]}@example.kz"
    return add_staff(akimat, email, f"Person {email}", role, DEMO_PASSWORD, department_id)


def _new_akimat() -> Akimat:
    tag = uuid.uuid4().hex[:6]
    akimat = Akimat(slug=f"t-{tag}", number_prefix=tag[:6].upper(), name_kk=tag, name_ru=tag, name_en=tag)
    db.session.add(akimat)
    db.session.commit()
    return akimat


def _events(kind: str, user: User) -> list[AdminEvent]:
    return list(db.session.scalars(select(AdminEvent).where(AdminEvent.kind == kind, AdminEvent.target_id == user.id)))


def test_the_last_administrator_keeps_the_role(app, app_context):
    akimat = _new_akimat()
    only = add_staff(akimat, f"only-{uuid.uuid4().hex[:8]}@example.kz", "Only Admin", Role.ADMIN, DEMO_PASSWORD)
    [membership] = only.memberships_in(akimat)
    with force_locale("en"), pytest.raises(staff.StaffRuleError, match="last administrator"):
        staff.withdraw_role(membership, only)
    second = add_staff(akimat, f"second-{uuid.uuid4().hex[:8]}@example.kz", "Second Admin", Role.ADMIN, DEMO_PASSWORD)
    staff.withdraw_role(membership, second)
    db.session.commit()
    assert Role.ADMIN not in only.roles_in(akimat)
    [event] = _events("role_withdrawn", only)
    assert event.before == {"role": "admin", "department_id": None} and event.actor_id == second.id


def test_the_last_active_administrator_cannot_be_deactivated(app, app_context):
    akimat = _new_akimat()
    first = add_staff(akimat, f"a-{uuid.uuid4().hex[:8]}@example.kz", "First", Role.ADMIN, DEMO_PASSWORD)
    second = add_staff(akimat, f"b-{uuid.uuid4().hex[:8]}@example.kz", "Second", Role.ADMIN, DEMO_PASSWORD)
    staff.deactivate(first, second)
    assert not first.active
    with pytest.raises(staff.StaffRuleError):  # never oneself, and never the last one
        staff.deactivate(second, second)
    staff.reactivate(first, akimat, second)
    db.session.commit()
    assert first.active
    assert [e.after for e in _events("staff_reactivated", first)] == [{"active": True}]


def test_deactivation_ends_the_sessions_and_is_recorded(app, app_context):
    person = _person()
    generation = person.session_generation
    admin = factories.staff(Role.ADMIN)
    staff.deactivate(person, admin)
    db.session.refresh(person)
    assert person.active is False and person.session_generation == generation + 1
    [event] = _events("staff_deactivated", person)
    assert (event.before, event.after, event.actor_id) == ({"active": True}, {"active": False}, admin.id)
    assert event.akimat_id == factories.akimat("astana").id


def test_an_administrator_of_another_akimat_changes_nothing(app, app_context):
    person = _person()
    stranger = factories.staff(Role.ADMIN, "almaty")
    with pytest.raises(staff.StaffRuleError):
        staff.deactivate(person, stranger)
    with pytest.raises(staff.StaffRuleError):
        staff.grant_role(person, factories.akimat("astana"), Grant(Role.CONTROLLER), stranger)
    with pytest.raises(staff.StaffRuleError):
        staff.reset_second_factor(person, stranger)
    assert person.active


def test_role_changes_are_recorded_with_the_department(app, app_context):
    person = _person()
    astana = factories.akimat("astana")
    admin = factories.staff(Role.ADMIN)
    department = factories.department()
    staff.grant_role(person, astana, Grant(Role.EXECUTOR, department.id), admin)
    db.session.commit()
    assert department.id in person.departments_in(astana)
    [event] = _events("role_granted", person)
    assert event.after == {"role": "executor", "department_id": department.id}
    with pytest.raises(staff.StaffRuleError):  # an executor needs a department
        staff.grant_role(person, astana, Grant(Role.EXECUTOR), admin)
    with pytest.raises(staff.StaffRuleError):  # the same role twice
        staff.grant_role(person, astana, Grant(Role.EXECUTOR, department.id), admin)


def test_an_administrator_resets_another_persons_second_factor(app, app_context):
    person = _person()
    person.totp_secret = "JBSWY3DPEHPK3PXP"
    db.session.add(RecoveryCode(user_id=person.id, code_hash="x" * 64))
    db.session.commit()
    generation = person.session_generation
    staff.reset_second_factor(person, factories.staff(Role.ADMIN))
    db.session.refresh(person)
    assert person.totp_secret is None and person.session_generation == generation + 1
    assert db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == person.id)).all() == []
    [event] = _events("second_factor_reset", person)
    assert event.before == {"second_factor": True} and event.after == {"second_factor": False}


def test_nobody_resets_their_own_second_factor(app, app_context):
    admin = factories.staff(Role.ADMIN)
    with force_locale("en"), pytest.raises(staff.StaffRuleError, match="own"):
        staff.reset_second_factor(admin, admin)


def test_only_the_platform_administrator_resets_the_last_administrators_second_factor(app, app_context):
    akimat = _new_akimat()
    last = add_staff(akimat, f"last-{uuid.uuid4().hex[:8]}@example.kz", "Last Admin", Role.ADMIN, DEMO_PASSWORD)
    last.totp_secret = "JBSWY3DPEHPK3PXP"
    # An administrator elsewhere, who also administers `last` there: still not allowed.
    other = factories.staff(Role.ADMIN)
    astana = factories.akimat("astana")
    add_staff(astana, last.email, last.full_name, Role.EXECUTOR, DEMO_PASSWORD, factories.department().id)
    assert not staff.may_reset_second_factor(other, last)
    with force_locale("en"), pytest.raises(staff.StaffRuleError, match="platform"):
        staff.reset_second_factor(last, other)
    platform = User(email=f"platform-{uuid.uuid4().hex[:8]}@example.kz", full_name="Operator", is_platform_admin=True)
    platform.set_password(DEMO_PASSWORD)
    db.session.add(platform)
    db.session.commit()
    staff.reset_second_factor(last, platform, akimat)
    assert last.totp_secret is None
    [event] = _events("second_factor_reset", last)
    assert event.actor_id == platform.id and event.akimat_id == akimat.id


def test_an_invitation_is_accepted_once_even_from_two_tabs(app, app_context):
    from akimat_reception.domain.administration import invitations

    astana = factories.akimat("astana")
    email = f"tabs-{uuid.uuid4().hex[:8]}@example.kz"
    invitation, token = invitations.invite(
        astana, email, "Two Tabs", [Grant(Role.EXECUTOR, factories.department().id)], None, send=False
    )
    db.session.commit()
    first = invitations.find_open(token)
    second = invitations.find_open(token)  # opened in another tab before the first was sent
    assert first is not None and second is not None
    invitations.accept(first, "quiet-river-lantern-2026")
    # accept() itself trusts the page's find_open; only its guarded UPDATE stops the second tab.
    with force_locale("en"), pytest.raises(invitations.InvitationError, match="already used"):
        invitations.accept(second, "quiet-river-lantern-2026")
    assert invitations.find_open(token) is None
    user = db.session.scalar(select(User).where(User.email == email))
    assert [m.role for m in user.memberships] == [Role.EXECUTOR]


def test_an_accepted_or_revoked_invitation_is_neither_resent_nor_revoked(app, app_context):
    from akimat_reception.domain.administration import invitations

    astana = factories.akimat("astana")
    admin = factories.staff(Role.ADMIN)
    invitation, _ = invitations.invite(astana, f"r-{uuid.uuid4().hex[:8]}@example.kz", "R", [Grant(Role.AKIM)], admin)
    invitations.revoke(invitation, admin)
    db.session.commit()
    with pytest.raises(invitations.InvitationError):
        invitations.resend(invitation, admin)
    with pytest.raises(invitations.InvitationError):
        invitations.revoke(invitation, admin)
