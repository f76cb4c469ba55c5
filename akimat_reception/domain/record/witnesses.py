"""Checkpoints sent out of the installation, to the witnesses of RECORD_WITNESSES, after each
integration (step.py): the record proves a rewrite only against a checkpoint someone else holds.

- **An email witness** (an address) gets the newest signed checkpoint of each log, but at most once
  per log every RECORD_WITNESS_EMAIL_MINUTES — the worker signs one every few seconds, and a flood
  is soon filtered away unread. The message goes through the outbox (queued in a transaction,
  sent by the worker with its retries); WitnessState keeps the size last queued and when.
- **An installation witness** (an https:// URL; http:// only to 127.0.0.1, for tests) gets C2SP
  tlog-witness's add-checkpoint: the consistency proof from the size it last acknowledged to the
  new one, and the note. It answers with its signature line (kept as the cosignature), or 409
  with the size it holds (we start again from there next turn). A witness that does not answer
  costs one short timeout (RECORD_WITNESS_TIMEOUT) per turn, then waits out a growing back-off;
  a slow one gets twice that timeout of each turn, and the logs left wait for the next turn.

A witness that holds a *larger* size than the log has, or that refuses a proof (422), has seen
another history than the one in the database: that is logged at ERROR and kept in last_error.
"""

from __future__ import annotations

import logging
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...extensions import db
from ...models import Akimat, RecordLog, SignedCheckpoint, WitnessState
from ...models._common import utcnow
from .. import notifications
from . import keys, note
from . import log as record_log
from .witness_protocol import PATH, AddCheckpoint, parse_size

logger = logging.getLogger(__name__)

EMAIL_KIND = "record_witness"
MAX_BACKOFF = 600  # seconds between tries of a witness that keeps failing
MAX_ANSWER = 4096


_warned: set[str] = set()


def configured() -> list[str]:
    """The witnesses of RECORD_WITNESSES (separated by spaces or commas), each once, in order; one
    that is neither an address nor a URL we may call is left out (and said once per process)."""
    seen: dict[str, None] = {}
    for item in re.split(r"[\s,]+", current_app.config.get("RECORD_WITNESSES") or ""):
        if not item:
            continue
        if is_email(item) or is_installation(item):
            seen.setdefault(item, None)
        elif item not in _warned:
            _warned.add(item)
            logger.error("RECORD_WITNESSES: %r is neither an email address nor an https:// URL: left out", item)
    return list(seen)


def is_email(witness: str) -> bool:
    return "@" in witness and "://" not in witness


def is_installation(witness: str) -> bool:
    parts = urlsplit(witness)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname == "127.0.0.1")


@dataclass
class Pushed:
    witness: str
    origin: str
    size: int
    outcome: str  # queued, cosigned, behind (409), refused, failed, unreachable


def push(now: datetime | None = None) -> list[Pushed]:
    """Each log's newest checkpoint, to every witness that does not have it yet (commits)."""
    witnesses = configured()
    if not witnesses:
        return []
    now = now or utcnow()
    newest = _newest_checkpoints()
    if not newest:
        return []
    states = _states(witnesses, [checkpoint.log_id for checkpoint in newest])
    # An installation witness gets this many seconds of the turn (the rest of the logs wait for the
    # next turn), and none after it failed to answer at all: the worker has other work.
    budget = 2 * current_app.config["RECORD_WITNESS_TIMEOUT"]
    spent: dict[str, float] = {}
    unreachable: set[str] = set()
    pushed = []
    for checkpoint in newest:
        for witness in witnesses:
            state_id = states[(witness, checkpoint.log_id)]
            if is_email(witness):
                result = _mail(witness, state_id, checkpoint, now)
            elif witness in unreachable or spent.get(witness, 0.0) >= budget:
                continue
            else:
                started = time.monotonic()
                result = _post(witness, state_id, checkpoint, now)
                spent[witness] = spent.get(witness, 0.0) + time.monotonic() - started
                if result is not None and result.outcome == "unreachable":
                    unreachable.add(witness)
            if result is not None:
                pushed.append(result)
    return pushed


