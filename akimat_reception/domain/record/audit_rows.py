"""The audit of the rows behind the record: each entry's row still there and still what was sealed
(its commitment recomputed from the rows as they are now, with content.py), each letter's own
journal intact (domain/journal.verify_letter: chain, replay against the row), every sealed row
in the record, registration numbers gap-free, stored files as their hashes say.

Each batch of entries or letters costs a constant number of queries (audit_load.py), and nothing
a row holds — nulls, text that is no JSON, a kind this code does not know — stops the audit: it is
a finding, named by the letter's number."""

from __future__ import annotations

import hashlib
import random
import typing
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, and_, cast, exists, func, null, select

from ...extensions import db
from ...models import (
    AdminEvent,
    Akimat,
    Answer,
    Attachment,
    Event,
    Letter,
    LetterCounter,
    LogEntry,
    PersonalDataAccess,
    PhoneCheck,
)
from ..events import EventKind
from ..journal import verify_letter
from ..numbering import registration_number
from . import content as sealed
from .audit_load import EventRow, Loaded, forget, load_events, load_rows
from .audit_tree import Entry

Report = Callable[..., None]  # report(number, problem, seq=None, letter_id=None)
KINDS = {kind.value for kind in EventKind}
SOURCE_MODELS: dict[str, Any] = {
    sealed.Source.EVENT.value: Event,
    sealed.Source.ATTACHMENT.value: Attachment,
    sealed.Source.ACCESS.value: PersonalDataAccess,
    sealed.Source.ADMIN.value: AdminEvent,
    sealed.Source.PHONE_CHECK.value: PhoneCheck,
}
WHAT = {"attachment": "attachment", "access": "personal-data access", "admin": "administrative change"}


def check_entries(entries: list[Entry], report: Report, now: datetime, max_delay: int) -> set[int]:
    """Every entry of the batch against its row; returns the letters the entries belong to."""
    by_source: dict[str, list[int]] = {}
    for entry in entries:
        by_source.setdefault(entry.source, []).append(entry.source_id)
    events = load_events(ids=by_source.get("event", []))
    rows = {
        source: load_rows(model, by_source.get(source, []))
        for source, model in SOURCE_MODELS.items()
        if source != "event"
    }
    letter_ids = {e.letter_id for e in entries if e.letter_id is not None}
    letter_ids |= {e.letter_id for e in events.rows.values() if e.letter_id is not None}
    for source in ("attachment", "access"):
        letter_ids |= {r.letter_id for r in rows[source].rows.values() if r.letter_id is not None}
    letters = load_rows(Letter, letter_ids)
    answer_ids = [
        (e.payload or {}).get("answer_id")
        for e in events.rows.values()
        if e.kind == "answer_sent" and isinstance(e.payload, dict)
    ]
    answers = load_rows(Answer, [a for a in answer_ids if isinstance(a, int)])
    late = now - timedelta(seconds=max_delay)
    for entry in entries:
        number = entry.letter_number or ""
        written = entry.created_at
        if entry.log_index is None and isinstance(written, datetime) and written < late:
            report(
                number,
                f"{entry.source} {entry.source_id}: not integrated in time (written {written:%Y-%m-%d %H:%M} UTC)",
            )
        if entry.source not in SOURCE_MODELS:
            report(number, f"entry {entry.id}: unknown source {entry.source!r}")
            continue
        row: Any
        unreadable: Any
        if entry.source == "event":
            row, unreadable = events.rows.get(entry.source_id), events.problems.get(entry.source_id)
        else:
            loaded = rows[entry.source]
            row, unreadable = loaded.rows.get(entry.source_id), loaded.unreadable.get(entry.source_id)
        what = f"{entry.source} {entry.source_id} of {number or 'no letter'}"
        if row is None:
            if unreadable:
                report(number, f"{what} cannot be read: {unreadable}")
            else:
                report(number, f"{what} is gone", letter_id=entry.letter_id)
            continue
        _check_commitment(entry, row, letters, answers, report)
    forget([*letters.rows.values(), *answers.rows.values(), *(r for one in rows.values() for r in one.rows.values())])
    return letter_ids


