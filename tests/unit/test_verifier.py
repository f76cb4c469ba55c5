"""The independent verifier (akimat_reception/verifier.py): given only a log's published files and the
installation's key, it accepts a true log and names what is wrong with a rewritten, cut-off, re-signed
or damaged one; and it checks a resident's receipt offline.

The published layout is written here by `publish` from leaf hashes and signed notes — not by the
application's publisher — so that the verifier is tested against the format of common.md, not
against another piece of this code."""

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from akimat_reception import verifier
from akimat_reception.domain.record import merkle, note, tiles

ORIGIN = "akimat-reception.local/astana"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def publish(folder: Path, leaves: list[bytes], notes: list[str], key: str) -> None:
    """A log's published folder as common.md lays it out: level-0 tiles, every checkpoint by its
    size, the latest as `checkpoint`, and the installation's key one level up."""
    for n, width in tiles.level0_tiles(len(leaves)):
        path = folder / tiles.tile_path(0, n, width)
        path.parent.mkdir(parents=True, exist_ok=True)
        start = n * tiles.TILE_WIDTH
        path.write_bytes(tiles.tile_bytes(leaves[start : start + width]))
    (folder / "checkpoints").mkdir(parents=True, exist_ok=True)
    for signed in notes:
        size = note.Checkpoint.parse(note.split(signed)[0]).size
        (folder / "checkpoints" / str(size)).write_bytes(signed.encode())
    (folder / "checkpoint").write_bytes(notes[-1].encode())
    (folder.parent / "key").write_text(key + "\n")


def signed_at(leaves: list[bytes], size: int, signer: note.Signer, origin: str = ORIGIN) -> str:
    return note.signed_checkpoint(note.Checkpoint(origin, size, merkle.root_of(leaves[:size])), signer)


@pytest.fixture
def signer():
    return note.Signer.generate("akimat-reception.local")


@pytest.fixture
def log(tmp_path, signer):
    """A log of 600 entries (two full tiles and a partial one), checkpoints at 5, 256, 300 and 600."""
    rng = random.Random(15)
    leaves = [merkle.leaf_hash(rng.randbytes(40)) for _ in range(600)]
    folder = tmp_path / "record" / "astana"
    publish(folder, leaves, [signed_at(leaves, size, signer) for size in (5, 256, 300, 600)], signer.verifier.encode())
    return folder, leaves


def run(capsys, *args) -> tuple[int, str]:
    status = verifier.main([str(a) for a in args])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def key_of(folder: Path) -> Path:
    return folder.parent / "key"


def test_a_true_log_is_verified(log, capsys):
    folder, _ = log
    status, out = run(capsys, "log", folder, "--key", key_of(folder))
    assert status == 0, out
    assert out.strip() == f"log {ORIGIN}: 600 entries, 4 checkpoints, all verified"


def test_a_rewritten_entry_resealed_under_a_new_checkpoint_is_named(log, signer, capsys):
    """An insider with the key rewrites entry 3 and signs a new checkpoint: every checkpoint signed
    before is contradicted by the tiles, and a witness's copy shows it."""
    folder, leaves = log
    witness_copy = folder.parent.parent / "witness-copy"
    shutil.copy(folder / "checkpoints" / "300", witness_copy)
    forged = list(leaves)
    forged[3] = merkle.leaf_hash(b"another text")
    publish(folder, forged, [signed_at(forged, 600, signer)], signer.verifier.encode())
    for stale in ("5", "256", "300"):
        (folder / "checkpoints" / stale).unlink()  # the insider removes the checkpoints that betray him
    status, out = run(capsys, "log", folder, "--key", key_of(folder), "--checkpoint", witness_copy)
    assert status == 1
    assert f"FAILED: {witness_copy}: its root for 300 entries does not match the published tiles" in out
    assert f"FAILED: {witness_copy} (size 300) and checkpoint (size 600) are not consistent" in out
    assert "1 checkpoint, 1 copy: 2 problems found" in out


