"""What a resident is told, by email and SMS, each time their letter changes. Built inside
force_locale (notifications.queue_for_resident): every _() and date is in the letter's language.

Every message carries the one-click link (`link`, whose token stands as LINK_TOKEN_MARK until
delivery), so the SMS says only what happened and keeps within the budget of domain/sms.py; the
email says it all: the answer's own text, the reason and the original date of an extension, the
new number of a letter transferred to another akimat."""

from collections.abc import Callable

from flask_babel import format_date
from flask_babel import gettext as _

from ..extensions import db
from ..labels import DECISION_LABELS, resident_status
from ..models import Decision, Letter
from . import anonymous, sms
from .answer_contact import signature_text
from .notifications import ACCESS_CODE_MARK, Message, as_delivered, letter_link


def _sms(link: str, status_line: str, build, free: str = "") -> str:
    """The SMS: what happened; the status (the same words as the page's); the link; a line each.
    The status is left out when it does not fit, or would leave too little of `free` (domain/sms.py)."""
    text, kept = sms.fit_kept(lambda part: f"{build(part)}\n{status_line}\n{link}", free, measure=as_delivered)
    if sms.fits(as_delivered(text)) and kept >= min(len(free), sms.MIN_FREE):
        return text
    return sms.fit(lambda part: f"{build(part)}\n{link}", free, measure=as_delivered)


def link_target(letter: Letter) -> Letter:
    """The letter the message's link opens: a letter transferred to another akimat lives on there."""
    if letter.transferred_to_id is not None:
        moved = db.session.get(Letter, letter.transferred_to_id)  # set just now, by transfer_to_akimat
        if moved is not None:
            return moved
    return letter


def resident_message(kind: str, letter: Letter, **extra) -> Message:
    number = letter.number
    akimat = letter.akimat.name_in(letter.language)
    status_line = _("Status: %(status)s", status=resident_status(letter))
    link = letter_link(link_target(letter))
    track = dict(link=link, link_text=_("Open your letter"))
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise ValueError(f"no resident message '{kind}'")
    return builder(letter, number, akimat, status_line, link, track, **extra)


def _receipt(letter, number, akimat, status_line, link, track):
    answered = anonymous.gets_an_answer(letter)  # an anonymous letter is not promised an answer
    return Message(
        subject=_("Your letter %(number)s is registered", number=number),
        paragraphs=[
            _("%(akimat)s has registered your letter under number %(number)s.", akimat=akimat, number=number),
            _(
                "Your secret access code: %(code)s. Keep it: with the number it opens your letter.",
                code=ACCESS_CODE_MARK,
            ),
            _("The answer is due by %(date)s.", date=format_date(letter.deadline, "long"))
            if answered
            else _(
                "A letter without a name reaches the akim but is not considered, unless it reports a crime "
                "or a threat to public safety."
            ),
            status_line,
        ],
        sms=_sms(
            link,
            status_line,
            lambda _free: (
                _(
                    "Letter %(number)s registered. Code %(code)s. Answer by %(date)s.",
                    number=number,
                    code=ACCESS_CODE_MARK,
                    date=format_date(letter.deadline, "short"),
                )
                if answered
                else _("Letter %(number)s registered. Code %(code)s.", number=number, code=ACCESS_CODE_MARK)
            ),
        ),
        **track,
    )


def _forwarded(letter, number, akimat, status_line, link, track, reason):
    received = link_target(letter) if letter.transferred_to_id is not None else None
    if received is not None:  # to another akimat of the installation: a new number there
        other = received.akimat.name_in(letter.language)
        return Message(
            subject=_(
                "Your letter %(number)s was transferred: its new number is %(new)s", number=number, new=received.number
            ),
            paragraphs=[
                _(
                    "Your letter %(number)s is outside the competence of %(akimat)s and was transferred to "
                    "%(other)s, where it was registered under the new number %(new)s.",
                    number=number,
                    akimat=akimat,
                    other=other,
                    new=received.number,
                ),
                _("Reason: %(reason)s", reason=reason),
                _(
                    "%(other)s sends you its own receipt with a new access code. The link below opens the "
                    "letter there.",
                    other=other,
                ),
                status_line,
            ],
            sms=_sms(
                link,
                status_line,
                lambda free: _(
                    "Letter %(number)s sent to %(other)s, new number %(new)s.",
                    number=number,
                    other=free,
                    new=received.number,
                ),
                other,
            ),
            **track,
        )
    return Message(
        subject=_("Your letter %(number)s was forwarded", number=number),
        paragraphs=[
            _(
                "Your letter %(number)s is outside the competence of %(akimat)s and was forwarded to: %(body)s.",
                number=number,
                akimat=akimat,
                body=letter.forwarded_to,
            ),
            _("Reason: %(reason)s", reason=reason),
            status_line,
        ],
        sms=_sms(
            link,
            status_line,
            lambda free: _("Letter %(number)s forwarded to: %(body)s.", number=number, body=free),
            letter.forwarded_to or "",
        ),
        **track,
    )


