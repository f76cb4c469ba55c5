"""Residents' files: the type read from the bytes (never the name), at most five of 10 MB,
kept outside static/ under random names with their SHA-256.

What is checked, and the limits:
- PDF: by its signature. Stored as sent.
- DOCX (any OOXML zip is judged first): from the zip's central directory, without unpacking it.
  Refused when it would unpack to more than 50 MB in all, holds more than 1000 parts, packs a
  part of over 1 MB more than 100 times tighter (a real document's XML packs 5-20 times), or its
  parts claim more packed bytes than the file has (overlapping parts: a zip bomb's trick).
  Stored as sent.
- JPEG and PNG: opened by Pillow (which reads the format from the bytes and proves the pixels
  decode), refused above 60 million pixels (`Image.MAX_IMAGE_PIXELS`, against image bombs),
  turned upright by their EXIF orientation, then re-encoded without any metadata: no EXIF (GPS
  position of a resident's home, camera, time), no XMP, no comments; the colour profile and
  transparency are kept. The hash of the bytes sent is kept beside the stored file's.

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
from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx"}

MAX_UNPACKED_MB = 50
MAX_ENTRIES = 1000
MAX_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024  # small parts may pack tightly and harm no one
MAX_MEGAPIXELS = 60
# Pillow's own guard: above this it warns, above twice this it refuses to open at all. Set for the
# whole process (Pillow reads it as a module setting); `_image` refuses from this size on.
MAX_PIXELS = MAX_MEGAPIXELS * 1_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
IMAGE_TYPES = {"JPEG": JPEG, "MPO": JPEG, "PNG": PNG}  # MPO: a phone's JPEG with a second picture


class Refused(Exception):
    """A file that is not kept, with the message for the resident (naming the file)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def examine(name: str, content: bytes) -> tuple[str, bytes]:
    """The file's real type and the bytes to store; raises Refused with the reason."""
    if content.startswith(b"%PDF-"):
        return PDF, content
    if content.startswith(b"PK\x03\x04"):
        if _is_docx(name, content):
            return DOCX, content
        raise Refused(_not_a_type(name))
    cleaned = _image(name, content)
    if cleaned is None:
        raise Refused(_not_a_type(name))
    return cleaned


def _not_a_type(name: str):
    return _l("%(name)s is not a PDF, JPEG, PNG or DOCX file.", name=name)


def _is_docx(name: str, content: bytes) -> bool:
    """Whether the zip is a Word document; raises Refused when it would unpack absurdly.
    Only the central directory is read: nothing is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError):  # a zip not read is no document
        return False
    if len(entries) > MAX_ENTRIES:
        raise Refused(
            _l(
                "%(name)s was not added: it holds more than %(count)s parts. Save it as a PDF and attach that.",
                name=name,
                count=MAX_ENTRIES,
            )
        )
    if sum(e.file_size for e in entries) > MAX_UNPACKED_MB * 1024 * 1024:
        raise Refused(
            _l(
                "%(name)s was not added: it would unpack to more than %(size)s MB. Save it as a PDF and attach that.",
                name=name,
                size=MAX_UNPACKED_MB,
            )
        )
    if sum(e.compress_size for e in entries) > len(content):
        raise Refused(
            _l(
                "%(name)s was not added: its parts overlap, as in harmful archives. Save it as a PDF and attach that.",
                name=name,
            )
        )
    if any(e.file_size > RATIO_CHECKED_FROM and e.file_size > MAX_RATIO * max(e.compress_size, 1) for e in entries):
        raise Refused(
            _l(
                "%(name)s was not added: it is packed more than %(ratio)s times tighter than a real document, "
                "as harmful archives are. Save it as a PDF and attach that.",
                name=name,
                ratio=MAX_RATIO,
            )
        )
    names = {e.filename for e in entries}
    return "word/document.xml" in names and "[Content_Types].xml" in names


def _image(name: str, content: bytes) -> tuple[str, bytes] | None:
    """A JPEG or PNG upright and without metadata, or None when the bytes are no such image."""
    too_large = _l(
        "%(name)s was not added: the picture has more than %(count)s million pixels. Attach a smaller photo.",
        name=name,
        count=MAX_MEGAPIXELS,
    )
    try:
        image = Image.open(io.BytesIO(content), formats=["JPEG", "PNG"])
    except Image.DecompressionBombError as error:
        raise Refused(too_large) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    with image:
        if image.width * image.height > MAX_PIXELS:
            raise Refused(too_large)
        content_type = IMAGE_TYPES[image.format or ""]  # Image.open with `formats` gives one of them
        try:
            return content_type, _reencoded(image, content_type)
        except Exception as error:  # Pillow parsing a stranger's bytes fails in many ways: all mean damaged
            raise Refused(_l("%(name)s could not be read as a picture: it may be damaged.", name=name)) from error


def _reencoded(image: Image.Image, content_type: str) -> bytes:
    """The pixels turned upright by the EXIF orientation, written anew with none of the original's
    metadata (EXIF, XMP, comments, text chunks); the colour profile and transparency are kept."""
    upright = ImageOps.exif_transpose(image)  # reads the pixels: a damaged file fails here
    kept = {"icc_profile": image.info.get("icc_profile")}
    if content_type == JPEG:
        # The original's quantisation tables keep its quality; re-encoding at a fixed quality
        # would blur a sharp scan or bloat a small photo.
        kept["qtables"] = getattr(image, "quantization", None) or None
        sampling = JpegImagePlugin.get_sampling(image) if kept["qtables"] else -1
        if sampling >= 0:
            kept["subsampling"] = sampling
    elif "transparency" in image.info:
        kept["transparency"] = image.info["transparency"]
    upright.info = {}
    out = io.BytesIO()
    upright.save(out, "JPEG" if content_type == JPEG else "PNG", **{k: v for k, v in kept.items() if v is not None})
    return out.getvalue()


@dataclass
class StagedFile:
    storage_name: str
    original_name: str
    content_type: str
    size: int  # of the stored file
    sha256: str  # of the stored file
    position: int = 0  # the order the resident chose them in
    original_sha256: str | None = None  # of the bytes the resident sent; the stored file's if unchanged

    def __post_init__(self):
        self.original_sha256 = self.original_sha256 or self.sha256


def _root() -> Path:
    configured = current_app.config.get("ATTACHMENTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "attachments"


def _staging(token: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        raise ValueError("bad submission token")
    return _root() / "staging" / token


def staging_folder(token: str) -> Path:
    """Where a form's (or a draft's) files wait until the letter is sent; ValueError for a bad token."""
    return _staging(token)


def staging_folders() -> list[tuple[str, float]]:
    """Every staging folder's token and last change (a timestamp), for the purge of abandoned ones."""
    root = _root() / "staging"
    if not root.is_dir():
        return []
    return [(p.name, p.stat().st_mtime) for p in root.iterdir() if p.is_dir() and re.fullmatch(r"[0-9a-f]{32}", p.name)]


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
        if len(present) >= MAX_FILES:
            problems.append(_l("%(name)s was not added: at most %(count)s files.", name=name, count=MAX_FILES))
            continue
        try:
            content_type, stored = examine(name, content)
        except Refused as refused:
            problems.append(refused.message)
            continue
        folder = _staging(token)
        folder.mkdir(parents=True, exist_ok=True)
        item = StagedFile(
            secrets.token_hex(24),
            name,
            content_type,
            len(stored),
            hashlib.sha256(stored).hexdigest(),
            position=max((f.position for f in present), default=0) + 1,
            original_sha256=hashlib.sha256(content).hexdigest(),
        )
        (folder / item.storage_name).write_bytes(stored)
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
