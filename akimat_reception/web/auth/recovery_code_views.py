"""Recovery codes in the second-factor flow (domain/recovery_codes.py): signing in with one when
the phone is not at hand, and asking for new ones from the account page. The session rules of
security.py are untouched: a recovery code stands in for the app's code, nothing more."""

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...domain import recovery_codes, two_factor
from ...extensions import db, limiter
from ...forms.auth import ReauthenticateForm, RecoveryCodeForm
from ...models import User
from ..limits import fail_closed
from . import PENDING, SHOW_NEW_CODES, bp, finish_with_recovery_code, second_step_limit


@bp.route("/login/recovery", methods=["GET", "POST"])
@second_step_limit()
@fail_closed
def recovery_code_sign_in():
    """The second step of signing in, with a recovery code instead of the app's code."""
    user = db.session.get(User, session.get(PENDING) or 0)
    if user is None:
        return redirect(url_for(".login"))
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        if recovery_codes.use_recovery_code(user, form.code.data):
            return finish_with_recovery_code(user)
        form.code.errors.append(_("This recovery code is not right or was already used. Each code works once."))
    return render_template("auth/recovery_code.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/account/recovery-codes", methods=["GET", "POST"])
@login_required
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_PER_ACCOUNT"],
    key_func=lambda: f"reauthenticate:{current_user.get_id()}",
    methods=["POST"],
    deduct_when=lambda response: response.status_code == 422,
)
@fail_closed
def new_recovery_codes():
    """Ten new codes, the old ones voided, after the password or a current code of the app: a
    session alone (perhaps a stolen one) must not be enough to mint a way in."""
    if not current_user.totp_secret:
        return redirect(url_for(".enroll_second_factor"))
    user = current_user._get_current_object()
    if request.method == "GET" and session.pop(SHOW_NEW_CODES, False):
        # Right after the second factor was turned on, which proved the person: the first codes.
        return render_template("auth/recovery_codes.html", codes=recovery_codes.issue_recovery_codes(user))
    form = ReauthenticateForm()
    if form.validate_on_submit():
        if user.check_password(form.secret.data) or two_factor.verify(user, form.secret.data):
            db.session.commit()  # the app's code, if that was it, is now used
            return render_template("auth/recovery_codes.html", codes=recovery_codes.issue_recovery_codes(user))
        form.secret.errors.append(_("This is neither your password nor the code your app shows now."))
    return render_template(
        "auth/new_recovery_codes.html", form=form, left=recovery_codes.codes_left(user)
    ), 422 if form.is_submitted() else 200