def test_a_rewritten_tile_contradicts_every_checkpoint_after_the_entry(log, capsys):
    folder, leaves = log
    tile = folder / tiles.tile_path(0, 1)
    data = bytearray(tile.read_bytes())
    data[32 * 10] ^= 1  # entry 266
    tile.write_bytes(bytes(data))
    status, out = run(capsys, "log", folder, "--key", key_of(folder))
    assert status == 1
    assert "checkpoints/256: its root" not in out
    for name in ("checkpoints/300", "checkpoints/600", "checkpoint"):
        assert f"FAILED: {name}: its root for" in out


def test_a_log_cut_off_after_its_checkpoint_is_named(log, capsys):
    folder, _ = log
    shutil.rmtree(folder / "tile" / "0" / "002.p")
    status, out = run(capsys, "log", folder, "--key", key_of(folder))
    assert status == 1
    assert "FAILED: checkpoint: signed for 600 entries, but the published tiles hold only 512" in out
    assert "entries 512..599 are missing" in out


def test_a_log_cut_off_and_resigned_is_caught_by_a_witness_copy(log, signer, capsys):
    folder, leaves = log
    witness_copy = folder.parent.parent / "witness-copy"
    shutil.copy(folder / "checkpoint", witness_copy)
    shutil.rmtree(folder)
    notes = [signed_at(leaves, 300, signer), signed_at(leaves, 512, signer)]
    publish(folder, leaves[:512], notes, signer.verifier.encode())
    status, out = run(capsys, "log", folder, "--key", key_of(folder), "--checkpoint", witness_copy)
    assert status == 1
    assert f"FAILED: {witness_copy}: signed for 600 entries, but the published tiles hold only 512" in out
    assert "more than the 512 of the latest published checkpoint: the published log was cut off" in out


def test_a_checkpoint_signed_by_another_key_is_named(log, capsys):
    folder, leaves = log
    impostor = note.Signer.generate("akimat-reception.local")
    (folder / "checkpoints" / "300").write_text(signed_at(leaves, 300, impostor))
    status, out = run(capsys, "log", folder, "--key", key_of(folder))
    assert status == 1
    assert "FAILED: checkpoints/300: not a checkpoint signed by akimat-reception.local: not signed by" in out
    assert "1 problem found" in out


def test_a_truncated_tile_is_named_and_what_follows_is_unusable(log, capsys):
    folder, _ = log
    tile = folder / tiles.tile_path(0, 0)
    tile.write_bytes(tile.read_bytes()[:-7])
    status, out = run(capsys, "log", folder, "--key", key_of(folder))
    assert status == 1
    assert "FAILED: tile/0/000: 8185 bytes, but a tile of 256 leaves has 8192 (truncated or padded)" in out
    assert "FAILED: tiles 001, 002 are not used" in out
    assert "FAILED: checkpoints/5: signed for 5 entries, but the published tiles hold only 0: entries 0..4 are " in out
    assert "(a tile above is missing or broken)" in out


@pytest.mark.parametrize(
    "garbage",
    [b"\xff\xfe\x00garbage", b"", b"akimat-reception.local/astana\n600\n\n\xe2\x80\x94 x\n", b"{}"],
)
def test_garbage_in_a_checkpoint_file_is_named_not_a_traceback(log, capsys, garbage):
    folder, _ = log
    (folder / "checkpoints" / "256").write_bytes(garbage)
    status, out = run(capsys, "log", folder, "--key", key_of(folder))
    assert status == 1
    assert "FAILED: checkpoints/256: not a" in out and "Traceback" not in out


