"""What the rate limits share: the client's address behind the trusted proxies, who is exempt,
the keys of a letter's contacts, and what a limit does while Redis (the shared counts) is down.

Each limit is declared on its view. When Redis does not answer, Flask-Limiter counts in the
process's own memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED): a limit then holds per process, so
with 4 workers it is at most 4 times looser. That is *fail open*, chosen for the limits whose
refusal would cost a resident more than the looser count risks (letters, wrong access codes,
phone reports). Sign-in *fails closed* (`fail_closed`): staff passwords are guessable where 79-bit
access codes are not, so while the counts are not shared a sign-in attempt waits with a 503.
The table of every limit and its choice is in docs/operations.md."""

import hashlib
import hmac
from functools import wraps

from flask import current_app, g, request
from flask_login import current_user
from werkzeug.exceptions import ServiceUnavailable

from ..domain.identity import normalize_phone
from ..domain.permissions import is_member
from ..extensions import limiter

RETRY_SECONDS = 60


def install_proxy_fix(app) -> None:
    """Trust X-Forwarded-For/-Proto from exactly TRUSTED_PROXY_HOPS proxies (nginx: 1); with 0,
    the default, the headers are ignored and the client is the connection's address."""
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops < 0:
        raise ValueError("TRUSTED_PROXY_HOPS must be 0 (no proxy) or the number of proxies in front of the app")
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def counts_are_shared() -> bool:
    """True while the limits count in the shared store (Redis), not in this process's memory."""
    return limiter.limiter.storage is limiter.storage and limiter.storage.check()


class CountsUnavailable(ServiceUnavailable):
    """Shown as the 503 page, with Retry-After."""


def fail_closed(view):
    """Refuses a POST while the counts are not shared. Place it below the @limiter.limit lines, so
    that the limiter has looked at Redis (and found it down) before this runs."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if request.method == "POST" and not counts_are_shared():
            current_app.logger.warning("rate-limit store unreachable: %s refused (fails closed)", request.endpoint)
            raise CountsUnavailable(retry_after=RETRY_SECONDS)
        return view(*args, **kwargs)

    return guarded


def registered_by_staff() -> bool:
    """A signed-in member of this akimat entering a letter (from paper, a phone call, a visit) is
    not a flood: their letters are exempt from every letter limit."""
    return is_member(current_user, g.akimat)


def posted_value(field: str) -> str:
    """The field as the request posted it."""
    return request.form.get(field, "")


def _contact(field: str, source=posted_value) -> str:
    value = (source(field) or "").strip()
    if field == "email":
        return value.lower()[:254]
    if field == "phone":
        return (normalize_phone(value) if value else None) or "".join(c for c in value if c.isdigit())[:20]
    return "".join(c for c in value if c.isdigit())[:12]


def contact_key(field: str, source=posted_value):
    """The key of one contact of the letter (email, phone or IIN), keyed by an HMAC so that the
    counts' store holds no personal data. `source(field)` gives the contact as typed: the posted
    form's by default, a draft's when a letter written step by step is sent."""

    def key() -> str:
        secret = current_app.secret_key
        secret = secret if isinstance(secret, bytes) else str(secret).encode()
        digest = hmac.new(secret, _contact(field, source).encode(), hashlib.sha256).hexdigest()
        return f"letters-{field}:{digest[:32]}"

    return key


def contact_exempt(field: str, source=posted_value):
    return lambda: registered_by_staff() or not _contact(field, source)


# "Forgot your password?": each request may send an email, so every POST counts (not only the
# failed ones, as at sign-in). Per address, so that no one floods a colleague's mailbox from many
# connections; per client, so that no one probes many addresses. Redis down: open — a reset link
# is 256 bits and cannot be guessed, only the mail could be flooded, and only per process.
RESET_PER_ADDRESS = "3 per hour"
RESET_PER_CLIENT = "10 per hour"


def reset_per_address() -> str:
    return current_app.config.get("RATELIMIT_RESET_PER_ADDRESS", RESET_PER_ADDRESS)


def reset_per_client() -> str:
    return current_app.config.get("RATELIMIT_RESET_PER_CLIENT", RESET_PER_CLIENT)


def address_key() -> str:
    """The key of the address typed on the form, an HMAC like the letters' contacts."""
    return "reset-" + contact_key("email")()
