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
from wtforms.validators import DataRequired, Email, InputRequired, Optional

from ..labels import KIND_LABELS, LANGUAGE_LABELS
from ..models import LetterKind
from .validators import IIN, REQUIRED, PhoneNumber, strip, text_length

WRITERS = (
    SelectChoice("named", _l("With my name")),
    SelectChoice("anonymous", _l("Anonymously, without my name and address")),
)


class KindStep(FlaskForm):
    """Step 1: what kind of letter, and whether it carries the writer's name."""

    kind = RadioField(
        _l("What kind of letter is it?"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[InputRequired(message=_l("Choose the kind of letter."))],
    )
    writer = RadioField(
        _l("Do you write with your name?"),
        choices=list(WRITERS),
        default="named",
        validators=[InputRequired(message=_l("Choose whether you write with your name."))],
    )


class _CategoryField:
    """The area of life the letter is about: not "Topic" beside "Subject" (in Russian "Тематика"
    beside "Тема", near-synonyms), but a word of its own."""

    category = SelectField(_l("Area"), coerce=int, validators=[InputRequired(message=_l("Choose an area."))])

    def _offer_categories(self, categories):
        self.category.choices = [SelectChoice(0, _l("Choose an area"))] + [
            SelectChoice(c.id, c.name) for c in categories
        ]

    def _category_chosen(self) -> bool:
        if self.category.data == 0 and not self.category.errors:
            self.category.errors.append(_l("Choose an area."))
            return False
        return True


class LetterStep(_CategoryField, FlaskForm):
    """Step 2: the letter itself, and its files."""

    subject = StringField(_l("Subject"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(200, 3)])
    body = TextAreaField(
        _l("Your letter"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(10000, 10)]
    )
    files = MultipleFileField(_l("Files (optional)"))
    remove_files = SelectMultipleField(_l("Remove"), choices=[], validate_choice=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._offer_categories(categories)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return self._category_chosen() and valid


class ComplaintStep(FlaskForm):
    """Step 3, for a complaint only: whose action, and what the resident asks for."""

    disputed_party = StringField(
        _l("Whose action or decision do you dispute?"),
        filters=[strip],
        validators=[DataRequired(message=_l("A complaint must say this.")), text_length(300)],
    )
    complaint_request = TextAreaField(
        _l("What do you ask for?"),
        filters=[strip],
        validators=[DataRequired(message=_l("A complaint must say this.")), text_length(3000)],
    )


class AboutStep(FlaskForm):
    """Step 4: about the writer and how to reach them. Anonymous: no name, no address, no IIN, and
    a contact only if they wish (without one they follow the letter by its number and code)."""

    surname = StringField(_l("Surname"), filters=[strip], validators=[Optional(), text_length(100)])
    given_name = StringField(_l("Name"), filters=[strip], validators=[Optional(), text_length(100)])
    patronymic = StringField(
        _l("Patronymic (if you have one)"), filters=[strip], validators=[Optional(), text_length(100)]
    )
    iin = StringField(_l("IIN"), filters=[strip], validators=[Optional(), IIN()])
    address = StringField(_l("Postal address"), filters=[strip], validators=[Optional(), text_length(300)])
    email = StringField(
        _l("Email"),
        filters=[strip],
        validators=[Optional(), Email(message=_l("Enter an email address like name@example.kz.")), text_length(254)],
    )
    phone = StringField(_l("Phone"), filters=[strip], validators=[Optional(), PhoneNumber()])
    language = RadioField(
        _l("Language of the answer"),
        choices=[SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()],
        validators=[InputRequired(message=_l("Choose the language of the answer."))],
    )

    def __init__(self, *args, anonymous=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.anonymous = anonymous

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.anonymous:
            return valid
        for field in (self.surname, self.given_name, self.address):
            if not field.data and not field.errors:
                field.errors.append(REQUIRED["message"])
                valid = False
        if not (self.email.data or self.phone.data) and not (self.email.errors or self.phone.errors):
            self.email.errors.append(_l("Give an email or a phone number so that we can reach you."))
            valid = False
        return valid


class SendForm(FlaskForm):
    """Step 5, check your answers: the button that sends the letter."""


def _again(unbound):
    """The same field declared anew, so that it takes its place in the order of this form's fields."""
    return unbound.field_class(*unbound.args, **unbound.kwargs)


class LetterForm(_CategoryField, FlaskForm):
    """The whole letter in one request: the form shown again when such a request fails, and how a
    client that keeps no draft between steps (no cookies kept, a script) still sends a letter."""

    kind = _again(KindStep.kind)
    category = _again(_CategoryField.category)
    subject = _again(LetterStep.subject)
    body = _again(LetterStep.body)
    disputed_party = StringField(
        ComplaintStep.disputed_party.args[0], filters=[strip], validators=[Optional(), text_length(300)]
    )
    complaint_request = TextAreaField(
        ComplaintStep.complaint_request.args[0], filters=[strip], validators=[Optional(), text_length(3000)]
    )
    surname = StringField(_l("Surname"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(100)])
    given_name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(100)])
    patronymic = _again(AboutStep.patronymic)
    iin = _again(AboutStep.iin)
    address = StringField(
        _l("Postal address"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(300)]
    )
    email = _again(AboutStep.email)
    phone = _again(AboutStep.phone)
    language = _again(AboutStep.language)
    files = _again(LetterStep.files)
    remove_files = _again(LetterStep.remove_files)
    submission_token = HiddenField()

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._offer_categories(categories)
        if not self.submission_token.data:
            self.submission_token.data = uuid.uuid4().hex

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        valid = self._category_chosen() and valid
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
    number = StringField(
        _l("Registration number"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(24)]
    )
    code = StringField(_l("Access code"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(40)])


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
    comment = TextAreaField(_l("Comment (optional)"), filters=[strip], validators=[Optional(), text_length(3000)])


class PositionForm(FlaskForm):
    position = TextAreaField(
        _l("Your position"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(5000, 5)]
    )


class DisputeForm(FlaskForm):
    dispute = TextAreaField(
        _l("What is wrong with the answer?"),
        filters=[strip],
        validators=[DataRequired(**REQUIRED), text_length(5000, 5)],
    )
