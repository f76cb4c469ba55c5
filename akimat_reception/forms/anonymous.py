"""The registrar's assessment of an anonymous letter (domain/anonymous.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from .validators import strip

FINDINGS = {
    "crime": _l("Yes: it reports a crime or a threat to public safety — forward it today"),
    "none": _l("No: it is not considered"),
}


class AnonymousAssessmentForm(FlaskForm):
    finding = RadioField(
        _l("Does the letter report a crime or a threat to public safety?"),
        choices=[SelectChoice(value, label) for value, label in FINDINGS.items()],
        validators=[InputRequired(message=_l("Choose what the letter reports."))],
    )
    assessment_note = TextAreaField(
        _l("What you found in it (kept in the record; for a crime, sent with the letter)"),
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
    )

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if valid and self.finding.data == "crime" and not self.assessment_note.data:
            self.assessment_note.errors.append(_l("Say what the letter reports: the body it goes to reads it."))
            valid = False
        return valid
