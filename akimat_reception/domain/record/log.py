"""Writing the sealed record: every row of the record gets its entry in its own transaction, and the
worker integrates the entries into each log's Merkle tree and signs a checkpoint.

- **Sealing** (`_seal_new_rows`): when a transaction commits, each event, attachment, personal-data
  access, administrative change and phone check it added gets a LogEntry in the same commit: a fresh
  nonce and the commitment to the row's canonical content (content.py). Nothing is locked but what
  the transaction already holds: requests never wait for each other on the log.
- **Integration** (`integrate`): the worker, holding the log's row lock, gives the waiting entries
  their places (log_index), in the order written, appending them to the stored compact range — no
  rebuild; it keeps every complete subtree of a height divisible by 8, then signs a checkpoint.
  The merge delay is RECORD_INTEGRATE_EVERY; what is promised is RECORD_MAX_DELAY.
- **Proofs** (`inclusion`, `consistency`): from the entries' leaf hashes and the stored subtrees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import (
    AdminEvent,
    Akimat,
    Answer,
    Attachment,
    Event,
    Letter,
    LogEntry,
    PersonalDataAccess,
    PhoneCheck,
    RecordLog,
    SignedCheckpoint,
    TreeNode,
)
from ...models._common import utcnow
from . import content as sealed
from . import keys, merkle
from .note import Checkpoint, signed_checkpoint

TILE_HEIGHT = 8  # subtrees of heights 8, 16, 24 ... are stored (C2SP tlog-tiles' rows)
PLATFORM = "platform"

# --- the logs --------------------------------------------------------------------------------


def origin_for(akimat: Akimat | None) -> str:
    base = current_app.config["RECORD_ORIGIN"]
    return f"{base}/{akimat.slug if akimat is not None else PLATFORM}"


def ensure_logs(akimat_ids: Iterable[int | None]) -> dict[int | None, int]:
    """The log id of each akimat (None: the platform), made if missing. Concurrent makers are safe:
    the insert does nothing on conflict and the select reads whichever row won."""
    wanted = set(akimat_ids)
    found = _log_ids(wanted)
    missing = wanted - set(found)
    if missing:
        insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        for akimat_id in missing:
            akimat = db.session.get(Akimat, akimat_id) if akimat_id is not None else None
            db.session.execute(
                insert(RecordLog)
                .values(
                    akimat_id=akimat_id, origin=origin_for(akimat), size=0, root=merkle.EMPTY_ROOT.hex(), compact=[]
                )
                .on_conflict_do_nothing()
            )
        found = _log_ids(wanted)
    return found


def _log_ids(akimat_ids: set[int | None]) -> dict[int | None, int]:
    ids = [a for a in akimat_ids if a is not None]
    stmt = select(RecordLog.akimat_id, RecordLog.id)
    if None in akimat_ids:
        stmt = stmt.where(RecordLog.akimat_id.in_(ids) | RecordLog.akimat_id.is_(None))
    else:
        stmt = stmt.where(RecordLog.akimat_id.in_(ids))
    return {akimat_id: log_id for akimat_id, log_id in db.session.execute(stmt)}


def log_of(akimat_id: int | None) -> RecordLog:
    log = db.session.get(RecordLog, ensure_logs([akimat_id])[akimat_id])
    assert log is not None
    return log


# --- sealing, in the writing transaction -------------------------------------------------------

SEALED_TYPES = (Event, Attachment, PersonalDataAccess, AdminEvent, PhoneCheck)
NEW_ROWS = "record_new_rows"  # session.info: the rows of the record flushed in this transaction


@sa_event.listens_for(Session, "after_flush")
def _collect_new_rows(session, flush_context) -> None:
    rows = [obj for obj in session.new if isinstance(obj, SEALED_TYPES)]
    if rows:
        session.info.setdefault(NEW_ROWS, []).extend(rows)


@sa_event.listens_for(Session, "after_rollback")
@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_new_rows(session, *args) -> None:
    session.info.pop(NEW_ROWS, None)


@sa_event.listens_for(Session, "before_commit")
def _seal_new_rows(session) -> None:
    seal_now(session)


def seal_now(session: Session) -> list[LogEntry]:
    """Seals, before the commit, the rows of the record this transaction added so far (their
    entries are written with the commit): for what must show an entry's leaf hash in the same
    transaction, such as the registration email. Rows added later are sealed at the commit."""
    session.flush()  # the rows still pending get their ids (and are collected)
    rows = session.info.pop(NEW_ROWS, None)
    if not rows:
        return []
    rows = [row for row in rows if row in session and row.id is not None]
    entries = entries_for(session, rows) if rows else []
    if entries:
        session.add_all(entries)
        session.flush()
        session.info.pop(NEW_ROWS, None)
    return entries


def entries_for(session: Session, rows: list) -> list[LogEntry]:
    """One LogEntry per row, committing to the row's content as it is now."""
    letters = {row.letter_id for row in rows if getattr(row, "letter_id", None) is not None}
    by_id = {letter.id: letter for letter in (session.get(Letter, i) for i in letters) if letter is not None}
    log_ids = ensure_logs({row.akimat_id for row in rows})
    entries = []
    for row in rows:
        letter_id = getattr(row, "letter_id", None)
        letter = by_id.get(letter_id) if letter_id is not None else None
        source, content = content_of(session, row, letter)
        nonce = sealed.new_nonce()
        entries.append(
            LogEntry(
                log_id=log_ids[row.akimat_id],
                source=source.value,
                source_id=row.id,
                letter_id=letter.id if letter is not None else None,
                letter_number=letter.number if letter is not None else None,
                nonce=nonce,
                commitment=sealed.commitment(nonce, content),
                created_at=utcnow(),
            )
        )
    return entries


