"""The audit of one log's tree: the entries' places gap-free, the tree recomputed from their
commitments (streamed, a batch at a time), and every signed checkpoint — stored, or kept by a
witness and presented — matched against the recomputed root at its size.

A database owner can rewrite an event, recompute its chain, its commitment (the nonce is in the
row), the stored subtrees and the log's root, and delete the checkpoints the database holds. What
they cannot do is sign: a checkpoint that left the installation keeps the old root, and the
recomputed tree disagrees with it at its size. The entries between the last checkpoint that
matches and the first that does not are where the rewrite is; published tiles (tiles.py) hold
every leaf hash as it was, which names the very entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from ...extensions import db
from ...models import LogEntry, SignedCheckpoint
from . import merkle, tiles
from .note import Checkpoint, NoteError, Verifier, open_checkpoint


@dataclass(frozen=True)
class Presented:
    """A checkpoint to hold the log to: its size and root, and where it came from (for the report)."""

    size: int
    root: bytes
    label: str


Report = Callable[[str, str], None]  # (letter number or "", problem)


def stored_checkpoints(log_id: int, origin: str, verifier: Verifier, report: Report, start: int = 0):
    """The log's signed checkpoints from `start` up, in size order, read a batch at a time; each
    signature verified and the note's size and root taken as the truth (the row's columns can lie)."""
    last = start - 1
    while True:
        rows = db.session.execute(
            select(SignedCheckpoint.size, SignedCheckpoint.note)
            .where(SignedCheckpoint.log_id == log_id, SignedCheckpoint.size > last)
            .order_by(SignedCheckpoint.size)
            .limit(1000)
        ).all()
        if not rows:
            return
        for size, note in rows:
            checkpoint = read_note(note or "", verifier, origin, f"stored checkpoint {size}", report)
            if checkpoint is not None:
                if checkpoint.size != size:
                    report("", f"stored checkpoint {size} holds a note of size {checkpoint.size}")
                yield Presented(checkpoint.size, checkpoint.root, f"stored checkpoint {checkpoint.size}")
        last = rows[-1][0]


def read_note(note: str, verifier: Verifier, origin: str | None, label: str, report: Report) -> Checkpoint | None:
    try:
        return open_checkpoint(note, verifier, origin)
    except NoteError as error:
        report("", f"{label}: the signature does not verify or the note is malformed ({error})")
        return None


class PublishedLeaves:
    """The leaf hashes of a log as published in C2SP level-0 tiles, if they are there."""

    def __init__(self, folder: Path):
        self.folder = folder / "tile" / "0"
        self.tile: tuple[int, list[bytes]] | None = None

    def exists(self) -> bool:
        return self.folder.is_dir()

    def leaf(self, index: int) -> bytes | None:
        n, offset = divmod(index, tiles.TILE_WIDTH)
        if self.tile is None or self.tile[0] != n:
            self.tile = (n, self._read(n))
        hashes = self.tile[1]
        return hashes[offset] if offset < len(hashes) else None

    def _read(self, n: int) -> list[bytes]:
        path = self.folder / tiles.encode_index(n)
        candidates = [path] if path.is_file() else []
        partial = path.parent / f"{path.name}.p"
        if not candidates and partial.is_dir():
            widths = sorted((int(p.name) for p in partial.iterdir() if p.name.isdigit()), reverse=True)
            candidates = [partial / str(w) for w in widths[:1]]
        for candidate in candidates:
            try:
                return tiles.split_tile(candidate.read_bytes())
            except (OSError, ValueError):
                return []
        return []


@dataclass
class Entry:
    id: int
    log_index: int | None
    source: str
    source_id: int
    letter_id: int | None
    letter_number: str | None
    nonce: str
    commitment: str
    created_at: object


ENTRY_COLUMNS = [
    LogEntry.id,
    LogEntry.log_index,
    LogEntry.source,
    LogEntry.source_id,
    LogEntry.letter_id,
    LogEntry.letter_number,
    LogEntry.nonce,
    LogEntry.commitment,
    LogEntry.created_at,
]


def integrated_entries(log_id: int, start: int, batch: int, report: Report) -> Iterator[list[Entry]]:
    """The log's entries from place `start` on, in order of place, a batch at a time."""
    last = start - 1
    while True:
        try:
            rows = db.session.execute(
                select(*ENTRY_COLUMNS)
                .where(LogEntry.log_id == log_id, LogEntry.log_index > last)
                .order_by(LogEntry.log_index)
                .limit(batch)
            ).all()
        except Exception as error:  # noqa: BLE001 - reported, and the stream stops where it could not read
            report("", f"the entries after place {last} cannot be read ({type(error).__name__}: {error})")
            return
        if not rows:
            return
        yield [Entry(*row) for row in rows]
        last = rows[-1].log_index


