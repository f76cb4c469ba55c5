"""Writing a letter, one thing per page (GOV.UK "one thing per page" and "check your answers"):
what kind and whether with a name; the letter and its files; for a complaint only, whose action
and what is asked; about the writer; then every answer to check, each with a Change link, and
Send. The answers wait in a server-side draft (domain/drafts.py) whose token is in the session;
the letter exists only once it is sent. `/letters/new` still takes a whole letter in one POST
(the one-page form shown again when such a post fails), for a client that keeps no cookies."""

import re
import uuid
from datetime import UTC, datetime

from flask import current_app, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ...domain import attachments, drafts, lifecycle
from ...domain.administration import akimats
from ...domain.identity import normalize_phone
from ...extensions import db, limiter
from ...forms.public import AboutStep, ComplaintStep, KindStep, LetterForm, LetterStep, SendForm
from ...labels import KIND_LABELS
from ...models import LetterKind
from .. import limits
from . import tracked
from .reception import RECEIPT_KEY, _categories, bp

DRAFTS_KEY = "letter_drafts"  # in the session: {akimat id: draft token}
STEP_FORMS = {"kind": KindStep, "letter": LetterStep, "complaint": ComplaintStep, "about": AboutStep}

PER_CLIENT_MESSAGE = _l(
    "Too many letters were sent from your connection (it may be shared, as at a service centre or on a mobile "
    "network). Nothing was registered and your text is kept: send it again after %(time)s."
)
PER_CONTACT_MESSAGE = _l(
    "Too many letters were sent with this contact recently. Nothing was registered and your text is kept: "
    "send it again after %(time)s."
)


def _registered(_response) -> bool:
    return bool(g.get("letter_registered"))


def _session_token() -> str | None:
    return (session.get(DRAFTS_KEY) or {}).get(str(g.akimat.id))


def _current_draft():
    if "letter_draft" not in g:
        g.letter_draft = drafts.find(g.akimat, _session_token())
    return g.letter_draft


def _draft_value(field: str) -> str:
    draft = _current_draft()
    return str((draft.data or {}).get(field) or "") if draft is not None else ""


def _again_after(request_limit) -> str:
    return format_datetime(datetime.fromtimestamp(request_limit.reset_at, UTC), "short")


def _one_page_kept(field: str, message):
    """A refused one-request letter is not lost: the form comes back as typed, the reason on `field`."""

    def on_breach(request_limit):
        form = LetterForm(categories=_categories())
        form[field].errors = [message % {"time": _again_after(request_limit)}]
        if any(f.filename for f in request.files.getlist(form.files.name)):
            form.files.errors = [_("Choose your files again when you send the letter: they were not kept.")]
        staged = attachments.staged(form.submission_token.data or "")
        return make_response(render_template("public/letter_form.html", form=form, staged=staged), 429)

    return on_breach


def _draft_kept(message):
    """A refused send keeps the draft: the check page comes back with the reason and the time."""

    def on_breach(request_limit):
        draft = _current_draft()
        if draft is None:
            return None
        refusal = message % {"time": _again_after(request_limit)}
        return make_response(_render_check(draft, SendForm(), refusal=refusal), 429)

    return on_breach


def _letter_limits(on_breach, source):
    """The letter limits, counted together for both ways of sending (scope "letters..."): per
    connection generous, per email, phone and IIN tight; staff entering letters exempt."""

    def apply(view):
        for field in ("iin", "phone", "email"):
            view = limiter.shared_limit(
                lambda: current_app.config["RATELIMIT_LETTERS_PER_CONTACT"],
                scope=f"letters-{field}",
                key_func=limits.contact_key(field, source),
                methods=["POST"],
                deduct_when=_registered,
                exempt_when=limits.contact_exempt(field, source),
                on_breach=on_breach(field, PER_CONTACT_MESSAGE),
            )(view)
        return limiter.shared_limit(
            lambda: current_app.config["RATELIMIT_LETTERS"],
            scope="letters",
            methods=["POST"],
            deduct_when=_registered,
            exempt_when=limits.registered_by_staff,
            on_breach=on_breach("body", PER_CLIENT_MESSAGE),
        )(view)

    return apply


def _closed():
    status = 403 if request.method == "POST" else 200
    return render_template("public/akimat_closed.html", higher=g.akimat.parent), status


