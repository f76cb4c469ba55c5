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
    # Outgoing mail; the outbox worker (`flask worker`, `flask outbox send`) uses these.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "reception@akimat.example.kz")
    MAIL_SENDER_NAME = os.environ.get("MAIL_SENDER_NAME", "Virtual reception of the akim")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    # module:Class with send(phone, text, idempotency_key). The default holds every SMS (status "held"):
    # set a real gateway in production; "akimat_reception.delivery:DevelopmentSmsSink" logs them as sent.
    SMS_GATEWAY = os.environ.get("SMS_GATEWAY", "akimat_reception.delivery:LogSmsGateway")
    # The worker (`flask worker`, akimat_reception/worker.py): messages claimed at a time, how long a
    # claim holds before another worker may take it over, how often an unreachable SMTP server is
    # probed, how long an idle worker sleeps, and when each daily job runs in the akimat's time.
    OUTBOX_BATCH = int(os.environ.get("OUTBOX_BATCH", "20"))
    OUTBOX_LEASE_SECONDS = float(os.environ.get("OUTBOX_LEASE_SECONDS", "120"))
    OUTBOX_PROBE_SECONDS = float(os.environ.get("OUTBOX_PROBE_SECONDS", "30"))
    WORKER_POLL_SECONDS = float(os.environ.get("WORKER_POLL_SECONDS", "2"))
    WORKER_JOB_TIMES: dict = {}  # e.g. {"digest": "08:30"}; the defaults are in worker.JOBS
    # /healthz shows its details (database, worker heartbeat, outbox backlog) to localhost and to
    # "Authorization: Bearer <HEALTHZ_TOKEN>"; unset, to localhost only.
    HEALTHZ_TOKEN = os.environ.get("HEALTHZ_TOKEN", "")
    # Overrides of the legal terms (domain/deadlines.py), e.g. {"consideration_working_days": 15}.
    LEGAL_TERMS: dict = {}
    # The phone directory's freshness policy (domain/phones.py), e.g. {"window_days": 30, "report_threshold": 3}.
    PHONE_POLICY: dict = {}
    # "Nobody answers" reports one client may send (Flask-Limiter syntax), and where the counts live:
    # "memory://" is per process; use Redis ("redis://127.0.0.1:6379") when several workers serve the site.
    PHONE_REPORT_RATE_LIMIT = os.environ.get("PHONE_REPORT_RATE_LIMIT", "5 per hour")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Only what matters counts: registered letters, and failed codes and sign-ins.
    RATELIMIT_LETTERS = os.environ.get("RATELIMIT_LETTERS", "10 per hour;30 per day")
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
