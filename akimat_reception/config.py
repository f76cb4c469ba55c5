"""Settings from the environment; every value has a safe embedded default for `make run`, except the
secret key, which has none: outside debug and testing the site refuses to start without a real one."""

import logging
import os
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from flask.cli import NoAppException

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The key this file shipped as a default until issue 12: it is public (it is in the source), so a
# cookie signed with it proves nothing. Never accepted as SECRET_KEY or a fallback outside tests.
OLD_DEFAULT_SECRET_KEY = "dev-only-change-me"
PUBLIC_SECRET_KEYS = frozenset({OLD_DEFAULT_SECRET_KEY, "change-me", "changeme", "secret", "dev", "test"})
HOW_TO_SET_A_KEY = (
    "Set SECRET_KEY to a long random value, the same on every worker and host, e.g.\n"
    "    export SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')\"\n"
    "or put it in a file readable only by the site and set SECRET_KEY_FILE=/path/to/it "
    "(`make run` keeps one in instance/secret_key)."
)

log = logging.getLogger(__name__)


class Config:
    SECRET_KEY = None  # create_app: SECRET_KEY, else the file SECRET_KEY_FILE names (see settle_secret_key)
    # Older keys still accepted for sessions after a rotation (new cookies are signed with SECRET_KEY).
    SECRET_KEY_FALLBACKS: list[str] = []
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
    # A letter written step by step is kept this long after its last step, then deleted with its files.
    LETTER_DRAFT_HOURS = float(os.environ.get("LETTER_DRAFT_HOURS", "24"))
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Outgoing mail; the outbox worker (`flask worker`, `flask outbox send`) uses these.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "reception@akimat.example.kz")
    # The From name of every email. Unset, it is "Virtual reception of the akim" in the message's
    # language (delivery/sending.py); MAIL_SENDER_NAME_KK/_RU/_EN, or MAIL_SENDER_NAME for all, override it.
    MAIL_SENDER_NAME = os.environ.get("MAIL_SENDER_NAME") or None
    MAIL_SENDER_NAME_KK = os.environ.get("MAIL_SENDER_NAME_KK") or None
    MAIL_SENDER_NAME_RU = os.environ.get("MAIL_SENDER_NAME_RU") or None
    MAIL_SENDER_NAME_EN = os.environ.get("MAIL_SENDER_NAME_EN") or None
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
    # Anonymous letters (domain/anonymous.py): "threats_only" considers only those reporting a crime
    # or a threat to public safety (the portal's earlier rule), "consider_all" considers every one.
    ANONYMOUS_LETTERS = os.environ.get("ANONYMOUS_LETTERS", "threats_only")
    # The body such a letter is forwarded to the same working day; an akimat may name its own.
    ANONYMOUS_FORWARD_TO = os.environ.get("ANONYMOUS_FORWARD_TO", "Органы внутренних дел (полиция)")
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
    # "I lost my code": each request sends an email or SMS, so per letter it is tight (a resident
    # asks once or twice; more is someone pestering the resident) and per connection it is modest.
    # A tracked letter closes after this many minutes without a page of it seen (web/public/tracked.py):
    # a shared computer does not keep it open for the whole browser session.
    TRACKING_IDLE_MINUTES = int(os.environ.get("TRACKING_IDLE_MINUTES", "30"))
    RATELIMIT_LOST_CODE_PER_NUMBER = os.environ.get("RATELIMIT_LOST_CODE_PER_NUMBER", "3 per day")
    RATELIMIT_LOST_CODE_PER_CLIENT = os.environ.get("RATELIMIT_LOST_CODE_PER_CLIENT", "10 per hour")
    RATELIMIT_LOGIN_PER_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_PER_ACCOUNT", "10 per 15 minutes")
    RATELIMIT_LOGIN_PER_CLIENT = os.environ.get("RATELIMIT_LOGIN_PER_CLIENT", "30 per 15 minutes")
    # "My letters" (domain/contact_codes.py): one-time codes a day per contact, per client (the
    # connection's address), and SMS codes of the whole installation (SMS pumping costs money);
    # how long a verified contact keeps its list open.
    MY_LETTERS_CODES_PER_CONTACT = int(os.environ.get("MY_LETTERS_CODES_PER_CONTACT", "3"))
    MY_LETTERS_CODES_PER_CLIENT = int(os.environ.get("MY_LETTERS_CODES_PER_CLIENT", "10"))
    MY_LETTERS_SMS_PER_DAY = int(os.environ.get("MY_LETTERS_SMS_PER_DAY", "500"))
    MY_LETTERS_SESSION_MINUTES = int(os.environ.get("MY_LETTERS_SESSION_MINUTES", "15"))
    # The sealed record (domain/record/, docs/record.md). The origin names the installation's logs
    # (each akimat's is ORIGIN/<slug at creation>); the signing key lives in a file, never in the
    # database or a backup: default instance/record-signing.key, made on first use unless
    # RECORD_SIGNING_KEY_CREATE is 0 (production makes it once with `flask journal keygen`).
    RECORD_ORIGIN = os.environ.get("RECORD_ORIGIN", "akimat-reception.local")
    RECORD_SIGNING_KEY_FILE = os.environ.get("RECORD_SIGNING_KEY_FILE")
    RECORD_SIGNING_KEY_CREATE = os.environ.get("RECORD_SIGNING_KEY_CREATE", "1") == "1"
    # The worker integrates new entries at least this often (seconds); the merge delay promised is
    # RECORD_MAX_DELAY: an entry older than that and not in a signed checkpoint is a break.
    RECORD_INTEGRATE_EVERY = float(os.environ.get("RECORD_INTEGRATE_EVERY", "10"))
    RECORD_MAX_DELAY = int(os.environ.get("RECORD_MAX_DELAY", "60"))
    # Where checkpoints and leaf tiles are published as files (default instance/record/).
    RECORD_PUBLISH_DIR = os.environ.get("RECORD_PUBLISH_DIR")
    # Witnesses each new checkpoint is pushed to: email addresses and https:// URLs of other
    # installations' witness endpoint, separated by spaces or commas.
    RECORD_WITNESSES = os.environ.get("RECORD_WITNESSES", "")
    # The verifier keys (vkey) of other installations whose checkpoints this one witnesses.
    RECORD_WITNESS_FOR = os.environ.get("RECORD_WITNESS_FOR", "")
    # An email witness gets at most one message per log this often (minutes), with the newest
    # checkpoint: the worker signs one every few seconds, and a mailbox is not a log server.
    RECORD_WITNESS_EMAIL_MINUTES = float(os.environ.get("RECORD_WITNESS_EMAIL_MINUTES", "60"))
    # How long the worker waits for another installation's witness endpoint (seconds): a slow
    # witness must not hold up integration for everyone.
    RECORD_WITNESS_TIMEOUT = float(os.environ.get("RECORD_WITNESS_TIMEOUT", "5"))
    # What this installation accepts at /record/witness/add-checkpoint, per client address.
    RECORD_WITNESS_RATE_LIMIT = os.environ.get("RECORD_WITNESS_RATE_LIMIT", "120 per minute")


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