def test_a_checkpoint_of_another_log_and_a_misnamed_file_are_named(log, signer, capsys):
    folder, leaves = log
    (folder / "checkpoints" / "300").write_text(signed_at(leaves, 300, signer, "akimat-reception.local/almaty"))
    (folder / "checkpoints" / "7").write_text(signed_at(leaves, 5, signer))
    (folder / "tile" / "0" / "x000").mkdir()
    (folder / "tile" / "0" / "x000" / "003").write_bytes(b"")
    status, out = run(capsys, "log", folder, "--key", key_of(folder))
    assert status == 1
    assert f"FAILED: checkpoints/300: a checkpoint of akimat-reception.local/almaty, not of {ORIGIN}" in out
    assert "FAILED: checkpoints/7: holds the checkpoint of size 5" in out
    assert "FAILED: tile/0/x000/003: not the name of a tile" in out


def test_a_latest_checkpoint_older_than_the_others_is_named(log, capsys):
    folder, _ = log
    shutil.copy(folder / "checkpoints" / "300", folder / "checkpoint")
    status, out = run(capsys, "log", folder, "--key", key_of(folder))
    assert status == 1
    assert "FAILED: checkpoint: size 300 is smaller than checkpoints/600: the log went back" in out


def test_unusable_arguments_exit_2(log, tmp_path, capsys):
    folder, _ = log
    assert run(capsys, "log", folder, "--key", tmp_path / "none")[0] == 2
    (tmp_path / "bad-key").write_text("not a key")
    status, out = run(capsys, "log", folder, "--key", tmp_path / "bad-key")
    assert status == 2 and "not a verifier key" in out
    assert run(capsys, "log", tmp_path / "nowhere", "--key", key_of(folder))[0] == 2
    assert run(capsys, "log", folder, "--key", key_of(folder), "--checkpoint", tmp_path / "none")[0] == 2
    with pytest.raises(SystemExit) as exit:
        verifier.main(["log"])
    assert exit.value.code == 2


