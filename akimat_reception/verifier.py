"""The independent verifier of the sealed record: checks a log, or a resident's receipt, from the
published files alone — no database, no application, no network.

    akimat-verify log DIR --key KEYFILE [--checkpoint FILE ...]
    akimat-verify receipt FILE --key KEYFILE [--checkpoint FILE] [--log DIR]

`log` rebuilds the Merkle tree from DIR's level-0 tiles (C2SP tlog-tiles), checks every published
checkpoint and every copy given with --checkpoint (signed by the key, one origin, root equal to the
tiles' root at its size, sizes never shrinking) and, as a witness would, a consistency proof between
each pair of successive checkpoints. `receipt` checks each entry's commitment and inclusion proof
against the receipt's signed checkpoint, and with --log its consistency with the log as published.

It imports only the standard library, `cryptography` and the pure modules merkle, note and tiles, so
that it can be run away from the server under suspicion; copied beside those three files it runs as
`python verifier.py ...`. Exit status: 0 all verified, 1 a problem found, 2 unusable arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

if __package__:
    from .domain.record import merkle, note, tiles
else:  # a copy beside merkle.py, note.py and tiles.py
    import merkle  # type: ignore[no-redef]
    import note  # type: ignore[no-redef]
    import tiles  # type: ignore[no-redef]

RECEIPT_FORMAT = "akimat-reception-receipt/1"
HASH_SIZE = 32
RECEIPT_FIELDS: dict[str, type] = {
    "format": str,
    "origin": str,
    "number": str,
    "key": str,
    "checkpoint": str,
    "entries": list,
}
ENTRY_FIELDS: dict[str, type] = {"source": str, "nonce": str, "content": str, "leaf_hash": str}


class UsageError(Exception):
    """Arguments the verifier cannot start from (exit 2)."""


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.problems.append(text)


# --- the published leaves ------------------------------------------------------------------------


def read_leaves(folder: Path, report: Report) -> tuple[list[bytes], bool]:
    """Every leaf hash the level-0 tiles hold, in order, up to the first missing or broken tile;
    and whether they were whole (no tile broken or out of place)."""
    base = folder / "tile" / "0"
    full: dict[int, Path] = {}
    partial: dict[int, dict[int, Path]] = {}
    whole = True
    for path in sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else []:
        index_name, dot_p, width_name = path.relative_to(base).as_posix().partition(".p/")
        try:
            index = tiles.decode_index(index_name)
            if dot_p and not (width_name.isdigit() and str(int(width_name)) == width_name):
                raise ValueError(width_name)
            if dot_p and not 0 < int(width_name) < tiles.TILE_WIDTH:
                raise ValueError(width_name)
        except ValueError:
            report.problem(f"{_name(folder, path)}: not the name of a tile")
            whole = False
            continue
        if dot_p:
            partial.setdefault(index, {})[int(width_name)] = path
        else:
            full[index] = path
    leaves: list[bytes] = []
    index = 0
    while index in full or index in partial:
        # the rightmost tile may be partial: the widest is read (narrower ones are older copies)
        width = tiles.TILE_WIDTH if index in full else max(partial[index])
        hashes = _tile(folder, full[index] if index in full else partial[index][width], width, report)
        if hashes is None:
            whole = False
            break
        for older_width, path in sorted(partial.get(index, {}).items()):
            older = _tile(folder, path, older_width, report) if older_width != width else hashes
            if older is not None and older != hashes[:older_width]:
                report.problem(f"{_name(folder, path)}: contradicts the wider tile of the same leaves")
                whole = False
        leaves.extend(hashes)
        index += 1
        if width < tiles.TILE_WIDTH:
            break
    beyond = sorted({n for n in (*full, *partial) if n > index or (n == index and whole)})
    if beyond:
        report.problem(
            f"tiles {', '.join(tiles.encode_index(n) for n in beyond)} are not used: they follow a missing, "
            f"partial or broken tile, so the tiles are not contiguous after leaf {len(leaves)}"
        )
        whole = False
    return leaves, whole


def _tile(folder: Path, path: Path, width: int, report: Report) -> list[bytes] | None:
    try:
        data = path.read_bytes()
    except OSError as error:
        report.problem(f"{_name(folder, path)}: cannot be read ({error.strerror})")
        return None
    if len(data) != width * HASH_SIZE:
        report.problem(
            f"{_name(folder, path)}: {len(data)} bytes, but a tile of {width} leaves has {width * HASH_SIZE} "
            "(truncated or padded)"
        )
        return None
    return tiles.split_tile(data)


def _name(folder: Path, path: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)


class Tree:
    """Every complete subtree of the published leaves, level by level: a merkle.NodeReader."""

    def __init__(self, leaves: list[bytes], whole: bool = True):
        self.whole = whole  # no tile broken or out of place
        self.levels = [leaves]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append([merkle.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def __call__(self, height: int, index: int) -> bytes:
        return self.levels[height][index]

    def root(self, size: int) -> bytes:
        return merkle.subtree_root(self, 0, size)

    @classmethod
    def read(cls, folder: Path, report: Report) -> Tree:
        return cls(*read_leaves(folder, report))


# --- checkpoints ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    label: str  # where it was read: "checkpoints/17", "checkpoint", or a copy's path
    checkpoint: note.Checkpoint


def read_checkpoint(path: Path, label: str, verifier: note.Verifier, report: Report) -> Seen | None:
    try:
        text = path.read_bytes().decode("utf-8")
        return Seen(label, note.open_checkpoint(text, verifier))
    except OSError as error:
        report.problem(f"{label}: cannot be read ({error.strerror})")
    except UnicodeDecodeError:
        report.problem(f"{label}: not a signed checkpoint (not UTF-8 text)")
    except note.NoteError as error:
        report.problem(f"{label}: not a checkpoint signed by {verifier.name}: {error}")
    return None


def check_against_tree(seen: Seen, tree: Tree, report: Report) -> bool:
    """The checkpoint's root is the tiles' root at its size."""
    size = seen.checkpoint.size
    if size > tree.size:
        report.problem(
            f"{seen.label}: signed for {size} entries, but the published tiles hold only {tree.size}: "
            f"entries {tree.size}..{size - 1} are missing "
            + ("(the log was cut off)" if tree.whole else "(a tile above is missing or broken)")
        )
        return False
    if tree.root(size) != seen.checkpoint.root:
        report.problem(
            f"{seen.label}: its root for {size} entries does not match the published tiles: "
            "the history it signed has been rewritten"
        )
        return False
    return True


def check_consistent(old: Seen, new: Seen, tree: Tree, report: Report) -> None:
    """As a witness checks: a consistency proof from the tiles, verified against both signed roots."""
    a, b = old.checkpoint, new.checkpoint
    if b.size > tree.size:
        return  # reported by check_against_tree
    try:
        proof = merkle.consistency_proof(tree, a.size, b.size)
        merkle.verify_consistency(a.size, b.size, a.root, b.root, proof)
    except merkle.ProofError as error:
        report.problem(f"{old.label} (size {a.size}) and {new.label} (size {b.size}) are not consistent: {error}")


def _by_size(path: Path) -> tuple[int, str]:
    return (int(path.name) if path.name.isdigit() else -1, path.name)


def verify_log(folder: Path, verifier: note.Verifier, copies: list[Path], report: Report) -> str:
    """Checks one log's published folder and the copies of its checkpoints; returns the summary."""
    tree = Tree.read(folder, report)
    published: list[Seen] = []
    listing = folder / "checkpoints"
    files = sorted(listing.iterdir(), key=_by_size) if listing.is_dir() else []
    for path in files:
        label = f"checkpoints/{path.name}"
        if not path.name.isdigit():
            report.problem(f"{label}: a checkpoint file is named by its tree size")
            continue
        seen = read_checkpoint(path, label, verifier, report)
        if seen is not None and seen.checkpoint.size != int(path.name):
            report.problem(f"{label}: holds the checkpoint of size {seen.checkpoint.size}")
        elif seen is not None:
            published.append(seen)
    latest = None
    if (folder / "checkpoint").is_file():
        latest = read_checkpoint(folder / "checkpoint", "checkpoint", verifier, report)
    else:
        logs = sorted(d.name for d in folder.iterdir() if (d / "checkpoint").is_file())
        hint = f" (this folder holds the logs {', '.join(logs)}: give one of them)" if logs else ""
        report.problem(f"checkpoint: the latest checkpoint is not published{hint}")
    given = [s for s in (read_checkpoint(p, str(p), verifier, report) for p in copies) if s is not None]

    everything = [*published, *([latest] if latest else []), *given]
    origin = latest or (published[-1] if published else None) or (given[0] if given else None)
    origin_name = origin.checkpoint.origin if origin else f"in {folder}"
    for seen in everything:
        if seen.checkpoint.origin != origin_name:
            report.problem(f"{seen.label}: a checkpoint of {seen.checkpoint.origin}, not of {origin_name}")
    everything = [s for s in everything if s.checkpoint.origin == origin_name]
    for seen in everything:
        check_against_tree(seen, tree, report)

    published.sort(key=lambda s: s.checkpoint.size)
    if latest is not None and published:
        biggest = published[-1]
        if latest.checkpoint.size < biggest.checkpoint.size:
            report.problem(
                f"checkpoint: size {latest.checkpoint.size} is smaller than {biggest.label}: the log went back"
            )
        if not any(s.checkpoint.size == latest.checkpoint.size for s in published):
            report.problem(f"checkpoint: size {latest.checkpoint.size} is not among checkpoints/")
    chain = sorted([*published, *([latest] if latest else [])], key=lambda s: s.checkpoint.size)
    for old, new in zip(chain, chain[1:], strict=False):
        check_consistent(old, new, tree, report)
    newest = chain[-1] if chain else None
    for copy in given:
        if newest is None:
            continue
        if copy.checkpoint.size > newest.checkpoint.size:
            report.problem(
                f"{copy.label}: signed for {copy.checkpoint.size} entries, more than the {newest.checkpoint.size} "
                "of the latest published checkpoint: the published log was cut off or rolled back"
            )
        else:
            check_consistent(copy, newest, tree, report)
    unsigned = tree.size - (newest.checkpoint.size if newest else 0)
    if unsigned > 0:
        report.notes.append(f"{unsigned} published leaves are not yet in a signed checkpoint")
    counts = f"{_count(tree.size, 'entry', 'entries')}, {_count(len(published), 'checkpoint')}"
    if copies:
        counts += f", {_count(len(given), 'copy', 'copies')}"
    return f"log {origin_name}: {counts}"


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