def _register(submission: lifecycle.Submission, files):
    try:
        letter, code = lifecycle.submit(g.akimat, submission, files=files)
    except IntegrityError:  # the same token sent at the same moment (no row lock on SQLite): one letter
        db.session.rollback()
        earlier = lifecycle.find_by_token(g.akimat, submission.submission_token)
        if earlier is None:
            raise
        return redirect(url_for(".receipt", number=earlier.number))
    g.letter_registered = True
    session[RECEIPT_KEY] = {"letter_id": letter.id, "code": code}
    tracked.remember(letter)
    return redirect(url_for(".receipt", number=letter.number))


@bp.route("/letters/new", methods=["GET", "POST"])
@_letter_limits(_one_page_kept, limits.posted_value)
def new_letter():
    """GET: the first step. POST: a whole letter in one request."""
    if not akimats.accepts_letters(g.akimat):  # closed: say where to write instead
        return _closed()
    if request.method == "GET":
        return _render_step("kind", _current_draft(), _step_form("kind", _current_draft()))
    categories = _categories()
    form = LetterForm(categories=categories)
    file_problems = _take_files(form)
    if form.validate_on_submit() and not file_problems:
        earlier = lifecycle.find_by_token(g.akimat, form.submission_token.data)
        if earlier is not None:  # the same form posted twice: one letter, the first receipt
            return redirect(url_for(".receipt", number=earlier.number))
        data = {name: field.data for name, field in form._fields.items()}
        category = next(c for c in categories if c.id == form.category.data)
        return _register(
            _submission(data, category, form.submission_token.data), attachments.keep(form.submission_token.data)
        )
    form.files.errors = list(form.files.errors) + file_problems
    return render_template(
        "public/letter_form.html", form=form, staged=attachments.staged(form.submission_token.data)
    ), 422


def _take_files(form: LetterForm) -> list:
    """Stages the uploaded files under the form's token, and drops those the resident removed."""
    if not re.fullmatch(r"[0-9a-f]{32}", form.submission_token.data or ""):
        form.submission_token.data = uuid.uuid4().hex  # a token we did not issue stages nothing
    return _stage(form.submission_token.data, form)


def _stage(token: str, form) -> list:
    attachments.unstage(token, form.remove_files.data or [])
    return attachments.stage(token, request.files.getlist(form.files.name))


def _submission(data: dict, category, token: str) -> lifecycle.Submission:
    """The letter as the domain takes it, from the answers (a draft's, or one form's)."""
    anonymous = bool(data.get("anonymous"))
    is_complaint = data.get("kind") == LetterKind.COMPLAINT.value
    phone = data.get("phone")
    return lifecycle.Submission(
        kind=LetterKind(data["kind"]),
        category=category,
        language=data["language"],
        subject=data["subject"],
        body=data["body"],
        surname="" if anonymous else data["surname"],
        given_name="" if anonymous else data["given_name"],
        patronymic=None if anonymous else (data.get("patronymic") or None),
        iin=None if anonymous else (data.get("iin") or None),
        address="" if anonymous else data["address"],
        email=data.get("email") or None,
        phone=normalize_phone(phone) if phone else None,
        disputed_party=data.get("disputed_party") if is_complaint else None,
        complaint_request=data.get("complaint_request") if is_complaint else None,
        submission_token=token,
        anonymous=anonymous,
    )


def _step_form(step: str, draft, posted: bool = False):
    """The step's form: as posted, or filled from the draft's answers."""
    data = dict(draft.data) if draft is not None else {}
    data["writer"] = "anonymous" if data.get("anonymous") else "named"
    data.setdefault("language", get_locale().language)
    data = {k: v for k, v in data.items() if v is not None}
    kwargs = {"categories": _categories()} if step == "letter" else {}
    if step == "about":
        kwargs["anonymous"] = bool(data.get("anonymous"))
    if posted:
        return STEP_FORMS[step](**kwargs)
    return STEP_FORMS[step](formdata=None, data=data, **kwargs)


def _step_url(step: str, changing: bool = False) -> str:
    if step == "check":
        return url_for(".check_letter")
    if step == "kind" and not changing:
        return url_for(".new_letter")
    return url_for(".letter_step", step=step, change=1 if changing else None)


