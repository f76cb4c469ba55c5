"""The shape every action on a letter takes, staff's or resident's: validate the form, call the
lifecycle verb, then redirect after success (PRG) or report the rule it broke by the field."""

from collections.abc import Callable

from flask import flash, redirect
from flask_wtf import FlaskForm

from ..domain import lifecycle


def attempt(
    form: FlaskForm, perform: Callable[[FlaskForm], None], error_field: str, done_message, success_url: str
) -> object | None:
    """The redirect when the action was done; None when the form must be shown again."""
    if not form.validate_on_submit():
        return None
    try:
        perform(form)
    except lifecycle.LifecycleError as error:
        # By the field the rule is about when the form has it (a missing reason by the reason,
        # not by the department), otherwise by the action's main field.
        about = getattr(form, error.about, None) if getattr(error, "about", None) else None
        (about or getattr(form, error_field)).errors.append(error.message)
        return None
    flash(str(done_message), "success")
    return redirect(success_url)
