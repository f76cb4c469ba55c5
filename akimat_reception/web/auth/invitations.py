"""The link of an invitation: /invitations/<token>. A new person chooses a password and is signed
in (an administrator is then sent to set up the second factor, auth's before_request); a person
who already has an account gives its own password and gets the roles — and, when that account has
a second factor, still enters its code: accepting an invitation never skips it.

An unknown, expired, used and revoked link get the same page, so that a link cannot be probed."""

from flask import Blueprint, current_app, redirect, render_template, session, url_for
from flask_login import login_user
from sqlalchemy import select

from ...domain.administration import invitations
from ...extensions import db, limiter
from ...forms.admin import ExistingAccountForm, NewAccountForm
from ...models import Department
from ...security import mark_signed_in
from ..limits import fail_closed
from . import FAILED_ONLY, PENDING, landing_url

bp = Blueprint("invitations", __name__, url_prefix="/invitations")


def _not_open():
    return render_template("auth/invitation.html", invitation=None), 404


@bp.route("/<token>", methods=["GET", "POST"])
# An existing account's password is checked here: throttled as the sign-in page is.
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_PER_CLIENT"], methods=["POST"], **FAILED_ONLY)
@fail_closed
def accept(token):
    invitation = invitations.find_open(token)
    if invitation is None:
        return _not_open()
    account = invitations.existing_account(invitation)
    form = ExistingAccountForm() if account is not None else NewAccountForm()
    if form.validate_on_submit():
        try:
            user = invitations.accept(invitation, form.password.data)
        except invitations.InvitationError as error:
            if error.field != "password":
                return _not_open()
            form.password.errors = [*form.password.errors, error.message]
        else:
            session.clear()  # a fresh session for the person: no fixation, no one else's sign-in
            if user.totp_secret:
                session[PENDING] = user.id
                return redirect(url_for("auth.second_factor"))
            login_user(user)
            mark_signed_in(user)
            return redirect(landing_url(user))
    named = select(Department).where(Department.akimat_id == invitation.akimat_id)
    departments = {d.id: d for d in db.session.scalars(named)}
    return render_template(
        "auth/invitation.html", invitation=invitation, form=form, existing=account is not None, departments=departments
    ), 422 if form.is_submitted() else 200