@dataclass(frozen=True)
class Newest:
    """A log's newest signed checkpoint, copied out of the rows: each witness's turn commits or
    rolls back, and nothing here should be reloaded after it."""

    log_id: int
    akimat_id: int | None
    origin: str
    size: int
    note: str


def _newest_checkpoints() -> list[Newest]:
    newest = select(SignedCheckpoint.log_id, func.max(SignedCheckpoint.size)).group_by(SignedCheckpoint.log_id)
    rows = db.session.execute(
        select(RecordLog.id, RecordLog.akimat_id, RecordLog.origin, SignedCheckpoint.size, SignedCheckpoint.note)
        .join(SignedCheckpoint, SignedCheckpoint.log_id == RecordLog.id)
        .where(tuple_(SignedCheckpoint.log_id, SignedCheckpoint.size).in_(newest), SignedCheckpoint.size > 0)
        .order_by(RecordLog.id)
    ).all()
    return [Newest(*row) for row in rows]


def _states(witnesses: list[str], log_ids: list[int]) -> dict[tuple[str, int], int]:
    """The id of each (witness, log)'s state row, made if missing (concurrent workers are safe)."""

    def read() -> dict[tuple[str, int], int]:
        rows = db.session.execute(
            select(WitnessState.witness, WitnessState.log_id, WitnessState.id).where(
                WitnessState.witness.in_(witnesses), WitnessState.log_id.in_(log_ids)
            )
        )
        return {(witness, log_id): state_id for witness, log_id, state_id in rows}

    found = read()
    missing = [(w, log_id) for w in witnesses for log_id in log_ids if (w, log_id) not in found]
    if missing:
        insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        for witness, log_id in missing:
            db.session.execute(
                insert(WitnessState).values(witness=witness, log_id=log_id, acked_size=0).on_conflict_do_nothing()
            )
        db.session.commit()
        found = read()
    return found


def _locked(state_id: int) -> WitnessState:
    return db.session.execute(select(WitnessState).where(WitnessState.id == state_id).with_for_update()).scalar_one()


@dataclass
class Status:
    witness: str
    origin: str
    size: int  # the log's size now
    acked_size: int
    tried_at: datetime | None
    attempts: int
    last_error: str | None
    cosigned: bool


def status() -> list[Status]:
    """Every (witness, log) the worker has tried, for `flask journal witness-status`."""
    rows = db.session.execute(
        select(WitnessState, RecordLog)
        .join(RecordLog, RecordLog.id == WitnessState.log_id)
        .order_by(WitnessState.witness, RecordLog.origin)
    ).all()
    return [
        Status(
            state.witness,
            log.origin,
            log.size,
            state.acked_size,
            state.tried_at,
            state.attempts,
            state.last_error,
            state.cosignature is not None,
        )
        for state, log in rows
    ]


# --- email witnesses -----------------------------------------------------------------------------


def _mail(witness: str, state_id: int, checkpoint: Newest, now: datetime) -> Pushed | None:
    state = _locked(state_id)  # two workers never queue the same period's message twice
    period = timedelta(minutes=current_app.config["RECORD_WITNESS_EMAIL_MINUTES"])
    if checkpoint.size <= state.acked_size or (state.tried_at is not None and now - state.tried_at < period):
        db.session.rollback()
        return None
    akimat = db.session.get(Akimat, checkpoint.akimat_id) if checkpoint.akimat_id is not None else None
    language = akimat.default_language if akimat is not None else current_app.config["BABEL_DEFAULT_LOCALE"]
    notifications.queue_email(EMAIL_KIND, witness, language, akimat, lambda: witness_message(checkpoint))
    state.acked_size, state.tried_at, state.last_error = checkpoint.size, now, None
    state.attempts += 1
    db.session.commit()
    return Pushed(witness, checkpoint.origin, checkpoint.size, "queued")


def record_page_url() -> str:
    return notifications.public_url("/record")


