""" "My letters" by its rules: the contact normalised, one-time codes capped per contact, per client
and (SMS) per installation each day, a code that expires, counts its tries and works once, kept
only as a hash; a code sent only where letters are; the IIN and address masked."""

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from akimat_reception.domain import contact_codes
from akimat_reception.domain.contact_codes import CodeProblem, CodeRefused, Contact, ContactKind, Refusal
from akimat_reception.domain.notifications import ACCESS_CODE_MARK
from akimat_reception.extensions import db
from akimat_reception.models import Channel, OutboxMessage
from tests import factories


def _email() -> str:
    return f"mine-{uuid.uuid4().hex[:10]}@example.kz"


def _phone() -> str:
    return f"+7701{random.randrange(10**7):07d}"


def _client() -> str:
    return contact_codes.client_of(f"10.77.{random.randrange(256)}.{random.randrange(256)}-{uuid.uuid4().hex}")


def _request(value, client=None, now=None, language="ru"):
    return contact_codes.request_code(contact_codes.normalize_contact(value), client or _client(), language, now)


def _sent_code(recipient: str) -> OutboxMessage:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id.desc())
    ).first()


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("  Aigul.Nur@Example.KZ ", Contact(ContactKind.EMAIL, "aigul.nur@example.kz")),
        ("8 701 234 56 78", Contact(ContactKind.PHONE, "+77012345678")),
        ("+7 (701) 234-56-78", Contact(ContactKind.PHONE, "+77012345678")),
    ],
)
def test_a_contact_is_normalised_as_the_letters_store_it(typed, expected):
    assert contact_codes.normalize_contact(typed) == expected


@pytest.mark.parametrize("typed", ["", "not a contact", "12345", "@example.kz", "name@localhost", "a b@example.kz"])
def test_what_is_neither_an_email_nor_a_phone_is_refused(typed):
    assert contact_codes.normalize_contact(typed) is None


def test_iin_and_address_are_masked_to_what_the_resident_recognises():
    assert contact_codes.mask_iin("900101300017") == "••••••••0017"
    assert contact_codes.mask_iin(None) is None
    assert contact_codes.mask_address("Астана, ул. Тестовая, 1") == "Астана…"
    assert contact_codes.mask_address("  ") is None
    assert contact_codes.mask_contact(Contact(ContactKind.EMAIL, "aigul.nurlanovna@example.kz")) == "ai•••@example.kz"
    assert contact_codes.mask_contact(Contact(ContactKind.PHONE, "+77012345678")) == "+770••••••78"


def test_a_code_goes_to_a_contact_with_letters_only_as_a_hash_and_a_marked_secret(app_context):
    email = _email()
    factories.letter(email=email)
    row = _request(email)
    message = _sent_code(email)
    assert message.kind == contact_codes.MESSAGE_KIND and message.channel is Channel.EMAIL
    code = message.secret
    assert len(code) == 6 and code.isdigit()
    assert code not in message.body_text and ACCESS_CODE_MARK in message.body_text
    assert code not in row.code_hash and row.expires_at - row.created_at == timedelta(minutes=10)


def test_a_contact_without_letters_is_recorded_alike_but_sent_nothing(app_context):
    email = _email()
    row = _request(email)
    assert row.id is not None and row.contact == email
    assert _sent_code(email) is None
    assert contact_codes.verify(row, "123456").problem is CodeProblem.WRONG  # no code matches


def test_codes_are_capped_per_contact_each_day(app_context):
    email, now = _email(), datetime.now(UTC)
    for _ in range(3):
        _request(email, now=now)
    with pytest.raises(CodeRefused) as refused:
        _request(email.upper(), now=now)  # the same contact however it is typed
    assert refused.value.refusal is Refusal.CONTACT
    _request(_email(), now=now)  # another contact is not held up
    _request(email, now=now + timedelta(days=1, seconds=1))  # a day later it may ask again


