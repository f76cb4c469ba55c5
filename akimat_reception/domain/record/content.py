"""What each entry of the record commits to: the canonical content of one row, made from the row and
the rows it stands for, so that the audit, recomputing it from the database, sees any word changed.

- an **event** of a letter: its place in the letter's chain (seq, both hashes), kind, actor and role,
  time and payload; for `submitted` everything the resident wrote (the letter's frozen columns:
  subject, text, name, IIN, address, contacts, channel, sender's reference, anonymity, organisation,
  co-signatories, received date, original deadline); for `answer_sent` the answer: text, decision,
  reasons, legal basis, appeal procedure, language, author, department, who approved and signed it,
  its outgoing number and when it was sent;
- an **attachment**: the file's name, type, size, SHA-256 as stored and as sent;
- an **access** to a resident's personal data: who, in which role, which letter, when, which page;
- an **administrative change**: what, who, when, before and after;
- a **phone check**: which line, who called, when, the result and the note.

Every value is read with getattr, so ORM objects and result rows serve alike. The content is JSON
with sorted keys and no spaces (`canonical`); the leaf is H(0x00 ‖ nonce ‖ content) (`commitment`):
the nonce keeps a proof shown to one resident from revealing anything about another's entries.
"""

from __future__ import annotations

import enum
import json
import os
from datetime import UTC, date, datetime
from typing import Any

from ...models.guards import FROZEN_LETTER_COLUMNS, FROZEN_SENT_ANSWER_COLUMNS
from .merkle import leaf_hash

VERSION = 1
# Of the letter's frozen columns, those the resident wrote or the registry fixed at receipt; the
# access code's hash and the submission token are secrets of the resident's session, not content.
SUBMITTED_COLUMNS = tuple(c for c in FROZEN_LETTER_COLUMNS if c not in ("access_code_hash", "submission_token"))
# A sent answer as the resident received it: the columns the guards freeze once it is sent.
SENT_ANSWER_COLUMNS = ("id", *FROZEN_SENT_ANSWER_COLUMNS)
ATTACHMENT_COLUMNS = ("letter_id", "original_name", "content_type", "size", "sha256", "original_sha256", "storage_name")


class Source(enum.StrEnum):
    EVENT = "event"
    ATTACHMENT = "attachment"
    ACCESS = "access"
    ADMIN = "admin"
    PHONE_CHECK = "phone_check"


def plain(value: Any) -> Any:
    """A value as the canonical content writes it: enums by value, times in UTC to the microsecond."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _columns(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: plain(getattr(row, name)) for name in names}


def event_content(event: Any, letter: Any, answer: Any | None = None) -> dict[str, Any]:
    """`payload` is the event's payload as a dict (the caller parses it). `answer`: for answer_sent."""
    content: dict[str, Any] = {
        "v": VERSION,
        "entry": Source.EVENT.value,
        "akimat": event.akimat_id,
        "letter": event.letter_id,
        "number": getattr(letter, "number", None),
        "seq": event.seq,
        "kind": event.kind,
        "actor": event.actor_id,
        "role": event.actor_role,
        "at": plain(event.created_at),
        "payload": event.payload,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }
    if event.kind == "submitted":
        content["letter_content"] = _columns(letter, SUBMITTED_COLUMNS)
    elif event.kind == "answer_sent":
        content["answer"] = _columns(answer, SENT_ANSWER_COLUMNS) if answer is not None else None
    return content


def attachment_content(attachment: Any, number: str | None) -> dict[str, Any]:
    return {
        "v": VERSION,
        "entry": Source.ATTACHMENT.value,
        "akimat": attachment.akimat_id,
        "number": number,
        "at": plain(attachment.created_at),
        **_columns(attachment, ATTACHMENT_COLUMNS),
    }


def access_content(access: Any, number: str | None) -> dict[str, Any]:
    return {
        "v": VERSION,
        "entry": Source.ACCESS.value,
        "akimat": access.akimat_id,
        "letter": access.letter_id,
        "number": number,
        "user": access.user_id,
        "role": access.role,
        "at": plain(access.accessed_at),
        "path": access.path,
    }


def admin_content(change: Any) -> dict[str, Any]:
    return {
        "v": VERSION,
        "entry": Source.ADMIN.value,
        "akimat": change.akimat_id,
        "kind": change.kind,
        "target": [change.target_type, change.target_id],
        "actor": change.actor_id,
        "at": plain(change.created_at),
        "before": change.before,
        "after": change.after,
    }


def phone_check_content(check: Any) -> dict[str, Any]:
    return {
        "v": VERSION,
        "entry": Source.PHONE_CHECK.value,
        "akimat": check.akimat_id,
        "line": check.line_id,
        "by": check.checked_by_id,
        "at": plain(check.checked_at),
        "result": plain(check.result),
        "note": check.note,
    }


def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=plain).encode()


def new_nonce() -> str:
    return os.urandom(16).hex()


def commitment(nonce: str, content: dict[str, Any]) -> str:
    """The leaf hash of the entry: SHA-256(0x00 ‖ nonce ‖ canonical content), hex."""
    return leaf_hash(bytes.fromhex(nonce) + canonical(content)).hex()
