"""HTTP protections on every response, how long a staff session lives, how every session of a user
ends at once, and which responses a cache may keep.

Sessions that end. The session is Flask's signed cookie; at sign-in it records the user's session
generation (`User.session_generation`), and on every request Flask-Login's user loader compares it
with the user's row: signing out, a new password, a new second factor, deactivation and "sign out
everywhere" raise the generation (domain/accounts.py), and every older cookie stops opening any page
at its next request, on every worker and host, because they all read the same row.

Why a generation and not server-side sessions (Flask-Session on Redis): the user's row is loaded on
every request anyway (roles come with it), so the check costs no query and no new service; sessions
keep working when Redis restarts or is flushed (Redis holds only rate-limit counts: nothing happens to
sessions), and residents' tracking sessions stay stateless cookies. The price: ending one session
ends them all (signing out on one computer signs the user out on the others too), and the cookie is
signed, not encrypted, so it holds no secret but the access code shown once on the receipt."""

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
GENERATION = "session_generation"

# Pages that show nothing personal and may be kept by a shared cache for a minute, when the visitor
# is anonymous and carries no session (see cache_policy). Every other response is `no-store`.
SHAREABLE_ENDPOINTS = frozenset({"home.index", "reception.ratings", "public_record.index", "akimat_record.page"})
SHARED_MAX_AGE = 60
NO_STORE = "no-store"


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

    app.after_request(cache_policy)


def mark_signed_in(user) -> None:
    session.permanent = True  # expires with PERMANENT_SESSION_LIFETIME when idle
    session[LOGIN_AT] = datetime.now(UTC).isoformat()
    session[GENERATION] = user.session_generation


def keep_this_session(user) -> None:
    """After a change that ended every session of the user, the one that made it (re-authenticated by
    the current password or a code) continues under the new generation; copies of its old cookie
    do not."""
    session[GENERATION] = user.session_generation


def session_is_current(user) -> bool:
    """Called by the user loader on every request: the session was signed in under the user's
    present generation, and the account is active. A session that is not is emptied, so that the
    stale sign-in is forgotten rather than checked again."""
    if user is not None and user.active and session.get(GENERATION) == user.session_generation:
        return True
    session.clear()
    flash(str(_l("Your session has ended. Please sign in again.")), "error")
    return False


def cache_policy(response):
    """`no-store` on every response but three kinds: static files (Flask's own caching: they are the
    same for everyone), the sealed record's files, and a page of SHAREABLE_ENDPOINTS answered to an
    anonymous visitor who sent no session and gets none back (no flash, no form token, no signed-in
    user), which any cache may keep for SHARED_MAX_AGE seconds."""
    if request.endpoint == "static":
        return response
    if _own_caching(response):
        return response
    if _shareable(response):
        response.headers["Cache-Control"] = f"public, max-age={SHARED_MAX_AGE}"
        response.vary.update(("Accept-Language", "Cookie"))  # the language comes from either
    else:
        response.headers["Cache-Control"] = NO_STORE
    return response


def _own_caching(response) -> bool:
    """A file of the sealed record (web/public/record.py: a checkpoint, a tile, a proof, the key),
    answered to a visitor without a session: the same bytes for everyone, kept as long as its view
    says (a full tile forever, the latest checkpoint a few seconds)."""
    from .web.public.record import FILE_ENDPOINTS

    return request.endpoint in FILE_ENDPOINTS and "Cache-Control" in response.headers and _sessionless(response)


def _shareable(response) -> bool:
    return request.endpoint in SHAREABLE_ENDPOINTS and _sessionless(response)


def _sessionless(response) -> bool:
    """A successful GET of someone who sent no session and gets none back (no flash, no form
    token, no signed-in user): nothing in the answer is theirs alone."""
    from flask import current_app

    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
        and not session.modified
        and "Set-Cookie" not in response.headers
        and not current_user.is_authenticated
    )
