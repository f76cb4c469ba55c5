"""Signed notes and checkpoints as C2SP writes them (c2sp.org/signed-note, c2sp.org/tlog-checkpoint),
with Ed25519 keys through `cryptography`.

A checkpoint is the text

    <origin>\\n<tree size>\\n<base64 root hash>\\n

followed by a blank line and one signature line per signer, `— <key name> <base64(key id ‖ sig)>`.
The key id is the first four bytes of SHA-256(key name ‖ "\\n" ‖ 0x01 ‖ public key); a verifier key
is written `<name>+<key id in hex>+<base64(0x01 ‖ public key)>`, as Go's golang.org/x/mod/sumdb/note.

Standard library and `cryptography` only: the independent verifier imports this module as it is.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

ED25519 = 0x01
DASH = "\u2014"


class NoteError(ValueError):
    """A note or key that is malformed, or a signature that does not verify."""


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public).digest()[:4]


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError(f"a key name has no spaces or '+': {name!r}")


@dataclass(frozen=True)
class Verifier:
    name: str
    public: bytes  # the raw 32 bytes of the Ed25519 public key

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.public)

    def encode(self) -> str:
        return f"{self.name}+{self.id.hex()}+{base64.b64encode(bytes([ED25519]) + self.public).decode()}"

    @classmethod
    def decode(cls, text: str) -> Verifier:
        try:
            name, hex_id, b64 = text.strip().split("+", 2)  # base64 may hold "+"
            raw = base64.b64decode(b64, validate=True)
        except ValueError as error:
            raise NoteError(f"not a verifier key: {error}") from None
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("not an Ed25519 verifier key")
        _check_name(name)
        verifier = cls(name, raw[1:])
        if verifier.id.hex() != hex_id.lower():
            raise NoteError("the verifier key's id does not match its name and key")
        return verifier

    def verify(self, text: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, text)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    name: str
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str) -> Signer:
        _check_name(name)
        return cls(name, Ed25519PrivateKey.generate())

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    def encode(self) -> str:
        """The key as Go's note package writes a signer key: PRIVATE+KEY+<name>+<id>+<base64>."""
        seed = self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        seed_b64 = base64.b64encode(bytes([ED25519]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.id.hex()}+{seed_b64}"

    @classmethod
    def decode(cls, text: str) -> Signer:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("not a signer key (PRIVATE+KEY+name+id+key)")
        name, hex_id, b64 = parts[2:]
        try:
            raw = base64.b64decode(b64, validate=True)
        except ValueError as error:
            raise NoteError(f"not a signer key: {error}") from None
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("not an Ed25519 signer key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if signer.verifier.id.hex() != hex_id.lower():
            raise NoteError("the signer key's id does not match its key")
        return signer

    def signature_line(self, text: str) -> str:
        signature = self.private.sign(text.encode())
        return f"{DASH} {self.name} {base64.b64encode(self.verifier.id + signature).decode()}\n"


def sign(text: str, *signers: Signer) -> str:
    """The signed note: the text (ending in a newline), a blank line, a signature line per signer."""
    _check_text(text)
    return text + "\n" + "".join(signer.signature_line(text) for signer in signers)


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes


def _check_text(text: str) -> None:
    """As Go's golang.org/x/mod/sumdb/note: lines ending in a newline, no blank line, and no control
    character but the newline (a carriage return or a NUL would read differently elsewhere)."""
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError("a note's text ends with one newline and has no blank line")
    if any((c < " " and c != "\n") or c == "\x7f" or "\ud800" <= c <= "\udfff" for c in text):
        raise NoteError("a note's text has no control character but the newline")


MAX_SIGNATURES = 100  # as Go's note.Open: a note with more is refused, not read at length


def split(note: str) -> tuple[str, list[Signature]]:
    """The text and the signatures of a signed note, checking only the form."""
    text, separator, block = note.rpartition("\n\n")
    if not separator:
        raise NoteError("a signed note has a blank line before its signatures")
    text += "\n"
    _check_text(text)
    if not block:
        raise NoteError("a signed note has at least one signature")
    if not block.endswith("\n"):
        raise NoteError("a signed note ends with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"a signed note has at most {MAX_SIGNATURES} signatures")
    signatures = []
    for line in lines:
        prefix, _, rest = line.partition(" ")
        name, _, b64 = rest.partition(" ")
        if prefix != DASH or not name or "+" in name or not b64:
            raise NoteError(f"not a signature line: {line!r}")
        try:
            raw = base64.b64decode(b64, validate=True)
        except ValueError:
            raise NoteError(f"a signature that is not base64: {line!r}") from None
        if len(raw) < 5:
            raise NoteError(f"a signature too short: {line!r}")
        signatures.append(Signature(name, raw[:4], raw[4:]))
    if not signatures:
        raise NoteError("a signed note has at least one signature")
    return text, signatures


def open_note(note: str, verifier: Verifier) -> str:
    """The note's text, if `verifier` signed it; NoteError otherwise."""
    text, signatures = split(note)
    for signature in signatures:
        if signature.name == verifier.name and signature.key_id == verifier.id:
            if verifier.verify(text.encode(), signature.signature):
                return text
            raise NoteError(f"the signature of {verifier.name} does not verify")
    raise NoteError(f"not signed by {verifier.name}")


def cosign(note: str, signer: Signer) -> str:
    """The note with one more signature (a witness's), over the same text."""
    text, _ = split(note)
    return note + signer.signature_line(text)


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("a checkpoint has an origin, a size and a root, each on its line")
        origin, size, root, *extensions = lines[:-1]
        if not origin or not size.isdigit() or (size != "0" and size.startswith("0")):
            raise NoteError("a checkpoint's size is a decimal number")
        try:
            root_bytes = base64.b64decode(root, validate=True)
        except ValueError:
            raise NoteError("a checkpoint's root is base64") from None
        if len(root_bytes) != 32:
            raise NoteError("a checkpoint's root is a SHA-256 hash")
        return cls(origin, int(size), root_bytes, tuple(extensions))


def signed_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    return sign(checkpoint.text(), signer)


def open_checkpoint(note: str, verifier: Verifier, origin: str | None = None) -> Checkpoint:
    """The checkpoint in a signed note, if the verifier's signature holds and (if given) the origin is right."""
    checkpoint = Checkpoint.parse(open_note(note, verifier))
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"a checkpoint of {checkpoint.origin}, not of {origin}")
    return checkpoint
