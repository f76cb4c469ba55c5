"""Outbox delivery under leases: email by SMTP, SMS through a gateway. Never strands, never doubles
a confirmed message.

- **Claim.** A worker claims a small batch (`OUTBOX_BATCH`) in one transaction — the due ids
  selected `FOR UPDATE SKIP LOCKED` on PostgreSQL, then a conditional `UPDATE … WHERE
  status='pending'` (all that SQLite, whose writers are serialised, needs) — marking it `sending`
  under its claim token until `lease_until`. It then sends the batch one message at a time, in id
  order, over one SMTP connection, committing each outcome.
- **Lease expiry.** A worker that died leaves its claim `sending` past the lease; any worker (and
  `flask outbox requeue`) puts it back. Because a batch is sent in id order and each outcome is
  committed before the next send, only the lowest id still `sending` can have been in flight: it is
  counted *uncertain* (the server may have it); the others were never tried and go back clean.
- **Uncertain outcomes** (the server may have accepted: a timeout or a dropped connection after the
  content went out, or the kill above) are retried with the same Message-ID (the SMS: the same
  idempotency key), and counted in `uncertain`. A message the server confirmed is marked `sent`
  and is never claimed again.
- **SMTP down** costs each message one try with back-off (1, 2, 4 … minutes); when a probe finds the
  server back (every `OUTBOX_PROBE_SECONDS`), the messages it turned away are due at once, so a
  backlog drains in seconds after an outage instead of waiting out its back-off.
- **SMS.** `SMS_GATEWAY` names a `module:Class` with `send(phone, text, idempotency_key)`. The
  default, `LogSmsGateway`, holds every SMS (status `held`, the reason in `last_error`): with no
  gateway, nothing is reported as sent. `DevelopmentSmsSink` writes SMS to the log and counts them
  as sent — for `make run` and the tests only.

transports.py the SMS gateways and the SMTP mailer; leases.py claims, leases and requeueing;
sending.py the delivery of a batch and the outbox's summary.
"""

from .leases import (
    MAX_ATTEMPTS,
    UNREACHABLE,
    Claimed,
    backoff,
    claim,
    count_by_status,
    requeue_expired,
    waiting_for_smtp,
    wake_after_outage,
    worker_identity,
)
from .sending import deliver_due, summary
from .transports import (
    DevelopmentSmsSink,
    LogSmsGateway,
    Mailer,
    SmsError,
    SmsGateway,
    SmsHeld,
    SmsUncertain,
    Uncertain,
    Unreachable,
)

__all__ = [
    "MAX_ATTEMPTS",
    "UNREACHABLE",
    "Claimed",
    "DevelopmentSmsSink",
    "LogSmsGateway",
    "Mailer",
    "SmsError",
    "SmsGateway",
    "SmsHeld",
    "SmsUncertain",
    "Uncertain",
    "Unreachable",
    "backoff",
    "claim",
    "count_by_status",
    "deliver_due",
    "requeue_expired",
    "summary",
    "wake_after_outage",
    "waiting_for_smtp",
    "worker_identity",
]
