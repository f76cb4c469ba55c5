""" "My letters": a resident proves they hold an email or a phone with a one-time code sent to it,
and then sees the letters of the last year sent with that contact, in every akimat of the
installation.

- A code is 6 digits, kept only as an HMAC (with SECRET_KEY), valid for 10 minutes and for at
  most 5 tries; it exists in clear only in the outbox row until delivery (ACCESS_CODE_MARK).
- Codes are capped from the ContactCode rows themselves: per contact and per client (an HMAC of the
  connection's address) each day, and every SMS code of the installation each day (SMS pumping:
  someone makes a site send paid SMS to numbers they profit from). Phone numbers are recycled, so a
  code goes only to the contact itself, never "to the phone on file".
- No enumeration: every request that passes the caps is recorded and answered alike. A code is
  sent only when the contact has a letter of the last year (no mail or SMS to strangers); a row
  whose code went nowhere keeps an empty code_hash, which no code matches.
- The row is the record of the access: when the code was used and how many letters it showed.
"""

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Akimat, Channel, ContactCode, Letter, OutboxMessage
from . import notifications
from .identity import normalize_phone

CODE_DIGITS = 6
VALID_FOR = timedelta(minutes=10)
MAX_ATTEMPTS = 5
LOOK_BACK = timedelta(days=365)  # the letters a verified contact sees
CAP_WINDOW = timedelta(days=1)
NOT_SENT = ""  # code_hash of a request whose contact has no letter: no code was made or sent
MESSAGE_KIND = "my_letters_code"

# Defaults of the config keys (config.py): codes per contact, per client, SMS codes of the installation.
DEFAULT_CAPS = {"MY_LETTERS_CODES_PER_CONTACT": 3, "MY_LETTERS_CODES_PER_CLIENT": 10, "MY_LETTERS_SMS_PER_DAY": 500}


