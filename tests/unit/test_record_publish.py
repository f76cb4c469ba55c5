"""The record's published files (domain/record/publish.py): what a mirror or the independent
verifier reads. Each test grows a log of an akimat of its own with real sealed rows (administrative
changes), integrates it as the worker does, and looks at the folder."""

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from akimat_reception.domain.record import keys, log, merkle, publish, step, tiles
from akimat_reception.domain.record.note import Verifier, open_checkpoint
from akimat_reception.extensions import db
from akimat_reception.models import AdminEvent, Akimat, LogEntry, RecordLog, SignedCheckpoint
from tests import factories


def new_akimat() -> Akimat:
    """An akimat of the test's own, so that its log holds only what the test writes."""
    slug = f"rec-{uuid.uuid4().hex[:10]}"
    akimat = Akimat(
        slug=slug, number_prefix=factories.number_prefix(), name_kk=slug, name_ru=f"Акимат {slug}", name_en=slug
    )
    db.session.add(akimat)
    db.session.commit()
    return akimat


def grow(akimat: Akimat, count: int) -> None:
    """`count` more entries in the akimat's log: administrative changes, sealed as they commit."""
    for n in range(count):
        db.session.add(
            AdminEvent(
                akimat_id=akimat.id, kind="record_test", target_type="akimat", target_id=akimat.id, after={"n": n}
            )
        )
    db.session.commit()


def integrated(akimat: Akimat) -> tuple[RecordLog, SignedCheckpoint]:
    record_log = log.log_of(akimat.id)
    result = log.integrate(record_log.id)
    record_log = db.session.get(RecordLog, result.log_id)
    checkpoint = log.latest_checkpoint(record_log.id)
    assert checkpoint is not None and checkpoint.size == record_log.size
    return record_log, checkpoint


def commitments(log_id: int) -> list[bytes]:
    rows = db.session.scalars(
        select(LogEntry.commitment)
        .where(LogEntry.log_id == log_id, LogEntry.log_index.is_not(None))
        .order_by(LogEntry.log_index)
    )
    return [bytes.fromhex(value) for value in rows]


@pytest.fixture
def folder(app, app_context, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "RECORD_PUBLISH_DIR", str(tmp_path / "record"))
    return tmp_path / "record"


def published_leaves(folder: Path, slug: str, size: int) -> list[bytes]:
    """The leaf hashes a mirror reads for a tree of `size`: the full tiles and the one partial."""
    leaves = []
    for n, width in tiles.level0_tiles(size):
        leaves += tiles.split_tile((folder / slug / tiles.tile_path(0, n, width)).read_bytes())
    return leaves


def test_a_checkpoint_is_published_with_the_key_and_tiles_that_lead_to_its_root(folder):
    akimat = new_akimat()
    grow(akimat, 300)
    record_log, checkpoint = integrated(akimat)
    publish.publish(record_log, checkpoint)

    slug = publish.slug_of(record_log)
    assert slug == akimat.slug
    key = (folder / "key").read_text()
    assert key == keys.verifier().encode() + "\n"
    note = (folder / slug / "checkpoint").read_text()
    assert note == checkpoint.note
    assert (folder / slug / "checkpoints" / str(checkpoint.size)).read_text() == checkpoint.note
    opened = open_checkpoint(note, Verifier.decode(key), origin=record_log.origin)
    assert opened.size == checkpoint.size

    assert (folder / slug / "tile/0/000").stat().st_size == 256 * 32
    assert (folder / slug / f"tile/0/001.p/{checkpoint.size - 256}").exists()
    leaves = published_leaves(folder, slug, checkpoint.size)
    assert leaves == commitments(record_log.id)
    assert merkle.root_of(leaves) == opened.root


