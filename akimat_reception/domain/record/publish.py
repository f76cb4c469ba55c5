"""The sealed record as static files, for anyone to mirror and for the independent verifier to read
(formats: docs/record.md, and /work/shared common brief):

    key                          the installation's verifier key, one line
    <slug>/checkpoint            the latest signed checkpoint, byte for byte as signed
    <slug>/checkpoints/<size>    every signed checkpoint, named by its tree size
    <slug>/tile/0/<N>            C2SP tlog-tiles level 0: 256 leaf hashes, 32 raw bytes each
    <slug>/tile/0/<N>.p/<W>      the rightmost partial tile of the latest checkpoint (W leaves)

under RECORD_PUBLISH_DIR (default <instance>/record/). Each publication writes only what changed
since the checkpoint already published: the tiles from the old partial one on, never every tile.
Each file is written whole under a temporary name and renamed, and the tiles before the
checkpoints, so that a reader who sees a checkpoint finds every tile it needs.

A published checkpoint is never replaced by a smaller one or by another root of its size: that is
the record rolled back (a database restored, or rewritten), and the files keep the evidence until
an operator moves them aside."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from ...extensions import db
from ...models import LogEntry, RecordLog, SignedCheckpoint
from . import keys, tiles
from .note import Checkpoint, NoteError, split

logger = logging.getLogger(__name__)

TILES_PER_QUERY = 64  # 16 384 leaf hashes read at a time: a first publication of a big log stays small


class RolledBack(RuntimeError):
    """The checkpoint to publish does not extend the one already published."""


@dataclass
class Published:
    slug: str
    size: int
    written: list[str] = field(default_factory=list)  # paths relative to the publish folder
    removed: list[str] = field(default_factory=list)


def publish_dir() -> Path:
    configured = current_app.config.get("RECORD_PUBLISH_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "record"


def slug_of(log: RecordLog) -> str:
    """The last path component of the origin: the akimat's slug when its log was made, or `platform`."""
    return log.origin.rsplit("/", 1)[-1]


def verifier_key() -> str | None:
    """The installation's verifier key: from the signing key when this process can read it, else as
    published (a web server that is not given the private key still shows the public one); None
    while there is neither (RECORD_SIGNING_KEY_CREATE=0 and no `flask journal keygen` yet)."""
    published = publish_dir() / "key"
    if keys.key_path().exists() or not published.exists():
        try:
            return keys.verifier().encode()
        except keys.NoSigningKey:
            return None
    return published.read_text(encoding="utf-8").strip()


def publish(log: RecordLog, checkpoint: SignedCheckpoint) -> Published:
    """Writes the checkpoint of `log`, its leaf tiles that changed, and the key (RolledBack if the
    checkpoint already published is larger, or of this size with another root)."""
    root = publish_dir()
    slug = slug_of(log)
    folder = root / slug
    result = Published(slug, checkpoint.size)
    old_size = _published_size(folder / "checkpoint", log, checkpoint)

    def write(relative: str, data: bytes) -> None:
        _write_atomically(root / relative, data)
        result.written.append(relative)

    for n, width, data in _tiles_between(log.id, old_size, checkpoint.size):
        write(f"{slug}/{tiles.tile_path(0, n, width)}", data)
    # Checkpoints the worker signed but could not publish (the folder was unwritable) are filled in.
    for size, note in db.session.execute(
        select(SignedCheckpoint.size, SignedCheckpoint.note)
        .where(SignedCheckpoint.log_id == log.id, SignedCheckpoint.size > old_size)
        .where(SignedCheckpoint.size <= checkpoint.size)
        .order_by(SignedCheckpoint.size)
    ):
        path = folder / "checkpoints" / str(size)
        if not path.exists():
            write(f"{slug}/checkpoints/{size}", note.encode())
    if not (folder / "checkpoints" / str(checkpoint.size)).exists():
        write(f"{slug}/checkpoints/{checkpoint.size}", checkpoint.note.encode())
    key = (keys.verifier().encode() + "\n").encode()  # the key that signed the checkpoint
    if not (root / "key").exists() or (root / "key").read_bytes() != key:
        write("key", key)
    write(f"{slug}/checkpoint", checkpoint.note.encode())
    result.removed = _remove_stale_partials(folder, old_size, checkpoint.size)
    return result


