"""Notifications are rows of the outbox, added in the transaction of the change they report, and
rendered then, in the recipient's language, so they say what was true at that moment. The status
they name comes from labels.resident_status, the same words as the tracking page."""

from dataclasses import dataclass, field
from datetime import date

from flask import current_app, render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from ..extensions import db
from ..labels import resident_status
from ..models import Akimat, Channel, Letter, OutboxMessage, User

ACCESS_CODE_MARK = "[ACCESS-CODE]"  # replaced at delivery by the secret, which is then erased


@dataclass
class Message:
    subject: str
    paragraphs: list[str]
    sms: str
    link: str | None = None
    link_text: str | None = None
    lines: list[str] = field(default_factory=list)


def _base_url() -> str:
    return current_app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")


def tracking_url(letter: Letter) -> str:
    return f"{_base_url()}/{letter.akimat.slug}/track"


def _resident_message(kind: str, letter: Letter, **extra) -> Message:
    """Written inside force_locale: every _() and date below is in the resident's language."""
    number = letter.number
    akimat = letter.akimat.name_in(letter.language)
    status_line = _("Status: %(status)s", status=resident_status(letter))
    track = dict(link=tracking_url(letter), link_text=_("Follow your letter"))
    if kind == "receipt":
        return Message(
            subject=_("Your letter %(number)s is registered", number=number),
            paragraphs=[
                _("%(akimat)s has registered your letter under number %(number)s.", akimat=akimat, number=number),
                _(
                    "Your secret access code: %(code)s. Keep it: with the number it opens your letter.",
                    code=ACCESS_CODE_MARK,
                ),
                _("The answer is due by %(date)s.", date=format_date(letter.deadline, "long")),
                status_line,
            ],
            sms=_(
                "Letter %(number)s registered. Code %(code)s. Answer by %(date)s. %(status)s",
                number=number,
                code=ACCESS_CODE_MARK,
                date=format_date(letter.deadline, "short"),
                status=status_line,
            ),
            **track,
        )
    if kind == "forwarded":
        return Message(
            subject=_("Your letter %(number)s was forwarded", number=number),
            paragraphs=[
                _(
                    "Your letter %(number)s is outside the competence of %(akimat)s and was forwarded to: %(body)s.",
                    number=number,
                    akimat=akimat,
                    body=letter.forwarded_to,
                ),
                _("Reason: %(reason)s", reason=extra["reason"]),
                status_line,
            ],
            sms=_(
                "Letter %(number)s forwarded to: %(body)s. %(status)s",
                number=number,
                body=letter.forwarded_to,
                status=status_line,
            ),
            **track,
        )
    if kind == "extended":
        return Message(
            subject=_("The term for your letter %(number)s was extended", number=number),
            paragraphs=[
                _(
                    "The term for considering your letter %(number)s was extended to %(date)s.",
                    number=number,
                    date=format_date(letter.deadline, "long"),
                ),
                _("Reason: %(reason)s", reason=extra["reason"]),
                status_line,
            ],
            sms=_(
                "Letter %(number)s: term extended to %(date)s. %(status)s",
                number=number,
                date=format_date(letter.deadline, "short"),
                status=status_line,
            ),
            **track,
        )
    if kind == "hearing_notice":
        return Message(
            subject=_("Preliminary decision on your letter %(number)s", number=number),
            paragraphs=[
                _(
                    "The akimat intends to refuse your request in letter %(number)s, on these grounds: %(grounds)s",
                    number=number,
                    grounds=extra["grounds"],
                ),
                _(
                    "You have the right to be heard: until %(date)s you may state your position on the "
                    "tracking page, and it will be considered before the decision.",
                    date=format_date(letter.hearing_until, "long"),
                ),
                status_line,
            ],
            sms=_(
                "Letter %(number)s: preliminary refusal. State your position by %(date)s on the site. %(status)s",
                number=number,
                date=format_date(letter.hearing_until, "short"),
                status=status_line,
            ),
            **track,
        )
    if kind == "answer_sent":
        return Message(
            subject=_("Answer to your letter %(number)s", number=number),
            paragraphs=[
                _(
                    "The answer to your letter %(number)s is ready. Read it and rate it on the tracking page.",
                    number=number,
                ),
                status_line,
            ],
            sms=_(
                "Letter %(number)s answered. Read and rate it on the site. %(status)s",
                number=number,
                status=status_line,
            ),
            **track,
        )
    if kind == "upheld":
        return Message(
            subject=_("Your dispute of the answer to letter %(number)s was considered", number=number),
            paragraphs=[
                _("Control considered your dispute and found the answer right: %(comment)s", comment=extra["comment"]),
                _("You may appeal it to a higher body or to court."),
                status_line,
            ],
            sms=_(
                "Letter %(number)s: the answer stands. Details on the site. %(status)s",
                number=number,
                status=status_line,
            ),
            **track,
        )
    raise ValueError(f"no resident message '{kind}'")


def queue_for_resident(kind: str, letter: Letter, secret: str | None = None, **extra) -> None:
    """An email and/or an SMS, to the contacts the resident gave, in the letter's language."""
    with force_locale(letter.language):
        message = _resident_message(kind, letter, **extra)
        html = render_template("emails/message.html", message=message, language=letter.language)
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
                secret=secret,
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
                secret=secret,
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
    return "\n\n".join(parts) + "\n"
