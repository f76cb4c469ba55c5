"""The resident's way back to a letter: "I lost my code" (a new code sent to the letter's email
or phone, or handed over at the chancellery), the one-click link of every email and SMS, and
"Forget this letter on this computer"."""

from flask import current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...domain.letter_links import letter_for_token
from ...domain.lifecycle.codes import VIA_CONTACT, reissue_code
from ...extensions import db, limiter
from ...forms.continuity import ForgetForm, LostCodeForm
from ...models import Letter
from ..tenancy import make_tenant_blueprint
from . import tracked

bp = make_tenant_blueprint("continuity", __name__)


def _number_key() -> str:
    return "lost-code:" + request.form.get("number", "").strip().upper()[:24]


def _sent(response) -> bool:
    return response.status_code == 200 and request.method == "POST"


def _too_many(_request_limit):
    text = _("Too many new codes were asked for. Nothing was sent now: try again later, or come to the chancellery.")
    return make_response(render_template("public/lost_code.html", form=LostCodeForm(), too_many=text), 429)


# Each request may send an email or SMS: per letter number (no one pesters a resident with codes)
# and per connection (no one sweeps the numbers). Counted whatever the number, like the answer.
@bp.route("/lost-code", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOST_CODE_PER_NUMBER"],
    key_func=_number_key,
    methods=["POST"],
    deduct_when=_sent,
    on_breach=_too_many,
)
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOST_CODE_PER_CLIENT"],
    methods=["POST"],
    deduct_when=_sent,
    on_breach=_too_many,
)
def lost_code():
    form = LostCodeForm()
    if form.validate_on_submit():
        number = form.number.data.upper()
        letter = db.session.scalar(select(Letter).where(Letter.akimat_id == g.akimat.id, Letter.number == number))
        if letter is not None and (letter.email or letter.phone):
            reissue_code(letter, VIA_CONTACT)
        # The same page whatever the number: it must not tell which numbers exist or have a contact.
        return render_template("public/lost_code_sent.html", number=number)
    status = 422 if form.is_submitted() else 200
    return render_template("public/lost_code.html", form=form), status


INVALID_LINK = _l(
    "This link no longer opens a letter: a new access code was issued since, or the link is incomplete. "
    "Enter the number and the code, or ask for a new code."
)


@bp.get("/l/<token>")
def open_link(token):
    """The link of an email or SMS: the letter opens in this browser, as after typing its code."""
    letter = letter_for_token(token)
    if letter is None or letter.akimat_id != g.akimat.id:
        flash(INVALID_LINK, "error")
        return redirect(url_for("reception.track"))
    tracked.remember(letter)
    return redirect(url_for("reception.letter_status", number=letter.number))


@bp.post("/track/<number>/forget")
def forget(number):
    letter = tracked.tracked_letter(number)
    if letter is not None and ForgetForm().validate_on_submit():
        tracked.forget(letter)
        flash(_("Letter %(number)s is no longer open on this computer.", number=letter.number), "success")
    return redirect(url_for("reception.track"))
