"""The bulk demo's sealed record: the rows the generator writes with COPY never pass through an ORM
session, so the sealing listener (domain/record/log.py) does not see them. The generator seals them
itself, as the listener would: one LogEntry per event and personal-data access, committing with
content.py's own functions to the values it inserts, and integrates them on the way, in one pass.

- The nonce derives from the seed and the row (`demo_nonce`), so that a rerun writes the same record.
  Only for demo databases: real nonces are random (content.new_nonce).
- Each entry gets its log_index as it is written: the compact range and the stored subtrees
  (heights 8, 16, ...) are kept in Python with merkle.append, exactly as log.integrate keeps them,
  and at the end each log gets its size, root and compact range and one signed checkpoint.
- The entries the ORM wrote before the load (the akimats' phone checks and administrative changes)
  are integrated first by log.integrate, so that the log's order stays the order of the entries' ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from ...domain.record import content as sealed
from ...domain.record import log as record_log
from ...domain.record import merkle
from ...extensions import db
from ...models import LetterChannel, RecordLog
from ...models._common import utcnow
from .tenant import EPOCH
from .writer import LOG_ENTRY_COLUMNS, Ids, Writer

TREE_NODE_COLUMNS = ["log_id", "height", "index", "hash"]

# The letter's frozen columns the generator does not write, as the database fills them.
UNWRITTEN_LETTER_COLUMNS = {
    "channel": LetterChannel.WEB,
    "sender_reference": None,
    "registered_by_id": None,
    "counts_from": None,
    "organisation_name": None,
    "organisation_bin": None,
    "signatory_position": None,
    "cosignatories": None,
}


def demo_nonce(seed: int, source: str, source_id: int) -> str:
    """The nonce of a bulk demo entry: 16 bytes keyed by the seed, so that reruns match."""
    key = f"akimat-demo-record-{seed}".encode()
    return hashlib.blake2b(f"{source}:{source_id}".encode(), key=key, digest_size=16).hexdigest()


def at(us: int):
    """A time of the generator (UTC microseconds) as the ORM reads it back: an aware datetime."""
    return EPOCH + timedelta(microseconds=us)


@dataclass
class OpenLog:
    """One log being written: its compact range and size as entries are appended."""

    id: int
    size: int
    compact: merkle.Compact
    nodes: list[tuple] = field(default_factory=list)

    def append(self, leaf: bytes) -> int:
        index = self.size
        merkle.append(self.compact, leaf, self._keep)
        self.size += 1
        return index

    def _keep(self, height: int, index: int, value: bytes) -> None:
        if height % record_log.TILE_HEIGHT == 0:
            self.nodes.append((self.id, height, index, value.hex()))


class Sealer:
    """Seals and integrates the rows of a load, log by log; `close()` signs the checkpoints."""

    def __init__(self, seed: int):
        self.seed = seed
        self.logs: dict[int, OpenLog] = {}
        self.entries = 0

    def open(self, akimat_ids: list[int]) -> None:
        """The akimats' logs, with what the ORM already wrote integrated (commits)."""
        log_ids = record_log.ensure_logs(akimat_ids)
        db.session.commit()
        for akimat_id in akimat_ids:
            record_log.integrate(log_ids[akimat_id])
        for akimat_id in akimat_ids:
            row = db.session.get(RecordLog, log_ids[akimat_id])
            assert row is not None
            self.logs[akimat_id] = OpenLog(row.id, row.size, record_log._compact(row))

    def seal(
        self,
        w: Writer,
        ids: Ids,
        source: sealed.Source,
        source_id: int,
        akimat_id: int,
        letter_id: int | None,
        number: str | None,
        content: dict[str, Any],
        created_us: int,
    ) -> None:
        log = self.logs[akimat_id]
        nonce = demo_nonce(self.seed, source.value, source_id)
        leaf = merkle.leaf_hash(bytes.fromhex(nonce) + sealed.canonical(content))
        index = log.append(leaf)
        row = (ids.take("log_entry"), log.id, index, source.value, source_id, letter_id, number, nonce, leaf.hex())
        w.add("log_entry", LOG_ENTRY_COLUMNS, (*row, w.ts(created_us)))
        self.entries += 1

    def flush_nodes(self, w: Writer) -> None:
        for log in self.logs.values():
            for node in log.nodes:
                w.add("tree_node", TREE_NODE_COLUMNS, node)
            log.nodes = []

    def close(self) -> None:
        """Each log's new size, root and compact range, and one signed checkpoint of it (commits)."""
        now = utcnow()
        for open_log in self.logs.values():
            row = db.session.get(RecordLog, open_log.id)
            assert row is not None
            row.size, row.root = open_log.size, merkle.compact_root(open_log.compact).hex()
            row.compact = [[height, value.hex()] for height, value in open_log.compact]
            row.integrated_at = now
            record_log.sign_checkpoint(row, now)
        db.session.commit()


# --- what each row commits to, from the values the generator inserts ------------------------------


def letter_view(letter_values: dict[str, Any]) -> SimpleNamespace:
    """The letter as the ORM would read it: the written frozen columns, and the database's defaults."""
    if not _checked:
        _check_letter_columns(set(letter_values))
    return SimpleNamespace(**UNWRITTEN_LETTER_COLUMNS, **letter_values)


def event_view(row: tuple, created_us: int, payload: dict) -> SimpleNamespace:
    """An event from its row (EVENT_COLUMNS order), with its time and payload as Python values."""
    event_id, akimat_id, letter_id, seq, kind, actor_id, actor_role = row[:7]
    return SimpleNamespace(
        id=event_id,
        akimat_id=akimat_id,
        letter_id=letter_id,
        seq=seq,
        kind=kind,
        actor_id=actor_id,
        actor_role=actor_role,
        created_at=at(created_us),
        payload=payload,
        prev_hash=row[9],
        hash=row[10],
    )


def answer_view(answer: list, sent_us: int) -> SimpleNamespace:
    """A sent answer from its row (writer.ANSWER_COLUMNS order)."""
    return SimpleNamespace(
        id=answer[0],
        letter_id=answer[1],
        author_id=answer[2],
        department_id=answer[3],
        language=answer[5],
        controlled_by_id=answer[8],
        decision=answer[12],
        body=answer[13],
        reasons=answer[14],
        legal_basis=answer[15],
        appeal_procedure=answer[16],
        sent_at=at(sent_us),
        signed_by_id=None,
        outgoing_number=None,
    )


def access_view(row: tuple, accessed_us: int) -> SimpleNamespace:
    """A personal-data access from its row (writer.ACCESS_COLUMNS order)."""
    access_id, akimat_id, letter_id, user_id, role, _time, path = row
    return SimpleNamespace(
        id=access_id,
        akimat_id=akimat_id,
        letter_id=letter_id,
        user_id=user_id,
        role=role,
        accessed_at=at(accessed_us),
        path=path,
    )


_checked: list[bool] = []


def _check_letter_columns(written: set[str]) -> None:
    """A frozen column added after this was written must not be silently committed to as empty."""
    missing = [c for c in sealed.SUBMITTED_COLUMNS if c not in written and c not in UNWRITTEN_LETTER_COLUMNS]
    if missing:
        raise RuntimeError(f"demo_bulk does not seal letter.{missing}: teach demo/bulk/record.py these columns")
    _checked.append(True)
