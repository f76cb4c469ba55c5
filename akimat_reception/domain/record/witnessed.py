"""This installation as a witness of others (RECORD_WITNESS_FOR): the add-checkpoint request of
C2SP tlog-witness, judged. A checkpoint is kept only if its log's key is one we witness for and it
extends, by a consistency proof, the newest checkpoint of that log we already hold — so that a log
shown to us once can never be shown again with another past. A refused checkpoint (a fork, a
rewritten log) is not stored: it is logged at ERROR, with both notes, for an operator to see.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import WitnessedCheckpoint
from ...models._common import utcnow
from . import keys, merkle
from .note import Checkpoint, NoteError, Verifier, open_checkpoint, split
from .witness_protocol import SIZE_TYPE, AddCheckpoint, RequestError

logger = logging.getLogger(__name__)

TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str = TEXT


def witnessed_keys() -> list[Verifier]:
    """The verifier keys of RECORD_WITNESS_FOR (separated by spaces or commas); a malformed one is
    logged and left out, so that one typo does not stop the witness for the others."""
    found = []
    for text in re.split(r"[\s,]+", current_app.config.get("RECORD_WITNESS_FOR") or ""):
        if not text:
            continue
        try:
            found.append(Verifier.decode(text))
        except NoteError as error:
            logger.error("RECORD_WITNESS_FOR: %s: %s", text[:80], error)
    return found


def newest_held(origin: str) -> WitnessedCheckpoint | None:
    return db.session.scalar(
        select(WitnessedCheckpoint)
        .where(WitnessedCheckpoint.origin == origin)
        .order_by(WitnessedCheckpoint.size.desc())
        .limit(1)
    )


def _signed_by_a_witnessed_key(note: str) -> Checkpoint | None:
    """The checkpoint, if a key we witness for signed it and the log is one of that key's (its
    origin is under the key's name: one installation cannot speak for another's logs)."""
    _, signatures = split(note)
    signed = {(s.name, s.key_id) for s in signatures}
    for verifier in witnessed_keys():
        if (verifier.name, verifier.id) not in signed:
            continue
        try:
            checkpoint = open_checkpoint(note, verifier)
        except NoteError:
            continue
        if checkpoint.origin.startswith(verifier.name + "/"):
            return checkpoint
    return None


def add_checkpoint(body: bytes, now: datetime | None = None) -> Answer:
    """The answer to one add-checkpoint request (commits what it keeps).

    200: the checkpoint is consistent with what we hold (or the first of its log); the body is
    this installation's signature line over the checkpoint's text — a cosignature in the sense of
    c2sp.org/signed-note (a second signature on the same note), not the timestamped cosignature/v1
    of c2sp.org/tlog-cosignature. 400: malformed. 403: not signed by a key we witness for.
    409: `old` is not the size we hold (the body says which). 422: the proof does not hold."""
    try:
        request = AddCheckpoint.parse(body)
        Checkpoint.parse(split(request.note)[0])
    except (RequestError, NoteError) as error:
        return Answer(400, f"{error}\n")
    checkpoint = _signed_by_a_witnessed_key(request.note)
    if checkpoint is None:
        return Answer(403, "the checkpoint is not signed by a key this installation witnesses\n")
    if request.old_size > checkpoint.size:
        return Answer(400, f"old size {request.old_size} is larger than the checkpoint's {checkpoint.size}\n")
    held = newest_held(checkpoint.origin)
    held_size = held.size if held is not None else 0
    if request.old_size != held_size:
        return Answer(409, f"{held_size}\n", SIZE_TYPE)
    held_root = bytes.fromhex(held.root) if held is not None else merkle.EMPTY_ROOT
    try:
        merkle.verify_consistency(held_size, checkpoint.size, held_root, checkpoint.root, request.proof)
    except merkle.ProofError as error:
        logger.error(
            "WITNESS REFUSED a checkpoint of %s: it is not consistent with the checkpoint of size %s held "
            "since %s (%s): the log was forked or rewritten.\nHeld:\n%s\nPresented:\n%s",
            checkpoint.origin,
            held_size,
            held.received_at if held is not None else "-",
            error,
            held.note if held is not None else "-",
            request.note,
        )
        return Answer(
            422,
            f"not consistent with the checkpoint of size {held_size} this witness holds: {error}; "
            "the log was forked or rewritten\n",
        )
    if held is None or held.size != checkpoint.size:
        db.session.add(
            WitnessedCheckpoint(
                origin=checkpoint.origin,
                size=checkpoint.size,
                root=checkpoint.root.hex(),
                note=request.note,
                received_at=now or utcnow(),
            )
        )
        try:
            db.session.commit()
        except IntegrityError:  # another request stored this size first: start again from ours
            db.session.rollback()
            newest = newest_held(checkpoint.origin)
            return Answer(409, f"{newest.size if newest is not None else 0}\n", SIZE_TYPE)
    return Answer(200, keys.signer().signature_line(checkpoint.text()))