def test_the_command_runs_as_a_module_and_as_a_copy_away_from_the_application(log, tmp_path):
    """`python -m akimat_reception.verifier`, and verifier.py copied beside merkle.py, note.py and
    tiles.py and run with nothing else: it needs neither Flask nor a database."""
    folder, _ = log
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "akimat_reception.verifier", "log", str(folder), "--key", str(key_of(folder))],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"log {ORIGIN}: 600 entries, 4 checkpoints, all verified"

    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(PROJECT_ROOT / "akimat_reception" / "verifier.py", alone)
    for name in ("merkle.py", "note.py", "tiles.py"):
        shutil.copy(PROJECT_ROOT / "akimat_reception" / "domain" / "record" / name, alone)
    (folder / "checkpoints" / "5").write_text("garbage")
    check = (
        "import sys, verifier; status = verifier.main(sys.argv[1:]); "
        "assert not {'flask', 'sqlalchemy', 'akimat_reception'} & set(sys.modules), 'imported the app'; "
        "sys.exit(status)"
    )
    result = subprocess.run(
        [sys.executable, "-c", check, "log", str(folder), "--key", str(key_of(folder))],
        capture_output=True,
        text=True,
        cwd=alone,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED: checkpoints/5: not a checkpoint signed by" in result.stdout
    assert "Traceback" not in result.stderr


def test_the_verifier_imports_only_the_standard_library_cryptography_and_the_pure_modules():
    import ast

    tree = ast.parse((PROJECT_ROOT / "akimat_reception" / "verifier.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported |= {f"{'.' * node.level}{node.module}:{alias.name}" for alias in node.names}
    allowed = {".domain.record:merkle", ".domain.record:note", ".domain.record:tiles", "__future__:annotations"}
    allowed |= {"merkle", "note", "tiles", "cryptography"}
    assert {name for name in imported if name.split(":")[0] not in sys.stdlib_module_names} <= allowed


def test_setup_cfg_declares_the_console_script():
    import configparser

    config = configparser.ConfigParser()
    config.read(PROJECT_ROOT / "setup.cfg")
    scripts = config["options.entry_points"]["console_scripts"]
    assert "akimat-verify = akimat_reception.verifier:main" in scripts


# --- receipts ------------------------------------------------------------------------------------

NUMBER = "AST-2026-000123"


def entry(kind: str, index: int | None, seq: int) -> dict:
    content = json.dumps({"entry": "event", "kind": kind, "number": NUMBER, "seq": seq}, separators=(",", ":"))
    nonce = random.Random(seq).randbytes(16).hex()
    leaf = merkle.leaf_hash(bytes.fromhex(nonce) + content.encode())
    return {
        "source": "event",
        "kind": kind,
        "nonce": nonce,
        "content": content,
        "leaf_hash": leaf.hex(),
        "log_index": index,
        "proof": None,
    }


@pytest.fixture
def receipt(tmp_path, signer):
    """A letter's receipt, as the resident downloads it when the log had 300 entries: two events in
    that checkpoint, one integrated after it (at 400), one not yet integrated; and the log as it is
    published later, with 600 entries."""
    entries = [
        entry("submitted", 10, 1),
        entry("assigned", 11, 2),
        entry("answer_sent", 400, 3),
        entry("rated", None, 4),
    ]
    rng = random.Random(9162)
    leaves = [merkle.leaf_hash(rng.randbytes(40)) for _ in range(600)]
    for item in entries[:3]:
        leaves[item["log_index"]] = bytes.fromhex(item["leaf_hash"])
    reader = merkle.memory_reader(leaves)
    for item in entries[:2]:
        item["proof"] = merkle.hexes(merkle.inclusion_proof(reader, item["log_index"], 300))
    folder = tmp_path / "record" / "astana"
    publish(folder, leaves, [signed_at(leaves, size, signer) for size in (300, 600)], signer.verifier.encode())
    data = {
        "format": "akimat-reception-receipt/1",
        "origin": ORIGIN,
        "number": NUMBER,
        "key": signer.verifier.encode(),
        "checkpoint": signed_at(leaves, 300, signer),
        "entries": entries,
    }
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path, data, folder


def rewrite(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False))


def test_a_receipt_verifies_offline(receipt, capsys):
    path, _, folder = receipt
    status, out = run(capsys, "receipt", path, "--key", key_of(folder))
    assert status == 0, out
    assert out.strip() == (
        f"receipt {NUMBER} ({ORIGIN}): 4 entries, 2 proven in the checkpoint of size 300, "
        "1 integrated after it (fetch a newer receipt), 1 not yet integrated, all verified"
    )


def test_a_receipt_is_consistent_with_the_log_published_later(receipt, capsys):
    path, _, folder = receipt
    status, out = run(capsys, "receipt", path, "--key", key_of(folder), "--log", folder)
    assert status == 0, out
    assert "2 proven in the checkpoint of size 300, 1 more in the published log's checkpoint of size 600" in out
    assert "1 not yet integrated, all verified" in out


def test_a_changed_word_in_a_receipt_is_named(receipt, capsys):
    path, data, folder = receipt
    data["entries"][0]["content"] = data["entries"][0]["content"].replace("submitted", "withdrawn")
    rewrite(path, data)
    status, out = run(capsys, "receipt", path, "--key", key_of(folder))
    assert status == 1
    assert "FAILED: entry 1 (event submitted): its content and nonce do not give its leaf hash" in out


def test_a_forged_entry_with_its_own_leaf_hash_has_no_proof(receipt, capsys):
    path, data, folder = receipt
    forged = entry("submitted", 10, 99)
    data["entries"][0] = {**forged, "proof": data["entries"][0]["proof"]}
    rewrite(path, data)
    status, out = run(capsys, "receipt", path, "--key", key_of(folder))
    assert status == 1
    assert "FAILED: entry 1 (event submitted): its inclusion proof at 10 does not lead to the checkpoint's root" in out


def test_a_receipt_signed_by_another_key_is_refused(receipt, capsys):
    path, data, folder = receipt
    impostor = note.Signer.generate("akimat-reception.local")
    data["checkpoint"] = note.sign(note.split(data["checkpoint"])[0], impostor)
    data["key"] = impostor.verifier.encode()
    rewrite(path, data)
    status, out = run(capsys, "receipt", path, "--key", key_of(folder))
    assert status == 1
    assert "FAILED: the receipt names the key" in out
    assert "FAILED: the receipt's checkpoint: not signed by akimat-reception.local" in out


def test_a_receipt_against_a_rewritten_log_is_named(receipt, signer, capsys):
    """The letter's submitted entry is replaced in the published log and the log re-signed: the
    receipt the resident kept shows it."""
    path, data, folder = receipt
    shutil.rmtree(folder)
    rng = random.Random(9162)
    leaves = [merkle.leaf_hash(rng.randbytes(40)) for _ in range(600)]
    publish(folder, leaves, [signed_at(leaves, 600, signer)], signer.verifier.encode())
    status, out = run(capsys, "receipt", path, "--key", key_of(folder), "--log", folder)
    assert status == 1
    assert "FAILED: the receipt's checkpoint: its root for 300 entries does not match the published tiles" in out
    assert "FAILED: the published log holds another leaf at 10 than the receipt's entry" in out
    assert "are not consistent" in out


@pytest.mark.parametrize(
    "text", ["not json", "[]", '{"format": "something/1"}', json.dumps({"format": "akimat-reception-receipt/2"})]
)
def test_garbage_for_a_receipt_is_named_not_a_traceback(tmp_path, receipt, capsys, text):
    _, _, folder = receipt
    path = tmp_path / "bad.json"
    path.write_text(text)
    status, out = run(capsys, "receipt", path, "--key", key_of(folder))
    assert status == 1 and "not a receipt" in out and "Traceback" not in out


def test_garbage_inside_a_receipts_entries_is_named(receipt, capsys):
    path, data, folder = receipt
    data["entries"][0]["nonce"] = "zz"
    data["entries"][1]["log_index"] = "eleven"
    data["entries"].append("not an entry")
    rewrite(path, data)
    status, out = run(capsys, "receipt", path, "--key", key_of(folder))
    assert status == 1
    assert "FAILED: entry 1 (event submitted): its nonce is not hexadecimal" in out
    assert "FAILED: entry 2 (event assigned): log_index is not a place in the log" in out
    assert "FAILED: entry 5: not a JSON object" in out


# --- a real log, written by the application ------------------------------------------------------


def published_from_database(folder: Path, log_id: int) -> None:
    """The log's files from its rows: the integrated entries' commitments by place, every note."""
    from sqlalchemy import select

    from akimat_reception.domain.record import keys
    from akimat_reception.extensions import db
    from akimat_reception.models import LogEntry, SignedCheckpoint

    leaves = db.session.scalars(
        select(LogEntry.commitment)
        .where(LogEntry.log_id == log_id, LogEntry.log_index.is_not(None))
        .order_by(LogEntry.log_index)
    ).all()
    notes = db.session.scalars(
        select(SignedCheckpoint.note).where(SignedCheckpoint.log_id == log_id).order_by(SignedCheckpoint.size)
    ).all()
    publish(folder, [bytes.fromhex(c) for c in leaves], list(notes), keys.verifier().encode())


def test_the_verifier_accepts_a_real_log_and_names_the_checkpoint_a_rewrite_contradicts(app_context, tmp_path, capsys):
    from sqlalchemy import select

    from akimat_reception.domain.record import keys, step
    from akimat_reception.domain.record import log as record
    from akimat_reception.extensions import db
    from akimat_reception.models import LogEntry
    from tests import factories

    letter, _ = factories.answered_letter()
    step.run()
    factories.letter()
    step.run()
    log = record.log_of(letter.akimat_id)
    folder = tmp_path / "record" / log.origin.rsplit("/", 1)[1]
    published_from_database(folder, log.id)
    status, out = run(capsys, "log", folder, "--key", key_of(folder))
    assert status == 0, out
    assert out.startswith(f"log {log.origin}: {log.size} entries, ") and out.strip().endswith("all verified")

    # The insider rewrites the letter's `submitted` entry in the tiles and signs the tree anew.
    submitted = db.session.scalar(
        select(LogEntry.log_index).where(LogEntry.letter_id == letter.id).order_by(LogEntry.log_index).limit(1)
    )
    n, offset = divmod(submitted, tiles.TILE_WIDTH)
    width = min(tiles.TILE_WIDTH, log.size - n * tiles.TILE_WIDTH)
    tile = folder / tiles.tile_path(0, n, width)
    forged = tiles.split_tile(tile.read_bytes())
    forged[offset] = merkle.leaf_hash(b"a letter the resident never wrote")
    tile.write_bytes(tiles.tile_bytes(forged))
    everything = []
    for k, w in tiles.level0_tiles(log.size):
        everything += tiles.split_tile((folder / tiles.tile_path(0, k, w)).read_bytes())
    resealed = signed_at(everything, log.size, keys.signer(), log.origin)
    (folder / "checkpoint").write_text(resealed)
    (folder / "checkpoints" / str(log.size)).write_text(resealed)
    status, out = run(capsys, "log", folder, "--key", key_of(folder))
    assert status == 1
    contradicted = [
        size for size in sorted(int(p.name) for p in (folder / "checkpoints").iterdir()) if submitted < size < log.size
    ]
    assert contradicted, "the first step's checkpoint holds the letter"
    for size in contradicted:
        assert f"FAILED: checkpoints/{size}: its root for {size} entries does not match the published tiles" in out
    assert f"checkpoints/{log.size}: its root" not in out  # the forger's own checkpoint agrees with his tiles


def test_a_receipt_of_a_real_letter_verifies_offline_against_its_log(app_context, tmp_path, capsys):
    """A receipt made from the database as the resident would get it: the letter's entries, their
    content recomputed from the rows (content.py), proofs from the stored tree (log.inclusion)."""
    from sqlalchemy import select

    from akimat_reception.domain.record import content as sealed
    from akimat_reception.domain.record import keys, step
    from akimat_reception.domain.record import log as record
    from akimat_reception.extensions import db
    from akimat_reception.models import Event, LogEntry
    from tests import factories

    letter, _ = factories.answered_letter()
    step.run()
    log = record.log_of(letter.akimat_id)
    checkpoint = record.latest_checkpoint(log.id)
    entries = []
    for row in db.session.scalars(
        select(LogEntry).where(LogEntry.letter_id == letter.id, LogEntry.source == "event").order_by(LogEntry.log_index)
    ):
        event = db.session.get(Event, row.source_id)
        _, content = record.content_of(db.session, event, letter)
        entries.append(
            {
                "source": row.source,
                "kind": event.kind,
                "nonce": row.nonce,
                "content": sealed.canonical(content).decode(),
                "leaf_hash": row.commitment,
                "log_index": row.log_index,
                "proof": merkle.hexes(record.inclusion(log.id, row.log_index, checkpoint.size)),
            }
        )
    receipt = {
        "format": "akimat-reception-receipt/1",
        "origin": log.origin,
        "number": letter.number,
        "key": keys.verifier().encode(),
        "checkpoint": checkpoint.note,
        "entries": entries,
    }
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt, ensure_ascii=False))
    folder = tmp_path / "record" / log.origin.rsplit("/", 1)[1]
    published_from_database(folder, log.id)
    status, out = run(capsys, "receipt", path, "--key", key_of(folder), "--log", folder)
    assert status == 0, out
    assert f"receipt {letter.number} ({log.origin}): {len(entries)} entries, {len(entries)} proven in the " in out


