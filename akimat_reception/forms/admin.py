"""Forms of the akimat's administrator."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length, Optional

from .validators import LocalDateField, strip


class CalendarOverrideForm(FlaskForm):
    day = LocalDateField(_l("Day"), validators=[InputRequired(message=_l("Enter the date."))])
    kind = RadioField(
        _l("This day is"),
        choices=[SelectChoice("working", _l("a working day (transferred)")), SelectChoice("day_off", _l("a day off"))],
        validators=[InputRequired(message=_l("Choose working day or day off."))],
    )
    note = StringField(
        _l("Note, e.g. the government decree"), filters=[strip], validators=[Optional(), Length(max=300)]
    )
