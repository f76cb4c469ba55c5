"""Notifications are rows of the outbox, added in the transaction of the change they report, and
rendered then, in the recipient's language, so they say what was true at that moment. The status
they name comes from labels.resident_status, the same words as the tracking page."""

from dataclasses import dataclass, field
from datetime import date

from flask import current_app, render_template
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _

from ..extensions import db
from ..models import Akimat, Channel, Letter, OutboxMessage, User
from .letter_links import TOKEN_BYTES, new_link_token

ACCESS_CODE_MARK = "[ACCESS-CODE]"  # replaced at delivery by the secret, which is then erased
LINK_TOKEN_MARK = "[LINK-TOKEN]"  # the one-click link's token, likewise


@dataclass
class RecordLines:
    """What the registration email carries of the record: the submitted entry's leaf hash and the
    latest signed checkpoint of the akimat's log, so that the resident holds a copy of both."""

    title: str
    leaf_label: str
    leaf_hash: str
    checkpoint_label: str
    checkpoint: str | None
    explanation: str


@dataclass
class Message:
    subject: str
    paragraphs: list[str]
    sms: str
    link: str | None = None
    link_text: str | None = None
    lines: list[str] = field(default_factory=list)
    # The letter's entry in the sealed record, for the email only (an SMS has no room for hashes).
    record: RecordLines | None = None


def record_lines(letter: Letter) -> RecordLines | None:
    """Seals the transaction's rows now, so that the letter's entry exists before the email is
    written (domain/record/log.py seal_now); None if the letter has no entry."""
    from .record import log as record_log
    from .record import receipts

    record_log.seal_now(db.session())  # the request's Session itself
    summary = receipts.summary(letter)
    if summary.leaf_hash is None:
        return None
    return RecordLines(
        title=_("Your letter in the public record"),
        leaf_label=_("The letter's entry (leaf hash):"),
        leaf_hash=summary.leaf_hash,
        checkpoint_label=_("The latest signed checkpoint of the record:"),
        checkpoint=summary.checkpoint_note,
        explanation=_(
            "Keep this email: the entry and the checkpoint let you or anyone you trust check later that "
            "your letter is in the akimat's record, unchanged."
        )
        + " "
        + ngettext(
            "Within %(num)d minute the letter is in a signed checkpoint; the tracking page then offers "
            "the receipt to download and check.",
            "Within %(num)d minutes the letter is in a signed checkpoint; the tracking page then offers "
            "the receipt to download and check.",
            receipts.max_delay_minutes(),
        ),
    )


def _base_url() -> str:
    return current_app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")


def tracking_url(letter: Letter) -> str:
    return f"{_base_url()}/{letter.akimat.slug}/track"


def letter_link(letter: Letter) -> str:
    """The one-click link that opens `letter` (web/public/continuity.py); its token is put in at delivery."""
    return f"{_base_url()}/{letter.akimat.slug}/l/{LINK_TOKEN_MARK}"