# --- receipts ------------------------------------------------------------------------------------


def _fields(data: object, names: dict[str, type]) -> list[str]:
    if not isinstance(data, dict):
        return ["not a JSON object"]
    return [
        f"{name}: missing or not a {kind.__name__}"
        for name, kind in names.items()
        if not isinstance(data.get(name), kind)
    ]


def verify_receipt(
    path: Path, verifier: note.Verifier, newer: Path | None, log_dir: Path | None, report: Report
) -> str:
    try:
        receipt = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as error:
        raise UsageError(f"{path}: cannot be read ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        report.problem(f"{path}: not a receipt (not JSON: {error})")
        return f"receipt {path}"
    wrong = _fields(receipt, RECEIPT_FIELDS)
    if wrong or receipt["format"] != RECEIPT_FORMAT:
        for text in wrong or [f"format: {receipt['format']!r}, not {RECEIPT_FORMAT}"]:
            report.problem(f"{path}: not a receipt ({text})")
        return f"receipt {path}"
    number, origin = receipt["number"], receipt["origin"]
    if receipt["key"].strip() != verifier.encode():
        report.problem(f"the receipt names the key {receipt['key'].strip()}, not the one given with --key")
    checkpoint = None
    try:
        checkpoint = note.open_checkpoint(receipt["checkpoint"], verifier, origin)
    except note.NoteError as error:
        report.problem(f"the receipt's checkpoint: {error}")
    leaves: dict[int, bytes] = {}  # log_index -> leaf, of the entries whose content holds
    outcomes = {"proven": 0, "later": 0, "pending": 0}
    for position, entry in enumerate(receipt["entries"], start=1):
        outcome = check_entry(f"entry {position}", entry, number, checkpoint, leaves, report)
        if outcome in outcomes:
            outcomes[outcome] += 1
    shown, newer_size = 0, 0
    if checkpoint is not None and (newer is not None or log_dir is not None):
        shown, newer_size = check_receipt_against_log(checkpoint, origin, leaves, verifier, newer, log_dir, report)
    summary = f"receipt {number} ({origin}): {_count(len(receipt['entries']), 'entry', 'entries')}"
    if checkpoint is not None:
        summary += f", {outcomes['proven']} proven in the checkpoint of size {checkpoint.size}"
    if shown:
        summary += f", {shown} more in the published log's checkpoint of size {newer_size}"
    if outcomes["later"] - shown:
        summary += f", {outcomes['later'] - shown} integrated after it (fetch a newer receipt)"
    if outcomes["pending"]:
        summary += f", {outcomes['pending']} not yet integrated"
    return summary


def check_entry(
    label: str, entry: object, number: str, checkpoint: note.Checkpoint | None, leaves: dict[int, bytes], report: Report
) -> str:
    """One entry of a receipt: its commitment, and its inclusion proof in the receipt's checkpoint.
    Returns "proven", "later" (integrated after the checkpoint), "pending" or "failed"; the entry's
    leaf goes into `leaves` at its place."""
    wrong = _fields(entry, ENTRY_FIELDS)
    if wrong or not isinstance(entry, dict):
        report.problem(f"{label}: " + "; ".join(wrong))
        return "failed"
    kind = entry.get("kind")
    label += f" ({entry['source']} {kind})" if kind else f" ({entry['source']})"
    try:
        leaf = merkle.leaf_hash(bytes.fromhex(entry["nonce"]) + entry["content"].encode())
    except ValueError:
        report.problem(f"{label}: its nonce is not hexadecimal")
        return "failed"
    if leaf.hex() != entry["leaf_hash"].lower():
        report.problem(f"{label}: its content and nonce do not give its leaf hash: one of them was changed")
        return "failed"
    try:
        content = json.loads(entry["content"])
    except (json.JSONDecodeError, RecursionError):
        report.problem(f"{label}: its content is not JSON")
        return "failed"
    if isinstance(content, dict) and content.get("number") not in (None, number):
        report.problem(f"{label}: it is about letter {content.get('number')}, not {number}")
    index, proof = entry.get("log_index"), entry.get("proof")
    if index is None:
        return "pending"
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        report.problem(f"{label}: log_index is not a place in the log")
        return "failed"
    leaves[index] = leaf
    if checkpoint is None:
        return "failed"
    if index >= checkpoint.size:
        return "later"
    if not isinstance(proof, list) or not all(isinstance(h, str) for h in proof):
        report.problem(f"{label}: no inclusion proof, though it is in the checkpoint of size {checkpoint.size}")
        return "failed"
    try:
        merkle.verify_inclusion(index, checkpoint.size, leaf, [bytes.fromhex(h) for h in proof], checkpoint.root)
    except ValueError as error:  # merkle.ProofError, or hex that is not
        report.problem(f"{label}: its inclusion proof at {index} does not lead to the checkpoint's root ({error})")
        return "failed"
    return "proven"


def check_receipt_against_log(
    checkpoint: note.Checkpoint,
    origin: str,
    leaves: dict[int, bytes],
    verifier: note.Verifier,
    newer_path: Path | None,
    log_dir: Path | None,
    report: Report,
) -> tuple[int, int]:
    """The receipt's checkpoint against a newer one (--checkpoint) and the published log (--log);
    returns how many entries after the receipt's checkpoint the log holds, and in what size."""
    mine = Seen("the receipt's checkpoint", checkpoint)
    if newer_path is None and log_dir is not None:
        newer_path = log_dir / "checkpoint"
    newer = read_checkpoint(newer_path, str(newer_path), verifier, report) if newer_path else None
    if newer is not None and newer.checkpoint.origin != origin:
        report.problem(f"{newer.label}: a checkpoint of {newer.checkpoint.origin}, not of {origin}")
        newer = None
    if newer is not None and newer.checkpoint.size < checkpoint.size:
        report.problem(
            f"{newer.label}: size {newer.checkpoint.size} is older than the receipt's {checkpoint.size}: "
            "the log went back"
        )
    if log_dir is None:
        if newer is not None and newer.checkpoint.size == checkpoint.size and newer.checkpoint.root != checkpoint.root:
            report.problem(f"{newer.label}: another root for the receipt's size {checkpoint.size}: the log forked")
        elif newer is not None and newer.checkpoint.size != checkpoint.size:
            report.notes.append("consistency with the newer checkpoint not checked: give the log's folder with --log")
        return 0, 0
    tree = Tree.read(log_dir, report)
    check_against_tree(mine, tree, report)
    if newer is not None and not check_against_tree(newer, tree, report):
        newer = None
    if newer is not None and newer.checkpoint.size >= checkpoint.size:
        check_consistent(mine, newer, tree, report)
    shown = 0
    for index, leaf in sorted(leaves.items()):
        if index < tree.size and tree(0, index) != leaf:
            report.problem(f"the published log holds another leaf at {index} than the receipt's entry")
        elif newer is not None and checkpoint.size <= index < min(tree.size, newer.checkpoint.size):
            shown += 1
    return shown, newer.checkpoint.size if newer is not None else 0


# --- the command ---------------------------------------------------------------------------------


def read_key(path: Path) -> note.Verifier:
    try:
        return note.Verifier.decode(path.read_bytes().decode("utf-8"))
    except OSError as error:
        raise UsageError(f"{path}: cannot be read ({error.strerror})") from None
    except (UnicodeDecodeError, note.NoteError) as error:
        raise UsageError(f"{path}: not a verifier key (name+id+key): {error}") from None


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="akimat-verify",
        description="Verify the sealed record of an akimat from its published files alone.",
        epilog="Exit status: 0 all verified, 1 a problem found, 2 unusable arguments.",
    )
    commands = cli.add_subparsers(dest="command", required=True)
    log = commands.add_parser("log", help="a log's published folder: tiles, checkpoints, consistency")
    log.add_argument("folder", metavar="DIR", type=Path, help="the log's folder (<publish dir>/<slug>)")
    log.add_argument("--key", required=True, type=Path, metavar="KEYFILE", help="the installation's verifier key")
    log.add_argument(
        "--checkpoint", action="append", default=[], type=Path, metavar="FILE", help="a copy kept by a witness"
    )
    receipt = commands.add_parser("receipt", help="a resident's receipt: commitments and inclusion proofs")
    receipt.add_argument("file", metavar="FILE", type=Path, help="the receipt (JSON)")
    receipt.add_argument("--key", required=True, type=Path, metavar="KEYFILE", help="the installation's verifier key")
    receipt.add_argument("--checkpoint", type=Path, metavar="FILE", help="a newer signed checkpoint of the log")
    receipt.add_argument("--log", type=Path, metavar="DIR", help="the log's published folder, to prove consistency")
    return cli


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    report = Report()
    try:
        verifier = read_key(args.key)
        copies = args.checkpoint if args.command == "log" else [args.checkpoint] if args.checkpoint else []
        for path in copies:
            if not path.is_file():
                raise UsageError(f"{path}: no such file")
        if args.command == "log":
            if not args.folder.is_dir():
                raise UsageError(f"{args.folder}: not a folder")
            summary = verify_log(args.folder, verifier, args.checkpoint, report)
        else:
            if args.log is not None and not args.log.is_dir():
                raise UsageError(f"{args.log}: not a folder")
            summary = verify_receipt(args.file, verifier, args.checkpoint, args.log, report)
    except UsageError as error:
        print(f"akimat-verify: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a folder that cannot be listed, midway: a problem, not a traceback
        report.problem(f"{error.filename}: cannot be read ({error.strerror})")
        summary = "verification stopped"
    for problem in report.problems:
        print(f"FAILED: {problem}")
    for text in report.notes:
        print(f"note: {text}")
    if report.problems:
        print(f"{summary}: {_count(len(report.problems), 'problem')} found")
        return 1
    print(f"{summary}, all verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