class UnsafeConfiguration(NoAppException):
    """The site refuses to start. A NoAppException, so that `flask ...` prints the message, not a
    traceback; gunicorn shows it and stops."""


def _key_list(value: str | None) -> list[str]:
    """SECRET_KEY_FALLBACKS: a comma- or space-separated list, newest first."""
    return [key for key in re.split(r"[,\s]+", value or "") if key]


def secret_key_from_env(environ: Mapping[str, str] = os.environ) -> str | None:
    """SECRET_KEY, else the contents of the file SECRET_KEY_FILE names (a Docker or systemd secret,
    or the one `make run` keeps in instance/)."""
    key = environ.get("SECRET_KEY") or None
    key_file = environ.get("SECRET_KEY_FILE")
    if key is None and key_file:
        try:
            key = Path(key_file).read_text(encoding="utf-8").strip() or None
        except OSError as error:
            problem = f"SECRET_KEY_FILE={key_file} cannot be read ({error})."
            raise UnsafeConfiguration(f"{problem}\n{HOW_TO_SET_A_KEY}") from error
    return key


def settle_secret_key(app) -> None:
    """Fills SECRET_KEY and SECRET_KEY_FALLBACKS from the environment unless the app's config already
    names them, and refuses to start without a real key outside debug and testing.

    In debug or testing without a key, a random one for this process only: sessions end when the
    process restarts, which a developer can live with, and no constant key ever signs a cookie."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key_from_env()
    fallbacks = app.config.get("SECRET_KEY_FALLBACKS") or os.environ.get("SECRET_KEY_FALLBACKS")
    app.config["SECRET_KEY_FALLBACKS"] = _key_list(fallbacks) if isinstance(fallbacks, str) else list(fallbacks or [])
    lenient = app.debug or app.testing
    if lenient:
        if not app.config["SECRET_KEY"]:
            log.warning("SECRET_KEY is not set: a random key for this process; sessions end when it restarts.")
            app.config["SECRET_KEY"] = secrets.token_urlsafe(48)
            app.config["SECRET_KEY_IS_EPHEMERAL"] = True  # flask check-config reports it
        return
    if not app.config["SECRET_KEY"]:
        raise UnsafeConfiguration(
            "Refusing to start: SECRET_KEY is not set, and without it anyone could sign a session cookie.\n"
            + HOW_TO_SET_A_KEY
        )
    public = [k for k in [app.config["SECRET_KEY"], *app.config["SECRET_KEY_FALLBACKS"]] if k in PUBLIC_SECRET_KEYS]
    if public:
        raise UnsafeConfiguration(
            "Refusing to start: SECRET_KEY or SECRET_KEY_FALLBACKS holds a key published in the source code, "
            "with which anyone can sign a session cookie.\n" + HOW_TO_SET_A_KEY
        )