# --- the secrets a message carries -------------------------------------------------------------
# OutboxMessage.secret holds, until delivery, what the text shows only as marks: the access code
# and the link's token. A plain secret stands for ACCESS_CODE_MARK alone (the staff's one-time
# links); a packed one ("v2:<code>:<token>", neither contains ":") for both marks.
_PACKED = "v2:"
SAMPLE_VALUES = {ACCESS_CODE_MARK: "X" * 19, LINK_TOKEN_MARK: "x" * (TOKEN_BYTES * 4 // 3)}


def pack_secrets(code: str | None, token: str | None) -> str | None:
    if token is None:
        return code
    return f"{_PACKED}{code or ''}:{token}"


def secret_values(secret: str | None) -> dict[str, str]:
    if not secret:
        return {}
    if not secret.startswith(_PACKED):
        return {ACCESS_CODE_MARK: secret}
    code, token = secret[len(_PACKED) :].split(":", 1)
    return {mark: value for mark, value in ((ACCESS_CODE_MARK, code), (LINK_TOKEN_MARK, token)) if value}


def reveal(text: str | None, secret: str | None) -> str | None:
    """The text as delivered: each mark replaced by its secret (done by the worker, just before sending)."""
    for mark, value in secret_values(secret).items():
        text = text.replace(mark, value) if text else text
    return text


def as_delivered(text: str) -> str:
    """The text with its marks replaced by values as long as the real ones: for measuring an SMS."""
    for mark, value in SAMPLE_VALUES.items():
        text = text.replace(mark, value)
    return text


def queue_for_resident(kind: str, letter: Letter, secret: str | None = None, **extra) -> None:
    """An email and/or an SMS, to the contacts the resident gave, in the letter's language, each
    with a new one-click link (of the letter's current code generation) and `secret`, the new
    access code, if the message carries one."""
    from .resident_messages import link_target, resident_message

    if not (letter.email or letter.phone):
        return  # no contact: the resident learns it on the page, or from the chancellery
    with force_locale(letter.language):
        message = resident_message(kind, letter, **extra)
        if kind == "receipt":
            message.record = record_lines(letter)
        html = render_template("emails/message.html", message=message, language=letter.language)
    target = link_target(letter)
    db.session.flush()  # the target's id, for the link's row
    packed = pack_secrets(secret, new_link_token(target))
    if letter.email:
        db.session.add(
            OutboxMessage(
                akimat_id=letter.akimat_id,
                letter_id=letter.id,
                kind=kind,
                channel=Channel.EMAIL,
                recipient=letter.email,
                language=letter.language,
                subject=message.subject,
                body_text=_text(message),
                body_html=html,
                secret=packed,
            )
        )
    if letter.phone:
        db.session.add(
            OutboxMessage(
                akimat_id=letter.akimat_id,
                letter_id=letter.id,
                kind=kind,
                channel=Channel.SMS,
                recipient=letter.phone,
                language=letter.language,
                body_text=message.sms,
                secret=packed,
            )
        )


def staff_language(user: User, akimat: Akimat) -> str:
    return user.language or akimat.default_language


def queue_for_staff(kind: str, user: User, akimat: Akimat, build, letter: Letter | None = None) -> None:
    """`build()` makes the Message; it runs in the staff member's language."""
    queue_email(kind, user.email, staff_language(user, akimat), akimat, build, letter=letter)


def queue_email(
    kind: str,
    recipient: str,
    language: str,
    akimat: Akimat | None,
    build,
    letter: Letter | None = None,
    secret: str | None = None,
) -> None:
    """One email to `recipient`, `build()` run in `language`. A `secret` (a one-time link's token)
    stands in the text as ACCESS_CODE_MARK: it is put in at delivery and then erased from the row."""
    with force_locale(language):
        message = build()
        html = render_template("emails/message.html", message=message, language=language)
    db.session.add(
        OutboxMessage(
            akimat_id=akimat.id if akimat is not None else None,
            letter_id=letter.id if letter else None,
            kind=kind,
            channel=Channel.EMAIL,
            recipient=recipient,
            language=language,
            subject=message.subject,
            body_text=_text(message),
            body_html=html,
            secret=secret,
        )
    )


def public_url(path: str) -> str:
    """An absolute link for a message: PUBLIC_BASE_URL and `path` (which starts with /)."""
    return f"{_base_url()}{path}"


def office_url(letter: Letter) -> str:
    return f"{_base_url()}/{letter.akimat.slug}/office/letters/{letter.number}"


def reminder_message(letter: Letter, state: str) -> Message:
    deadline = format_date(letter.deadline, "long")
    if state == "overdue":
        subject = _("Overdue: letter %(number)s", number=letter.number)
        text = _(
            "The deadline of letter %(number)s passed on %(date)s. Answer it or ask for an extension.",
            number=letter.number,
            date=deadline,
        )
    else:
        subject = _("Due soon: letter %(number)s", number=letter.number)
        text = _("Letter %(number)s must be answered by %(date)s.", number=letter.number, date=deadline)
    return Message(
        subject=subject,
        paragraphs=[text, letter.subject],
        sms="",
        link=office_url(letter),
        link_text=_("Open the letter"),
    )


def returned_message(letter: Letter, comment: str) -> Message:
    return Message(
        subject=_("Returned for rework: letter %(number)s", number=letter.number),
        paragraphs=[
            _("Control returned the answer to letter %(number)s for rework.", number=letter.number),
            _("Comment: %(comment)s", comment=comment),
        ],
        sms="",
        link=office_url(letter),
        link_text=_("Open the letter"),
    )


def extension_request_message(letter: Letter, requested: date, reason: str) -> Message:
    return Message(
        subject=_("Extension requested: letter %(number)s", number=letter.number),
        paragraphs=[
            _(
                "The department asks to extend the term of letter %(number)s to %(date)s.",
                number=letter.number,
                date=format_date(requested, "long"),
            ),
            _("Reason: %(reason)s", reason=reason),
        ],
        sms="",
        link=office_url(letter),
        link_text=_("Decide on the request"),
    )


def _text(message: Message) -> str:
    parts = [*message.paragraphs, *message.lines]
    if message.link:
        parts.append(f"{message.link_text}: {message.link}")
    if message.record is not None:
        record = message.record
        parts += [record.title, f"{record.leaf_label}\n{record.leaf_hash}", record.explanation]
        if record.checkpoint:
            parts.append(f"{record.checkpoint_label}\n{record.checkpoint.rstrip()}")
    return "\n\n".join(parts) + "\n"
