"""Forms of the platform administration: an akimat's fields, a dated move, the first admin."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, Regexp

from ..domain.administration.akimats import PREFIX_RE, SLUG_RE
from ..labels import LANGUAGE_LABELS
from ..models import AkimatKind
from .phones import LocalTimeField
from .validators import REQUIRED, LocalDateField, strip, text_length

SLUG_RULE = _l("Use 2 to 40 lowercase latin letters, digits and hyphens, e.g. karaganda-region.")

AKIMAT_KIND_LABELS = {
    AkimatKind.REGION: _l("Region"),
    AkimatKind.REPUBLICAN_CITY: _l("City of republican significance or the capital"),
    AkimatKind.REGIONAL_CITY: _l("City of regional significance"),
    AkimatKind.DISTRICT: _l("District"),
    AkimatKind.CITY_DISTRICT: _l("District within a city"),
    AkimatKind.DISTRICT_CITY: _l("City of district significance"),
    AkimatKind.RURAL_DISTRICT: _l("Rural district"),
    AkimatKind.VILLAGE: _l("Settlement or village"),
}

# What the record of administrative changes calls each kind of change; a kind recorded by another
# part of the administration that is not named here shows as recorded.
ADMIN_EVENT_LABELS = {
    "akimat_created": _l("Akimat created"),
    "akimat_updated": _l("Akimat edited"),
    "akimat_moved": _l("Akimat moved in the hierarchy"),
    "akimat_closed": _l("Akimat closed to new letters"),
    "akimat_reopened": _l("Akimat reopened"),
    "staff_invited": _l("Person invited"),
    "invitation_resent": _l("Invitation sent again"),
    "invitation_accepted": _l("Invitation accepted"),
    "invitation_revoked": _l("Invitation revoked"),
    "platform_admin_appointed": _l("Platform administrator appointed"),
}


def _upper(value):
    return strip(value).upper() if isinstance(value, str) else value


def _lower(value):
    return strip(value).lower() if isinstance(value, str) else value


class AkimatForm(FlaskForm):
    """A new akimat (with its parent) or an edited one (the parent moves by a dated move)."""

    slug = StringField(
        _l("Address on the site"),
        filters=[_lower],
        validators=[
            DataRequired(**REQUIRED),
            text_length(40),
            Regexp(SLUG_RE, message=SLUG_RULE),
        ],
    )
    number_prefix = StringField(
        _l("Prefix of letter numbers"),
        filters=[_upper],
        validators=[
            DataRequired(**REQUIRED),
            Regexp(PREFIX_RE, message=_l("Use 2 to 8 uppercase latin letters, e.g. KRG.")),
        ],
    )
    name_kk = StringField(
        _l("Name in Kazakh"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(200)]
    )
    name_ru = StringField(
        _l("Name in Russian"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(200)]
    )
    name_en = StringField(
        _l("Name in English"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(200)]
    )
    aliases = TextAreaField(
        _l("Former names and other spellings (optional)"), filters=[strip], validators=[Optional(), text_length(1500)]
    )
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind.value, label) for kind, label in AKIMAT_KIND_LABELS.items()],
        validators=[InputRequired(message=_l("Choose the kind."))],
    )
    parent = StringField(_l("Higher akimat (optional)"), filters=[_lower], validators=[Optional(), text_length(40)])
    opens_at = LocalTimeField(
        _l("Reception opens at"), validators=[InputRequired(message=_l("Enter a time like 09:00."))]
    )
    closes_at = LocalTimeField(
        _l("Reception closes at"), validators=[InputRequired(message=_l("Enter a time like 09:00."))]
    )
    default_language = RadioField(
        _l("Default language"),
        choices=[SelectChoice(code, LANGUAGE_LABELS[code]) for code in ("kk", "ru")],
        validators=[InputRequired(message=_l("Choose Kazakh or Russian."))],
    )
    timezone = StringField(_l("Time zone"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(40)])
    anonymous_forward_to = StringField(
        _l("Where anonymous letters reporting a crime are forwarded (optional)"),
        filters=[strip],
        validators=[Optional(), text_length(300)],
    )


class MoveForm(FlaskForm):
    parent = StringField(_l("New higher akimat"), filters=[_lower], validators=[Optional(), text_length(40)])
    effective = LocalDateField(_l("In effect from"), validators=[InputRequired(message=_l("Enter the date."))])


class AppointAdminForm(FlaskForm):
    email = StringField(_l("Email"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(254)])
    full_name = StringField(_l("Full name"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(200)])


class ConfirmForm(FlaskForm):
    """A button that changes something: only its CSRF token."""
