"""Append-only, hash-chained events: each event seals its content and the previous event's hash,
so an edited, inserted or deleted event breaks the chain where it happened; the letter row keeps
the newest hash, so events cut off the end show too. Replaying the events gives the state the
letter row must hold: a row changed behind the lifecycle's back disagrees with its journal."""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Akimat, Event, JournalCheck, Letter, LetterCounter, User
from .events import Payload, Replayed
from .events import replay as replayed_from

GENESIS = "0" * 64


def content_hash(
    *,
    letter_id: int,
    seq: int,
    kind: str,
    actor_id: int | None,
    actor_role: str,
    created_at: datetime,
    payload: dict,
    prev_hash: str,
) -> str:
    """The SHA-256 that seals one event: its content and the previous event's hash. A pure function
    of the values, so that whoever writes events (the lifecycle, the bulk demo) seals them alike."""
    content = {
        "letter_id": letter_id,
        "seq": seq,
        "kind": kind,
        "actor_id": actor_id,
        "actor_role": actor_role,
        "created_at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "payload": payload,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _content_hash(event: Event) -> str:
    return content_hash(
        letter_id=event.letter_id,
        seq=event.seq,
        kind=event.kind,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        created_at=event.created_at,
        payload=event.payload,
        prev_hash=event.prev_hash,
    )


HEADS = "journal_heads"  # session.info: letter id -> (seq, hash) of the events appended in this transaction


def _last_event(letter: Letter) -> tuple[int, str]:
    """The seq and hash of the letter's newest event: read once per transaction, then kept."""
    kept = db.session.info.get(HEADS, {}).get(letter.id)
    if kept is not None:
        return kept
    last = db.session.execute(
        select(Event.seq, Event.hash).where(Event.letter_id == letter.id).order_by(Event.seq.desc()).limit(1)
    ).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


@sa_event.listens_for(Session, "after_commit")
@sa_event.listens_for(Session, "after_rollback")
@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_heads(session, *args) -> None:
    session.info.pop(HEADS, None)


def append(letter: Letter, payload: Payload, *, actor: User | None, actor_role: str, now: datetime) -> Event:
    """Adds an event to the letter's journal in the current transaction: its kind and sealed
    content come from the payload's builder (domain/events.py).

    The caller holds the letter's row lock (lifecycle does), so the sequence cannot fork."""
    last_seq, prev_hash = _last_event(letter)
    seq = last_seq + 1
    event = Event(
        akimat_id=letter.akimat_id,
        letter_id=letter.id,
        seq=seq,
        kind=payload.KIND.value,
        actor_id=actor.id if actor else None,
        actor_role=actor_role,
        created_at=now.astimezone(UTC),
        payload=payload.to_payload(),
        prev_hash=prev_hash,
    )
    event.hash = _content_hash(event)
    letter.journal_head = event.hash
    db.session.add(event)
    db.session.info.setdefault(HEADS, {})[letter.id] = (seq, event.hash)
    return event


@dataclass(frozen=True)
class Break:
    letter_id: int | None
    number: str
    seq: int | None
    problem: str


def replay(events: list[Event]) -> Replayed:
    """The state the letter's events lead to (each kind's rule is in domain/events.py)."""
    return replayed_from([(event.kind, event.payload) for event in events])


def verify_letter(letter: Letter, events: list[Event]) -> list[Break]:
    """Every break in one letter's journal, given its events in order of seq."""
    breaks = []

    def problem(seq, text):
        breaks.append(Break(letter.id, letter.number, seq, text))

    if not events:
        problem(None, "no journal")
        return breaks
    prev_hash = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            problem(expected_seq, "missing event")
        if event.prev_hash != prev_hash:
            problem(event.seq, "chain broken")
        if _content_hash(event) != event.hash:
            problem(event.seq, "content altered")
        prev_hash = event.hash
    if letter.journal_head != events[-1].hash:
        problem(events[-1].seq + 1, "events missing at the end")
    try:
        state = replay(events)
    except (AttributeError, KeyError, TypeError, ValueError) as error:  # a payload rewritten into nonsense
        problem(None, f"journal cannot be replayed: {error!r}")
        return breaks
    row = Replayed(
        letter.status, letter.department_id, letter.deadline, letter.rating, letter.transfer_count, letter.executor_id
    )
    for name in ("status", "department_id", "deadline", "rating", "transfer_count", "executor_id"):
        if getattr(row, name) != getattr(state, name):
            problem(
                None,
                f"row disagrees with journal: {name} is {_show(getattr(row, name))}, "
                f"journal says {_show(getattr(state, name))}",
            )
    return breaks


def _show(value) -> str:
    return value.value if hasattr(value, "value") else str(value)


def events_of(letter: Letter) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.letter_id == letter.id).order_by(Event.seq)))


def verify_events(events: list[Event]) -> list[Break]:
    """The chain of one letter's events alone (kept for callers that hold no letter row)."""
    if not events:
        return []
    letter = db.session.get(Letter, events[0].letter_id)
    if letter is None:
        return [Break(events[0].letter_id, "", None, "letter missing")]
    return [b for b in verify_letter(letter, events) if not b.problem.startswith("row disagrees")]


@dataclass
class Report:
    letters: int = 0
    events: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaks


def verify_akimat(akimat_id: int | None = None, batch: int = 500) -> Report:
    """Verifies every letter of an akimat (or of the installation), a batch of letters at a time."""
    report = Report()
    for letters in _letter_batches(akimat_id, batch):
        _verify_batch(letters, report)
    return report


