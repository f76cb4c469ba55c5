"""The chancellery's form: a letter that did not come through the site, entered by a registrar."""

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
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

from ..labels import CHANNEL_LABELS, KIND_LABELS, LANGUAGE_LABELS
from ..models import LetterChannel, LetterKind
from .validators import BIN, IIN, REQUIRED, PhoneNumber, strip, text_length

MAX_COSIGNATORIES = 200

SENDER_PERSON, SENDER_ORGANISATION, SENDER_COLLECTIVE = "person", "organisation", "collective"


def parse_cosignatories(text: str) -> tuple[list[dict], list[int]]:
    """ "Name; address" per line -> the signatories, and the numbers of the lines that lack a part."""
    signatories, bad_lines = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, _, address = line.partition(";")
        if not name.strip() or not address.strip():
            bad_lines.append(number)
            continue
        signatories.append({"name": name.strip()[:200], "address": address.strip()[:300]})
    return signatories, bad_lines


class IntakeForm(FlaskForm):
    channel = RadioField(
        _l("How did the letter arrive?"),
        choices=[SelectChoice(c.value, label) for c, label in CHANNEL_LABELS.items() if c is not LetterChannel.WEB],
        validators=[InputRequired(message=_l("Choose how the letter arrived."))],
    )
    sender_reference = StringField(
        _l("Sender's outgoing number or e-Otinish number"), filters=[strip], validators=[Optional(), text_length(60)]
    )
    kind = RadioField(
        _l("Kind of letter"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[InputRequired(message=_l("Choose the kind of letter."))],
    )
    category = SelectField(_l("Topic"), coerce=int, validators=[InputRequired(message=_l("Choose a topic."))])
    subject = StringField(_l("Subject"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(200, 3)])
    body = TextAreaField(
        _l("Text of the letter, or the protocol of an oral appeal"),
        filters=[strip],
        validators=[DataRequired(**REQUIRED), text_length(10000, 10)],
    )
    disputed_party = StringField(
        _l("Whose action or decision is disputed?"), filters=[strip], validators=[Optional(), text_length(300)]
    )
    complaint_request = TextAreaField(
        _l("What does the complaint ask for?"), filters=[strip], validators=[Optional(), text_length(3000)]
    )
    sender_type = RadioField(
        _l("Who is the sender?"),
        choices=[
            SelectChoice(SENDER_PERSON, _l("A resident")),
            SelectChoice(SENDER_ORGANISATION, _l("An organisation")),
            SelectChoice(SENDER_COLLECTIVE, _l("Several residents (a collective letter)")),
        ],
        default=SENDER_PERSON,
        validators=[InputRequired(message=_l("Choose who sent the letter."))],
    )
    organisation_name = StringField(
        _l("Name of the organisation"), filters=[strip], validators=[Optional(), text_length(300)]
    )
    organisation_bin = StringField(_l("BIN"), filters=[strip], validators=[Optional(), BIN()])
    signatory_position = StringField(
        _l("Position of the signatory"), filters=[strip], validators=[Optional(), text_length(200)]
    )
    cosignatories = TextAreaField(
        _l("The other signatories"), filters=[strip], validators=[Optional(), text_length(60000)]
    )
    surname = StringField(_l("Surname"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(100)])
    given_name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(100)])
    patronymic = StringField(_l("Patronymic (if any)"), filters=[strip], validators=[Optional(), text_length(100)])
    iin = StringField(_l("IIN"), filters=[strip], validators=[Optional(), IIN()])
    address = StringField(
        _l("Postal address"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(300)]
    )
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
    paper_answer = BooleanField(_l("Send the answer on paper as well"))
    files = MultipleFileField(_l("Scanned pages and enclosures (optional)"))
    remove_files = SelectMultipleField(_l("Remove"), choices=[], validate_choice=False)
    submission_token = HiddenField()

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice(0, _l("Choose a topic"))] + [
            SelectChoice(c.id, c.name) for c in categories
        ]
        if not self.submission_token.data:
            self.submission_token.data = uuid.uuid4().hex
        self.signatories: list[dict] = []

    def _require(self, field, message) -> bool:
        if field.data or field.errors:
            return not field.errors
        field.errors.append(message)
        return False

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.category.data == 0 and not self.category.errors:
            self.category.errors.append(_l("Choose a topic."))
            valid = False
        if self.channel.data == LetterChannel.E_OTINISH.value:
            valid &= self._require(
                self.sender_reference, _l("A letter from e-Otinish is entered with its e-Otinish number.")
            )
        if self.kind.data == LetterKind.COMPLAINT.value:
            for field in (self.disputed_party, self.complaint_request):
                valid &= self._require(field, _l("A complaint must say this."))
        if self.sender_type.data == SENDER_ORGANISATION:
            valid &= self._require(self.organisation_name, _l("A letter from an organisation names it."))
            valid &= self._require(self.organisation_bin, _l("Give the organisation's BIN from its letterhead."))
            valid &= self._require(self.signatory_position, _l("Give the position of who signed the letter."))
        if self.sender_type.data == SENDER_COLLECTIVE and not self.cosignatories.errors:
            self.signatories, bad_lines = parse_cosignatories(self.cosignatories.data)
            if bad_lines:
                self.cosignatories.errors.append(
                    _l(
                        "Line %(lines)s: write the name, a semicolon, then the address.",
                        lines=", ".join(str(n) for n in bad_lines),
                    )
                )
                valid = False
            elif not self.signatories:
                self.cosignatories.errors.append(_l("A collective letter has at least one more signatory."))
                valid = False
            elif len(self.signatories) > MAX_COSIGNATORIES:
                self.cosignatories.errors.append(
                    _l("At most %(count)d signatories: attach the full list as a file.", count=MAX_COSIGNATORIES)
                )
                valid = False
        return valid
