"""The sealed record: one Merkle log per akimat (and one for the platform's own changes), its
entries, the complete subtrees it keeps, and its signed checkpoints (domain/record/)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._common import UTCDateTime, utcnow


class RecordLog(Model):
    """An akimat's log (`akimat_id` empty: the platform's). `compact` holds the roots of the perfect
    subtrees of the integrated tree, [height, hex] largest first: enough to append and to give the root."""

    __tablename__ = "record_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int | None] = mapped_column(ForeignKey("akimat.id"), unique=True)
    origin: Mapped[str] = mapped_column(String(200), unique=True)
    size: Mapped[int] = mapped_column(default=0, server_default="0")
    root: Mapped[str] = mapped_column(String(64))
    compact: Mapped[list] = mapped_column(JSON, default=list)
    integrated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LogEntry(Model):
    """One leaf: the salted commitment H(0x00 ‖ nonce ‖ canonical content) to one row of the record
    (`source`: event, access, admin, phone_check, attachment; `source_id` its id), written in the
    transaction of that row; `log_index` is given when the worker integrates it into the tree."""

    __tablename__ = "log_entry"
    __table_args__ = (
        # Not unique: SQLite gives a deleted newest row's id to the next row, and that row must still
        # be sealed; the audit finds the deleted row's entry disagreeing with its namesake.
        Index("ix_log_entry_source", "source", "source_id"),
        UniqueConstraint("log_id", "log_index"),
        # The worker's queue: the entries not yet integrated, in the order written.
        Index(
            "ix_log_entry_pending",
            "log_id",
            "id",
            postgresql_where=text("log_index IS NULL"),
            sqlite_where=text("log_index IS NULL"),
        ),
        Index("ix_log_entry_letter", "letter_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("record_log.id"))
    log_index: Mapped[int | None]
    source: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[int]
    # Which letter the row is about, and its number: a deleted letter is still named by its entries.
    letter_id: Mapped[int | None]
    letter_number: Mapped[str | None] = mapped_column(String(24))
    nonce: Mapped[str] = mapped_column(String(32))  # 16 random bytes, hex
    commitment: Mapped[str] = mapped_column(String(64))  # the leaf hash, hex
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TreeNode(Model):
    """A complete subtree of a log whose height is a multiple of 8 (a C2SP tile's row): with the
    entries' leaf hashes, any inclusion or consistency proof is a few hundred hashes away."""

    __tablename__ = "tree_node"
    log_id: Mapped[int] = mapped_column(ForeignKey("record_log.id"), primary_key=True)
    height: Mapped[int] = mapped_column(primary_key=True)
    index: Mapped[int] = mapped_column(primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))


class SignedCheckpoint(Model):
    """A checkpoint the installation signed: the signed note as published, word for word."""

    __tablename__ = "signed_checkpoint"
    __table_args__ = (
        UniqueConstraint("log_id", "size"),
        Index("ix_signed_checkpoint_log_signed", "log_id", "signed_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("record_log.id"))
    size: Mapped[int]
    root: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(8))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WitnessedCheckpoint(Model):
    """A checkpoint of another installation's log that this one keeps as its witness: the newest per
    origin is what the other's later checkpoints must be consistent with."""

    __tablename__ = "witnessed_checkpoint"
    __table_args__ = (UniqueConstraint("origin", "size"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    root: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WitnessState(Model):
    """How far a witness (an email address or another installation's URL) has the log: the worker
    pushes a newer checkpoint until the witness acknowledges it (`acked_size`)."""

    __tablename__ = "witness_state"
    __table_args__ = (UniqueConstraint("witness", "log_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    witness: Mapped[str] = mapped_column(String(300))
    log_id: Mapped[int] = mapped_column(ForeignKey("record_log.id"))
    acked_size: Mapped[int] = mapped_column(default=0, server_default="0")
    tried_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    # The witness's signature line over the newest checkpoint it acknowledged (another installation's).
    cosignature: Mapped[str | None] = mapped_column(Text)
