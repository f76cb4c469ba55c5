"""Forms a resident fills in: the letter, tracking and the rating."""

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from ..labels import KIND_LABELS, LANGUAGE_LABELS
from ..models import LetterKind
from .validators import IIN, PhoneNumber, strip

REQUIRED = {"message": _l("This field is required.")}


def _length(maximum, minimum=-1):
    if minimum > 0:
        return Length(min=minimum, max=maximum, message=_l("Write from %(min)d to %(max)d characters."))
    return Length(max=maximum, message=_l("Write at most %(max)d characters."))


class LetterForm(FlaskForm):
    kind = RadioField(
        _l("What kind of letter is it?"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[InputRequired(message=_l("Choose the kind of letter."))],
    )
    category = SelectField(_l("Topic"), coerce=int, validators=[InputRequired(message=_l("Choose a topic."))])
    subject = StringField(_l("Subject"), filters=[strip], validators=[DataRequired(**REQUIRED), _length(200, 3)])
    body = TextAreaField(_l("Your letter"), filters=[strip], validators=[DataRequired(**REQUIRED), _length(10000, 10)])
    disputed_party = StringField(
        _l("Whose action or decision do you dispute?"), filters=[strip], validators=[Optional(), _length(300)]
    )
    complaint_request = TextAreaField(
        _l("What do you ask for?"), filters=[strip], validators=[Optional(), _length(3000)]
    )
    surname = StringField(_l("Surname"), filters=[strip], validators=[DataRequired(**REQUIRED), _length(100)])
    given_name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(**REQUIRED), _length(100)])
    patronymic = StringField(_l("Patronymic (if you have one)"), filters=[strip], validators=[Optional(), _length(100)])
    iin = StringField(_l("IIN"), filters=[strip], validators=[Optional(), IIN()])
    address = StringField(_l("Postal address"), filters=[strip], validators=[DataRequired(**REQUIRED), _length(300)])
    email = StringField(
        _l("Email"),
        filters=[strip],
        validators=[Optional(), Email(message=_l("Enter an email address like name@example.kz.")), _length(254)],
    )
    phone = StringField(_l("Phone"), filters=[strip], validators=[Optional(), PhoneNumber()])
    language = RadioField(
        _l("Language of the answer"),
        choices=[SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()],
        validators=[InputRequired(message=_l("Choose the language of the answer."))],
    )
    files = MultipleFileField(_l("Files (optional)"))
    remove_files = SelectMultipleField(_l("Remove"), choices=[], validate_choice=False)
    submission_token = HiddenField()

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice(0, _l("Choose a topic"))] + [
            SelectChoice(c.id, c.name) for c in categories
        ]
        if not self.submission_token.data:
            self.submission_token.data = uuid.uuid4().hex

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.category.data == 0 and not self.category.errors:
            self.category.errors.append(_l("Choose a topic."))
            valid = False
        if not (self.email.data or self.phone.data) and not (self.email.errors or self.phone.errors):
            self.email.errors.append(_l("Give an email or a phone number so that we can reach you."))
            valid = False
        if self.kind.data == LetterKind.COMPLAINT.value:
            for field in (self.disputed_party, self.complaint_request):
                if not field.data:
                    field.errors.append(_l("A complaint must say this."))
                    valid = False
        return valid


class TrackForm(FlaskForm):
    number = StringField(_l("Registration number"), filters=[strip], validators=[DataRequired(**REQUIRED), _length(24)])
    code = StringField(_l("Access code"), filters=[strip], validators=[DataRequired(**REQUIRED), _length(40)])


class RatingForm(FlaskForm):
    score = RadioField(
        _l("How good is the answer?"),
        coerce=int,
        choices=[
            SelectChoice(5, _l("5 — very good")),
            SelectChoice(4, _l("4 — good")),
            SelectChoice(3, _l("3 — acceptable")),
            SelectChoice(2, _l("2 — poor")),
            SelectChoice(1, _l("1 — very poor")),
        ],
        validators=[InputRequired(message=_l("Choose a rating from 1 to 5."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), filters=[strip], validators=[Optional(), _length(3000)])


class PositionForm(FlaskForm):
    position = TextAreaField(
        _l("Your position"), filters=[strip], validators=[DataRequired(**REQUIRED), _length(5000, 5)]
    )


class DisputeForm(FlaskForm):
    dispute = TextAreaField(
        _l("What is wrong with the answer?"), filters=[strip], validators=[DataRequired(**REQUIRED), _length(5000, 5)]
    )
