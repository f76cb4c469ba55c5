"""Handing a letter on: to a named executor within its department, or out of the akimat — to
another akimat of the installation, found by a search among thousands, or to another body."""

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...domain import lifecycle
from ...domain.permissions import Action
from ...extensions import db
from ...forms.office import ExecutorForm, ForwardForm
from ...models import User
from ...models._common import utcnow
from ..actions import attempt
from ..tenancy import letter_or_404, require
from . import bp
from .letter import _act, _render_letter


@bp.post("/letters/<number>/executor")
def assign_executor(number):
    """The registrar, or the head of the letter's department, names its executor."""
    letter = letter_or_404(number)
    if lifecycle.LetterAction.ASSIGN_EXECUTOR not in lifecycle.allowed_actions(current_user, letter, utcnow()):
        require(Action.ASSIGN, letter)  # 403 for a role that may not; a closed letter is told below
    form = ExecutorForm(executors=lifecycle.executors_of(letter))

    def perform(f):
        executor = db.session.get(User, f.executor.data)
        if executor is None:
            raise lifecycle.LifecycleError(_l("Choose an active executor of the letter's department."))
        lifecycle.assign_executor(letter, executor, current_user)

    done = attempt(form, perform, "executor", _l("The executor was named."), url_for(".letter", number=letter.number))
    return done or _render_letter(letter, status=422, executor_form=form)


@bp.post("/letters/<number>/forward")
def forward(number):
    def perform(letter, f):
        if f.target_akimat.data:
            target = lifecycle.competent_akimat(f.target_akimat.data, letter)
            if target is None:
                raise lifecycle.LifecycleError(_l("Choose an open akimat from the list found."))
            lifecycle.transfer_to_akimat(letter, target, f.forward_reason.data, current_user)
        else:
            lifecycle.forward(letter, f.competent_body.data, f.forward_reason.data, current_user)

    letter = letter_or_404(number)
    form = ForwardForm()
    # Offer again what the search found, so that a failed form shows the same choices.
    found = lifecycle.competent_akimats(form.find_akimat.data or "", letter)
    form.target_akimat.choices = [(a.id, a.name) for a in found]
    return _act(
        number,
        Action.FORWARD,
        "forward_form",
        form,
        perform,
        "target_akimat" if form.target_akimat.data else "competent_body",
        _l("The letter was forwarded and the resident told."),
    )
