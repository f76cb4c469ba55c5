"""Sending a claimed batch: one message at a time, each outcome committed before the next, retried
with back-off, and the outbox's summary for /healthz and `flask outbox status`."""

import logging
import smtplib
from collections import Counter
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..domain.notifications import reveal
from ..extensions import db
from ..models import Channel, DeliveryStatus, OutboxMessage
from ..models._common import utcnow
from .leases import MAX_ATTEMPTS, UNREACHABLE, Claimed, _renew, _settings, _settle, backoff, claim, worker_identity
from .transports import Mailer, SmsError, SmsHeld, SmsUncertain, Uncertain, Unreachable, _sms_gateway

log = logging.getLogger("akimat_reception.delivery")

# --- sending ----------------------------------------------------------------------------------


def sender_name(language: str) -> str:
    """The From name in the message's own language: a Kazakh email is not signed in English."""
    config = current_app.config
    configured = config.get(f"MAIL_SENDER_NAME_{language.upper()}") or config.get("MAIL_SENDER_NAME")
    if configured:
        return configured
    with force_locale(language):
        return _("Virtual reception of the akim")


def _email(message: Claimed) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = Address(display_name=sender_name(message.language), addr_spec=config["MAIL_DEFAULT_SENDER"])
    email["To"] = message.recipient
    email["Message-ID"] = message.message_id
    email.set_content(reveal(message.body_text, message.secret))
    if message.body_html:
        email.add_alternative(reveal(message.body_html, message.secret), subtype="html")
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
                message.recipient, reveal(message.body_text, message.secret), idempotency_key=message.message_id
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
