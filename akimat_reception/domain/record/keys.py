"""The installation's signing key: one Ed25519 key signs the checkpoints of every akimat's log (each
log has its own origin), so that a resident, a witness or a higher body trusts one public key.

The key is a file (RECORD_SIGNING_KEY_FILE, default instance/record-signing.key, mode 0600), never a
row: `flask backup` copies the database and the attachments, not the instance folder's keys, and a
database owner who rewrites history cannot sign a checkpoint for it. Rotation and compromise:
docs/record.md."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from flask import current_app

from .note import Signer, Verifier


class NoSigningKey(RuntimeError):
    pass


def key_path() -> Path:
    configured = current_app.config.get("RECORD_SIGNING_KEY_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "record-signing.key"


def key_name() -> str:
    return current_app.config["RECORD_ORIGIN"]


def create_key(path: Path | None = None, name: str | None = None) -> Signer:
    """A new key, written so that only the owner reads it. Refuses to overwrite one."""
    path = path or key_path()
    signer = Signer.generate(name or key_name())
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(signer.encode() + "\n")
    public_path(path).write_text(signer.verifier.encode() + "\n")
    return signer


def public_path(path: Path) -> Path:
    """The verifier key beside the signing key: what the web processes read, so that only the
    worker needs the signing key itself."""
    return path.with_name(path.name + ".pub")


_loaded: dict[str, Signer] = {}


def signer() -> Signer:
    path = key_path()
    cached = _loaded.get(str(path))
    if cached is not None and path.exists():
        return cached
    if not path.exists():
        if not current_app.config.get("RECORD_SIGNING_KEY_CREATE", True):
            raise NoSigningKey(f"no signing key at {path}: make one with `flask journal keygen`")
        with contextlib.suppress(FileExistsError):  # another process made it first
            create_key(path)
    loaded = Signer.decode(path.read_text())
    _loaded[str(path)] = loaded
    return loaded


def verifier() -> Verifier:
    public = public_path(key_path())
    if public.exists():
        return Verifier.decode(public.read_text())
    return signer().verifier
