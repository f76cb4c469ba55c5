"""Forms of the phone directory: a resident's report, a staff check call, an administrator's line."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..labels import CHECK_RESULT_LABELS, LANGUAGE_LABELS, LINE_DAYS_LABELS
from .validators import REQUIRED, PhoneNumber, strip, text_length


class ReportForm(FlaskForm):
    """One per line on the public page, each with its own prefix, so ids stay unique."""

    comment = TextAreaField(_l("Comment (optional)"), filters=[strip], validators=[Optional(), text_length(500)])


class CheckForm(FlaskForm):
    result = RadioField(
        _l("What happened when you called?"),
        choices=[SelectChoice(r.value, label) for r, label in CHECK_RESULT_LABELS.items()],
        validators=[InputRequired(message=_l("Choose what happened on the call."))],
    )
    note = TextAreaField(_l("Note (optional)"), filters=[strip], validators=[Optional(), text_length(1000)])


class LocalTimeField(TimeField):
    """A time input whose parse error is ours, translated like every other message."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                self.data = datetime.strptime(valuelist[0].strip(), "%H:%M").time()
            except ValueError:
                self.data = None
                raise ValueError(_l("Enter a time like 09:00.")) from None
        else:
            self.data = None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LineForm(FlaskForm):
    department = SelectField(
        _l("Department"), coerce=int, validators=[InputRequired(message=_l("Choose a department."))]
    )
    number = StringField(
        _l("Phone number"), filters=[strip], validators=[DataRequired(**REQUIRED), PhoneNumber(), text_length(30)]
    )
    purpose_kk = StringField(
        _l("Purpose in Kazakh"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(300)]
    )
    purpose_ru = StringField(
        _l("Purpose in Russian"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(300)]
    )
    purpose_en = StringField(
        _l("Purpose in English (optional)"), filters=[strip], validators=[Optional(), text_length(300)]
    )
    languages = MultiCheckboxField(
        _l("Languages spoken on the line"),
        choices=[SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()],
    )
    days = RadioField(
        _l("Days"),
        choices=[SelectChoice(d.value, label) for d, label in LINE_DAYS_LABELS.items()],
        validators=[InputRequired(message=_l("Choose the days the line works."))],
    )
    opens_at = LocalTimeField(_l("Opens at"), validators=[Optional()])
    closes_at = LocalTimeField(_l("Closes at"), validators=[Optional()])

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.department.choices = [SelectChoice(d.id, d.name) for d in departments]

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not self.languages.data and not self.languages.errors:
            self.languages.errors.append(_l("Choose at least one language."))
            valid = False
        if self.opens_at.errors or self.closes_at.errors:
            return False
        if (self.opens_at.data is None) != (self.closes_at.data is None):
            missing = self.closes_at if self.closes_at.data is None else self.opens_at
            missing.errors.append(_l("Give both times, or leave both empty for a line that works round the clock."))
            valid = False
        elif self.opens_at.data is not None and self.opens_at.data == self.closes_at.data:
            self.closes_at.errors.append(_l("The line cannot close at the time it opens."))
            valid = False
        return valid


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))])