def content_of(session: Session, row, letter: Letter | None) -> tuple[sealed.Source, dict]:
    if isinstance(row, Event):
        answer = None
        if row.kind == "answer_sent":
            answer = session.get(Answer, (row.payload or {}).get("answer_id"))
        return sealed.Source.EVENT, sealed.event_content(row, letter, answer)
    number = letter.number if letter is not None else None
    if isinstance(row, Attachment):
        return sealed.Source.ATTACHMENT, sealed.attachment_content(row, number)
    if isinstance(row, PersonalDataAccess):
        return sealed.Source.ACCESS, sealed.access_content(row, number)
    if isinstance(row, AdminEvent):
        return sealed.Source.ADMIN, sealed.admin_content(row)
    return sealed.Source.PHONE_CHECK, sealed.phone_check_content(row)


# --- integration, in the worker ----------------------------------------------------------------


def _compact(log: RecordLog) -> merkle.Compact:
    return [(height, bytes.fromhex(value)) for height, value in (log.compact or [])]


@dataclass
class Integrated:
    log_id: int
    origin: str
    added: int
    size: int
    checkpoint: SignedCheckpoint | None


def pending_logs() -> list[int]:
    return list(db.session.scalars(select(LogEntry.log_id).where(LogEntry.log_index.is_(None)).distinct()))


def integrate(log_id: int, limit: int = 100_000, now: datetime | None = None) -> Integrated:
    """Gives the log's waiting entries their places and signs a checkpoint of the new size (commits).
    One integrator per log at a time: the log's row is locked for the transaction."""
    log = db.session.execute(select(RecordLog).where(RecordLog.id == log_id).with_for_update()).scalar_one()
    waiting = db.session.execute(
        select(LogEntry.id, LogEntry.commitment)
        .where(LogEntry.log_id == log_id, LogEntry.log_index.is_(None))
        .order_by(LogEntry.id)
        .limit(limit)
    ).all()
    compact, size = _compact(log), log.size
    nodes: list[dict] = []

    def keep(height: int, index: int, value: bytes) -> None:
        if height % TILE_HEIGHT == 0:
            nodes.append({"log_id": log_id, "height": height, "index": index, "hash": value.hex()})

    places = []
    for entry_id, commitment in waiting:
        merkle.append(compact, bytes.fromhex(commitment), keep)
        places.append({"id": entry_id, "log_index": size})
        size += 1
    if places:
        db.session.execute(update(LogEntry), places)
    if nodes:
        db.session.execute(insert(TreeNode), nodes)
    log.size, log.root = size, merkle.compact_root(compact).hex()
    log.compact = [[height, value.hex()] for height, value in compact]
    log.integrated_at = now or utcnow()
    checkpoint = sign_checkpoint(log, now) if places or not _has_checkpoint(log) else None
    db.session.commit()
    return Integrated(log_id, log.origin, len(places), size, checkpoint)


