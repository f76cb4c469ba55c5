""" "My letters": the contact a resident's letters were sent with, and the one-time code sent to it."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..domain.contact_codes import CODE_DIGITS, normalize_contact
from .validators import REQUIRED, strip


class ContactForm(FlaskForm):
    contact = StringField(
        _l("Email or phone number"),
        filters=[strip],
        validators=[DataRequired(**REQUIRED), Length(max=254, message=_l("Write at most %(max)d characters."))],
    )

    def validate_contact(self, field):
        normalized = normalize_contact(field.data)
        if normalized is None:
            raise ValidationError(_l("Enter an email like name@example.kz or a phone number like 8 701 234 56 78."))
        self.normalized = normalized


class ContactCodeForm(FlaskForm):
    code = StringField(_l("Code"), filters=[strip], validators=[DataRequired(**REQUIRED)])

    def validate_code(self, field):
        digits = "".join(c for c in field.data if c.isdigit())
        if len(digits) != CODE_DIGITS or len(field.data) > 20:
            raise ValidationError(_l("The code is %(digits)d digits.", digits=CODE_DIGITS))


class MyLettersActionForm(FlaskForm):
    """Opening a letter of the list and signing out: a button and the CSRF token."""