def _extended(letter, number, akimat, status_line, link, track, reason):
    original, new = letter.original_deadline, letter.deadline
    return Message(
        subject=_("The term for your letter %(number)s was extended", number=number),
        paragraphs=[
            _(
                "The term for considering your letter %(number)s was extended from %(original)s to %(date)s.",
                number=number,
                original=format_date(original, "long"),
                date=format_date(new, "long"),
            ),
            _("Reason: %(reason)s", reason=reason),
            status_line,
        ],
        sms=_sms(
            link,
            status_line,
            lambda free: _(
                "Letter %(number)s: term extended from %(original)s to %(date)s. Reason: %(reason)s.",
                number=number,
                original=format_date(original, "short"),
                date=format_date(new, "short"),
                reason=free,
            ),
            reason.rstrip(" ."),
        ),
        **track,
    )


def _hearing_notice(letter, number, akimat, status_line, link, track, grounds):
    return Message(
        subject=_("Preliminary decision on your letter %(number)s", number=number),
        paragraphs=[
            _(
                "The akimat intends to refuse your request in letter %(number)s, on these grounds: %(grounds)s",
                number=number,
                grounds=grounds,
            ),
            _(
                "You have the right to be heard: until %(date)s you may state your position on the "
                "tracking page, and it will be considered before the decision.",
                date=format_date(letter.hearing_until, "long"),
            ),
            status_line,
        ],
        sms=_sms(
            link,
            status_line,
            lambda _free: _(
                "Letter %(number)s: refusal intended. State your position by %(date)s.",
                number=number,
                date=format_date(letter.hearing_until, "short"),
            ),
        ),
        **track,
    )


def _answer_sent(letter, number, akimat, status_line, link, track):
    answer = letter.sent_answer
    decision = str(DECISION_LABELS[answer.decision])
    paragraphs = [
        _("The answer of %(akimat)s to your letter %(number)s.", akimat=akimat, number=number),
        _("Decision: %(decision)s", decision=decision),
        answer.body,
    ]
    if answer.decision is Decision.REFUSED or answer.reasons:
        paragraphs += [
            _("Reasons: %(text)s", text=answer.reasons or ""),
            _("Legal basis: %(text)s", text=answer.legal_basis or ""),
            _("How to appeal: %(text)s", text=answer.appeal_procedure or ""),
        ]
    # Who answered and whom to call: an answer never comes from nobody.
    paragraphs.append(signature_text(answer))
    paragraphs += [_("You may rate the answer, or disagree with it, on your letter's page."), status_line]
    return Message(
        subject=_("Answer to your letter %(number)s", number=number),
        paragraphs=paragraphs,
        sms=_sms(
            link,
            status_line,
            lambda _free: _(
                "Letter %(number)s answered: %(decision)s.",
                number=number,
                decision=decision,
            ),
        ),
        **track,
    )


def _upheld(letter, number, akimat, status_line, link, track, comment):
    return Message(
        subject=_("Your dispute of the answer to letter %(number)s was considered", number=number),
        paragraphs=[
            _("Control considered your dispute and found the answer right: %(comment)s", comment=comment),
            _("You may appeal it to a higher body or to court."),
            status_line,
        ],
        sms=_sms(link, status_line, lambda _free: _("Letter %(number)s: the answer stands.", number=number)),
        **track,
    )


def _code_reissued(letter, number, akimat, status_line, link, track):
    return Message(
        subject=_("A new access code for your letter %(number)s", number=number),
        paragraphs=[
            _("Someone asked for a new access code for your letter %(number)s.", number=number),
            _("Your new access code: %(code)s. The old code no longer works.", code=ACCESS_CODE_MARK),
            _("If it was not you, nothing is lost: only this email or phone receives the code."),
            status_line,
        ],
        sms=_sms(
            link,
            status_line,
            lambda _free: _(
                "Letter %(number)s: new code %(code)s, the old one no longer works.",
                number=number,
                code=ACCESS_CODE_MARK,
            ),
        ),
        **track,
    )


_BUILDERS: dict[str, Callable[..., Message]] = {
    "receipt": _receipt,
    "forwarded": _forwarded,
    "extended": _extended,
    "hearing_notice": _hearing_notice,
    "answer_sent": _answer_sent,
    "upheld": _upheld,
    "code_reissued": _code_reissued,
}
RESIDENT_KINDS = tuple(_BUILDERS)
