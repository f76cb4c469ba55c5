"""akimat_reception: a multi-tenant virtual reception for the akimats of Kazakhstan."""

from pathlib import Path

from flask import Flask, g, render_template, request
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .config import PROJECT_ROOT, Config, database_url_from_env, settle_secret_key
from .extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    settle_secret_key(app)  # refuses to start without a real SECRET_KEY outside debug and testing
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url_from_env(app.instance_path)

    from .web.limits import install_proxy_fix

    install_proxy_fix(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    from .domain.record import log  # noqa: F401  (every commit seals the rows of the record it adds)
    from .models import User

    @login_manager.user_loader
    def load_user(user_id):
        from sqlalchemy.orm import joinedload

        from .security import session_is_current

        # Every staff page asks for the user's roles: one query for both.
        user = db.session.get(User, int(user_id), options=[joinedload(User.memberships)])
        return user if session_is_current(user) else None  # ended sessions (security.py) sign out here

    from .security import init_security

    init_security(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_error_pages(app)

    from .cli import register_cli

    register_cli(app)
    return app


def _select_locale() -> str:
    """Explicit choice (cookie, then the staff member's setting), the browser, the akimat."""
    from flask import current_app, has_request_context

    if not has_request_context():  # CLI and background work: the installation's default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    best = request.accept_languages.best_match(languages)
    if best:
        return best
    akimat = g.get("akimat")
    return akimat.default_language if akimat else current_app.config["BABEL_DEFAULT_LOCALE"]


def _register_blueprints(app: Flask) -> None:
    from .web.admin import bp as admin_bp
    from .web.admin.phones import bp as admin_phones_bp
    from .web.admin.staff import bp as admin_staff_bp
    from .web.admin.structure import bp as admin_structure_bp
    from .web.admin.structure_file import bp as admin_structure_file_bp
    from .web.akim import bp as akim_bp
    from .web.auth import bp as auth_bp
    from .web.auth.invitations import bp as invitations_bp
    from .web.health import bp as health_bp
    from .web.office import bp as office_bp
    from .web.office.answer_templates import bp as answer_templates_bp
    from .web.office.intake import bp as office_intake_bp
    from .web.office.phones import bp as office_phones_bp
    from .web.oversight import bp as oversight_bp
    from .web.platform import bp as platform_bp
    from .web.public import home_bp, reception_bp
    from .web.public.continuity import bp as continuity_bp
    from .web.public.my_letters import bp as my_letters_bp
    from .web.public.phones import bp as phones_bp
    from .web.public.record import akimat_bp as akimat_record_bp
    from .web.public.record import installation_bp as record_bp
    from .web.public.record import platform_bp as platform_record_bp
    from .web.public.record_verify import bp as record_receipt_bp
    from .web.public.record_verify import verifier_bp as record_verifier_bp
    from .web.public.witness import bp as witness_bp

    for bp in (
        home_bp,
        auth_bp,
        reception_bp,
        my_letters_bp,
        continuity_bp,
        phones_bp,
        witness_bp,
        record_receipt_bp,
        record_verifier_bp,
        record_bp,
        platform_record_bp,
        akimat_record_bp,
        office_bp,
        answer_templates_bp,
        office_intake_bp,
        office_phones_bp,
        akim_bp,
        oversight_bp,
        admin_bp,
        admin_phones_bp,
        admin_structure_bp,
        admin_structure_file_bp,
        admin_staff_bp,
        invitations_bp,
        platform_bp,
        health_bp,
    ):
        app.register_blueprint(bp)


def _register_template_helpers(app: Flask) -> None:
    from . import labels
    from .domain.permissions import Action, can
    from .web import i18n

    i18n.install(app)  # templates' _() finds the request's catalogue once, not once per string
    from .web.clock import deadline_state_of, forward_state_of

    app.jinja_env.globals.update(
        format_date=format_date,
        format_datetime=format_datetime,
        format_percent=format_percent,
        format_decimal=format_decimal,
        get_locale=get_locale,
        labels=labels,
        deadline_state_of=deadline_state_of,
        forward_state_of=forward_state_of,
        can=can,
        Action=Action,
    )
    app.jinja_env.add_extension("jinja2.ext.do")

    from .domain.identity import format_phone_national

    def format_size(size: int) -> str:
        from babel.units import format_unit

        megabytes = size >= 1024 * 1024
        value = size / (1024 * 1024) if megabytes else max(1, round(size / 1024))
        return format_unit(
            value,
            "digital-megabyte" if megabytes else "digital-kilobyte",
            length="short",
            format="#,##0.#",
            locale=get_locale(),
        )

    app.jinja_env.globals["format_size"] = format_size
    from .domain import anonymous

    # The rule on anonymous letters, for its partials (a page may have an `anonymous` of its own).
    app.jinja_env.globals["anonymous_rule"] = anonymous

    app.jinja_env.filters["phone"] = lambda e164: format_phone_national(e164) if e164 else e164

    @app.context_processor
    def current_akimat():
        return {"akimat": g.get("akimat")}


def _register_error_pages(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    messages = {
        403: (_l("Not allowed"), _l("Your role does not allow this page or action.")),
        404: (_l("Page not found"), _l("There is no such page. Check the address, or start again from the home page.")),
        405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
        413: (
            _l("The files are too large"),
            _l("Send at most 5 files of 10 MB each. Go back, choose smaller files and send the form again."),
        ),
        429: (
            _l("Too many requests"),
            _l(
                "You have sent this too many times from this connection. Nothing more was recorded; "
                "please try again later."
            ),
        ),
        503: (  # e.g. sign-in while the rate limits' store is down (web/limits.py: it fails closed)
            _l("Please try again in a minute"),
            _l("A safety check is briefly unavailable, so nothing was done. Please try again in a minute."),
        ),
        500: (
            _l("Something went wrong"),
            _l("The error has been recorded. Nothing you sent was lost; please try again in a minute."),
        ),
    }

    def render_error(error):
        if getattr(error, "response", None) is not None:  # a limit's own page (the letter form, kept)
            return error.response
        code = getattr(error, "code", 500) or 500
        title, text = messages.get(code, messages[500])
        if code == 400:
            title, text = _l("The form has expired"), _l("Go back, reload the page and send the form again.")
        retry_after = getattr(error, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if isinstance(retry_after, int) else {}
        return render_template("errors/error.html", code=code, title=title, text=text), code, headers

    for code in (400, 403, 404, 405, 413, 429, 500, 503):
        app.register_error_handler(code, render_error)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite checks foreign keys only when asked, and waits for a busy writer instead of failing."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
