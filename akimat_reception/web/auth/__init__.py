"""Staff sign in and out; a signed-in user sees their akimats and roles."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from ...extensions import db
from ...forms.auth import LoginForm
from ...models import Role, User
from ..public.home import _safe_next

bp = Blueprint("auth", __name__)


def landing_url(user: User) -> str:
    """Where a user starts: the akim's dashboard, a staff inbox, or the list of their roles."""
    for membership in user.memberships:
        if membership.role is Role.AKIM:
            return url_for("akim.dashboard", akimat_slug=membership.akimat.slug)
    for membership in user.memberships:
        if membership.role is not Role.ADMIN:
            return url_for("office.inbox", akimat_slug=membership.akimat.slug)
    for membership in user.memberships:
        return url_for("admin.calendar", akimat_slug=membership.akimat.slug)
    return url_for("auth.account")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(func.lower(User.email) == form.email.data.lower()))
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            target = request.args.get("next")
            return redirect(_safe_next(target) if target else landing_url(user))
        form.password.errors.append(_("Wrong email or password."))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You have signed out."), "success")
    return redirect(url_for("home.index"))


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html", memberships=current_user.memberships)