def pending_entries(log_id: int, batch: int) -> Iterator[list[Entry]]:
    last = 0
    while True:
        rows = db.session.execute(
            select(*ENTRY_COLUMNS)
            .where(LogEntry.log_id == log_id, LogEntry.log_index.is_(None), LogEntry.id > last)
            .order_by(LogEntry.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield [Entry(*row) for row in rows]
        last = rows[-1].id


def leaf_of(entry: Entry, report: Report) -> bytes:
    try:
        value = bytes.fromhex(entry.commitment or "")
    except ValueError:
        value = b""
    if len(value) != 32:
        report(entry.letter_number or "", f"entry {entry.log_index}: its commitment is not a hash")
        return bytes(32)
    return value


@dataclass
class Tree:
    """The tree recomputed as entries arrive, checked against each checkpoint as its size is reached."""

    log_id: int
    report: Report
    checkpoints: Iterator[Presented]
    published: PublishedLeaves | None = None
    size: int = 0  # leaves appended
    compact: merkle.Compact = field(default_factory=list)
    present: int = 0  # the highest place seen + 1
    last_match: int = 0
    first_mismatch: Presented | None = None
    pending_checkpoint: Presented | None = None
    unreached: list[Presented] = field(default_factory=list)
    last_number: str | None = None  # the letter of the last entry seen, to say where entries are missing

    def __post_init__(self) -> None:
        self.pending_checkpoint = next(self.checkpoints, None)
        self._compare()

    def add(self, entries: list[Entry]) -> None:
        for entry in entries:
            place = entry.log_index if entry.log_index is not None else self.present
            if place > self.present:
                missing = (
                    f"entry {self.present}" if place == self.present + 1 else f"entries {self.present} to {place - 1}"
                )
                around = f"after {self.last_number or 'the first'}, before {entry.letter_number or entry.source}"
                self.report("", f"{missing} missing ({around})")
            self.last_number = entry.letter_number or self.last_number
            self.present = place + 1
            leaf = leaf_of(entry, self.report)
            if self.published is not None:
                published = self.published.leaf(place)
                if published is not None and published != leaf:
                    self.report(
                        entry.letter_number or "",
                        f"entry {place} was re-sealed: its leaf differs from the published tile "
                        f"({entry.source} {entry.source_id})",
                    )
            merkle.append(self.compact, leaf)
            self.size += 1
            self._compare()

    def _compare(self) -> None:
        while self.pending_checkpoint is not None and self.pending_checkpoint.size <= self.size:
            checkpoint = self.pending_checkpoint
            if checkpoint.size < self.size:  # a size skipped over (entries missing): not recomputable
                self.unreached.append(checkpoint)
            elif merkle.compact_root(self.compact) == checkpoint.root:
                if self.first_mismatch is None:
                    self.last_match = checkpoint.size
            else:
                self._differs(checkpoint, f"the tree of {checkpoint.size} entries differs from {checkpoint.label}")
            self.pending_checkpoint = next(self.checkpoints, None)

    def _differs(self, checkpoint: Presented, problem: str) -> None:
        self.report("", problem)
        if self.first_mismatch is None:
            self.first_mismatch = checkpoint

    def root(self) -> bytes:
        return merkle.compact_root(self.compact)

    def finish(self) -> None:
        """The checkpoints beyond the entries present: the log has shrunk; then where it differs."""
        rest = [*self.unreached]
        while self.pending_checkpoint is not None:
            rest.append(self.pending_checkpoint)
            self.pending_checkpoint = next(self.checkpoints, None)
        shrunk = [c for c in rest if c.size > self.present]
        if shrunk:
            largest = max(shrunk, key=lambda c: c.size)
            newest = self._newest_letter()
            self.report(
                newest or "",
                f"the log has shrunk: {largest.label} has {largest.size} entries, {self.present} are left "
                f"({largest.size - self.present} missing); the newest letter left is {newest or 'none'}",
            )
        for checkpoint in rest:
            if checkpoint.size <= self.present:
                self._differs(
                    checkpoint, f"the tree of {checkpoint.size} entries cannot be recomputed (entries missing)"
                )
        if self.first_mismatch is not None and self.first_mismatch.size <= self.present:
            self._narrow(self.last_match, self.first_mismatch)

    def _newest_letter(self) -> str | None:
        return db.session.scalar(
            select(LogEntry.letter_number)
            .where(LogEntry.log_id == self.log_id, LogEntry.letter_number.is_not(None), LogEntry.log_index.is_not(None))
            .order_by(LogEntry.log_index.desc())
            .limit(1)
        )

    def _narrow(self, start: int, checkpoint: Presented) -> None:
        numbers: list[str] = sorted(
            set(
                db.session.scalars(
                    select(LogEntry.letter_number).where(
                        LogEntry.log_id == self.log_id,
                        LogEntry.log_index >= start,
                        LogEntry.log_index < checkpoint.size,
                        LogEntry.letter_number.is_not(None),
                    )
                )
            )
        )
        shown = ", ".join(numbers[:20]) + (f" and {len(numbers) - 20} more" if len(numbers) > 20 else "")
        self.report(
            numbers[0] if len(numbers) == 1 else "",
            f"changed among entries {start} to {checkpoint.size - 1} (between the last checkpoint that "
            f"matches and {checkpoint.label}): letters {shown or 'none'}",
        )


def compact_at(node: merkle.NodeReader, size: int) -> merkle.Compact:
    """The compact range of the first `size` leaves, from stored complete subtrees."""
    compact: merkle.Compact = []
    start = 0
    for height in range(size.bit_length() - 1, -1, -1):
        if size & (1 << height):
            compact.append((height, merkle.subtree_root(node, start, start + (1 << height))))
            start += 1 << height
    return compact
