"""The registrar's assessment of an anonymous letter: its card is templates/office/_anonymous_assessment.html
on the letter's page; the verb is lifecycle.assess_anonymous."""

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...domain import lifecycle
from ...domain.permissions import Action
from ...forms.anonymous import AnonymousAssessmentForm
from . import bp
from .letter import _act


@bp.post("/letters/<number>/anonymous")
def assess_anonymous(number):
    form = AnonymousAssessmentForm()

    def perform(letter, f):
        lifecycle.assess_anonymous(letter, current_user, f.finding.data == "crime", f.assessment_note.data or "")

    done = _l("The assessment was recorded.")
    return _act(number, Action.ASSESS_ANONYMOUS, "anonymous_form", form, perform, "finding", done)
