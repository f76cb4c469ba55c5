"""Staff sign in (password, then a one-time code when enrolled), sign out, their roles, their
password and second factor. Failed attempts are throttled per account and per connection; while
the counts' store (Redis) is down, sign-in waits (fails closed, see web/limits.py).

Signing out, a new password, a new second factor and "sign out everywhere" end every session of
the user at once (domain/accounts.py; security.py says how and why)."""

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from ...domain import accounts, recovery_codes, two_factor
from ...domain.passwords import password_problems
from ...extensions import db, limiter
from ...forms.auth import CodeForm, LoginForm, PasswordChangeForm
from ...models import Role, User
from ...security import keep_this_session, mark_signed_in
from ..limits import fail_closed
from ..public.home import _safe_next

bp = Blueprint("auth", __name__)

PENDING = "pending_second_factor"
ENROLLING = "enrolling_secret"
SHOW_NEW_CODES = "show_new_recovery_codes"  # a flag only: the codes never go in the (readable) cookie
FAILED_ONLY = {"deduct_when": lambda response: response.status_code != 302}


def landing_url(user: User) -> str:
    """Where a user starts: the platform's list of akimats, the akim's dashboard, a staff inbox,
    the admin's pages."""
    if user.is_platform_admin:
        return url_for("platform.index")
    for membership in user.memberships:
        if membership.role is Role.AKIM:
            return url_for("akim.dashboard", akimat_slug=membership.akimat.slug)
    for membership in user.memberships:
        if membership.role is not Role.ADMIN:
            return url_for("office.inbox", akimat_slug=membership.akimat.slug)
    for membership in user.memberships:
        return url_for("admin.calendar", akimat_slug=membership.akimat.slug)
    return url_for("auth.account")


def _account_key() -> str:
    return "login-account:" + request.form.get("email", "").strip().lower()[:254]


def _finish_sign_in(user: User):
    login_user(user)
    mark_signed_in(user)
    target = session.pop("login_next", None)
    return redirect(_safe_next(target) if target else landing_url(user))


def finish_with_recovery_code(user: User):
    """The second step done with a recovery code: says so, and how many codes are left."""
    session.pop(PENDING, None)
    left = recovery_codes.codes_left(user)
    message = ngettext(
        "You signed in with a recovery code; it will not work again. %(num)d code is left.",
        "You signed in with a recovery code; it will not work again. %(num)d codes are left.",
        left,
    )
    if left <= 2:
        message += " " + _("Issue new recovery codes on your account page before they run out.")
    flash(message, "success")
    return _finish_sign_in(user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_PER_ACCOUNT"], key_func=_account_key, methods=["POST"], **FAILED_ONLY
)
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_PER_CLIENT"], methods=["POST"], **FAILED_ONLY)
@fail_closed  # Redis down: no sign-in on per-process counts (web/limits.py)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(func.lower(User.email) == form.email.data.lower()))
        if user is not None and user.active and user.check_password(form.password.data):
            session.clear()  # a fresh session for the signed-in user: no fixation
            if request.args.get("next"):
                session["login_next"] = request.args["next"]
            if user.totp_secret:
                session[PENDING] = user.id
                return redirect(url_for(".second_factor"))
            return _finish_sign_in(user)
        form.password.errors.append(_("Wrong email or password."))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


def second_step_limit():
    """One count of wrong second steps per pending sign-in, shared by the app's codes and the
    recovery codes (web/auth/recovery_code_views.py): switching pages gives no extra guesses."""
    return limiter.shared_limit(
        lambda: current_app.config["RATELIMIT_LOGIN_PER_ACCOUNT"],
        scope="login-second-step",
        key_func=lambda: f"login-code:{session.get(PENDING)}",
        methods=["POST"],
        **FAILED_ONLY,
    )