class ContactKind(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"


@dataclass(frozen=True)
class Contact:
    kind: ContactKind
    value: str  # lower-case email, or E.164 phone


class Refusal(enum.StrEnum):
    """Why no code was issued; none of them depends on whether the contact has letters."""

    CONTACT = "contact"  # this contact had its codes for the day
    CLIENT = "client"  # this connection had its codes for the day
    SMS = "sms"  # the installation sent its SMS codes for the day


class CodeRefused(Exception):
    def __init__(self, refusal: Refusal):
        super().__init__(refusal.value)
        self.refusal = refusal


def normalize_contact(value: str) -> Contact | None:
    """An email (lower-cased) or a phone number (E.164); None when it is neither."""
    value = (value or "").strip()
    if "@" in value:
        local, _, domain = value.rpartition("@")
        if not local or "." not in domain or any(c.isspace() for c in value) or len(value) > 254:
            return None
        return Contact(ContactKind.EMAIL, value.lower())
    phone = normalize_phone(value) if any(c.isdigit() for c in value) else None
    return Contact(ContactKind.PHONE, phone) if phone else None


def _hmac(message: str) -> str:
    key = current_app.secret_key
    key = key if isinstance(key, bytes) else str(key).encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def client_of(address: str | None) -> str:
    """The requesting client as an HMAC of its address: the rows keep no IP address."""
    return _hmac(f"client:{address or ''}")


def _code_hash(row_contact: str, code: str) -> str:
    return _hmac(f"contact-code:{row_contact}:{code}")


def _cap(name: str) -> int:
    return int(current_app.config.get(name, DEFAULT_CAPS[name]))


def _count(*conditions) -> int:
    return db.session.scalars(select(func.count(ContactCode.id)).where(*conditions)).one()


def _phone_contacts():
    """Phone contacts are E.164 (+ and digits), emails never start with +: a range of the contact
    index (ix_contact_code_contact_created), not a scan."""
    return ContactCode.contact >= "+", ContactCode.contact < ","


def refusal_for(contact: Contact, client: str, now: datetime) -> Refusal | None:
    since = now - CAP_WINDOW
    if _count(ContactCode.contact == contact.value, ContactCode.created_at > since) >= _cap(
        "MY_LETTERS_CODES_PER_CONTACT"
    ):
        return Refusal.CONTACT
    if _count(ContactCode.client == client, ContactCode.created_at > since) >= _cap("MY_LETTERS_CODES_PER_CLIENT"):
        return Refusal.CLIENT
    if contact.kind is ContactKind.PHONE:
        sent = _count(*_phone_contacts(), ContactCode.created_at > since, ContactCode.code_hash != NOT_SENT)
        if sent >= _cap("MY_LETTERS_SMS_PER_DAY"):
            return Refusal.SMS
    return None


def letters_filter(contact: Contact, since: datetime):
    """The letters of `contact` received after `since`, in every akimat. The akimats' ids are read
    first and given as a list: `akimat_id IN (1, 2, ...)` on the leading column of
    ix_letter_akimat_email / ix_letter_akimat_phone is one index range per akimat on both databases
    (with a subquery PostgreSQL would read the whole index instead)."""
    column = Letter.email if contact.kind is ContactKind.EMAIL else Letter.phone
    akimat_ids = db.session.scalars(select(Akimat.id).order_by(Akimat.id)).all()
    return (Letter.akimat_id.in_(akimat_ids), column == contact.value, Letter.received_at > since)


def _has_letters(contact: Contact, now: datetime) -> bool:
    return db.session.scalar(select(Letter.id).where(*letters_filter(contact, now - LOOK_BACK)).limit(1)) is not None


def request_code(contact: Contact, client: str, language: str, now: datetime | None = None) -> ContactCode:
    """Records the request and, when the contact has a letter of the last year, sends it a code
    through the outbox. Returns the row (the caller keeps its id for the code page). Commits.

    contact: as normalize_contact gives it.
    client: client_of(the request's address).
    language: the page's language, which the message is written in.
    Raises CodeRefused (nothing recorded) when a cap is reached."""
    now = now or datetime.now(UTC)
    refusal = refusal_for(contact, client, now)
    if refusal is not None:
        raise CodeRefused(refusal)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    send = _has_letters(contact, now)
    row = ContactCode(
        contact=contact.value,
        client=client,
        code_hash=_code_hash(contact.value, code) if send else NOT_SENT,
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    db.session.add(row)
    if send:
        _queue_code(contact, language, code)
    db.session.commit()
    return row


def code_message() -> notifications.Message:
    """Written inside force_locale; the SMS stays within one Cyrillic segment (70 characters)."""
    minutes = int(VALID_FOR.total_seconds() // 60)
    return notifications.Message(
        subject=_("Your code for “My letters”"),
        paragraphs=[
            _("Your one-time code: %(code)s", code=notifications.ACCESS_CODE_MARK),
            _(
                "Enter it on the “My letters” page within %(minutes)d minutes to see your letters of the last year.",
                minutes=minutes,
            ),
            _("If you did not ask for it, ignore this message: nobody sees your letters without the code."),
        ],
        sms=_(
            "My letters code: %(code)s. Valid %(minutes)d min.", code=notifications.ACCESS_CODE_MARK, minutes=minutes
        ),
        link=notifications.public_url("/my-letters/code"),
        link_text=_("Enter the code"),
    )


def _queue_code(contact: Contact, language: str, code: str) -> None:
    if contact.kind is ContactKind.EMAIL:
        notifications.queue_email(MESSAGE_KIND, contact.value, language, None, code_message, secret=code)
    else:
        queue_sms(contact.value, language, code_message, secret=code)


def queue_sms(phone: str, language: str, build, secret: str | None = None) -> None:
    """One SMS of no akimat and no letter; `build()` runs in `language`, the secret stands in it as
    ACCESS_CODE_MARK and is erased once delivered."""
    with force_locale(language):
        text = build().sms
    db.session.add(
        OutboxMessage(
            kind=MESSAGE_KIND,
            channel=Channel.SMS,
            recipient=phone,
            language=language,
            body_text=text,
            secret=secret,
        )
    )


class CodeProblem(enum.StrEnum):
    WRONG = "wrong"  # tries remain
    SPENT = "spent"  # expired, used, or out of tries: ask for a new code


@dataclass
class Verification:
    ok: bool
    problem: CodeProblem | None = None
    attempts_left: int = 0


def is_open(row: ContactCode, now: datetime) -> bool:
    return row.used_at is None and row.expires_at > now and row.attempts < MAX_ATTEMPTS


def verify(row: ContactCode, code: str, now: datetime | None = None) -> Verification:
    """Counts one try and, on the right code, marks the row used and records how many letters it
    shows. Each try is claimed by one UPDATE, so parallel tries cannot get past MAX_ATTEMPTS. Commits."""
    now = now or datetime.now(UTC)
    code = "".join(c for c in (code or "") if c.isdigit())
    tried = db.session.execute(
        update(ContactCode)
        .where(
            ContactCode.id == row.id,
            ContactCode.used_at.is_(None),
            ContactCode.expires_at > now,
            ContactCode.attempts < MAX_ATTEMPTS,
        )
        .values(attempts=ContactCode.attempts + 1)
    )
    if getattr(tried, "rowcount", 0) != 1:  # a CursorResult: how many rows the guarded update took
        db.session.rollback()
        return Verification(False, CodeProblem.SPENT)
    db.session.refresh(row)
    right = row.code_hash != NOT_SENT and hmac.compare_digest(row.code_hash, _code_hash(row.contact, code))
    if not right:
        db.session.commit()
        left = MAX_ATTEMPTS - row.attempts
        return Verification(False, CodeProblem.WRONG if left else CodeProblem.SPENT, left)
    row.used_at = now
    row.letters_shown = count_letters(contact_of(row), now)
    db.session.commit()
    return Verification(True)


def contact_of(row: ContactCode) -> Contact:
    kind = ContactKind.PHONE if row.contact.startswith("+") else ContactKind.EMAIL
    return Contact(kind, row.contact)


def count_letters(contact: Contact, now: datetime) -> int:
    return db.session.scalars(select(func.count(Letter.id)).where(*letters_filter(contact, now - LOOK_BACK))).one()


def letters_of_contact(contact: Contact, now: datetime):
    """The contact's letters of the last year, as a select for web/pagination (newest first there)."""
    return select(Letter).where(*letters_filter(contact, now - LOOK_BACK))


def letter_of_contact(contact: Contact, letter_id: int, now: datetime) -> Letter | None:
    """The letter, if it is one of the contact's letters of the last year (else None: not theirs)."""
    return db.session.scalar(select(Letter).where(Letter.id == letter_id, *letters_filter(contact, now - LOOK_BACK)))


def mask_iin(iin: str | None) -> str | None:
    """Only the last four digits: enough for a resident to recognise their own letter."""
    if not iin:
        return None
    return "•" * max(len(iin) - 4, 0) + iin[-4:]


def mask_address(address: str | None) -> str | None:
    """The first word (the city, usually) and an ellipsis."""
    words = (address or "").split()
    if not words:
        return None
    return words[0].rstrip(",.;:") + "…"


def mask_contact(contact: Contact) -> str:
    """How the code page names the contact: enough to spot a typo, not to read it off the screen."""
    if contact.kind is ContactKind.EMAIL:
        local, _, domain = contact.value.partition("@")
        return f"{local[:2]}•••@{domain}"  # a fixed mask: the length of the name is not told either
    return f"{contact.value[:4]}{'•' * (len(contact.value) - 6)}{contact.value[-2:]}"
