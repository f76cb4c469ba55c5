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
"""

import logging
import os
import smtplib
import socket
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from importlib import import_module
from typing import Protocol

from flask import current_app
from sqlalchemy import func, select, update

from .domain.notifications import ACCESS_CODE_MARK
from .extensions import db
from .models import Channel, DeliveryStatus, OutboxMessage
from .models._common import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
UNREACHABLE = "SMTP unreachable: "  # how last_error starts when the server could not be reached at all


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failure, at most six hours apart."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


# --- SMS gateways -------------------------------------------------------------------------------


class SmsError(Exception):
    """A gateway's temporary failure: the SMS was not accepted; retried with back-off."""


class SmsUncertain(SmsError):
    """The gateway may have accepted the SMS (e.g. a timeout after the request went out): retried
    with the same idempotency key, which the gateway uses to drop the repeat."""


class SmsHeld(Exception):
    """The SMS is not to be sent through this gateway at all: held with the reason, not retried."""


class SmsGateway(Protocol):
    def send(self, phone: str, text: str, idempotency_key: str) -> None:
        """Hand the SMS to the operator; return only once it is accepted. The key is the same on
        every retry of one message."""


class LogSmsGateway:
    """The default when no gateway is configured: holds each SMS, visibly, instead of pretending."""

    def send(self, phone: str, text: str, idempotency_key: str) -> None:
        raise SmsHeld("no SMS gateway configured (SMS_GATEWAY): held, not sent")


class DevelopmentSmsSink:
    """For development and tests only: writes the SMS to the log and counts it as sent."""

    def send(self, phone: str, text: str, idempotency_key: str) -> None:
        log.info("SMS to %s: %s", phone, text, extra={"idempotency_key": idempotency_key})


def _sms_gateway() -> SmsGateway:
    path = current_app.config.get("SMS_GATEWAY") or "akimat_reception.delivery:LogSmsGateway"
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)()


# --- SMTP ---------------------------------------------------------------------------------------


class Unreachable(Exception):
    """No connection to the SMTP server: nothing was sent."""


class Uncertain(Exception):
    """The content went to the server and then the exchange broke: it may have been accepted."""


class _TrackingSMTP(smtplib.SMTP):
    """smtplib's client, noting when the message's content is handed over inside DATA: from that
    moment a failure leaves the outcome unknown."""

    in_data = content_sent = False

    def data(self, msg):
        self.in_data = True
        try:
            return super().data(msg)
        finally:
            self.in_data = False

    def send(self, s):
        if self.in_data and isinstance(s, bytes):  # commands are str; the content is bytes
            self.content_sent = True
        return super().send(s)


class Mailer:
    """One SMTP connection for as many messages as come, reopened after a broken exchange."""

    def __init__(self, config):
        self.config = config
        self.smtp: _TrackingSMTP | None = None
        self.sent_on_connection = 0

    def _connect(self) -> _TrackingSMTP:
        if self.smtp is None:
            c = self.config
            try:
                smtp = _TrackingSMTP(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"])
                if c["MAIL_USE_TLS"]:
                    smtp.starttls()
                if c["MAIL_USERNAME"]:
                    smtp.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"])
            except (smtplib.SMTPException, OSError) as error:
                raise Unreachable(f"{type(error).__name__}: {error}") from error
            self.smtp, self.sent_on_connection = smtp, 0
        return self.smtp

    def send(self, email: EmailMessage) -> None:
        for fresh in (False, True):
            reused = self.smtp is not None and not fresh
            smtp = self._connect()
            smtp.content_sent = False
            try:
                smtp.send_message(email)
            except smtplib.SMTPResponseException:
                raise  # the server answered: it did not take the message; the connection goes on
            except smtplib.SMTPRecipientsRefused:
                raise
            except (smtplib.SMTPException, OSError) as error:
                self.close()
                if smtp.content_sent:
                    raise Uncertain(f"{type(error).__name__}: {error}") from error
                if reused:
                    continue  # an idle connection the server had closed: once more on a new one
                raise
            self.sent_on_connection += 1
            return

    def probe(self) -> bool:
        """Is the server there? (NOOP on the open connection, or a new one.)"""
        try:
            smtp = self._connect()
            smtp.noop()
            return True
        except (Unreachable, smtplib.SMTPException, OSError):
            self.close()
            return False

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


# --- claims ---------------------------------------------------------------------------------------


@dataclass
class Claimed:
    """What sending needs, copied out of the row so that committing each outcome reloads nothing."""

    id: int
    claim: str
    channel: Channel
    recipient: str
    language: str
    subject: str
    body_text: str
    body_html: str | None
    secret: str | None
    message_id: str
    attempts: int


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:100]


def _settings():
    c = current_app.config
    return int(c.get("OUTBOX_BATCH", 20)), timedelta(seconds=float(c.get("OUTBOX_LEASE_SECONDS", 120)))


