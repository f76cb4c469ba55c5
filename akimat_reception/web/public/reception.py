"""An akimat's reception: write a letter, get a receipt, track it, rate the answer."""

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...domain import journal, lifecycle
from ...domain.access_codes import access_code_matches
from ...domain.events import EventKind
from ...domain.ratings import department_ratings
from ...extensions import db, limiter
from ...forms.public import DisputeForm, PositionForm, RatingForm, TrackForm
from ...labels import PUBLIC_EVENTS
from ...models import Category, Letter, LetterStatus
from ...models._common import utcnow
from ..actions import attempt
from ..files import send_attachment
from ..tenancy import make_tenant_blueprint
from . import tracked

bp = make_tenant_blueprint("reception", __name__)

RECEIPT_KEY = "receipt"


def _categories():
    # A retired category is no longer offered; the letters that have it keep it.
    return db.session.scalars(
        select(Category).where(Category.akimat_id == g.akimat.id, Category.retired_at.is_(None)).order_by(Category.id)
    ).all()


@bp.get("/")
def home():
    return render_template("public/akimat.html", track_form=TrackForm())


@bp.get("/ratings")
def ratings():
    return render_template("public/ratings.html", ratings=department_ratings(g.akimat.id))


def _tracked_number_key() -> str:
    return "track-number:" + request.form.get("number", "").strip().upper()[:24]


@bp.get("/letters/<number>/receipt")
def receipt(number):
    letter = tracked.tracked_letter(number)
    if letter is None:
        return redirect(url_for(".track"))
    pending = session.get(RECEIPT_KEY)
    code = None
    if pending and pending.get("letter_id") == letter.id:
        code = pending["code"]
        session.pop(RECEIPT_KEY)  # the code is shown once
    return render_template("public/receipt.html", letter=letter, code=code)


# Wrong codes: per letter number (guessing one letter's code) and per connection (sweeping numbers).
# Redis down: open, on per-process counts (79-bit codes; a resident is not kept from the answer).
@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_TRACK_PER_NUMBER"],
    key_func=_tracked_number_key,
    methods=["POST"],
    deduct_when=lambda r: r.status_code != 302,
)
@limiter.limit(
    lambda: current_app.config["RATELIMIT_TRACK_PER_CLIENT"],
    methods=["POST"],
    deduct_when=lambda r: r.status_code != 302,
)
def track():
    form = TrackForm()
    if form.validate_on_submit():
        number = form.number.data.upper()
        letter = db.session.scalar(select(Letter).where(Letter.akimat_id == g.akimat.id, Letter.number == number))
        if letter is not None and access_code_matches(letter, form.code.data):
            tracked.remember(letter)
            return redirect(url_for(".letter_status", number=letter.number))
        # One message for both cases, so that the form does not reveal which numbers exist.
        form.code.errors.append(_("No letter matches this number and access code. Check both and try again."))
    status = 422 if form.is_submitted() else 200
    return render_template("public/track.html", form=form), status


def _render_status(letter: Letter, status=200, **forms):
    events = journal.events_of(letter)
    hearing = next((e for e in reversed(events) if e.kind == EventKind.HEARING_NOTICE), None)
    forms.setdefault("rating_form", RatingForm())
    forms.setdefault("position_form", PositionForm())
    forms.setdefault("dispute_form", DisputeForm())
    return render_template(
        "public/letter_status.html",
        letter=letter,
        events=[e for e in events if e.kind in PUBLIC_EVENTS],
        hearing=hearing if letter.status is LetterStatus.ASSIGNED else None,
        positions=[e for e in events if e.kind == EventKind.POSITION_STATED],
        actions=lifecycle.resident_actions(letter, utcnow()),
        A=lifecycle.LetterAction,
        **forms,
    ), status


@bp.get("/track/<number>")
def letter_status(number):
    letter = tracked.tracked_letter(number)
    if letter is None:
        return redirect(url_for(".track"))
    return _render_status(letter)


def _resident_action(number, form, perform, form_name, error_field, done_message):
    """A resident's action on their tracked letter: validate, call the lifecycle, PRG."""
    letter = tracked.tracked_letter(number)
    if letter is None:
        return redirect(url_for(".track"))
    done = attempt(
        form, lambda f: perform(letter, f), error_field, done_message, url_for(".letter_status", number=letter.number)
    )
    if done:
        return done
    return _render_status(letter, 422, **{form_name: form})


@bp.get("/track/<number>/files/<int:attachment_id>")
def attachment(number, attachment_id):
    letter = tracked.tracked_letter(number)
    if letter is None:
        return redirect(url_for(".track"))
    return send_attachment(letter, attachment_id)


@bp.post("/track/<number>/rating")
def rate(number):
    return _resident_action(
        number,
        RatingForm(),
        lambda letter, f: lifecycle.rate(letter, f.score.data, f.comment.data or ""),
        "rating_form",
        "score",
        _l("Thank you: your rating has been recorded."),
    )


@bp.post("/track/<number>/dispute")
def dispute(number):
    return _resident_action(
        number,
        DisputeForm(),
        lambda letter, f: lifecycle.dispute(letter, f.dispute.data),
        "dispute_form",
        "dispute",
        _l("Your dispute was sent to control. You will be told of the decision."),
    )


@bp.post("/track/<number>/position")
def state_position(number):
    return _resident_action(
        number,
        PositionForm(),
        lambda letter, f: lifecycle.state_position(letter, f.position.data),
        "position_form",
        "position",
        _l("Your position was attached to the letter."),
    )