def _has_checkpoint(log: RecordLog) -> bool:
    return db.session.scalar(select(SignedCheckpoint.id).where(SignedCheckpoint.log_id == log.id).limit(1)) is not None


def sign_checkpoint(log: RecordLog, now: datetime | None = None) -> SignedCheckpoint | None:
    """A signed checkpoint of the log as it stands (in the caller's transaction); the one already
    signed for this size if there is one."""
    existing = db.session.scalar(
        select(SignedCheckpoint).where(SignedCheckpoint.log_id == log.id, SignedCheckpoint.size == log.size)
    )
    if existing is not None:
        return existing
    signer = keys.signer()
    note = signed_checkpoint(Checkpoint(log.origin, log.size, bytes.fromhex(log.root)), signer)
    checkpoint = SignedCheckpoint(
        log_id=log.id,
        size=log.size,
        root=log.root,
        note=note,
        key_id=signer.verifier.id.hex(),
        signed_at=now or utcnow(),
    )
    db.session.add(checkpoint)
    return checkpoint


def integrate_all(limit: int = 100_000, now: datetime | None = None) -> list[Integrated]:
    """Every log with waiting entries, integrated (the worker's step, and `flask journal integrate`)."""
    return [integrate(log_id, limit, now) for log_id in pending_logs()]


def latest_checkpoint(log_id: int) -> SignedCheckpoint | None:
    return db.session.scalar(
        select(SignedCheckpoint)
        .where(SignedCheckpoint.log_id == log_id)
        .order_by(SignedCheckpoint.size.desc())
        .limit(1)
    )


# --- proofs ------------------------------------------------------------------------------------


def stored_span(height: int, index: int) -> tuple[int, int, int]:
    """The stored row a node is made of: (its height, first index, end index)."""
    base = height - height % TILE_HEIGHT
    span = 1 << (height - base)
    return base, index * span, (index + 1) * span


def fold(values: list[bytes]) -> bytes:
    """The root of a perfect subtree from its 2**k nodes of one row."""
    while len(values) > 1:
        values = [merkle.node_hash(values[i], values[i + 1]) for i in range(0, len(values), 2)]
    return values[0]


class StoredNodes:
    """A merkle.NodeReader over one log's stored leaves and subtrees: a node of height 8q + r is
    computed from 2**r stored nodes of height 8q (leaf hashes when q = 0), read in one query."""

    def __init__(self, log_id: int):
        self.log_id = log_id
        self.cache: dict[tuple[int, int], bytes] = {}

    def __call__(self, height: int, index: int) -> bytes:
        key = (height, index)
        if key not in self.cache:
            base, first, end = stored_span(height, index)
            values = self._row(base, first, end)
            if len(values) != end - first:
                raise LookupError(f"subtree ({height}, {index}) of log {self.log_id} is not all there")
            self.cache[key] = fold(values)
        return self.cache[key]

    def _row(self, height: int, start: int, end: int) -> list[bytes]:
        if height == 0:
            stmt = (
                select(LogEntry.commitment)
                .where(LogEntry.log_id == self.log_id, LogEntry.log_index >= start, LogEntry.log_index < end)
                .order_by(LogEntry.log_index)
            )
        else:
            stmt = (
                select(TreeNode.hash)
                .where(
                    TreeNode.log_id == self.log_id,
                    TreeNode.height == height,
                    TreeNode.index >= start,
                    TreeNode.index < end,
                )
                .order_by(TreeNode.index)
            )
        return [bytes.fromhex(value) for value in db.session.scalars(stmt)]


def inclusion(log_id: int, log_index: int, size: int) -> list[bytes]:
    return merkle.inclusion_proof(StoredNodes(log_id), log_index, size)


def consistency(log_id: int, old_size: int, new_size: int) -> list[bytes]:
    return merkle.consistency_proof(StoredNodes(log_id), old_size, new_size)


def root_at(log_id: int, size: int) -> bytes:
    return merkle.subtree_root(StoredNodes(log_id), 0, size)