def witness_message(checkpoint: Newest) -> notifications.Message:
    """The email to a witness: the signed checkpoint as it is, and how to check it. The outbox
    sends no attachments, so the note is in the body, word for word — but mail carries it with
    CRLF line ends, which a verifier turns back into the note's LF before checking."""
    return notifications.Message(
        subject=_("Checkpoint of %(origin)s: %(size)s entries", origin=checkpoint.origin, size=checkpoint.size),
        paragraphs=[
            _(
                "The virtual reception signed a new checkpoint of the record %(origin)s: the hash of "
                "all its %(size)s entries. Please keep this message. If the record is ever rewritten "
                "or cut short, it will no longer match this checkpoint.",
                origin=checkpoint.origin,
                size=checkpoint.size,
            ),
            checkpoint.note.rstrip("\n"),
            _("The installation's public key: %(key)s", key=keys.verifier().encode()),
            _(
                "To check it, compare it with the checkpoints published on the record's page, or run "
                "the independent verifier on the published files with this checkpoint."
            ),
        ],
        sms="",
        link=record_page_url(),
        link_text=_("The published record"),
    )


# --- installation witnesses ----------------------------------------------------------------------


def _backing_off(state: WitnessState, now: datetime) -> bool:
    if not state.attempts or state.tried_at is None:
        return False
    return now - state.tried_at < timedelta(seconds=min(2**state.attempts, MAX_BACKOFF))


def _post(url: str, state_id: int, checkpoint: Newest, now: datetime) -> Pushed | None:
    state = _locked(state_id)
    if checkpoint.size < state.acked_size:
        error = (
            f"the witness holds size {state.acked_size} of {checkpoint.origin}, larger than the {checkpoint.size} "
            "this installation has: the log was cut short or rewritten here"
        )
        if state.last_error != error:
            logger.error("record witness %s: %s", url, error)
        state.last_error, state.tried_at = error, now
        db.session.commit()
        return Pushed(url, checkpoint.origin, checkpoint.size, "refused")
    if (checkpoint.size == state.acked_size and state.cosignature is not None) or _backing_off(state, now):
        db.session.rollback()
        return None
    proof = record_log.consistency(checkpoint.log_id, state.acked_size, checkpoint.size)
    body = AddCheckpoint(state.acked_size, tuple(proof), checkpoint.note).encode()
    code, answer, failure = _send(url.rstrip("/") + PATH, body)
    state.tried_at = now
    outcome = "failed"
    if code == 200 and _signature_lines(answer):
        state.acked_size, state.cosignature, state.attempts, state.last_error = checkpoint.size, answer, 0, None
        outcome = "cosigned"
    elif code == 409:
        try:
            held = parse_size(answer.encode())
        except ValueError:
            state.attempts += 1
            state.last_error = f"HTTP 409 without a size: {answer[:300]}"
        else:
            state.acked_size, state.cosignature = held, None  # pushed again from there next turn
            state.last_error = f"the witness holds size {held}"
            outcome = "behind"
    else:
        state.attempts += 1
        state.last_error = failure or f"HTTP {code}: {answer[:300]}"
        if code is None:
            outcome = "unreachable"
        elif code == 422:
            outcome = "refused"
            logger.error(
                "record witness %s REFUSED %s from size %s to %s: it holds another history: %s",
                url,
                checkpoint.origin,
                state.acked_size,
                checkpoint.size,
                answer[:500],
            )
        else:
            logger.warning("record witness %s: %s", url, state.last_error)
    db.session.commit()
    return Pushed(url, checkpoint.origin, checkpoint.size, outcome)


def _signature_lines(answer: str) -> bool:
    """Is the answer one or more signature lines of a signed note (the witness's cosignature)?"""
    try:
        note.split("-\n\n" + answer)
    except note.NoteError:
        return False
    return answer.endswith("\n")


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _send(url: str, body: bytes) -> tuple[int | None, str, str | None]:
    """(HTTP status, the answer's text, the error when nothing came back)."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    opener = _NO_PROXY if urlsplit(url).hostname == "127.0.0.1" else urllib.request.build_opener()
    timeout = current_app.config["RECORD_WITNESS_TIMEOUT"]
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read(MAX_ANSWER).decode("utf-8", "replace"), None
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(MAX_ANSWER).decode("utf-8", "replace"), None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, "", f"unreachable: {type(reason).__name__}: {reason}"[:500]
