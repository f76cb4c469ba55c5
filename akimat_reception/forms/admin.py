"""Forms of the akimat's administrator."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from ..labels import ROLE_LABELS
from .validators import REQUIRED, LocalDateField, PhoneNumber, strip, text_length

CODE = r"^[A-Za-z0-9_.-]+$"
CODE_RULE = _l("Use Latin letters, digits, dots, dashes and underscores only.")
EMAIL_RULE = _l("Enter an email address like name@example.kz.")


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


# Departments, categories and staff --------------------------------------------------------------

NO_CHOICE = 0  # the "none" option of a select whose answer is optional


class DepartmentForm(FlaskForm):
    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[DataRequired(**REQUIRED), text_length(40), Regexp(CODE, message=CODE_RULE)],
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
    head = SelectField(_l("Head of the department"), coerce=int, default=NO_CHOICE, validators=[Optional()])

    def __init__(self, *args, executors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.head.choices = [SelectChoice(NO_CHOICE, _l("No head yet"))] + [
            SelectChoice(u.id, f"{u.full_name} ({u.email})") for u in executors
        ]


class CategoryForm(FlaskForm):
    code = StringField(
        _l("Code"),
        filters=[strip],
        validators=[DataRequired(**REQUIRED), text_length(40), Regexp(CODE, message=CODE_RULE)],
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
    default_department = SelectField(_l("Default department"), coerce=int, default=NO_CHOICE, validators=[Optional()])

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.default_department.choices = [SelectChoice(NO_CHOICE, _l("None: the registrar decides"))] + [
            SelectChoice(d.id, d.name) for d in departments
        ]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_choices():
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class _DepartmentChoice:
    def _set_departments(self, departments):
        self.department.choices = [SelectChoice(NO_CHOICE, _l("Not an executor"))] + [
            SelectChoice(d.id, d.name) for d in departments
        ]


class InviteForm(_DepartmentChoice, FlaskForm):
    email = EmailField(
        _l("Email"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(254), Email(message=EMAIL_RULE)]
    )
    full_name = StringField(_l("Full name"), filters=[strip], validators=[DataRequired(**REQUIRED), text_length(200)])
    roles = MultiCheckboxField(_l("Roles"), choices=_role_choices)
    department = SelectField(_l("Executor's department"), coerce=int, default=NO_CHOICE, validators=[Optional()])

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._set_departments(departments)


class GrantRoleForm(_DepartmentChoice, FlaskForm):
    role = SelectField(_l("Role"), choices=_role_choices, validators=[InputRequired(message=_l("Choose a role."))])
    department = SelectField(_l("Executor's department"), coerce=int, default=NO_CHOICE, validators=[Optional()])

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._set_departments(departments)


class NewAccountForm(FlaskForm):
    """Accepting an invitation without an account: the person chooses a password."""

    password = PasswordField(_l("New password"), validators=[DataRequired(**REQUIRED), text_length(200)])
    repeat_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(**REQUIRED), EqualTo("password", message=_l("The two new passwords differ."))],
    )


class ExistingAccountForm(FlaskForm):
    """Accepting an invitation with an account (a person in several akimats): its own password."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(**REQUIRED), text_length(200)])


class OfficialDetailsForm(FlaskForm):
    """What an answer and a receipt slip say of the official: position and a work phone."""

    position = StringField(_l("Position"), filters=[strip], validators=[Optional(), text_length(200)])
    work_phone = StringField(_l("Work phone"), filters=[strip], validators=[Optional(), text_length(40), PhoneNumber()])