def _check_commitment(entry: Entry, row: Any, letters: Loaded, answers: Loaded, report: Report) -> None:
    letter_id: int | None = getattr(row, "letter_id", None)
    letter = letters.rows.get(letter_id) if letter_id is not None else None
    number = entry.letter_number or (letter.number if letter is not None else "")
    try:
        if entry.source == "event":
            answer = None
            if row.kind == "answer_sent" and isinstance(row.payload, dict):
                answer_id = row.payload.get("answer_id")
                answer = answers.rows.get(answer_id) if isinstance(answer_id, int) else None
            content = sealed.event_content(row, letter, answer)
            what = f"{row.kind} (event {row.seq})"
        elif entry.source == "attachment":
            content, what = sealed.attachment_content(row, letter.number if letter else None), "attachment"
        elif entry.source == "access":
            content, what = sealed.access_content(row, letter.number if letter else None), "personal-data access"
        elif entry.source == "admin":
            content, what = sealed.admin_content(row), f"administrative change {row.kind} {row.id}"
        else:
            content, what = sealed.phone_check_content(row), f"phone check {row.id}"
        changed = sealed.commitment(entry.nonce, content) != entry.commitment
    except Exception as error:  # noqa: BLE001 - a row that cannot even be written out is a finding
        problem = f"{type(error).__name__}: {error}"
        report(number, f"{entry.source} {entry.source_id}: its content cannot be recomputed ({problem})")
        return
    if changed:
        report(
            number,
            f"content of {number or entry.source + ' ' + str(entry.source_id)} changed: {what}",
            letter_id=letter_id,
        )
    if letter_id is not None and entry.letter_id is not None and letter_id != entry.letter_id:
        report(number, f"{entry.source} {entry.source_id} moved to another letter")


def check_letters(letter_ids: list[int], report: Report) -> tuple[int, int]:
    """Each letter's own journal (verify_letter) and its events' rows; returns (letters, events)."""
    letters = load_rows(Letter, letter_ids)
    for letter_id, problem in letters.unreadable.items():
        number = db.session.scalar(select(cast(Letter.number, Text)).where(Letter.id == letter_id)) or f"#{letter_id}"
        report(number, f"the letter's row cannot be read: {problem}", letter_id=letter_id)
    events = load_events(letter_ids=letter_ids)
    by_letter: dict[int | None, list[EventRow]] = {}
    for event in events.rows.values():
        by_letter.setdefault(event.letter_id, []).append(event)
    for event_id, problems in events.problems.items():
        of = events.letter_of.get(event_id)
        letter = letters.rows.get(of) if of is not None else None
        seq = getattr(events.rows.get(event_id), "seq", None)
        number = letter.number if letter is not None else f"event {event_id} of no letter"
        for problem in problems:
            report(number, problem, seq=seq, letter_id=getattr(letter, "id", None))
    for one in events.rows.values():
        if one.kind is not None and one.kind not in KINDS:
            named = letters.rows.get(one.letter_id) if one.letter_id is not None else None
            report(named.number if named else "", f"unknown event kind {one.kind!r}", seq=one.seq)
    count = 0
    for letter in letters.rows.values():
        journal = sorted(by_letter.get(letter.id, []), key=lambda e: e.seq if e.seq is not None else 0)
        count += len(journal)
        try:
            found = verify_letter(letter, cast_events(journal))
        except Exception as error:  # noqa: BLE001 - nulls where the chain expects values
            report(letter.number, f"journal cannot be checked ({type(error).__name__}: {error})", letter_id=letter.id)
            continue
        for b in found:
            report(b.number, b.problem, seq=b.seq, letter_id=b.letter_id)
    forget(letters.rows.values())
    return len(letters.rows) + len(letters.unreadable), count


def cast_events(rows: list[EventRow]) -> list[Event]:
    """verify_letter reads an event's attributes only: the rows as read serve as Events."""
    return typing.cast("list[Event]", rows)


def unsealed_rows(akimat_id: int | None, since: dict[str, int], report: Report, limit: int = 10_000) -> None:
    """Sealed rows with no entry at all (after `since[source]`, the ids a previous check covered)."""
    for source, model in SOURCE_MODELS.items():
        owner = model.akimat_id.is_(None) if akimat_id is None else model.akimat_id == akimat_id
        if akimat_id is None and source not in ("admin",):
            continue
        has_entry = exists().where(LogEntry.source == source, LogEntry.source_id == model.id)
        if hasattr(model, "letter_id"):
            stmt = select(model.id, Letter.number).outerjoin(Letter, Letter.id == model.letter_id)
        else:
            stmt = select(model.id, null())
        stmt = stmt.where(owner, model.id > since.get(source, 0), ~has_entry).order_by(model.id).limit(limit)
        for row_id, number in db.session.execute(stmt):
            report(number or "", f"{WHAT.get(source, source.replace('_', ' '))} {row_id} is not in the record")


