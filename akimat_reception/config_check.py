"""Which settings are unsafe for production, and what to do about each: `flask check-config`.

Free of the domain and of Flask: it reads a mapping of settings (the app's config), the names the
environment set explicitly (a default and an explicit value can look alike: MAIL_SERVER=127.0.0.1 is
a local relay when chosen, and nothing at all when left unset), the number of web workers, and the
instance folder (where the sealed record's key, the attachments and the backups are by default)."""

import base64
import ipaddress
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .config import PUBLIC_SECRET_KEYS

MIN_SECRET_LENGTH = 32
LOG_ONLY_SMS_GATEWAYS = ("LogSmsGateway",)  # class names of gateways that only write to the log
EXAMPLE_DOMAINS = ("example", "test", "invalid", "localhost")  # RFC 2606 names: no one receives mail there
# Kazakhstan moved to a single time zone, UTC+5, on 1 March 2024 (tzdata 2024a). Older data shows
# Almaty at UTC+6: every time on the site an hour off, and deadlines near midnight on the wrong day.
ALMATY = "Asia/Almaty"
ALMATY_PROBE = datetime(2024, 6, 1, 12, 0)
ALMATY_OFFSET = timedelta(hours=5)


@dataclass(frozen=True)
class Problem:
    setting: str
    problem: str
    fix: str


def _is_local_host(host: str | None) -> bool:
    if not host:
        return True
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _secret(config: Mapping) -> list[Problem]:
    how = "set SECRET_KEY (or SECRET_KEY_FILE) to a random value of 32+ characters, the same on every worker and host"
    key = config.get("SECRET_KEY")
    if not key or config.get("SECRET_KEY_IS_EPHEMERAL"):
        return [Problem("SECRET_KEY", "not set: a random key for this process, sessions end at each restart", how)]
    problems = []
    if key in PUBLIC_SECRET_KEYS:
        problems.append(Problem("SECRET_KEY", "a key published in the source code: anyone can sign a session", how))
    elif len(key) < MIN_SECRET_LENGTH:
        problems.append(Problem("SECRET_KEY", f"only {len(key)} characters: short enough to guess offline", how))
    for fallback in config.get("SECRET_KEY_FALLBACKS") or []:
        if fallback in PUBLIC_SECRET_KEYS or len(fallback) < MIN_SECRET_LENGTH:
            problems.append(
                Problem(
                    "SECRET_KEY_FALLBACKS",
                    "holds a published or short key, which still opens sessions",
                    "remove it from SECRET_KEY_FALLBACKS",
                )
            )
            break
    return problems


def _modes(config: Mapping) -> list[Problem]:
    problems = []
    if config.get("DEBUG"):
        problems.append(
            Problem("DEBUG", "on: the interactive debugger runs code for whoever sees an error", "unset FLASK_DEBUG")
        )
    if config.get("TESTING"):
        problems.append(Problem("TESTING", "on: errors and checks behave as in the test suite", "do not set TESTING"))
    if config.get("WTF_CSRF_ENABLED") is False:
        problems.append(Problem("WTF_CSRF_ENABLED", "off: other sites can post forms as a signed-in user", "remove it"))
    return problems


def _cookies_and_https(config: Mapping) -> list[Problem]:
    problems = []
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append(
            Problem(
                "SESSION_COOKIE_SECURE",
                "off: the session cookie is also sent over plain HTTP, where anyone on the way can copy it",
                "serve the site over HTTPS (TLS at the proxy) and set SESSION_COOKIE_SECURE=1",
            )
        )
    if not config.get("SESSION_COOKIE_HTTPONLY"):
        problems.append(
            Problem("SESSION_COOKIE_HTTPONLY", "off: scripts can read the session cookie", "set it to True")
        )
    if str(config.get("SESSION_COOKIE_SAMESITE") or "").lower() not in ("lax", "strict"):
        problems.append(
            Problem(
                "SESSION_COOKIE_SAMESITE", "neither Lax nor Strict: other sites' requests carry it", 'set it to "Lax"'
            )
        )
    url = urlsplit(config.get("PUBLIC_BASE_URL") or "")
    if _is_local_host(url.hostname):
        problems.append(
            Problem(
                "PUBLIC_BASE_URL",
                f"points at {url.hostname or 'nothing'}: links in emails and SMS lead residents nowhere",
                "set PUBLIC_BASE_URL to the site's public address, e.g. https://reception.astana.gov.kz",
            )
        )
    elif url.scheme != "https":
        problems.append(
            Problem(
                "PUBLIC_BASE_URL", "not https: links in emails send residents over plain HTTP", "use its https:// form"
            )
        )
    return problems