def test_codes_are_capped_per_client_each_day(app_context):
    client, now = _client(), datetime.now(UTC)
    for _ in range(10):
        _request(_email(), client=client, now=now)
    with pytest.raises(CodeRefused) as refused:
        _request(_email(), client=client, now=now)
    assert refused.value.refusal is Refusal.CLIENT
    _request(_email(), now=now)  # another client is not held up


def test_sms_codes_of_the_installation_are_capped_each_day_and_email_still_works(app, app_context, monkeypatch):
    now = datetime.now(UTC)
    since = now - timedelta(days=1)
    already = db.session.scalar(
        select(db.func.count())
        .select_from(contact_codes.ContactCode)
        .where(*contact_codes._phone_contacts(), contact_codes.ContactCode.created_at > since)
        .where(contact_codes.ContactCode.code_hash != contact_codes.NOT_SENT)
    )
    monkeypatch.setitem(app.config, "MY_LETTERS_SMS_PER_DAY", already + 2)
    phones = [_phone() for _ in range(3)]
    for phone in phones:
        factories.letter(phone=phone)
    _request(phones[0], now=now)
    _request(_phone(), now=now)  # no letters: no SMS, so it does not use the budget
    _request(phones[1], now=now)
    with pytest.raises(CodeRefused) as refused:
        _request(phones[2], now=now)
    assert refused.value.refusal is Refusal.SMS
    with pytest.raises(CodeRefused):
        _request(_phone(), now=now)  # the same answer whether or not the number has letters
    email = _email()
    factories.letter(email=email)
    _request(email, now=now)
    assert _sent_code(email) is not None


def test_the_right_code_works_once_and_records_the_access(app_context):
    email = _email()
    factories.letter(email=email)
    factories.letter("almaty", email=email)
    row = _request(email)
    code = _sent_code(email).secret
    outcome = contact_codes.verify(row, code[:3] + " " + code[3:])
    assert outcome.ok
    assert row.used_at is not None and row.letters_shown == 2
    assert contact_codes.verify(row, code).problem is CodeProblem.SPENT


def test_a_code_allows_five_tries_then_not_even_the_right_one(app_context):
    email = _email()
    factories.letter(email=email)
    row = _request(email)
    code = _sent_code(email).secret
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    left = [contact_codes.verify(row, wrong).attempts_left for _ in range(4)]
    assert left == [4, 3, 2, 1]
    assert contact_codes.verify(row, wrong).problem is CodeProblem.SPENT
    assert not contact_codes.verify(row, code).ok
    assert row.used_at is None


def test_a_code_expires_after_ten_minutes(app_context):
    email, now = _email(), datetime.now(UTC)
    factories.letter(email=email)
    row = _request(email, now=now)
    code = _sent_code(email).secret
    assert contact_codes.verify(row, code, now + timedelta(minutes=10, seconds=1)).problem is CodeProblem.SPENT
    assert row.used_at is None


def test_only_the_contacts_letters_of_the_last_year_are_listed(app_context):
    email, now = _email(), datetime.now(UTC)
    recent, _ = factories.letter(email=email)
    elsewhere, _ = factories.letter("almaty", email=email)
    factories.letter(email=email, received_at=now - timedelta(days=366))
    factories.letter(email=_email())
    contact = contact_codes.normalize_contact(email)
    listed = db.session.scalars(contact_codes.letters_of_contact(contact, now)).all()
    assert {letter.number for letter in listed} == {recent.number, elsewhere.number}
    assert contact_codes.letter_of_contact(contact, recent.id, now) is not None


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_code_sms_fits_one_cyrillic_segment(app_context, language):
    with force_locale(language):
        sms = contact_codes.code_message().sms.replace(ACCESS_CODE_MARK, "123456")
    assert len(sms) <= 70, (len(sms), sms)


def test_a_letter_sent_with_capitals_in_its_email_is_found_by_the_lower_case_contact(app):
    with app.app_context():
        letter, _ = factories.letter(email="Aigul.Capitals@Example.KZ")
        assert letter.email == "aigul.capitals@example.kz"
        assert contact_codes.normalize_contact("AIGUL.capitals@example.kz").value == letter.email
