""" "My letters", for the whole installation: a resident gives an email or phone, enters the
one-time code sent to it, and sees their letters of the last year in every akimat; each opens its
tracking page. The rules are domain/contact_codes.py's; this module keeps only the session.

The session holds ids, never the contact: the code row pending entry, and once verified the row
that proved the contact (its `used_at` starts the short time the list stays open) with the
letters opened from the list, which "Sign out of My letters" forgets on this browser too."""

from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ...domain import contact_codes
from ...domain.contact_codes import CodeProblem, CodeRefused, Refusal
from ...extensions import db
from ...forms.my_letters import ContactCodeForm, ContactForm, MyLettersActionForm
from ...models import ContactCode, Letter
from ..pagination import paginate
from . import tracked

bp = Blueprint("my_letters", __name__, url_prefix="/my-letters")

PENDING_KEY = "my_letters_pending"  # the ContactCode id whose code the resident is to enter
VERIFIED_KEY = "my_letters"  # {"code_id": the used ContactCode id, "opened": [letter ids]}

REFUSALS = {
    Refusal.CONTACT: _l(
        "Codes for this contact were asked for too many times today. Try again tomorrow, or ask for the code by "
        "your other contact."
    ),
    Refusal.CLIENT: _l(
        "Too many codes were asked for from your connection today (it may be shared, as at a service centre). "
        "Try again tomorrow."
    ),
    Refusal.SMS: _l("Codes by SMS cannot be sent any more today. Enter your email instead, or try again tomorrow."),
}


SPENT = _l("This code no longer works: it expired, was used or was tried too often. Ask for a new one.")


def _now() -> datetime:
    return datetime.now(UTC)


def _open_for() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("MY_LETTERS_SESSION_MINUTES", 15)))


def _verified_row() -> ContactCode | None:
    """The code row that proved the contact, while the list is still open; else the session forgets it."""
    kept = session.get(VERIFIED_KEY)
    if not kept:
        return None
    row = db.session.get(ContactCode, kept.get("code_id"))
    if row is None or row.used_at is None or row.used_at + _open_for() <= _now():
        _sign_out()
        return None
    return row


def _sign_out() -> None:
    kept = session.pop(VERIFIED_KEY, None) or {}
    for letter_id in kept.get("opened", []):
        letter = db.session.get(Letter, letter_id)
        if letter is not None:
            tracked.forget(letter)


def _ended():
    flash(
        _(
            "“My letters” closed after %(minutes)d minutes. Ask for a new code to see your letters again.",
            minutes=int(_open_for().total_seconds() // 60),
        ),
        "info",
    )
    return redirect(url_for(".start"))


@bp.route("", methods=["GET", "POST"])
def start():
    form = ContactForm()
    if form.validate_on_submit():
        try:
            row = contact_codes.request_code(
                form.normalized, contact_codes.client_of(request.remote_addr), get_locale().language, _now()
            )
        except CodeRefused as refused:
            form.contact.errors.append(REFUSALS[refused.refusal])
            return render_template("public/my_letters.html", form=form), 429
        session[PENDING_KEY] = row.id
        return redirect(url_for(".enter_code"))
    return render_template("public/my_letters.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/code", methods=["GET", "POST"])
def enter_code():
    row = db.session.get(ContactCode, session.get(PENDING_KEY) or 0)
    if row is None:
        return redirect(url_for(".start"))
    form = ContactCodeForm()
    spent = False
    if form.validate_on_submit():
        outcome = contact_codes.verify(row, form.code.data, _now())
        if outcome.ok:
            _sign_out()  # a new contact replaces the one before, and the letters opened with it
            session.pop(PENDING_KEY, None)
            session[VERIFIED_KEY] = {"code_id": row.id, "opened": []}
            return redirect(url_for(".letters"))
        if outcome.problem is CodeProblem.WRONG:
            form.code.errors.append(_("The code is not right. Tries left: %(left)d.", left=outcome.attempts_left))
        else:
            spent = True
    elif not form.is_submitted():
        spent = not contact_codes.is_open(row, _now())
    if spent:
        form.code.errors = [*form.code.errors, SPENT]
    status = 422 if form.is_submitted() and form.errors else 200
    contact = contact_codes.mask_contact(contact_codes.contact_of(row))
    return render_template("public/my_letters_code.html", form=form, contact=contact, spent=spent), status


@bp.get("/list")
def letters():
    row = _verified_row()
    if row is None:
        return _ended()
    contact = contact_codes.contact_of(row)
    page = paginate(
        contact_codes.letters_of_contact(contact, _now()),
        order=(Letter.received_at, Letter.id),
        descending=True,
        options=(joinedload(Letter.akimat),),
    )
    return render_template(
        "public/my_letters_list.html",
        page=page,
        contact=contact_codes.mask_contact(contact),
        open_until=row.used_at + _open_for(),
        mask_iin=contact_codes.mask_iin,
        mask_address=contact_codes.mask_address,
        form=MyLettersActionForm(),
    )


@bp.post("/letters/<int:letter_id>/open")
def open_letter(letter_id: int):
    """The contact proved it owns the letter: this browser may open it like one tracked with its code."""
    form = MyLettersActionForm()
    row = _verified_row()
    if row is None:
        return _ended()
    contact = contact_codes.contact_of(row)
    letter = contact_codes.letter_of_contact(contact, letter_id, _now()) if form.validate() else None
    if letter is None:
        return redirect(url_for(".letters"))
    tracked.remember(letter)
    kept = session[VERIFIED_KEY]
    session[VERIFIED_KEY] = {**kept, "opened": [*kept.get("opened", []), letter.id][-tracked.MAX_TRACKED :]}
    return redirect(url_for("reception.letter_status", akimat_slug=letter.akimat.slug, number=letter.number))


@bp.post("/sign-out")
def sign_out():
    if MyLettersActionForm().validate():
        _sign_out()
        session.pop(PENDING_KEY, None)
        flash(_("You signed out of “My letters”. The letters you opened are closed on this computer."), "success")
    return redirect(url_for(".start"))