def test_as_the_log_grows_the_partial_tile_gives_way_to_the_full_one_and_old_tiles_stay_untouched(folder):
    akimat = new_akimat()
    grow(akimat, 260)
    record_log, first = integrated(akimat)
    publish.publish(record_log, first)
    slug = akimat.slug
    full = folder / slug / "tile/0/000"
    full_before = (full.stat().st_ino, full.stat().st_mtime_ns, full.read_bytes())
    old_partial = folder / slug / "tile/0/001.p/4"
    assert old_partial.exists()

    grow(akimat, 300)  # 560: tile 1 is full now, tile 2 partial
    record_log, second = integrated(akimat)
    written = publish.publish(record_log, second).written

    assert (full.stat().st_ino, full.stat().st_mtime_ns, full.read_bytes()) == full_before
    assert f"{slug}/tile/0/000" not in written, "an old full tile was written again"
    assert sorted(w for w in written if "/tile/" in w) == [f"{slug}/tile/0/001", f"{slug}/tile/0/002.p/48"]
    assert not old_partial.exists() and not old_partial.parent.exists()
    assert (folder / slug / "checkpoints" / str(first.size)).read_text() == first.note
    assert (folder / slug / "checkpoint").read_text() == second.note
    leaves = published_leaves(folder, slug, second.size)
    assert leaves == commitments(record_log.id)
    assert merkle.root_of(leaves).hex() == second.root


def test_a_partial_tile_grows_into_a_wider_partial_one(folder):
    akimat = new_akimat()
    grow(akimat, 3)
    record_log, first = integrated(akimat)
    publish.publish(record_log, first)
    grow(akimat, 2)
    record_log, second = integrated(akimat)
    publish.publish(record_log, second)
    assert sorted(p.name for p in (folder / akimat.slug / "tile/0/000.p").iterdir()) == ["5"]
    assert published_leaves(folder, akimat.slug, 5) == commitments(record_log.id)


def test_files_are_written_whole_under_a_temporary_name_and_renamed(folder, monkeypatch):
    """A reader never sees half a file: a write that fails leaves the old file as it was, and no
    temporary file behind."""
    akimat = new_akimat()
    grow(akimat, 2)
    record_log, first = integrated(akimat)
    publish.publish(record_log, first)
    checkpoint_file = folder / akimat.slug / "checkpoint"
    grow(akimat, 1)
    record_log, second = integrated(akimat)

    renamed = []
    real_replace = os.replace

    def failing_replace(source, target):
        if Path(target) == checkpoint_file:
            raise OSError("disk full")
        renamed.append((Path(source).name, Path(target)))
        return real_replace(source, target)

    monkeypatch.setattr(publish.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        publish.publish(record_log, second)
    assert checkpoint_file.read_text() == first.note
    assert renamed and all(name.startswith(f".{target.name}.") for name, target in renamed)
    leftovers = [p for p in (folder / akimat.slug).rglob(".*") if p.is_file()]
    assert leftovers == []

    monkeypatch.setattr(publish.os, "replace", real_replace)
    publish.publish(record_log, second)  # the next turn publishes it
    assert checkpoint_file.read_text() == second.note


def test_a_smaller_or_different_checkpoint_never_replaces_the_published_one(folder):
    akimat = new_akimat()
    grow(akimat, 4)
    record_log, small = integrated(akimat)
    grow(akimat, 4)
    record_log, large = integrated(akimat)
    publish.publish(record_log, large)
    with pytest.raises(publish.RolledBack):
        publish.publish(record_log, small)
    assert (folder / akimat.slug / "checkpoint").read_text() == large.note


def test_the_worker_publishes_each_new_checkpoint(folder):
    akimat = new_akimat()
    grow(akimat, 5)
    results = {r.origin: r for r in step.run()}
    record_log = log.log_of(akimat.id)
    assert record_log.origin in results
    assert (folder / akimat.slug / "checkpoint").read_text() == log.latest_checkpoint(record_log.id).note


def test_the_worker_fills_in_a_checkpoint_it_could_not_publish(folder, app, monkeypatch):
    akimat = new_akimat()
    grow(akimat, 2)
    monkeypatch.setitem(app.config, "RECORD_PUBLISH_DIR", "/proc/no-such-folder")  # unwritable
    step.run()  # integrated and signed; the publication fails and is logged
    record_log = log.log_of(akimat.id)
    missed = log.latest_checkpoint(record_log.id)
    monkeypatch.setitem(app.config, "RECORD_PUBLISH_DIR", str(folder))
    grow(akimat, 2)
    step.run()
    assert (folder / akimat.slug / "checkpoints" / str(missed.size)).read_text() == missed.note
    assert published_leaves(folder, akimat.slug, 4) == commitments(record_log.id)
