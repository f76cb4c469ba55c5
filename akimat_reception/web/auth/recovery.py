""" "Forgot your password?" (domain/password_reset.py): ask for a link by email, then set a new
password through it. The answer to a request is the same page whether or not the address has an
account, so the form cannot be used to learn who works where. After the new password the person
signs in as usual — with the second factor when they have one."""

from flask import current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _

from ...domain import password_reset
from ...extensions import limiter
from ...forms.auth import ForgotPasswordForm, NewPasswordForm
from .. import limits
from . import bp


def _too_many(request_limit):
    text = _(
        "Too many new-password links were asked for, from this connection or for this address. "
        "Nothing was sent; wait an hour and ask again, or ask your akimat's administrator."
    )
    return make_response(render_template("errors/error.html", code=429, title=_("Too many requests"), text=text), 429)


@bp.route("/login/forgot", methods=["GET", "POST"])
@limiter.limit(limits.reset_per_address, key_func=limits.address_key, methods=["POST"], on_breach=_too_many)
@limiter.limit(limits.reset_per_client, methods=["POST"], on_breach=_too_many)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_reset.request_reset(form.email.data)
        return render_template("auth/forgot_sent.html", email=form.email.data)
    return render_template("auth/forgot.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    reset = password_reset.find_reset(token[:100])
    if reset is None:
        return render_template("auth/reset_invalid.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.complete_reset(reset, form.new_password.data)
        except password_reset.ResetError as refused:
            form.new_password.errors.append(refused.message)
        else:
            current_app.logger.info("password reset completed for user %s", reset.user_id)
            flash(
                _("Your password was changed and every session of yours has ended. Sign in with the new password."),
                "success",
            )
            return redirect(url_for(".login"))
    return render_template("auth/reset.html", form=form), 422 if form.is_submitted() else 200
