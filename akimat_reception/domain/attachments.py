"""Residents' files: the type read from the bytes (never the name), at most five of 10 MB,
kept outside static/ under random names with their SHA-256.

A browser cannot refill a file input, so files that passed the checks are staged under the
form's submission token: when the form comes back with an error in another field, they are
still attached, and the resident does not choose them again."""

import hashlib
import io
import json
import os
import re
import secrets
import shutil
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx"}


def sniff(content: bytes) -> str | None:
    """The file's real type, from its first bytes (and, for DOCX, its inner structure)."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
    return None


@dataclass
class StagedFile:
    storage_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    position: int = 0  # the order the resident chose them in


def _root() -> Path:
    configured = current_app.config.get("ATTACHMENTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "attachments"


def _staging(token: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        raise ValueError("bad submission token")
    return _root() / "staging" / token


def stored_path(storage_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{48}", storage_name):
        raise ValueError("bad storage name")
    return _root() / storage_name


def safe_name(name: str) -> str:
    """What is shown and offered back on download: no path, no control characters."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(c for c in name if c.isprintable() and c not in '"<>|:*?')
    return name[:200] or "file"


def staged(token: str) -> list[StagedFile]:
    try:
        folder = _staging(token)
    except ValueError:
        return []
    if not folder.is_dir():
        return []
    files = []
    for meta in folder.glob("*.json"):
        files.append(StagedFile(**json.loads(meta.read_text(encoding="utf-8"))))
    return sorted(files, key=lambda f: f.position)


def stage(token: str, uploads) -> list:
    """Checks and stages each uploaded file; returns the problems, each naming its file."""
    problems = []
    present = staged(token)
    for upload in uploads:
        if not upload or not upload.filename:
            continue
        name = safe_name(upload.filename)
        content = upload.read(MAX_BYTES + 1)
        if len(content) > MAX_BYTES:
            problems.append(_l("%(name)s is larger than 10 MB.", name=name))
            continue
        if not content:
            problems.append(_l("%(name)s is empty.", name=name))
            continue
        content_type = sniff(content)
        if content_type is None:
            problems.append(_l("%(name)s is not a PDF, JPEG, PNG or DOCX file.", name=name))
            continue
        if len(present) >= MAX_FILES:
            problems.append(_l("%(name)s was not added: at most %(count)s files.", name=name, count=MAX_FILES))
            continue
        folder = _staging(token)
        folder.mkdir(parents=True, exist_ok=True)
        item = StagedFile(
            secrets.token_hex(24),
            name,
            content_type,
            len(content),
            hashlib.sha256(content).hexdigest(),
            position=max((f.position for f in present), default=0) + 1,
        )
        (folder / item.storage_name).write_bytes(content)
        (folder / f"{item.storage_name}.json").write_text(json.dumps(asdict(item)), encoding="utf-8")
        present.append(item)
    return problems


def unstage(token: str, storage_names: list[str]) -> None:
    for item in staged(token):
        if item.storage_name in storage_names:
            folder = _staging(token)
            (folder / item.storage_name).unlink(missing_ok=True)
            (folder / f"{item.storage_name}.json").unlink(missing_ok=True)


def keep(token: str) -> list[StagedFile]:
    """Moves the staged files to their permanent place; returns them for the database rows."""
    files = staged(token)
    if not files:
        return []
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    folder = _staging(token)
    for item in files:
        os.replace(folder / item.storage_name, root / item.storage_name)
    shutil.rmtree(folder, ignore_errors=True)
    return files