def claim(now: datetime, limit: int, worker_id: str) -> list[Claimed]:
    """Takes up to `limit` due messages for this worker under a lease, in one transaction."""
    _batch, lease = _settings()
    token = f"{worker_id}/{uuid.uuid4().hex[:8]}"
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == DeliveryStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)  # two workers never wait for, nor take, each other's rows
    # Two statements, not `UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`: PostgreSQL may
    # run such a subquery once per row, and then the LIMIT no longer holds (a claim took the whole outbox).
    ids = list(db.session.scalars(due))
    if not ids:
        db.session.rollback()
        return []
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.SENDING, claimed_by=token, lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.claimed_by == token, OutboxMessage.status == DeliveryStatus.SENDING)
        .order_by(OutboxMessage.id)
    ).all()
    domain = current_app.config["MAIL_DEFAULT_SENDER"].split("@")[-1]
    for row in rows:
        if row.message_id is None:  # the first claim fixes it for every retry
            row.message_id = make_msgid(idstring=f"outbox-{row.id}", domain=domain)
    claimed = [
        Claimed(
            r.id,
            token,
            r.channel,
            r.recipient,
            r.language,
            r.subject,
            r.body_text,
            r.body_html,
            r.secret,
            r.message_id,
            r.attempts,
        )  # fmt: skip
        for r in rows
    ]
    db.session.commit()
    return claimed


def _settle(message: Claimed, **values) -> bool:
    """Records the outcome if the claim is still ours (a requeue after our lease lapsed wins)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.claimed_by == message.claim,
            OutboxMessage.status == DeliveryStatus.SENDING,
        )
        .values(lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if not result.rowcount:
        log.warning("outbox %s: our lease lapsed before the outcome was recorded", message.id)
    return bool(result.rowcount)


def _renew(message: Claimed, now: datetime, lease: timedelta) -> bool:
    """Extends the claim's lease; False if this message is no longer ours (another worker found the
    lease lapsed and took it over): then it must not be sent from here."""
    renewed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.claimed_by == message.claim, OutboxMessage.status == DeliveryStatus.SENDING)
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    ).rowcount
    still_ours = db.session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.id == message.id,
            OutboxMessage.claimed_by == message.claim,
            OutboxMessage.status == DeliveryStatus.SENDING,
        )
    )
    db.session.commit()
    return bool(renewed and still_ours)


def requeue_expired(now: datetime | None = None, worker_id: str = "requeue") -> Counter:
    """Puts back the messages of claims whose lease has lapsed (their worker died or hung): the one
    that was in flight as uncertain, the rest as never tried. Safe to run from several workers."""
    now = now or utcnow()
    outcome: Counter = Counter()
    claims = db.session.scalars(
        select(OutboxMessage.claimed_by)
        .where(OutboxMessage.status == DeliveryStatus.SENDING, OutboxMessage.lease_until < now)
        .distinct()
    ).all()
    db.session.rollback()
    for dead in claims:
        token = f"{worker_id}/requeue-{uuid.uuid4().hex[:8]}"
        # Taking the claim over is the first write of the transaction: on PostgreSQL it locks the
        # rows, on SQLite the database; a second worker doing the same finds nothing left.
        taken = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.claimed_by == dead,
                OutboxMessage.status == DeliveryStatus.SENDING,
                OutboxMessage.lease_until < now,
            )
            .values(claimed_by=token)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not taken:
            db.session.rollback()
            continue
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.claimed_by == token).order_by(OutboxMessage.id)
        ).all()
        in_flight, untried = rows[0], rows[1:]
        in_flight.attempts += 1
        in_flight.uncertain += 1
        in_flight.last_error = f"uncertain: the worker holding it stopped mid-send ({dead})"[:2000]
        in_flight.status = DeliveryStatus.FAILED if in_flight.attempts >= MAX_ATTEMPTS else DeliveryStatus.PENDING
        for row in rows:
            row.lease_until = None
            row.next_attempt_at = now
        for row in untried:
            row.status = DeliveryStatus.PENDING
        db.session.commit()
        outcome["uncertain"] += 1
        outcome["requeued"] += len(untried)
        log.warning("outbox: requeued the claim %s of a stopped worker (%s messages)", dead, len(rows))
    return outcome


def count_by_status() -> list[tuple[DeliveryStatus, int]]:
    """How many messages are in each status, in the statuses' order (`flask outbox status`)."""
    return list(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status).order_by(OutboxMessage.status)
        ).tuples()
    )


def wake_after_outage(now: datetime | None = None) -> int:
    """The server is back: messages it turned away are due now instead of at their back-off."""
    now = now or utcnow()
    woken = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == DeliveryStatus.PENDING,
            OutboxMessage.channel == Channel.EMAIL,
            OutboxMessage.next_attempt_at > now,
            OutboxMessage.last_error.like(f"{UNREACHABLE}%"),
        )
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return woken


def waiting_for_smtp(now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (
        db.session.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == DeliveryStatus.PENDING,
                OutboxMessage.next_attempt_at > now,
                OutboxMessage.last_error.like(f"{UNREACHABLE}%"),
            )
            .limit(1)
        )
        is not None
    )