@bp.route("/login/code", methods=["GET", "POST"])
@second_step_limit()
@fail_closed
def second_factor():
    user = db.session.get(User, session.get(PENDING) or 0)
    if user is None:
        return redirect(url_for(".login"))
    form = CodeForm()
    if form.validate_on_submit():
        if two_factor.verify(user, form.code.data):
            db.session.commit()
            session.pop(PENDING, None)
            return _finish_sign_in(user)
        # A recovery code typed here instead of on its own page is accepted as well.
        if recovery_codes.use_recovery_code(user, form.code.data):
            return finish_with_recovery_code(user)
        form.code.errors.append(_("This code is not right or was already used. Enter the code your app shows now."))
    return render_template("auth/code.html", form=form), 422 if form.is_submitted() else 200


def _sign_out_everywhere(message: str):
    accounts.end_all_sessions(current_user)
    logout_user()
    session.clear()
    flash(message, "success")


@bp.post("/logout")
@login_required
def logout():
    """Ends every session of the user, this one and any copy of its cookie."""
    _sign_out_everywhere(_("You have signed out."))
    return redirect(url_for("home.index"))


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """For a lost phone or a computer left signed in: every session of the user ends now."""
    _sign_out_everywhere(_("You have signed out on every device. Sign in again to continue."))
    return redirect(url_for(".login"))


@bp.get("/account")
@login_required
def account():
    return render_template(
        "auth/account.html",
        memberships=current_user.memberships,
        recovery_codes_left=recovery_codes.codes_left(current_user),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            problems = password_problems(form.new_password.data, (current_user.email, current_user.full_name))
            if problems:
                form.new_password.errors.extend(problems)
            else:
                user = current_user._get_current_object()
                accounts.change_password(user, form.new_password.data)
                keep_this_session(user)
                flash(_("Your password was changed. Every other session of yours has ended."), "success")
                return redirect(url_for(".account"))
    return render_template("auth/password.html", form=form), 422 if form.is_submitted() else 200


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def enroll_second_factor():
    """Enrolment: a new secret, shown as a QR code and as text, confirmed by one code from the app."""
    if current_user.totp_secret:
        # Never replaced from a session alone: a stolen session must not swap in its own factor.
        return render_template("auth/two_factor.html", enrolled=True, form=None)
    secret = session.get(ENROLLING) or two_factor.new_secret()
    session[ENROLLING] = secret
    form = CodeForm()
    if form.validate_on_submit():
        if two_factor.verify(current_user, form.code.data, secret=secret):
            user = current_user._get_current_object()
            accounts.turn_on_second_factor(user, secret)
            session.pop(ENROLLING, None)
            keep_this_session(user)
            flash(
                _(
                    "The second factor is on: from now on you sign in with a code from your app. "
                    "Every other session of yours has ended."
                ),
                "success",
            )
            # The next page issues and shows the recovery codes, once (recovery_code_views.py).
            session[SHOW_NEW_CODES] = True
            return redirect(url_for(".new_recovery_codes"))
        form.code.errors.append(_("This code is not right. Check the time on your phone and try the new code."))
    uri = two_factor.provisioning_uri(current_user, secret)
    qr_svg = (
        segno.make(uri, error="m")
        .svg_inline(
            omitsize=True,
            dark="#0b0c0c",
            light="#ffffff",
            title=_("QR code to scan with your authenticator app"),
            svgclass="qr-code",
        )
        .replace("<svg ", '<svg role="img" ', 1)
    )
    return render_template(
        "auth/two_factor.html",
        enrolled=False,
        form=form,
        secret=secret,
        qr_svg=qr_svg,
        required=current_user.must_use_second_factor,
    ), 422 if form.is_submitted() else 200


def require_second_factor_for_admins():
    """Administrators reach nothing but the enrolment page until their second factor is on."""
    if (
        current_user.is_authenticated
        and current_user.must_use_second_factor
        and not current_user.totp_secret
        and request.endpoint not in {"auth.enroll_second_factor", "auth.logout", "static", "home.set_language"}
    ):
        flash(_("Administrators must turn on the second factor before they continue."), "error")
        return redirect(url_for("auth.enroll_second_factor"))
    return None


bp.record_once(lambda state: state.app.before_request(require_second_factor_for_admins))

# The views of getting back in register on this blueprint (imported last: they import `bp`).
from . import recovery, recovery_code_views  # noqa: E402, F401
