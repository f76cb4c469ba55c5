"""Validators for Kazakhstan's identifiers, with messages a resident understands."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.validators import ValidationError

from ..domain.identity import is_valid_iin, normalize_phone


class IIN:
    def __call__(self, form, field):
        value = (field.data or "").strip()
        if not value:
            return
        if len(value) != 12 or not value.isdigit():
            raise ValidationError(_l("The IIN has 12 digits."))
        if not is_valid_iin(value):
            raise ValidationError(_l("This IIN is not valid: check the digits against your ID card."))


class PhoneNumber:
    def __call__(self, form, field):
        value = (field.data or "").strip()
        if not value:
            return
        if normalize_phone(value) is None:
            raise ValidationError(_l("Enter a phone number like +7 701 234 5678."))


def strip(value):
    return value.strip() if isinstance(value, str) else value


class LocalDateField(DateField):
    """A date input whose parse error is ours, translated like every other message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date like 2026-12-31.")) from None
