"""The audit of the sealed record (`flask journal verify`): everything the record promises, checked
in one consistent snapshot of the database, every break reported with the letter's number, and no
row able to crash it.

- **Full** (`full=True`): every log's tree recomputed from all its entries and held to every
  checkpoint (stored, or presented by a witness), every entry against its row, every letter's own
  journal (verify_letter), every sealed row in the record, registration numbers gap-free, stored
  files re-hashed (all or a sample).
- **Incremental** (the default): only what changed since the last intact check (JournalCheck.
  verified_size): the tree is resumed from the stored subtrees at that size — which must give the
  root of the checkpoint signed then, and be consistent (RFC 6962 proof) with the tree now — and
  the entries from that size on are checked with the letters they belong to.
Both record a JournalCheck and, when intact, sign a checkpoint of exactly the size they verified.
The snapshot: PostgreSQL REPEATABLE READ, READ ONLY; SQLite one read transaction (BEGIN).
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from ...extensions import db
from ...models import Akimat, Event, JournalCheck, Letter, RecordLog, SignedCheckpoint
from ...models._common import utcnow
from ..journal import Break
from . import audit_rows, keys, log, merkle
from .audit_tree import (
    Presented,
    PublishedLeaves,
    Tree,
    compact_at,
    integrated_entries,
    pending_entries,
    read_note,
    stored_checkpoints,
)
from .note import Verifier


@dataclass
class LogAudit:
    origin: str
    akimat_id: int | None
    start: int  # the size it resumed from (0: from the first entry)
    full: bool = False  # every letter checked (asked for, or nothing to resume from)
    size: int = 0  # the size verified
    root: bytes = merkle.EMPTY_ROOT
    letters: int = 0
    events: int = 0
    entries: int = 0
    files: int = 0
    through_event_id: int = 0
    breaks: list[Break] = field(default_factory=list)

    def report(self, number: str | None, problem: str, seq: int | None = None, letter_id: int | None = None) -> None:
        self.breaks.append(Break(letter_id, number or "", seq, problem))


@dataclass
class Audit:
    full: bool
    logs: list[LogAudit] = field(default_factory=list)
    general: list[Break] = field(default_factory=list)  # presented checkpoints that fail on their own
    seconds: float = 0.0

    @property
    def breaks(self) -> list[Break]:
        return [*self.general, *(b for one in self.logs for b in one.breaks)]

    @property
    def letters(self) -> int:
        return sum(one.letters for one in self.logs)

    @property
    def events(self) -> int:
        return sum(one.events for one in self.logs)

    @property
    def intact(self) -> bool:
        return not self.breaks


@contextmanager
def snapshot() -> Iterator[None]:
    """One consistent, read-only view of the database for the whole audit (rolled back after)."""
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        connection = db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
    else:  # pysqlite begins no transaction for reads: without BEGIN every query sees its own moment
        db.session.connection().exec_driver_sql("BEGIN")
    try:
        yield
    finally:
        db.session.rollback()


def run(
    akimats: list[Akimat],
    *,
    platform: bool = False,
    full: bool = False,
    notes: Sequence[tuple[str, str]] = (),  # (label, text) of each checkpoint a witness presents
    files: str = "none",
    sample: int = 20,
    batch: int = 2000,
    now: datetime | None = None,
    record: bool = True,
) -> Audit:
    """Audits the akimats' logs (and the platform's), then records each check (committed)."""
    started, clock = utcnow(), time.perf_counter()
    verifier = keys.verifier()
    result = Audit(full=full)
    presented = _presented(notes, verifier, result)
    targets = [(akimat.id, log.origin_for(akimat)) for akimat in akimats] + (
        [(None, log.origin_for(None))] if platform else []
    )
    with snapshot():
        for akimat_id, origin in targets:
            one = _audit_log(
                akimat_id, origin, full, presented.get(origin, []), files, sample, batch, now or utcnow(), verifier
            )
            result.logs.append(one)
    result.seconds = time.perf_counter() - clock
    if record:
        _record(result, started)
    return result


def _presented(notes, verifier: Verifier, result: Audit) -> dict[str, list[Presented]]:
    by_origin: dict[str, list[Presented]] = {}
    for label, text in notes:
        checkpoint = read_note(text, verifier, None, label, lambda n, p: result.general.append(Break(None, n, None, p)))
        if checkpoint is not None:
            by_origin.setdefault(checkpoint.origin, []).append(Presented(checkpoint.size, checkpoint.root, label))
    return by_origin


def _audit_log(akimat_id, origin, full, presented, files, sample, batch, now, verifier) -> LogAudit:
    record_log = db.session.scalar(select(RecordLog).where(RecordLog.origin == origin))
    one = LogAudit(origin, akimat_id, 0)
    akimat = db.session.get(Akimat, akimat_id) if akimat_id is not None else None
    log_id = record_log.id if record_log is not None else -1
    start, anchor = (0, None) if full else _resume_point(akimat_id, log_id, verifier, one)
    one.start = start
    full = one.full = full or start == 0
    nodes = log.StoredNodes(log_id)
    try:
        compact = compact_at(nodes, start)
    except LookupError as error:
        one.report("", f"the stored subtrees at size {start} are not all there ({error}): run a full audit")
        start, anchor, compact = 0, None, []
        one.start, full, one.full = 0, True, True
    checkpoints = heapq.merge(
        stored_checkpoints(log_id, origin, verifier, one.report, start),
        sorted((p for p in presented if p.size >= start), key=lambda p: p.size),
        key=lambda p: p.size,
    )
    published = PublishedLeaves(_publish_dir() / origin.rsplit("/", 1)[-1])
    tree = Tree(log_id, one.report, checkpoints, published if published.exists() else None, start, compact, start)
    letter_ids: set[int] = set()
    max_delay = current_app.config.get("RECORD_MAX_DELAY", 60)
    for entries in integrated_entries(log_id, start, batch, one.report):
        tree.add(entries)
        one.entries += len(entries)
        found = audit_rows.check_entries(entries, one.report, now, max_delay)
        if not full:
            letter_ids |= found
    for entries in pending_entries(log_id, batch):
        one.entries += len(entries)
        found = audit_rows.check_entries(entries, one.report, now, max_delay)
        if not full:
            letter_ids |= found
    tree.finish()
    one.size, one.root = tree.size, tree.root()
    _agrees(record_log, tree, one)
    for checkpoint in [*(p for p in presented if p.size < start), *([anchor] if anchor else [])]:
        _consistent(log_id, checkpoint, tree, one)
    if akimat is not None:
        _letters(akimat.id, sorted(letter_ids), full, batch, one)
        audit_rows.registration_numbers(akimat, one.report)
        one.through_event_id = db.session.scalar(select(func.max(Event.id)).where(Event.akimat_id == akimat.id)) or 0
        if files != "none" or full:
            one.files = audit_rows.stored_files(akimat.id, files if files != "none" else "sample", sample, one.report)
    since = {} if start == 0 else audit_rows.sealed_through(log_id, start)
    audit_rows.unsealed_rows(akimat_id, since, one.report)
    audit_rows.letters_gone(log_id, one.report, start)
    return one


def _resume_point(akimat_id, log_id, verifier, one: LogAudit) -> tuple[int, Presented | None]:
    """The size the last check verified, and its signed checkpoint (0: start afresh). After a
    check that found breaks everything is audited again, until a check finds none: a break stays
    reported until it is dealt with, not only in the run that first saw it."""
    if akimat_id is None:
        return 0, None
    check = db.session.scalar(
        select(JournalCheck)
        .where(JournalCheck.akimat_id == akimat_id)
        .order_by(JournalCheck.finished_at.desc(), JournalCheck.id.desc())
        .limit(1)
    )
    if check is None or check.breaks or not check.verified_size:
        return 0, None
    size = check.verified_size
    note = db.session.scalar(
        select(SignedCheckpoint.note).where(SignedCheckpoint.log_id == log_id, SignedCheckpoint.size == size)
    )
    if note is None:
        one.report("", f"the checkpoint of size {size}, verified by the last check, is gone: audited from the start")
        return 0, None
    checkpoint = read_note(note, verifier, one.origin, f"checkpoint {size} of the last check", one.report)
    if checkpoint is None or checkpoint.size != size:
        return 0, None
    return size, Presented(size, checkpoint.root, f"the checkpoint of size {size} verified by the last check")


def _agrees(record_log: RecordLog | None, tree: Tree, one: LogAudit) -> None:
    if record_log is None:
        return
    compact = [[height, value.hex()] for height, value in tree.compact]
    if record_log.size != tree.size:
        one.report("", f"the log says {record_log.size} entries, the recomputed tree has {tree.size}")
    if record_log.root != tree.root().hex():
        one.report("", "the log's stored root differs from the recomputed tree's")
    if (record_log.compact or []) != compact:
        one.report("", "the log's stored compact range differs from the recomputed tree's")


def _consistent(log_id: int, checkpoint: Presented, tree: Tree, one: LogAudit) -> None:
    """RFC 6962 consistency of an older checkpoint with the tree now, from the stored subtrees."""
    if checkpoint.size > tree.size:
        return  # reported by the tree as a shrunk log
    try:
        proof = log.consistency(log_id, checkpoint.size, tree.size)
        merkle.verify_consistency(checkpoint.size, tree.size, checkpoint.root, tree.root(), proof)
    except (LookupError, merkle.ProofError) as error:
        one.report("", f"{checkpoint.label} is not consistent with the tree of {tree.size} entries ({error})")


def _letters(akimat_id: int, letter_ids: list[int], full: bool, batch: int, one: LogAudit) -> None:
    if full:
        last = 0
        while True:
            ids = list(
                db.session.scalars(
                    select(Letter.id)
                    .where(Letter.akimat_id == akimat_id, Letter.id > last)
                    .order_by(Letter.id)
                    .limit(batch)
                )
            )
            if not ids:
                return
            _count(one, audit_rows.check_letters(ids, one.report))
            last = ids[-1]
    for at in range(0, len(letter_ids), batch):
        _count(one, audit_rows.check_letters(letter_ids[at : at + batch], one.report))


def _count(one: LogAudit, counted: tuple[int, int]) -> None:
    one.letters += counted[0]
    one.events += counted[1]


def _publish_dir() -> Path:
    configured = current_app.config.get("RECORD_PUBLISH_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "record"


def _record(result: Audit, started: datetime) -> None:
    """A JournalCheck per akimat, and a checkpoint of the size verified where none was signed."""
    finished = utcnow()
    for one in result.logs:
        record_log = db.session.scalar(select(RecordLog).where(RecordLog.origin == one.origin))
        if not one.breaks and not result.general and record_log is not None:
            verified = RecordLog(id=record_log.id, origin=one.origin, size=one.size, root=one.root.hex())
            log.sign_checkpoint(verified)  # a transient stand-in: the log row itself may have grown since
        if one.akimat_id is None:
            continue
        db.session.add(
            JournalCheck(
                akimat_id=one.akimat_id,
                started_at=started,
                finished_at=finished,
                through_event_id=one.through_event_id,
                letters=one.letters,
                events=one.events,
                breaks=[
                    {"number": b.number, "seq": b.seq, "problem": b.problem} for b in [*result.general, *one.breaks]
                ],
                verified_size=one.size,
                full=one.full,
                seconds=result.seconds,
            )
        )
    db.session.commit()
