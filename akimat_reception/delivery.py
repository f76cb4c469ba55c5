"""The outbox worker: delivers pending notifications by SMTP (email) and an SMS gateway, with
retries and back-off. A message is claimed before it is sent and marked after, each step
committed, so a message is never sent twice; one whose sender died mid-send stays "sending"
for an operator to look at rather than being resent blindly."""

import logging
import smtplib
from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from importlib import import_module
from typing import Protocol

from flask import current_app
from sqlalchemy import func, select

from .domain.notifications import ACCESS_CODE_MARK
from .extensions import db
from .models import Channel, DeliveryStatus, OutboxMessage
from .models._common import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failure, at most six hours apart."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LogSmsGateway:
    """The default gateway: writes the SMS to the log. Replace it with SMS_GATEWAY=module:Class."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


def _sms_gateway() -> SmsGateway:
    path = current_app.config.get("SMS_GATEWAY") or "akimat_reception.delivery:LogSmsGateway"
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)()


def _reveal(text: str | None, secret: str | None) -> str | None:
    return text.replace(ACCESS_CODE_MARK, secret) if (text and secret) else text


def _send_email(message: OutboxMessage) -> None:
    config = current_app.config
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = formataddr((config["MAIL_SENDER_NAME"], config["MAIL_DEFAULT_SENDER"]))
    email["To"] = message.recipient
    email["Message-ID"] = make_msgid(
        idstring=f"outbox-{message.id}", domain=config["MAIL_DEFAULT_SENDER"].split("@")[-1]
    )
    email.set_content(_reveal(message.body_text, message.secret))
    if message.body_html:
        email.add_alternative(_reveal(message.body_html, message.secret), subtype="html")
    email["Content-Language"] = message.language  # after the parts: building them moves Content-* headers
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def _claim(now: datetime, limit: int) -> list[int]:
    stmt = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == DeliveryStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)  # two workers never take the same message
    ids = list(db.session.scalars(stmt))
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))):
        message.status = DeliveryStatus.SENDING
    db.session.commit()
    return ids


def deliver_due(now: datetime | None = None, limit: int = 200) -> Counter:
    """Sends what is due; returns how many were sent, retried later, or given up."""
    now = now or utcnow()
    outcome: Counter = Counter()
    for message_id in _claim(now, limit):
        message = db.session.get(OutboxMessage, message_id)
        try:
            if message.channel is Channel.EMAIL:
                _send_email(message)
            else:
                _sms_gateway().send(message.recipient, _reveal(message.body_text, message.secret))
        except (smtplib.SMTPException, OSError) as error:
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = DeliveryStatus.FAILED
                outcome["failed"] += 1
            else:
                message.status = DeliveryStatus.PENDING
                message.next_attempt_at = now + backoff(message.attempts)
                outcome["retry"] += 1
            log.warning("outbox %s to %s: %s", message.id, message.recipient, message.last_error)
        else:
            message.status = DeliveryStatus.SENT
            message.sent_at = utcnow()
            message.attempts += 1
            message.secret = None  # the access code existed in clear only to be delivered
            outcome["sent"] += 1
        db.session.commit()
    return outcome


def count_by_status() -> list[tuple[DeliveryStatus, int]]:
    """How many messages are in each status, in the statuses' order (`flask outbox status`)."""
    return list(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status).order_by(OutboxMessage.status)
        ).tuples()
    )
