"""Time-based one-time codes (RFC 6238) from an authenticator app, as the second factor."""

import time

import pyotp

from ..models import User

ISSUER = "Akimat reception"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def verify(user: User, code: str, secret: str | None = None, now: float | None = None) -> bool:
    """Accepts the current code (or the one just before/after, for clock drift), each only once."""
    secret = secret or user.totp_secret
    if not secret:
        return False
    code = "".join(c for c in code if c.isdigit())
    totp = pyotp.TOTP(secret)
    now = now if now is not None else time.time()
    for drift in (0, -1, 1):
        at = now + drift * totp.interval
        step = int(at // totp.interval)
        if totp.verify(code, for_time=at, valid_window=0):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # already used: a replayed code
            user.totp_last_step = step
            return True
    return False
