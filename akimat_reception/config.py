"""Settings from the environment; every value has a safe embedded default for `make run`."""

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = (
        None  # create_app: DATABASE_URL (postgresql:// through psycopg 3), else SQLite in instance/
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = "ru"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
    LANGUAGES = ("kk", "ru", "en")
    WTF_CSRF_TIME_LIMIT = None  # a resident may take an hour to write; the session still binds the token
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    PER_PAGE = 25
    FORCE_HTTPS = os.environ.get("FORCE_HTTPS", "0") == "1"
    # Idle staff sessions end after an hour; any staff session after a working day.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=1)
    STAFF_SESSION_HOURS = 10
    MAX_CONTENT_LENGTH = 60 * 1024 * 1024  # five attachments of 10 MB and the form itself
    ATTACHMENTS_DIR = os.environ.get("ATTACHMENTS_DIR")  # default: instance/attachments
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Outgoing mail; the outbox worker (`flask outbox send`) uses these.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "reception@akimat.example.kz")
    MAIL_SENDER_NAME = os.environ.get("MAIL_SENDER_NAME", "Virtual reception of the akim")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    SMS_GATEWAY = os.environ.get("SMS_GATEWAY", "akimat_reception.delivery:LogSmsGateway")
    # Overrides of the legal terms (domain/deadlines.py), e.g. {"consideration_working_days": 15}.
    LEGAL_TERMS: dict = {}
    # The phone directory's freshness policy (domain/phones.py), e.g. {"window_days": 30, "report_threshold": 3}.
    PHONE_POLICY: dict = {}
    # "Nobody answers" reports one client may send (Flask-Limiter syntax), and where the counts live:
    # "memory://" is per process; use Redis ("redis://127.0.0.1:6379") when several workers serve the site.
    PHONE_REPORT_RATE_LIMIT = os.environ.get("PHONE_REPORT_RATE_LIMIT", "5 per hour")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down: each limit fails open or closed as web/limits.py says (table in docs/operations.md).
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED, RATELIMIT_SWALLOW_ERRORS = True, True
    RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "akimat")
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))  # 0: X-Forwarded-For is ignored
    # Only what matters counts: registered letters, and failed codes and sign-ins. Per address it is
    # generous (a service centre, a mobile network's shared address); per email/phone/IIN it is tight.
    RATELIMIT_LETTERS = os.environ.get("RATELIMIT_LETTERS", "50 per hour;300 per day")
    RATELIMIT_LETTERS_PER_CONTACT = os.environ.get("RATELIMIT_LETTERS_PER_CONTACT", "3 per hour;10 per day")
    RATELIMIT_TRACK_PER_NUMBER = os.environ.get("RATELIMIT_TRACK_PER_NUMBER", "5 per 15 minutes")
    RATELIMIT_TRACK_PER_CLIENT = os.environ.get("RATELIMIT_TRACK_PER_CLIENT", "20 per 15 minutes")
    RATELIMIT_LOGIN_PER_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_PER_ACCOUNT", "10 per 15 minutes")
    RATELIMIT_LOGIN_PER_CLIENT = os.environ.get("RATELIMIT_LOGIN_PER_CLIENT", "30 per 15 minutes")


def database_url_from_env(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the old driver; we ship psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    return "sqlite:///" + str(Path(instance_path) / "akimat_reception.sqlite3")
