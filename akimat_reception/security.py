"""HTTP protections on every response, and how long a staff session lives."""

from datetime import UTC, datetime, timedelta

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_talisman import Talisman

talisman = Talisman()

# No inline script or style anywhere: scripts and styles come from our own static files.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}

LOGIN_AT = "login_at"


def init_security(app: Flask) -> None:
    talisman.init_app(
        app,
        content_security_policy=CONTENT_SECURITY_POLICY,
        force_https=app.config["FORCE_HTTPS"],  # behind a TLS proxy in production; plain HTTP on a laptop
        strict_transport_security=True,  # sent on HTTPS requests only
        strict_transport_security_max_age=365 * 24 * 3600,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        x_content_type_options=True,
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )

    @app.before_request
    def end_expired_staff_session():
        """A staff session ends STAFF_SESSION_HOURS after sign-in, however active it was."""
        if not current_user.is_authenticated:
            return None
        started = session.get(LOGIN_AT)
        limit = timedelta(hours=app.config["STAFF_SESSION_HOURS"])
        if started is None or datetime.now(UTC) - datetime.fromisoformat(started) > limit:
            logout_user()
            session.clear()
            flash(str(_l("Your session has ended. Please sign in again.")), "error")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return None


def mark_signed_in() -> None:
    session.permanent = True  # expires with PERMANENT_SESSION_LIFETIME when idle
    session[LOGIN_AT] = datetime.now(UTC).isoformat()
