"""Forms of the akimat's staff."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..labels import DECISION_LABELS
from ..models import Decision
from .validators import REQUIRED, LocalDateField, strip


class AssignForm(FlaskForm):
    department = SelectField(
        _l("Department"), coerce=int, validators=[InputRequired(message=_l("Choose a department."))]
    )
    reason = StringField(
        _l("Reason for moving (when the letter is already with a department)"),
        filters=[strip],
        validators=[Optional(), Length(max=1000)],
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.department.choices = [SelectChoice(d.id, d.name) for d in departments]


class AnswerForm(FlaskForm):
    template = SelectField(_l("Insert a paragraph of your department"), coerce=int, validators=[Optional()])
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice(d.value, label) for d, label in DECISION_LABELS.items()],
        validators=[InputRequired(message=_l("Choose the decision."))],
    )
    body = TextAreaField(
        _l("Answer to the resident"), filters=[strip], validators=[DataRequired(**REQUIRED), Length(max=20000)]
    )
    reasons = TextAreaField(_l("Reasons for the refusal"), filters=[strip], validators=[Optional()])
    legal_basis = TextAreaField(_l("Legal basis"), filters=[strip], validators=[Optional()])
    appeal_procedure = TextAreaField(_l("How to appeal"), filters=[strip], validators=[Optional()])

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.template.choices = [SelectChoice(0, _l("Choose a paragraph"))] + [
            SelectChoice(t.id, t.title) for t in templates
        ]

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and Decision(self.decision.data).needs_grounds:
            for field in (self.reasons, self.legal_basis, self.appeal_procedure):
                if not field.data:
                    field.errors.append(_l("A refusal or leaving without consideration must give this."))
                    valid = False
        return valid


class AkimatSearchForm(FlaskForm):
    """The GET "find" of the transfer: part of a name, a former name, another spelling or the slug."""

    class Meta:
        csrf = False  # a search changes nothing

    find_akimat = StringField(
        _l("Find the akimat: part of its name"), filters=[strip], validators=[Optional(), Length(max=100)]
    )


class ForwardForm(FlaskForm):
    # The matches of the search, as radio buttons (no list of every akimat: there are thousands).
    target_akimat = RadioField(_l("Another akimat"), coerce=int, validate_choice=False, validators=[Optional()])
    find_akimat = HiddenField(filters=[strip])  # the search that found them, to show them again
    competent_body = StringField(
        _l("Or another competent body"), filters=[strip], validators=[Optional(), Length(max=300)]
    )
    forward_reason = TextAreaField(
        _l("Why it is outside the akimat's competence"),
        filters=[strip],
        validators=[DataRequired(**REQUIRED), Length(max=3000)],
    )

    def __init__(self, *args, akimats=(), **kwargs):
        """`akimats`: the matches of the search, offered as the choices."""
        super().__init__(*args, **kwargs)
        self.target_akimat.choices = [SelectChoice(a.id, a.name) for a in akimats]

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and not self.target_akimat.data and not self.competent_body.data:
            self.competent_body.errors.append(_l("Choose an akimat or name the competent body."))
            valid = False
        return valid


class ExecutorForm(FlaskForm):
    executor = SelectField(_l("Executor"), coerce=int, validators=[InputRequired(message=_l("Choose an executor."))])

    def __init__(self, *args, executors=(), **kwargs):
        """`executors`: the active executors of the letter's department."""
        super().__init__(*args, **kwargs)
        self.executor.choices = [SelectChoice(u.id, u.full_name) for u in executors]


class ExtensionRequestForm(FlaskForm):
    new_deadline = LocalDateField(_l("New deadline"), validators=[InputRequired(message=_l("Enter the new date."))])
    extension_reason = TextAreaField(
        _l("Why more time is needed"), filters=[strip], validators=[DataRequired(**REQUIRED), Length(max=3000)]
    )


class ExtensionDecisionForm(FlaskForm):
    VERDICTS = {"approve": _l("Extend the term"), "refuse": _l("Refuse")}

    verdict = RadioField(_l("Decision on the term"), validators=[InputRequired(message=_l("Choose the decision."))])
    decision_reason = TextAreaField(
        _l("Reasons of the decision"), filters=[strip], validators=[DataRequired(**REQUIRED), Length(max=3000)]
    )

    def __init__(self, *args, verdicts=tuple(VERDICTS), **kwargs):
        """`verdicts`: the decisions the domain allows now (approve, refuse), in that order."""
        super().__init__(*args, **kwargs)
        self.verdict.choices = [SelectChoice(v, label) for v, label in self.VERDICTS.items() if v in verdicts]


class HearingNoticeForm(FlaskForm):
    grounds = TextAreaField(
        _l("Grounds of the intended refusal"), filters=[strip], validators=[DataRequired(**REQUIRED), Length(max=5000)]
    )


class InstructionForm(FlaskForm):
    instruction = TextAreaField(
        _l("Instruction to the department"), filters=[strip], validators=[DataRequired(**REQUIRED), Length(max=3000)]
    )


class ControlForm(FlaskForm):
    verdict = RadioField(_l("Your decision"), validators=[InputRequired(message=_l("Choose the decision."))])
    control_comment = TextAreaField(_l("Comment"), filters=[strip], validators=[Optional(), Length(max=5000)])
    # Offered only after an approval was refused for rules that only warn (domain/quality.py).
    despite_warnings = BooleanField(_l("I have read the warnings: approve the answer as it is"))

    def __init__(self, *args, disputed=False, verdicts=("approve", "return", "uphold"), **kwargs):
        """`verdicts`: the decisions the domain allows now; `disputed` words the return for a dispute."""
        super().__init__(*args, **kwargs)
        labels = (
            {
                "return": _l("Return to the department for rework"),
                "uphold": _l("The answer stands: tell the resident why"),
            }
            if disputed
            else {
                "approve": _l("Approve and send to the resident"),
                "return": _l("Return for rework"),
            }
        )
        self.verdict.choices = [SelectChoice(v, label) for v, label in labels.items() if v in verdicts]

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and self.verdict.data in ("return", "uphold") and not self.control_comment.data:
            self.control_comment.errors.append(_l("Write a comment: the department or the resident reads it."))
            valid = False
        return valid


class AnswerTemplateForm(FlaskForm):
    department = SelectField(
        _l("Department"), coerce=int, validators=[InputRequired(message=_l("Choose a department."))]
    )
    language = RadioField(
        _l("Language"),
        choices=[
            SelectChoice("kk", _l("Kazakh")),
            SelectChoice("ru", _l("Russian")),
            SelectChoice("en", _l("English")),
        ],
        validators=[InputRequired(message=_l("Choose the language."))],
    )
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(**REQUIRED), Length(max=200)])
    body = TextAreaField(_l("Paragraph"), filters=[strip], validators=[DataRequired(**REQUIRED), Length(max=10000)])

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.department.choices = [SelectChoice(d.id, d.name) for d in departments]


class DispatchForm(FlaskForm):
    """The answer on paper left the akimat: posted, or handed over at the chancellery."""

    method = RadioField(
        _l("How the answer left"),
        choices=[
            SelectChoice("post", _l("Sent by post to the resident's address")),
            SelectChoice("handed", _l("Handed over to the resident in person")),
        ],
        validators=[InputRequired(message=_l("Choose how the answer left: by post or handed over."))],
    )
