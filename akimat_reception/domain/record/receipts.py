"""A resident's receipt from the sealed record: the letter's entries (its public events and its
files) with the content each commits to, the latest signed checkpoint of the akimat's log, and,
for every entry already integrated, its inclusion proof in that checkpoint's tree. With the
installation's verifier key it is everything an offline check needs (templates/record/verify.html,
`akimat-verify receipt`): nothing is taken on the server's word.

The content is recomputed from the rows as they are now (content.py). When it no longer hashes to
the commitment sealed at the time, the entry says so (`mismatch`) and keeps the recomputed text:
the receipt then fails to verify, as it must — a rewritten letter is shown, never hidden.

A constant number of queries whatever the letter's length: the entries, the events, the files, the
answers, the log and its checkpoint, and the proofs' nodes (BatchNodes: two queries for all proofs).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy import Text, and_, or_, select, type_coerce

from ...domain.events import PUBLIC_KINDS
from ...extensions import db
from ...models import Answer, Attachment, Event, Letter, LogEntry, RecordLog, SignedCheckpoint, TreeNode
from . import content as sealed
from . import keys, merkle
from .log import fold, latest_checkpoint, stored_span

FORMAT = "akimat-reception-receipt/1"
SOURCES = (sealed.Source.EVENT.value, sealed.Source.ATTACHMENT.value)
PUBLIC = frozenset(kind.value for kind in PUBLIC_KINDS)
MISSING_ROW = "the row this entry seals is missing from the database"
UNREADABLE_ROW = "the row this entry seals can no longer be read (its payload is not JSON)"
EVENT_COLUMNS = (
    "id",
    "akimat_id",
    "letter_id",
    "seq",
    "kind",
    "actor_id",
    "actor_role",
    "created_at",
    "prev_hash",
    "hash",
)
CHANGED_ROW = "the row no longer matches what was sealed: it was changed after it was recorded"


class BatchNodes:
    """A merkle.NodeReader over one log that reads every node a set of proofs needs in two queries:
    the proofs are first walked with `plan` (which only records the nodes asked for), then `load`
    fetches the stored leaves and subtrees those nodes are made of, then the proofs are computed."""

    def __init__(self, log_id: int):
        self.log_id = log_id
        self.wanted: set[tuple[int, int]] = set()
        self.stored: dict[tuple[int, int], bytes] = {}

    def plan(self, height: int, index: int) -> bytes:
        self.wanted.add((height, index))
        return merkle.EMPTY_ROOT  # any value: the shape of a proof does not depend on the hashes

    def _bases(self) -> dict[int, set[int]]:
        bases: dict[int, set[int]] = defaultdict(set)
        for height, index in self.wanted:
            base, first, end = stored_span(height, index)
            bases[base].update(range(first, end))
        return bases

    def load(self) -> None:
        bases = self._bases()
        leaves = bases.pop(0, set())
        if leaves:
            rows = db.session.execute(
                select(LogEntry.log_index, LogEntry.commitment).where(
                    LogEntry.log_id == self.log_id, LogEntry.log_index.in_(sorted(leaves))
                )
            )
            self.stored.update({(0, index): bytes.fromhex(value) for index, value in rows})
        if bases:
            rows = db.session.execute(
                select(TreeNode.height, TreeNode.index, TreeNode.hash).where(
                    TreeNode.log_id == self.log_id,
                    or_(*(and_(TreeNode.height == h, TreeNode.index.in_(sorted(i))) for h, i in bases.items())),
                )
            )
            self.stored.update({(height, index): bytes.fromhex(value) for height, index, value in rows})

    def __call__(self, height: int, index: int) -> bytes:
        base, first, end = stored_span(height, index)
        try:
            values = [self.stored[(base, i)] for i in range(first, end)]
        except KeyError:
            raise LookupError(f"subtree ({height}, {index}) of log {self.log_id} is not all there") from None
        return fold(values)


def proofs(log_id: int, indices: list[int], size: int) -> dict[int, list[bytes] | None]:
    """The inclusion proof of each leaf index in the tree of `size`, in two queries; None for a leaf
    whose proof cannot be made (a missing stored node: the audit reports it)."""
    indices = [i for i in indices if 0 <= i < size]
    nodes = BatchNodes(log_id)
    for index in indices:
        merkle.inclusion_proof(nodes.plan, index, size)
    nodes.load()
    found: dict[int, list[bytes] | None] = {}
    for index in indices:
        try:
            found[index] = merkle.inclusion_proof(nodes, index, size)
        except LookupError:
            found[index] = None
    return found


def _letter_log(letter: Letter) -> RecordLog | None:
    return db.session.scalar(select(RecordLog).where(RecordLog.akimat_id == letter.akimat_id))


def _entries(letter: Letter, log: RecordLog) -> list[LogEntry]:
    return list(
        db.session.scalars(
            select(LogEntry)
            .where(LogEntry.log_id == log.id, LogEntry.letter_id == letter.id, LogEntry.source.in_(SOURCES))
            .order_by(LogEntry.id)
        )
    )


UNREADABLE = object()  # a payload that is no longer JSON (rewritten behind the application)


def _events(letter: Letter) -> dict[int, SimpleNamespace]:
    """The letter's events as plain rows, the payload parsed here: a payload rewritten into something
    that is not JSON is reported in its entry, not a crash of the resident's download."""
    columns = [getattr(Event, name) for name in EVENT_COLUMNS]
    rows = db.session.execute(
        select(*columns, type_coerce(Event.payload, Text).label("payload")).where(Event.letter_id == letter.id)
    )
    events = {}
    for row in rows:
        event = SimpleNamespace(**row._asdict())
        try:
            # PostgreSQL's driver hands a json column over parsed; SQLite's is the stored text.
            if isinstance(event.payload, str):
                event.payload = json.loads(event.payload)
        except ValueError:
            event.payload = UNREADABLE
        events[event.id] = event
    return events