# --- sending ----------------------------------------------------------------------------------


def _reveal(text: str | None, secret: str | None) -> str | None:
    return text.replace(ACCESS_CODE_MARK, secret) if (text and secret) else text


def _email(message: Claimed) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = formataddr((config["MAIL_SENDER_NAME"], config["MAIL_DEFAULT_SENDER"]))
    email["To"] = message.recipient
    email["Message-ID"] = message.message_id
    email.set_content(_reveal(message.body_text, message.secret))
    if message.body_html:
        email.add_alternative(_reveal(message.body_html, message.secret), subtype="html")
    email["Content-Language"] = message.language  # after the parts: building them moves Content-* headers
    return email


def _retry(message: Claimed, now: datetime, error: str, uncertain: bool = False) -> str:
    attempts = message.attempts + 1
    gave_up = attempts >= MAX_ATTEMPTS
    values = dict(
        attempts=attempts,
        last_error=error[:2000],
        status=DeliveryStatus.FAILED if gave_up else DeliveryStatus.PENDING,
        next_attempt_at=now + backoff(attempts),
    )
    if uncertain:
        values["uncertain"] = OutboxMessage.uncertain + 1
    _settle(message, **values)
    log.warning("outbox %s to %s: %s", message.id, message.recipient, error)
    return "failed" if gave_up else "retry"


def _deliver_one(message: Claimed, mailer: Mailer, now: datetime) -> str:
    try:
        if message.channel is Channel.EMAIL:
            mailer.send(_email(message))
        else:
            _sms_gateway().send(
                message.recipient, _reveal(message.body_text, message.secret), idempotency_key=message.message_id
            )
    except Unreachable as error:
        return _retry(message, now, f"{UNREACHABLE}{error}")
    except (Uncertain, SmsUncertain) as error:
        _retry(message, now, f"uncertain: {type(error).__name__}: {error}", uncertain=True)
        return "uncertain"
    except SmsHeld as error:
        _settle(message, status=DeliveryStatus.HELD, last_error=str(error)[:2000])
        log.warning("outbox %s: SMS held: %s", message.id, error)
        return "held"
    except (smtplib.SMTPException, OSError, SmsError) as error:
        return _retry(message, now, f"{type(error).__name__}: {error}")
    except Exception as error:  # a bug or a broken message must not stop the worker for everyone else
        log.exception("outbox %s: unexpected error", message.id)
        return _retry(message, now, f"{type(error).__name__}: {error}")
    _settle(
        message,
        status=DeliveryStatus.SENT,
        sent_at=utcnow(),
        attempts=message.attempts + 1,
        secret=None,  # the access code existed in clear only to be delivered
    )
    return "sent"


def deliver_due(
    now: datetime | None = None, limit: int = 200, mailer: Mailer | None = None, worker_id: str | None = None
) -> Counter:
    """Sends up to `limit` due messages, a batch at a time; returns how many were sent, retried later
    (`uncertain` among them), held or given up. One SMTP connection serves them all."""
    fixed_now = now
    worker_id = worker_id or worker_identity()
    batch, lease = _settings()
    own = mailer is None
    mailer = mailer or Mailer(current_app.config)
    outcome: Counter = Counter()
    try:
        done = 0
        while done < limit:
            leased_at = fixed_now or utcnow()
            messages = claim(leased_at, min(batch, limit - done), worker_id)
            if not messages:
                break
            for message in messages:
                moment = fixed_now or utcnow()
                if moment - leased_at >= lease / 2:  # a slow server: keep the rest of the batch ours
                    if not _renew(message, moment, lease):
                        outcome["lost"] += len(messages) - messages.index(message)
                        log.warning("outbox: claim %s lapsed and was taken over; the rest left to it", message.claim)
                        break
                    leased_at = moment
                result = _deliver_one(message, mailer, moment)
                outcome[result] += 1
                if result == "uncertain":
                    outcome["retry"] += 1
            done += len(messages)
    finally:
        if own:
            mailer.close()
    return outcome


def summary(now: datetime | None = None) -> dict:
    """Counts by status, the uncertain ones awaiting a resend, and the oldest pending message's age."""
    now = now or utcnow()
    counts = {s.value: 0 for s in DeliveryStatus}
    for status, count in db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)):
        counts[status.value] = count
    counts["uncertain"] = db.session.scalar(
        select(func.count()).where(
            OutboxMessage.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]), OutboxMessage.uncertain > 0
        )
    )
    counts["sent_after_uncertain"] = db.session.scalar(
        select(func.count()).where(OutboxMessage.status == DeliveryStatus.SENT, OutboxMessage.uncertain > 0)
    )
    oldest = db.session.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])
        )
    )
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)  # SQLite's aggregate loses the column's type
    counts["oldest_pending_seconds"] = round((now - oldest).total_seconds()) if oldest else None
    return counts