def test_an_empty_log_verifies(tmp_path, signer, capsys):
    folder = tmp_path / "record" / "astana"
    publish(folder, [], [signed_at([], 0, signer)], signer.verifier.encode())
    status, out = run(capsys, "log", folder, "--key", key_of(folder))
    assert (status, out.strip()) == (0, f"log {ORIGIN}: 0 entries, 1 checkpoint, all verified")


def test_no_mangling_of_the_files_makes_a_traceback(tmp_path, signer, capsys):
    """Bytes flipped, cut or added in every kind of published file and in a receipt: always a
    report (exit 1, or 0 when the change is harmless), never an exception."""
    rng = random.Random(2026)
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(20)]
    pristine = tmp_path / "pristine"
    publish(pristine / "astana", leaves, [signed_at(leaves, n, signer) for n in (3, 20)], signer.verifier.encode())
    receipt = {
        "format": "akimat-reception-receipt/1",
        "origin": ORIGIN,
        "number": NUMBER,
        "key": "k",
        "checkpoint": signed_at(leaves, 20, signer),
        "entries": [entry("submitted", 2, 1)],
    }
    (pristine / "receipt.json").write_text(json.dumps(receipt))
    for attempt in range(120):
        work = tmp_path / f"try{attempt}"
        shutil.copytree(pristine, work)
        folder = work / "astana"
        victim = rng.choice([p for p in work.rglob("*") if p.is_file() and p.name != "key"])
        data = bytearray(victim.read_bytes())
        cut = rng.randrange(len(data) + 1)
        how = rng.choice(["flip", "cut", "add", "empty"])
        if how == "flip" and data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif how == "cut":
            data = data[:cut]
        elif how == "add":
            data[cut:cut] = rng.randbytes(rng.randrange(1, 40))
        else:
            data = bytearray()
        victim.write_bytes(bytes(data))
        for args in (["log", folder], ["receipt", work / "receipt.json", "--log", folder]):
            status, _ = run(capsys, *args, "--key", key_of(folder))
            assert status in (0, 1), (victim, how)


