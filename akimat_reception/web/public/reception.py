"""An akimat's reception: write a letter, get a receipt, track it, rate the answer."""

import re
import uuid
from datetime import UTC, datetime

from flask import current_app, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...domain import attachments, journal, lifecycle
from ...domain.access_codes import access_code_matches
from ...domain.administration import akimats
from ...domain.events import EventKind
from ...domain.identity import normalize_phone
from ...domain.ratings import department_ratings
from ...extensions import db, limiter
from ...forms.public import DisputeForm, LetterForm, PositionForm, RatingForm, TrackForm
from ...labels import PUBLIC_EVENTS
from ...models import Category, Letter, LetterKind, LetterStatus
from ...models._common import utcnow
from .. import limits
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


PER_CLIENT_MESSAGE = _l(
    "Too many letters were sent from your connection (it may be shared, as at a service centre or on a mobile "
    "network). Nothing was registered and your text is kept: send it again after %(time)s."
)
PER_CONTACT_MESSAGE = _l(
    "Too many letters were sent with this contact recently. Nothing was registered and your text is kept: "
    "send it again after %(time)s."
)


def _registered(response) -> bool:
    return response.status_code == 302


def _letter_form_kept(field: str, message):
    """A refused letter is not lost: the form comes back as typed, the reason on `field`."""

    def on_breach(request_limit):
        form = LetterForm(categories=_categories())
        again = datetime.fromtimestamp(request_limit.reset_at, UTC)
        form[field].errors = [message % {"time": format_datetime(again, "short")}]
        if any(f.filename for f in request.files.getlist(form.files.name)):
            form.files.errors = [_("Choose your files again when you send the letter: they were not kept.")]
        staged = attachments.staged(form.submission_token.data or "")
        return make_response(render_template("public/letter_form.html", form=form, staged=staged), 429)

    return on_breach


def _letters_per_contact(field: str):
    return limiter.limit(
        lambda: current_app.config["RATELIMIT_LETTERS_PER_CONTACT"],
        key_func=limits.contact_key(field),
        methods=["POST"],
        deduct_when=_registered,
        exempt_when=limits.contact_exempt(field),
        on_breach=_letter_form_kept(field, PER_CONTACT_MESSAGE),
    )


# Letters: a person writes a few a day. Per address the limit is generous (many residents may share
# one); per email, phone and IIN it is tight. Staff entering letters are exempt. Redis down: open.
@bp.route("/letters/new", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LETTERS"],
    methods=["POST"],
    deduct_when=_registered,
    exempt_when=limits.registered_by_staff,
    on_breach=_letter_form_kept("body", PER_CLIENT_MESSAGE),
)
@_letters_per_contact("email")
@_letters_per_contact("phone")
@_letters_per_contact("iin")
def new_letter():
    if not akimats.accepts_letters(g.akimat):  # closed: say where to write instead
        status = 403 if request.method == "POST" else 200
        return render_template("public/akimat_closed.html", higher=g.akimat.parent), status
    categories = _categories()
    form = LetterForm(categories=categories)
    if request.method == "GET":
        form.language.data = get_locale().language
    file_problems = _take_files(form) if form.is_submitted() else []
    if form.validate_on_submit() and not file_problems:
        earlier = lifecycle.find_by_token(g.akimat, form.submission_token.data)
        if earlier is not None:  # the same form posted twice: one letter, the first receipt
            return redirect(url_for(".receipt", number=earlier.number))
        category = next(c for c in categories if c.id == form.category.data)
        kind = LetterKind(form.kind.data)
        is_complaint = kind is LetterKind.COMPLAINT
        letter, code = lifecycle.submit(
            g.akimat,
            lifecycle.Submission(
                kind=kind,
                category=category,
                language=form.language.data,
                subject=form.subject.data,
                body=form.body.data,
                surname=form.surname.data,
                given_name=form.given_name.data,
                patronymic=form.patronymic.data or None,
                iin=form.iin.data or None,
                address=form.address.data,
                email=(form.email.data or None),
                phone=normalize_phone(form.phone.data) if form.phone.data else None,
                disputed_party=form.disputed_party.data if is_complaint else None,
                complaint_request=form.complaint_request.data if is_complaint else None,
                submission_token=form.submission_token.data,
            ),
            files=attachments.keep(form.submission_token.data),
        )
        session[RECEIPT_KEY] = {"letter_id": letter.id, "code": code}
        tracked.remember(letter)
        return redirect(url_for(".receipt", number=letter.number))
    form.files.errors = list(form.files.errors) + file_problems
    status = 422 if form.is_submitted() else 200
    return render_template(
        "public/letter_form.html", form=form, staged=attachments.staged(form.submission_token.data)
    ), status


def _take_files(form: LetterForm) -> list:
    """Stages the uploaded files under the form's token, and drops those the resident removed."""
    if not re.fullmatch(r"[0-9a-f]{32}", form.submission_token.data or ""):
        form.submission_token.data = uuid.uuid4().hex  # a token we did not issue stages nothing
    token = form.submission_token.data
    attachments.unstage(token, form.remove_files.data or [])
    return attachments.stage(token, request.files.getlist(form.files.name))


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