def _published_size(path: Path, log: RecordLog, checkpoint: SignedCheckpoint) -> int:
    """The size of the checkpoint already published for this log (0 if none, or if the file is not
    one of this log's checkpoints: then everything is written again)."""
    try:
        text, _ = split(path.read_text(encoding="utf-8"))
        published = Checkpoint.parse(text)
    except FileNotFoundError:
        return 0
    except (NoteError, UnicodeDecodeError) as error:
        logger.warning("record %s: %s is not a checkpoint (%s): publishing the log again", log.origin, path, error)
        return 0
    if published.origin != log.origin:
        return 0
    if published.size > checkpoint.size or (
        published.size == checkpoint.size and published.root.hex() != checkpoint.root
    ):
        raise RolledBack(
            f"record {log.origin}: the published checkpoint of size {published.size} is not a prefix of the "
            f"one of size {checkpoint.size}; the files in {path.parent} are kept as evidence: move them aside "
            "to publish this log again"
        )
    return published.size


def _tiles_between(log_id: int, old_size: int, new_size: int):
    """(n, width, bytes) of the level-0 tiles that a tree of new_size has and one of old_size had not
    whole: from the old rightmost partial tile to the new one."""
    first = old_size // tiles.TILE_WIDTH
    wanted = [(n, width) for n, width in tiles.level0_tiles(new_size) if n >= first]
    for start in range(0, len(wanted), TILES_PER_QUERY):
        batch = wanted[start : start + TILES_PER_QUERY]
        low = batch[0][0] * tiles.TILE_WIDTH
        high = batch[-1][0] * tiles.TILE_WIDTH + batch[-1][1]
        hashes = leaf_hashes(log_id, low, high)
        for n, width in batch:
            offset = n * tiles.TILE_WIDTH - low
            yield n, width, tiles.tile_bytes(hashes[offset : offset + width])


def leaf_hashes(log_id: int, start: int, end: int) -> list[bytes]:
    """The leaf hashes at log_index start..end-1, in order; LookupError if any is missing (a row
    deleted behind the log's back: no tile is published with a hole in it)."""
    values = db.session.scalars(
        select(LogEntry.commitment)
        .where(LogEntry.log_id == log_id, LogEntry.log_index >= start, LogEntry.log_index < end)
        .order_by(LogEntry.log_index)
    ).all()
    if len(values) != end - start:
        raise LookupError(f"log {log_id}: {end - start - len(values)} of the leaves {start}..{end - 1} are missing")
    return [bytes.fromhex(value) for value in values]


def _remove_stale_partials(folder: Path, old_size: int, new_size: int) -> list[str]:
    """The partial tile published with the old checkpoint, once the new one holds that tile whole or
    wider: a mirror reads its leaves from the new tile (C2SP tlog-tiles: a partial tile is a prefix)."""
    n, width = divmod(old_size, tiles.TILE_WIDTH)
    if width == 0 or (n, width) == divmod(new_size, tiles.TILE_WIDTH):
        return []
    path = folder / tiles.tile_path(0, n, width)
    try:
        path.unlink()
    except FileNotFoundError:
        return []
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # the `<N>.p` folder, if no other width is left in it
    return [str(path.relative_to(folder.parent))]


def _write_atomically(path: Path, data: bytes) -> None:
    """The whole file or none of it: written under a temporary name in the same folder, flushed to
    disk, then renamed over the old one (os.replace is atomic on one file system)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)  # public files: mkstemp makes them the owner's only
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
