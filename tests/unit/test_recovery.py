"""Getting back in, by the rules: a reset link expires, works once, and dies when a newer one is
asked for; recovery codes work once each; neither is stored in clear."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from akimat_reception.domain import password_reset, recovery_codes
from akimat_reception.extensions import db
from akimat_reception.models import AdminEvent, Membership, OutboxMessage, PasswordReset, RecoveryCode, Role, User
from tests import factories

PASSWORD = "first steppe password"
NEW_PASSWORD = "kumis under a blue yurt"


def _user(active=True) -> User:
    user = User(email=f"reset-{uuid.uuid4().hex[:8]}@astana.demo.kz", full_name="Ерлан Қалпына", active=active)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.add(Membership(user=user, akimat=factories.akimat(), role=Role.REGISTRAR))
    db.session.commit()
    return user


def _token_sent_to(user: User) -> str:
    """The token in the newest reset email queued for the user (the outbox row still holds it)."""
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == user.email).order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None and message.kind == "password_reset"
    return message.secret


def _resets(user: User) -> list[PasswordReset]:
    return db.session.scalars(select(PasswordReset).where(PasswordReset.user_id == user.id)).all()


def test_a_reset_link_is_stored_only_as_its_hash_and_works_for_an_hour(app_context):
    user = _user()
    now = datetime.now(UTC)
    password_reset.request_reset(user.email.upper(), now)
    token = _token_sent_to(user)
    [reset] = _resets(user)
    assert reset.token_hash != token and token not in reset.token_hash and len(token) >= 43
    assert password_reset.find_reset(token, now + timedelta(minutes=59)) == reset
    assert password_reset.find_reset(token, now + timedelta(hours=1)) is None
    assert password_reset.find_reset("not-a-token", now) is None


def test_an_unknown_or_deactivated_address_gets_nothing(app_context):
    before = db.session.scalar(select(db.func.count(OutboxMessage.id)))
    password_reset.request_reset(f"nobody-{uuid.uuid4().hex[:6]}@example.kz")
    password_reset.request_reset(_user(active=False).email)
    assert db.session.scalar(select(db.func.count(OutboxMessage.id))) == before


def test_a_new_request_ends_the_earlier_links(app_context):
    user = _user()
    now = datetime.now(UTC)
    password_reset.request_reset(user.email, now)
    first = _token_sent_to(user)
    password_reset.request_reset(user.email, now + timedelta(minutes=5))
    second = _token_sent_to(user)
    assert password_reset.find_reset(first, now + timedelta(minutes=6)) is None
    assert password_reset.find_reset(second, now + timedelta(minutes=6)) is not None


def test_a_reset_changes_the_password_once_ends_sessions_and_is_recorded_without_it(app_context):
    user = _user()
    generation = user.session_generation or 0
    password_reset.request_reset(user.email)
    token = _token_sent_to(user)
    reset = password_reset.find_reset(token)
    password_reset.complete_reset(reset, NEW_PASSWORD)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    assert user.session_generation == generation + 1
    assert password_reset.find_reset(token) is None
    with pytest.raises(password_reset.ResetError):
        password_reset.complete_reset(reset, "another long steppe password")
    assert user.check_password(NEW_PASSWORD)
    [event] = db.session.scalars(
        select(AdminEvent).where(AdminEvent.kind == "password_reset", AdminEvent.target_id == user.id)
    ).all()
    assert event.actor_id == user.id and NEW_PASSWORD not in repr((event.before, event.after))


def test_a_weak_new_password_is_refused_and_the_link_still_works(app_context):
    user = _user()
    password_reset.request_reset(user.email)
    token = _token_sent_to(user)
    with pytest.raises(password_reset.ResetError):
        password_reset.complete_reset(password_reset.find_reset(token), "password123")
    assert password_reset.find_reset(token) is not None and user.check_password(PASSWORD)


def test_recovery_codes_are_ten_readable_codes_stored_as_hashes(app_context):
    user = _user()
    codes = recovery_codes.issue_recovery_codes(user)
    assert len(codes) == 10 == len(set(codes)) == recovery_codes.codes_left(user)
    for code in codes:
        assert len(code) == 9 and code[4] == "-" and not set(code) & set("01OIL")
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert not any(code.replace("-", "") in h or code in h for code in codes for h in stored)


def test_each_recovery_code_works_once_however_it_is_typed(app_context):
    user = _user()
    first, second, *_ = recovery_codes.issue_recovery_codes(user)
    assert recovery_codes.use_recovery_code(user, " " + first.lower().replace("-", " ") + " ")
    assert not recovery_codes.use_recovery_code(user, first)
    assert recovery_codes.codes_left(user) == 9
    assert not recovery_codes.use_recovery_code(user, "ABCD-EFGH")
    assert recovery_codes.use_recovery_code(user, second)


def test_new_recovery_codes_void_the_old_ones_and_serve_no_other_user(app_context):
    user, other = _user(), _user()
    old = recovery_codes.issue_recovery_codes(user)
    new = recovery_codes.issue_recovery_codes(user)
    assert not recovery_codes.use_recovery_code(user, old[0])
    assert not recovery_codes.use_recovery_code(other, new[0])
    assert recovery_codes.use_recovery_code(user, new[0])