def _verify_batch(letters: list[Letter], report: Report) -> None:
    """The events are read as the audit reads them (record/audit_load.py): a payload rewritten into
    something that is not JSON is a break of its letter, never an error page."""
    from .record.audit_load import load_events

    ids = [letter.id for letter in letters]
    by_letter: dict[int, list] = {i: [] for i in ids}
    loaded = load_events(letter_ids=ids)
    for event in sorted(loaded.rows.values(), key=lambda r: (r.letter_id or 0, r.seq or 0)):
        if event.letter_id in by_letter:
            by_letter[event.letter_id].append(event)
    numbers = {letter.id: letter.number for letter in letters}
    for event_id, problems in loaded.problems.items():
        letter_id = loaded.letter_of.get(event_id) or 0
        row = loaded.rows.get(event_id)
        for problem in problems:
            report.breaks.append(Break(letter_id, numbers.get(letter_id, ""), row.seq if row else None, problem))
    unreadable = {loaded.letter_of.get(event_id) for event_id in loaded.problems}
    for letter in letters:
        report.letters += 1
        report.events += len(by_letter[letter.id])
        if letter.id in unreadable:  # its chain cannot be replayed; the problem is reported above
            continue
        report.breaks.extend(verify_letter(letter, by_letter[letter.id]))
    for obj in letters:  # keep memory flat over a million letters
        db.session.expunge(obj)


def check_akimat(akimat_id: int, full: bool = True) -> tuple[JournalCheck, Report]:
    """Audits the akimat's sealed record (domain/record/audit.py: its letters' journals with
    verify_letter, and every entry of its log) and records the check (committed), for the
    oversight page; `full=False` re-checks only what changed since the last intact check."""
    from .record import audit

    akimat = db.session.get(Akimat, akimat_id)
    assert akimat is not None
    result = audit.run([akimat], full=full)
    report = Report(letters=result.letters, events=result.events, breaks=result.breaks)
    check = last_check(akimat_id)
    assert check is not None
    return check, report


def last_check(akimat_id: int) -> JournalCheck | None:
    return db.session.scalar(
        select(JournalCheck)
        .where(JournalCheck.akimat_id == akimat_id)
        .order_by(JournalCheck.finished_at.desc(), JournalCheck.id.desc())
        .limit(1)
    )


@dataclass
class Recent:
    """The letters changed since a complete check (every event after `since_event_id`), verified."""

    since_event_id: int
    report: Report
    changed: int  # letters changed since, counted up to `limit` + 1
    limit: int

    @property
    def all_checked(self) -> bool:
        return self.changed <= self.limit


def verify_changed_since(akimat_id: int, since_event_id: int, limit: int = 2000, batch: int = 500) -> Recent:
    """Verifies the letters of the akimat that have events after `since_event_id`, the most
    recently changed first, at most `limit` of them."""
    ids = db.session.scalars(
        select(Event.letter_id)
        .where(Event.akimat_id == akimat_id, Event.id > since_event_id)
        .group_by(Event.letter_id)
        .order_by(func.max(Event.id).desc())
        .limit(limit + 1)
    ).all()
    report = Report()
    checked = ids[:limit]
    for start in range(0, len(checked), batch):
        letters = list(
            db.session.scalars(select(Letter).where(Letter.id.in_(checked[start : start + batch])).order_by(Letter.id))
        )
        _verify_batch(letters, report)
    return Recent(since_event_id=since_event_id, report=report, changed=len(ids), limit=limit)


REVISION_WINDOW = 1000  # event ids: a transaction still open when later ones commit is among the newest


def revision(akimat_id: int) -> tuple[int, int]:
    """Changes with every change of the akimat's letters, answers and requests (each appends an
    event): its newest event id, and how many of its events are among the newest ids. The count
    catches an event that commits after a later-numbered one (ids are taken in one order, commits
    happen in another). One query, two index lookups (web/cache.py)."""
    newest = select(func.max(Event.id)).where(Event.akimat_id == akimat_id).scalar_subquery()
    # Read through the akimat's newest REVISION_WINDOW events (every id above newest - window is among
    # them): a bounded backward index scan, which no planner turns into a parallel scan of millions.
    window = (
        select(Event.id).where(Event.akimat_id == akimat_id).order_by(Event.id.desc()).limit(REVISION_WINDOW).subquery()
    )
    recent, newest_id = db.session.execute(
        select(func.count().filter(window.c.id > newest - REVISION_WINDOW), func.max(window.c.id))
    ).one()
    return newest_id or 0, recent


def letters_of(akimat_id: int) -> int:
    """How many letters the akimat has registered: its counters' sum (no count over the letters)."""
    return (
        db.session.scalar(
            select(func.coalesce(func.sum(LetterCounter.last_seq), 0)).where(LetterCounter.akimat_id == akimat_id)
        )
        or 0
    )


def _letter_batches(akimat_id: int | None, batch: int) -> Iterator[list[Letter]]:
    last_id = 0
    while True:
        stmt = select(Letter).where(Letter.id > last_id).order_by(Letter.id).limit(batch)
        if akimat_id is not None:
            stmt = stmt.where(Letter.akimat_id == akimat_id)
        letters = list(db.session.scalars(stmt))
        if not letters:
            return
        yield letters
        last_id = letters[-1].id
