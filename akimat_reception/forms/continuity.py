"""Forms of the resident's way back to a letter: a lost code, and forgetting a letter here."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from .validators import strip


class LostCodeForm(FlaskForm):
    number = StringField(
        _l("Registration number"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Give the registration number of your letter.")),
            Length(max=24, message=_l("Write at most %(max)d characters.")),
        ],
    )


class ForgetForm(FlaskForm):
    """Only the CSRF token: the letter is in the address."""