def test_the_publish_folder_instead_of_a_logs_folder_is_explained(log, capsys):
    folder, _ = log
    status, out = run(capsys, "log", folder.parent, "--key", key_of(folder))
    assert status == 1
    assert "(this folder holds the logs astana: give one of them)" in out


def test_a_receipt_with_a_newer_checkpoint_alone(receipt, signer, tmp_path, capsys):
    """Without the log's folder a newer checkpoint of another size proves nothing, and says so; one
    of the same size but another root is a fork."""
    path, data, folder = receipt
    status, out = run(capsys, "receipt", path, "--key", key_of(folder), "--checkpoint", folder / "checkpoint")
    assert status == 0 and "note: consistency with the newer checkpoint not checked: give the log's folder" in out
    fork = tmp_path / "fork"
    fork.write_text(note.signed_checkpoint(note.Checkpoint(ORIGIN, 300, bytes(32)), signer))
    status, out = run(capsys, "receipt", path, "--key", key_of(folder), "--checkpoint", fork)
    assert status == 1 and f"FAILED: {fork}: another root for the receipt's size 300: the log forked" in out


def test_an_older_partial_tile_left_beside_the_full_one_must_agree_with_it(log, capsys):
    """C2SP lets a log keep the partial tiles it published before a tile filled: they are read too."""
    folder, leaves = log
    stale = folder / tiles.tile_path(0, 0, 5)
    stale.parent.mkdir(parents=True)
    stale.write_bytes(tiles.tile_bytes(leaves[:5]))
    assert run(capsys, "log", folder, "--key", key_of(folder))[0] == 0
    stale.write_bytes(tiles.tile_bytes([leaves[1], *leaves[1:5]]))
    status, out = run(capsys, "log", folder, "--key", key_of(folder))
    assert status == 1 and "FAILED: tile/0/000.p/5: contradicts the wider tile of the same leaves" in out
