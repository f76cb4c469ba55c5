"""Claims under leases: which worker holds which messages until when, taking back the claims of a
stopped worker, and waking the messages an SMTP outage turned away (the package's docstring says why)."""

import logging
import os
import socket
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Channel, DeliveryStatus, OutboxMessage
from ..models._common import utcnow

log = logging.getLogger("akimat_reception.delivery")

MAX_ATTEMPTS = 8
UNREACHABLE = "SMTP unreachable: "  # how last_error starts when the server could not be reached at all


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after each failure, at most six hours apart."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


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
