"""Forms of the structure page: the file to check, the confirmation that applies it, and the
confirmation that sends the invitations."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import HiddenField
from wtforms.validators import DataRequired, Regexp

from ..domain.administration.structure_file import MAX_BYTES

MEGABYTES = MAX_BYTES // (1024 * 1024)


class StructureUploadForm(FlaskForm):
    file = FileField(
        _l("Structure file"),
        validators=[
            FileRequired(message=_l("Choose an .xlsx, .zip or .csv file.")),
            FileAllowed(
                ["xlsx", "zip", "csv"], message=_l("Send an .xlsx workbook, a .zip of CSV files or one .csv file.")
            ),
            FileSize(max_size=MAX_BYTES, message=_l("The file is larger than %(size)s MB.", size=MEGABYTES)),
        ],
    )


class StructureConfirmForm(FlaskForm):
    """The file checked on the preview waits on the server under `upload`; `filename` says how to read it."""

    upload = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    filename = HiddenField(validators=[DataRequired(), Regexp(r"(?i)^[^/\\]{1,200}\.(xlsx|zip|csv)$")])


class SendInvitationsForm(FlaskForm):
    """Only the CSRF token: the button confirms."""