def sealed_through(log_id: int, size: int) -> dict[str, int]:
    """Per source, the highest row id among the entries of the first `size` places. Read down the
    (source, source_id) index from the top: only the rows sealed since (a day's) are passed over."""
    if size <= 0:
        return {}
    found = {}
    for source in SOURCE_MODELS:
        high = db.session.scalar(
            select(LogEntry.source_id)
            .where(LogEntry.source == source, LogEntry.log_id == log_id, LogEntry.log_index < size)
            .order_by(LogEntry.source_id.desc())
            .limit(1)
        )
        if high is not None:
            found[source] = high
    return found


def registration_numbers(akimat: Akimat, report: Report) -> None:
    """Per year, numbers 1..last_seq each held by a letter: a deleted letter leaves its hole."""
    for year, last_seq in db.session.execute(
        select(LetterCounter.year, LetterCounter.last_seq).where(LetterCounter.akimat_id == akimat.id)
    ).all():
        ours = and_(Letter.akimat_id == akimat.id, Letter.year == year)
        held, highest = db.session.execute(select(func.count(), func.max(Letter.seq)).where(ours)).one()
        if held == last_seq and (highest or 0) == last_seq:
            continue
        expected = 1
        for (seq,) in db.session.execute(select(Letter.seq).where(ours).order_by(Letter.seq)).yield_per(10_000):
            for missing in range(expected, min(seq, last_seq + 1)):
                report(
                    registration_number(akimat, year, missing),
                    f"letter {registration_number(akimat, year, missing)} is missing",
                )
            if seq > last_seq:
                report(registration_number(akimat, year, seq), f"number beyond the counter ({last_seq})")
            expected = seq + 1
        for missing in range(expected, last_seq + 1):
            report(
                registration_number(akimat, year, missing),
                f"letter {registration_number(akimat, year, missing)} is missing",
            )


def letters_gone(log_id: int, report: Report, since: int = 0) -> None:
    """Numbers that entries name whose letter row is gone (among the entries from place `since`
    on and those waiting): two range reads of the log's indexes, not one scan of every entry."""
    gone: dict[str, int] = {}
    for placed in (LogEntry.log_index >= since, LogEntry.log_index.is_(None)):
        stmt = (
            select(LogEntry.letter_number, func.count())
            .where(
                LogEntry.log_id == log_id,
                placed,
                LogEntry.letter_id.is_not(None),
                ~exists().where(Letter.id == LogEntry.letter_id),
            )
            .group_by(LogEntry.letter_number)
        )
        for number, entries in db.session.execute(stmt):
            gone[number or ""] = gone.get(number or "", 0) + entries
    for number, entries in sorted(gone.items()):
        report(number, f"letter {number} is gone ({entries} entries of the record name it)")


def stored_files(akimat_id: int, files: str, sample: int, report: Report) -> int:
    """Re-hashes the akimat's stored files: all, or a random sample. Returns how many."""
    from ..attachments import stored_path

    stmt = (
        select(Attachment.id, Attachment.storage_name, Attachment.sha256, Letter.number)
        .outerjoin(Letter, Letter.id == Attachment.letter_id)
        .where(Attachment.akimat_id == akimat_id)
    )
    if files == "sample":
        ids = list(db.session.scalars(select(Attachment.id).where(Attachment.akimat_id == akimat_id)))
        stmt = stmt.where(Attachment.id.in_(random.sample(ids, min(sample, len(ids)))))
    checked = 0
    for attachment_id, storage_name, sha256, number in db.session.execute(stmt.order_by(Attachment.id)).yield_per(500):
        checked += 1
        try:
            digest = hashlib.sha256()
            with stored_path(storage_name).open("rb") as stored:
                for chunk in iter(lambda: stored.read(1 << 20), b""):
                    digest.update(chunk)
        except (OSError, ValueError, TypeError) as error:
            report(number or "", f"file of attachment {attachment_id} cannot be read ({type(error).__name__})")
            continue
        if digest.hexdigest() != sha256:
            report(number or "", f"file of attachment {attachment_id} differs from its hash")
    return checked