def _recomputed(letter: Letter, entries: list[LogEntry]) -> dict[tuple[str, int], tuple[str | None, str | None]]:
    """(source, source_id) -> (kind, canonical content text), from the rows as they are now."""
    events = _events(letter)
    files = {a.id: a for a in db.session.scalars(select(Attachment).where(Attachment.letter_id == letter.id))}
    answers = {a.id: a for a in db.session.scalars(select(Answer).where(Answer.letter_id == letter.id))}
    found: dict[tuple[str, int], tuple[str | None, str | None]] = {}
    for entry in entries:
        key = (entry.source, entry.source_id)
        if entry.source == sealed.Source.EVENT.value:
            event = events.get(entry.source_id)
            if event is None or event.payload is UNREADABLE:
                found[key] = (None if event is None else event.kind, None)
                continue
            answer_id = (event.payload or {}).get("answer_id") if event.kind == "answer_sent" else None
            answer = answers.get(answer_id) if isinstance(answer_id, int) else None
            text = sealed.canonical(sealed.event_content(event, letter, answer)).decode()
            found[key] = (event.kind, text)
        else:
            attachment = files.get(entry.source_id)
            if attachment is None:
                found[key] = (None, None)
                continue
            found[key] = ("file", sealed.canonical(sealed.attachment_content(attachment, letter.number)).decode())
    return found


def _entry(entry: LogEntry, kind: str | None, text: str | None, proof: list[bytes] | None) -> dict[str, Any]:
    described: dict[str, Any] = {
        "source": entry.source,
        "kind": kind,
        "nonce": entry.nonce,
        "content": text,
        "leaf_hash": entry.commitment,
        "log_index": entry.log_index,
        "proof": merkle.hexes(proof) if proof is not None else None,
    }
    if text is None:
        described["mismatch"] = MISSING_ROW if kind is None else UNREADABLE_ROW
    elif merkle.leaf_hash(bytes.fromhex(entry.nonce) + text.encode()).hex() != entry.commitment:
        described["mismatch"] = CHANGED_ROW
    return described


def receipt_for(letter: Letter) -> dict[str, Any]:
    """The Receipt JSON of the letter (format in docs/record.md): only for the letter's resident."""
    log = _letter_log(letter)
    checkpoint = latest_checkpoint(log.id) if log is not None else None
    entries = _entries(letter, log) if log is not None else []
    recomputed = _recomputed(letter, entries)
    # A file, a public event, or an entry whose row is gone (its kind unknown: shown, not hidden).
    shown = [e for e in entries if recomputed[(e.source, e.source_id)][0] in PUBLIC | {"file", None}]
    size = checkpoint.size if checkpoint is not None else 0
    found = proofs(log.id, [e.log_index for e in shown if e.log_index is not None], size) if log is not None else {}
    return {
        "format": FORMAT,
        "origin": log.origin if log is not None else None,
        "number": letter.number,
        "key": keys.verifier().encode(),
        "checkpoint": checkpoint.note if checkpoint is not None else None,
        "entries": [
            _entry(e, *recomputed[(e.source, e.source_id)], found.get(e.log_index) if e.log_index is not None else None)
            for e in shown
        ],
    }


# --- what the pages and the email show ---------------------------------------------------------


@dataclass(frozen=True)
class RecordSummary:
    """The letter's place in the record, as the receipt and tracking pages show it."""

    leaf_hash: str | None  # the submitted event's entry
    integrated: bool  # in the latest signed checkpoint
    checkpoint_size: int | None
    checkpoint_at: datetime | None
    checkpoint_note: str | None
    max_delay_minutes: int


def max_delay_minutes() -> int:
    return max(1, math.ceil(current_app.config["RECORD_MAX_DELAY"] / 60))


def summary(letter: Letter) -> RecordSummary:
    """Three queries: the log, the submitted event's entry, the latest checkpoint."""
    log = _letter_log(letter)
    entry = None
    checkpoint: SignedCheckpoint | None = None
    if log is not None:
        entry = db.session.scalar(
            select(LogEntry)
            .join(Event, and_(Event.id == LogEntry.source_id, LogEntry.source == sealed.Source.EVENT.value))
            .where(LogEntry.log_id == log.id, LogEntry.letter_id == letter.id, Event.kind == "submitted")
            .order_by(LogEntry.id)
            .limit(1)
        )
        checkpoint = latest_checkpoint(log.id)
    integrated = bool(entry and entry.log_index is not None and checkpoint and entry.log_index < checkpoint.size)
    return RecordSummary(
        leaf_hash=entry.commitment if entry is not None else None,
        integrated=integrated,
        checkpoint_size=checkpoint.size if checkpoint is not None else None,
        checkpoint_at=checkpoint.signed_at if checkpoint is not None else None,
        checkpoint_note=checkpoint.note if checkpoint is not None else None,
        max_delay_minutes=max_delay_minutes(),
    )
