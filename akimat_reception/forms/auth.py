from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from .public import REQUIRED
from .validators import strip


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[strip], validators=[DataRequired(**REQUIRED)])
    password = PasswordField(_l("Password"), validators=[DataRequired(**REQUIRED)])
