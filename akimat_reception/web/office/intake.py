"""The chancellery enters a letter that did not come through the site (APPK art. 63-64), prints
its receipt slip, and hands a new access code to a resident whose ID card it checked."""

import re
import uuid

from flask import abort, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy import select

from ...domain import attachments, notifications
from ...domain.identity import normalize_phone
from ...domain.lifecycle import LifecycleError, NotAllowed, Submission, find_by_token
from ...domain.lifecycle.codes import VIA_CHANCELLERY, may_reissue_in_person, reissue_code
from ...domain.lifecycle.intake import DuplicateReference, late_arrival, may_register, register_received
from ...extensions import db
from ...forms.intake import SENDER_COLLECTIVE, SENDER_ORGANISATION, IntakeForm
from ...models import Category, LetterChannel, LetterKind
from ..tenancy import letter_or_404, make_tenant_blueprint, require_member

bp = make_tenant_blueprint("office_intake", __name__, "/office")

SLIP_KEY = "intake_slip"  # the code of the letter just registered, shown once on its slip


@bp.before_request
@login_required
def staff_only():
    require_member()


def _categories():
    return db.session.scalars(
        select(Category).where(Category.akimat_id == g.akimat.id, Category.retired_at.is_(None)).order_by(Category.id)
    ).all()


def _take_files(form: IntakeForm) -> list:
    """Stages the scanned pages under the form's token, and drops those the registrar removed
    (as the resident's form does, web/public/reception.py)."""
    if not re.fullmatch(r"[0-9a-f]{32}", form.submission_token.data or ""):
        form.submission_token.data = uuid.uuid4().hex  # a token we did not issue stages nothing
    token = form.submission_token.data
    attachments.unstage(token, form.remove_files.data or [])
    return attachments.stage(token, request.files.getlist(form.files.name))


def _submission(form: IntakeForm, category: Category) -> Submission:
    kind = LetterKind(form.kind.data)
    is_complaint = kind is LetterKind.COMPLAINT
    organisation = form.sender_type.data == SENDER_ORGANISATION
    return Submission(
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
        email=form.email.data or None,
        phone=normalize_phone(form.phone.data) if form.phone.data else None,
        disputed_party=form.disputed_party.data if is_complaint else None,
        complaint_request=form.complaint_request.data if is_complaint else None,
        submission_token=form.submission_token.data,
        channel=LetterChannel(form.channel.data),
        sender_reference=form.sender_reference.data or None,
        registered_by=current_user,
        organisation_name=form.organisation_name.data if organisation else None,
        organisation_bin=form.organisation_bin.data if organisation else None,
        signatory_position=form.signatory_position.data if organisation else None,
        cosignatories=form.signatories if form.sender_type.data == SENDER_COLLECTIVE else None,
        # Without an email or a phone the answer can only go by post.
        paper_answer=form.paper_answer.data,
    )


@bp.route("/letters/new", methods=["GET", "POST"])
def new():
    if not may_register(current_user, g.akimat):
        abort(403)
    categories = _categories()
    form = IntakeForm(categories=categories)
    if request.method == "GET":
        form.language.data = get_locale().language
    file_problems = _take_files(form) if form.is_submitted() else []
    if form.validate_on_submit() and not file_problems:
        earlier = find_by_token(g.akimat, form.submission_token.data)
        if earlier is not None:  # the same form posted twice: one letter, its slip
            return redirect(url_for(".slip", number=earlier.number))
        category = next(c for c in categories if c.id == form.category.data)
        # The files are moved out of staging only once the letter is in: a refused duplicate keeps
        # them attached to the form, as it keeps everything else that was typed.
        try:
            letter, code = register_received(
                g.akimat, _submission(form, category), files=attachments.staged(form.submission_token.data)
            )
        except DuplicateReference as refused:
            form.sender_reference.errors.append(refused.message)
        else:
            attachments.keep(form.submission_token.data)
            session[SLIP_KEY] = {"letter_id": letter.id, "code": code}
            return redirect(url_for(".slip", number=letter.number))
    form.files.errors = list(form.files.errors) + file_problems
    status = 422 if form.is_submitted() else 200
    return render_template(
        "office/intake_form.html", form=form, staged=attachments.staged(form.submission_token.data)
    ), status


@bp.get("/letters/<number>/slip")
def slip(number):
    letter = letter_or_404(number)
    if not may_register(current_user, g.akimat):
        abort(403)
    pending = session.get(SLIP_KEY)
    code, reissued = None, False
    if pending and pending.get("letter_id") == letter.id:
        code, reissued = pending["code"], pending.get("reissued", False)
        session.pop(SLIP_KEY)  # the code is shown once
    track_path = url_for("reception.track")
    return render_template(
        "office/intake_slip.html",
        letter=letter,
        code=code,
        reissued=reissued,
        late=late_arrival(letter),
        track_url=notifications.public_url(track_path[len(request.script_root) :]),
    )


@bp.post("/letters/<number>/new-code")
def new_code(number):
    """The resident lost the code and came with the ID card: the registrar checked it."""
    letter = letter_or_404(number)
    if not may_reissue_in_person(current_user, letter):
        abort(403)
    try:
        code = reissue_code(letter, VIA_CHANCELLERY, by=current_user)
    except NotAllowed:
        abort(403)
    except LifecycleError:
        abort(409)
    session[SLIP_KEY] = {"letter_id": letter.id, "code": code, "reissued": True}
    return redirect(url_for(".slip", number=letter.number))
