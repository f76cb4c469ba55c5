"""Validators for Kazakhstan's identifiers, with messages a resident understands."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.validators import Length, ValidationError

from ..domain.identity import is_valid_iin, normalize_phone

REQUIRED = {"message": _l("This field is required.")}


def text_length(maximum, minimum=-1):
    """The length rule of a text field, in the resident's words."""
    if minimum > 0:
        return Length(min=minimum, max=maximum, message=_l("Write from %(min)d to %(max)d characters."))
    return Length(max=maximum, message=_l("Write at most %(max)d characters."))


class IIN:
    def __call__(self, form, field):
        value = (field.data or "").strip()
        if not value:
            return
        if len(value) != 12 or not value.isdigit():
            raise ValidationError(_l("The IIN has 12 digits."))
        if not is_valid_iin(value):
            raise ValidationError(_l("This IIN is not valid: check the digits against your ID card."))


class BIN:
    """An organisation's business identification number: 12 digits whose last is the same check
    digit as an IIN's (the two share the algorithm)."""

    def __call__(self, form, field):
        value = (field.data or "").strip()
        if not value:
            return
        if len(value) != 12 or not value.isdigit():
            raise ValidationError(_l("The BIN has 12 digits."))
        if not is_valid_iin(value):
            raise ValidationError(_l("This BIN is not valid: check the digits against the letter's letterhead."))


class PhoneNumber:
    def __call__(self, form, field):
        value = (field.data or "").strip()
        if not value:
            return
        if normalize_phone(value) is None:
            raise ValidationError(_l("Enter a phone number like +7 701 234 5678."))


# Vertical tab and form feed are line breaks (text pasted from a word processor brings them):
# kept as the line breaks they mean.
LINE_BREAKS = {0x0B: "\n", 0x0C: "\n"}
# The other C0 control characters but tab, line feed and carriage return; DEL; the C1 controls.
# Nobody types them: they come from broken copies or hostile clients, and PostgreSQL cannot
# store NUL in text at all (the INSERT fails). Bidirectional marks (U+200E, U+202E...) are format
# characters, not controls: Arabic and mixed-script text needs them, and they pass.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def strip(value):
    """The filter of every text field: trims the spaces around the text, and refuses control
    characters. WTForms shows a filter's ValueError as the field's error, by the field and in the
    summary, like a validator's."""
    if not isinstance(value, str):
        return value
    stripped = value.translate(LINE_BREAKS).strip()
    if CONTROL_CHARACTERS.search(stripped):
        raise ValueError(
            _l(
                "This text contains invisible control characters, often copied from another "
                "program. Type it again or paste it as plain text."
            )
        )
    return stripped


class LocalDateField(DateField):
    """A date input whose parse error is ours, translated like every other message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date like 2026-12-31.")) from None