def _delivery(config: Mapping, explicit: Collection[str]) -> list[Problem]:
    problems = []
    server = config.get("MAIL_SERVER") or ""
    if not server or (_is_local_host(server) and "MAIL_SERVER" not in explicit):
        problems.append(
            Problem(
                "MAIL_SERVER",
                f"not set (the default {server or 'none'}): access codes and answers are not delivered",
                "set MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME and MAIL_PASSWORD for the akimat's SMTP "
                "server (MAIL_SERVER=127.0.0.1 explicitly for a local relay)",
            )
        )
    gateway = str(config.get("SMS_GATEWAY") or "")
    if not gateway or gateway.rpartition(":")[2] in LOG_ONLY_SMS_GATEWAYS:
        problems.append(
            Problem(
                "SMS_GATEWAY",
                f"{gateway or 'not set'} only writes SMS to the log: residents never receive them",
                "set SMS_GATEWAY=module:Class to the operator's gateway",
            )
        )
    sender = str(config.get("MAIL_DEFAULT_SENDER") or "")
    domain = sender.rpartition("@")[2].lower().rstrip(">")
    if not domain or any(label in EXAMPLE_DOMAINS for label in domain.split(".")):
        problems.append(
            Problem(
                "MAIL_DEFAULT_SENDER",
                f"{sender or 'not set'} is an example address: replies are lost and mail is marked as spam",
                "set MAIL_DEFAULT_SENDER to the akimat's own address, e.g. reception@astana.gov.kz",
            )
        )
    return problems


def _limits_and_proxy(config: Mapping, workers: int | None) -> list[Problem]:
    problems = []
    if config.get("RATELIMIT_ENABLED") is False:
        problems.append(
            Problem("RATELIMIT_ENABLED", "off: passwords and access codes can be guessed at full speed", "remove it")
        )
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if storage.startswith("memory://") and workers != 1:
        several = f"{workers} workers" if workers else "several workers or hosts"
        problems.append(
            Problem(
                "RATELIMIT_STORAGE_URI",
                f"{storage} counts per process: with {several} each guesser gets every limit several times over",
                "set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (a Redis all workers share)",
            )
        )
    try:
        hops = int(config.get("TRUSTED_PROXY_HOPS") or 0)
    except (TypeError, ValueError):
        hops = 0
    if hops < 1:
        problems.append(
            Problem(
                "TRUSTED_PROXY_HOPS",
                "not set: behind a reverse proxy every resident has the proxy's address and shares one limit",
                "set TRUSTED_PROXY_HOPS to the number of proxies in front of the site (1 for one nginx)",
            )
        )
    return problems


def _time_zone(zone: Callable[[str], object]) -> list[Problem]:
    try:
        offset = zone(ALMATY).utcoffset(ALMATY_PROBE)
    except Exception as error:  # no data at all: ZoneInfoNotFoundError, or a broken file
        offset, found = None, f"missing ({error.__class__.__name__})"
    else:
        found = f"UTC{'+' if offset >= timedelta(0) else '-'}{abs(offset)}"
    if offset != ALMATY_OFFSET:
        return [
            Problem(
                "time zone data",
                f"{ALMATY} on {ALMATY_PROBE.date()} is {found}, not UTC+5 (in force since 1 March 2024)",
                "install the pinned tzdata package (pip install -e .) and update the system's tzdata; "
                "PYTHONTZPATH= (empty) makes Python use the package alone",
            )
        ]
    return []


ANONYMOUS_RULES = ("threats_only", "consider_all")  # domain/anonymous.py's AnonymousRule


def _anonymous(config: Mapping) -> list[Problem]:
    rule = config.get("ANONYMOUS_LETTERS", "threats_only")
    if rule in ANONYMOUS_RULES:
        return []
    return [
        Problem(
            "ANONYMOUS_LETTERS",
            f"{rule!r} is no rule: anonymous letters follow the default, threats_only",
            "set it to threats_only (not considered unless they report a crime) or consider_all",
        )
    ]


DEFAULT_RECORD_ORIGIN = "akimat-reception.local"  # config.py's, when RECORD_ORIGIN is not set
KEY_OUTSIDE = "/etc/akimat-reception/record/signing.key"  # docs/record.md: out of instance/, out of backups
WITNESS = re.compile(r"^(https://\S+|[^@\s]+@[^@\s]+\.[^@\s]+)$")