def _render_step(step: str, draft, form, status: int = 200):
    data = draft.data if draft is not None else {}
    changing = bool(request.args.get("change")) and draft is not None
    steps = drafts.steps_for(data) if data.get("kind") else list(drafts.STEPS)
    previous = drafts.previous_step(data, step)
    back = url_for(".check_letter") if changing else (_step_url(previous) if previous else url_for(".home"))
    return render_template(
        f"public/letter_step_{step}.html",
        form=form,
        step_number=steps.index(step) + 1,
        step_total=len(steps),
        back_url=back,
        action=url_for(".letter_step", step=step, change=1 if changing else None),
        staged=attachments.staged(draft.token) if draft is not None and step == "letter" else [],
        anonymous=bool(data.get("anonymous")),
    ), status


@bp.route("/letters/new/<any(kind, letter, complaint, about):step>", methods=["GET", "POST"])
def letter_step(step):
    if not akimats.accepts_letters(g.akimat):
        return _closed()
    draft = _current_draft()
    if draft is None and step != "kind":  # no draft (expired, or another browser): start again
        return redirect(url_for(".new_letter"))
    if step == "complaint" and draft.data.get("kind") != LetterKind.COMPLAINT.value:
        return redirect(_step_url(drafts.next_step(draft.data, "letter")))
    if request.method == "GET":
        return _render_step(step, draft, _step_form(step, draft))
    form = _step_form(step, draft, posted=True)
    if draft is None:  # the first step: a draft only once it is answered
        if not form.validate_on_submit():
            return _render_step(step, draft, form, 422)
        draft = drafts.start(g.akimat)
        session[DRAFTS_KEY] = {**(session.get(DRAFTS_KEY) or {}), str(g.akimat.id): draft.token}
    file_problems = _stage(draft.token, form) if step == "letter" else []
    if not form.validate_on_submit() or file_problems:
        if step == "letter":
            form.files.errors = list(form.files.errors) + file_problems
        db.session.commit()  # a new draft holds the files just staged
        return _render_step(step, draft, form, 422)
    values = {name: field.data for name, field in form._fields.items()}
    values["anonymous"] = values.get("writer") == "anonymous"
    drafts.save_step(draft, step, values)
    db.session.commit()
    following = drafts.missing_step(draft.data) or "check"
    if not request.args.get("change"):
        following = drafts.next_step(draft.data, step)
    return redirect(_step_url(following))


def _render_check(draft, form, refusal=None):
    data = draft.data
    category = next((c for c in _categories() if c.id == data.get("category")), None)
    return render_template(
        "public/letter_check.html",
        form=form,
        data=data,
        category=category,
        kind_label=KIND_LABELS[LetterKind(data["kind"])],
        is_complaint=data.get("kind") == LetterKind.COMPLAINT.value,
        staged=attachments.staged(draft.token),
        back_url=_step_url(drafts.previous_step(data, "check")),
        refusal=refusal,
    )


@bp.route("/letters/new/check", methods=["GET", "POST"])
@_letter_limits(lambda field, message: _draft_kept(message), _draft_value)
def check_letter():
    if not akimats.accepts_letters(g.akimat):
        return _closed()
    token = _session_token()
    earlier = lifecycle.find_by_token(g.akimat, token) if token else None
    if earlier is not None:  # sent already (a second click, the back button): the first receipt
        return redirect(url_for(".receipt", number=earlier.number))
    draft = _current_draft()
    if draft is None:
        return redirect(url_for(".new_letter"))
    missing = drafts.missing_step(draft.data)
    if missing:
        return redirect(_step_url(missing))
    form = SendForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _render_check(draft, form), 200 if request.method == "GET" else 422
    draft = drafts.find(g.akimat, token, lock=True)  # a second send of this draft waits here for the first
    earlier = lifecycle.find_by_token(g.akimat, token) if draft is None else None
    if draft is None:
        return redirect(url_for(".receipt", number=earlier.number) if earlier else url_for(".new_letter"))
    category = next((c for c in _categories() if c.id == draft.data.get("category")), None)
    if category is None:  # the area was retired meanwhile: choose another
        draft.data = {**draft.data, "category": None, "done": [s for s in draft.data["done"] if s != "letter"]}
        db.session.commit()
        return redirect(_step_url("letter", changing=True))
    submission = _submission(draft.data, category, draft.token)
    files = attachments.keep(draft.token)
    db.session.delete(draft)  # in the letter's own transaction: sent, the draft is gone
    return _register(submission, files)
