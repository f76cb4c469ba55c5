"""The words of C2SP tlog-witness's add-checkpoint request (c2sp.org/tlog-witness), both ways:

    old <size the witness last acknowledged>
    <base64 hash of the consistency proof, one a line>
    ...
    <blank line>
    <the signed checkpoint note>

A 200 answer is the witness's signature line(s) over the checkpoint; a 409 answer is the size the
witness holds, `<size>\\n`. Standard library only (and note.py), so both installations read the
same words.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from .note import NoteError

PATH = "/record/witness/add-checkpoint"
SIZE_TYPE = "text/x.tlog.size"  # C2SP's content type of a 409's body
MAX_BODY = 64 * 1024  # a proof of a tree of 2**63 leaves is 63 hashes: anything longer is not ours
MAX_PROOF = 64


class RequestError(ValueError):
    """An add-checkpoint request that is not well formed (answered 400)."""


@dataclass(frozen=True)
class AddCheckpoint:
    old_size: int
    proof: tuple[bytes, ...]
    note: str

    def encode(self) -> bytes:
        lines = [f"old {self.old_size}", *(base64.b64encode(h).decode() for h in self.proof)]
        return ("\n".join(lines) + "\n\n" + self.note).encode()

    @classmethod
    def parse(cls, body: bytes) -> AddCheckpoint:
        if len(body) > MAX_BODY:
            raise RequestError("the request is too long")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise RequestError("the request is not UTF-8") from None
        head, separator, note = text.partition("\n\n")
        if not separator or not note:
            raise RequestError("a blank line separates the proof from the checkpoint")
        first, *hashes = head.split("\n")
        word, _, size = first.partition(" ")
        if word != "old" or not size.isdigit() or (size != "0" and size.startswith("0")):
            raise RequestError("the request starts with `old <size>`")
        if len(hashes) > MAX_PROOF:
            raise RequestError("the proof is too long")
        proof = []
        for line in hashes:
            try:
                value = base64.b64decode(line, validate=True)
            except ValueError:
                raise RequestError("a proof line is not base64") from None
            if len(value) != 32:
                raise RequestError("a proof line is not a SHA-256 hash")
            proof.append(value)
        return cls(int(size), tuple(proof), note)


def parse_size(body: bytes) -> int:
    """The size in a 409's body."""
    text = body.decode("utf-8", "replace").strip()
    if not text.isdigit():
        raise NoteError(f"a witness's size is a decimal number, not {text[:40]!r}")
    return int(text)