def _signing_key(config: Mapping, instance_path: str | None) -> list[Problem]:
    """The sealed record's key (docs/record.md): made once, read by the worker alone, in no backup."""
    problems = []
    if config.get("RECORD_SIGNING_KEY_CREATE", True):
        problems.append(
            Problem(
                "RECORD_SIGNING_KEY_CREATE",
                "on: a lost or misplaced key file is silently replaced by a new key, and the checkpoints it "
                "signs are trusted by no resident or witness",
                "make the key once with `flask journal keygen`, publish its verifier key, "
                "and set RECORD_SIGNING_KEY_CREATE=0",
            )
        )
    configured = config.get("RECORD_SIGNING_KEY_FILE")
    if not configured and not instance_path:
        return problems  # no way to know where the key is
    path = Path(configured) if configured else Path(instance_path or "") / "record-signing.key"
    how = f"`flask journal keygen --file {KEY_OUTSIDE}` as the worker's user, RECORD_SIGNING_KEY_FILE={KEY_OUTSIDE}"
    if not path.is_file():
        problems.append(
            Problem("RECORD_SIGNING_KEY_FILE", f"no key at {path}: the worker cannot sign checkpoints", how)
        )
        return problems
    if not _looks_like_a_signer_key(path):
        problems.append(
            Problem(
                "RECORD_SIGNING_KEY_FILE",
                f"{path} holds no signing key (PRIVATE+KEY+name+id+key): the worker cannot sign checkpoints",
                "point it at the file `flask journal keygen` wrote; the verifier key it printed is the public half",
            )
        )
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        problems.append(
            Problem(
                "RECORD_SIGNING_KEY_FILE",
                f"{path} has mode {mode:04o}: group or others may read it, and whoever holds the key can sign "
                "a rewritten history",
                f"chmod 600 {path} (owned by the worker's user)",
            )
        )
    for folder, what in _copied_folders(config, instance_path):
        if path.resolve().is_relative_to(folder.resolve()):
            problems.append(
                Problem(
                    "RECORD_SIGNING_KEY_FILE",
                    f"{path} is inside {what} ({folder}), which backups copy off the machine",
                    f"move it out, e.g. to {KEY_OUTSIDE} (mode 0600), and set RECORD_SIGNING_KEY_FILE",
                )
            )
    return problems


def _looks_like_a_signer_key(path: Path) -> bool:
    """The shape note.Signer.decode reads, checked here without the domain: a wrong file (the public
    verifier key, a PEM) is told apart; the worker's decode checks the rest."""
    try:
        parts = path.read_text(encoding="utf-8").strip().split("+", 4)
        raw = base64.b64decode(parts[4], validate=True) if len(parts) == 5 else b""
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return parts[:2] == ["PRIVATE", "KEY"] and re.fullmatch(r"[0-9a-f]{8}", parts[3]) is not None and len(raw) == 33


def _copied_folders(config: Mapping, instance_path: str | None) -> list[tuple[Path, str]]:
    """The folders `flask backup` writes or copies: the attachments (tarred whole) and the backups."""
    folders = []
    attachments = config.get("ATTACHMENTS_DIR") or (Path(instance_path) / "attachments" if instance_path else None)
    if attachments:
        folders.append((Path(attachments), "the attachments folder"))
    if instance_path:
        folders.append((Path(instance_path) / "backups", "the backups folder"))
    return folders


def _record(config: Mapping) -> list[Problem]:
    problems = []
    if config.get("RECORD_ORIGIN", DEFAULT_RECORD_ORIGIN) == DEFAULT_RECORD_ORIGIN:
        problems.append(
            Problem(
                "RECORD_ORIGIN",
                f"the default {DEFAULT_RECORD_ORIGIN}: every installation's logs would bear the same name",
                "set it once, before the first letter, to the site's host and a path, e.g. "
                "reception.astana.gov.kz/record (it is in every checkpoint and in the key's name)",
            )
        )
    witnesses = [w for w in re.split(r"[\s,]+", str(config.get("RECORD_WITNESSES") or "")) if w]
    if not witnesses:
        problems.append(
            Problem(
                "RECORD_WITNESSES",
                "none: no checkpoint is pushed out of the installation, so a history rewritten and re-signed "
                "by whoever holds the database and the key has nothing earlier to be compared with",
                "set RECORD_WITNESSES to email addresses (e.g. the higher akimat's control office) and other "
                "installations' https:// witness URLs, separated by commas",
            )
        )
    wrong = [w for w in witnesses if not WITNESS.match(w)]
    if wrong:
        problems.append(
            Problem(
                "RECORD_WITNESSES",
                f"{', '.join(wrong)}: neither an email address nor an https:// URL",
                "correct or remove them",
            )
        )
    return problems


def problems(
    config: Mapping,
    explicit: Collection[str] = (),
    workers: int | None = None,
    zone: Callable[[str], object] = ZoneInfo,
    instance_path: str | None = None,
) -> list[Problem]:
    """Every unsafe production setting, in the order an operator would fix them. `instance_path`: the
    app's instance folder, where the record's key, the attachments and the backups are by default."""
    return [
        *_secret(config),
        *_modes(config),
        *_cookies_and_https(config),
        *_delivery(config, explicit),
        *_limits_and_proxy(config, workers),
        *_time_zone(zone),
        *_anonymous(config),
        *_signing_key(config, instance_path),
        *_record(config),
    ]
