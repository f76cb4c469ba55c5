from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from .validators import REQUIRED, strip


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[strip], validators=[DataRequired(**REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(**REQUIRED), Length(max=200)])


class CodeForm(FlaskForm):
    code = StringField(
        _l("Six-digit code from your authenticator app"),
        filters=[strip],
        validators=[DataRequired(**REQUIRED), Length(max=12)],
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(**REQUIRED)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(**REQUIRED), Length(max=200)])
    repeat_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(**REQUIRED), EqualTo("new_password", message=_l("The two new passwords differ."))],
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email of your account"), filters=[strip], validators=[DataRequired(**REQUIRED), Length(max=254)]
    )


class NewPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(**REQUIRED), Length(max=200)])
    repeat_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(**REQUIRED), EqualTo("new_password", message=_l("The two new passwords differ."))],
    )


class RecoveryCodeForm(FlaskForm):
    code = StringField(
        _l("Recovery code"),
        filters=[strip],
        validators=[DataRequired(**REQUIRED), Length(max=20)],
    )


class ReauthenticateForm(FlaskForm):
    """Before new recovery codes: proof that the person at the keyboard holds the account."""

    secret = PasswordField(
        _l("Your password or the code your app shows now"), validators=[DataRequired(**REQUIRED), Length(max=200)]
    )
