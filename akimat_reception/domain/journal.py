"""Append-only, hash-chained events: each event seals its content and the previous event's hash,
so an edited, inserted or deleted event breaks the chain where it happened; the letter row keeps
the newest hash, so events cut off the end show too. Replaying the events gives the state the
letter row must hold: a row changed behind the lifecycle's back disagrees with its journal."""
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Optional

from sqlalchemy import select

from ..extensions import db
from ..models import Event, Letter, LetterStatus, User

GENESIS = "0" * 64


def content_hash(*, letter_id: int, seq: int, kind: str, actor_id: Optional[int], actor_role: str,
                 created_at: datetime, payload: dict, prev_hash: str) -> str:
    """The SHA-256 that seals one event: its content and the previous event's hash. A pure function
    of the values, so that whoever writes events (the lifecycle, the bulk demo) seals them alike."""
    content = {
        "letter_id": letter_id,
        "seq": seq,
        "kind": kind,
        "actor_id": actor_id,
        "actor_role": actor_role,
        "created_at": created_at.astimezone(timezone.utc).isoformat(timespec="microseconds"),
        "payload": payload,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _content_hash(event: Event) -> str:
    return content_hash(letter_id=event.letter_id, seq=event.seq, kind=event.kind, actor_id=event.actor_id,
                        actor_role=event.actor_role, created_at=event.created_at, payload=event.payload,
                        prev_hash=event.prev_hash)


def append(letter: Letter, kind: str, *, actor: Optional[User], actor_role: str,
           payload: dict, now: datetime) -> Event:
    """Adds an event to the letter's journal in the current transaction.

    The caller holds the letter's row lock (lifecycle does), so the sequence cannot fork."""
    last = db.session.execute(
        select(Event.seq, Event.hash).where(Event.letter_id == letter.id)
        .order_by(Event.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, GENESIS)
    event = Event(
        akimat_id=letter.akimat_id, letter_id=letter.id, seq=seq, kind=kind,
        actor_id=actor.id if actor else None, actor_role=actor_role,
        created_at=now.astimezone(timezone.utc), payload=payload, prev_hash=prev_hash,
    )
    event.hash = _content_hash(event)
    letter.journal_head = event.hash
    db.session.add(event)
    return event


@dataclass(frozen=True)
class Break:
    letter_id: int
    number: str
    seq: Optional[int]
    problem: str


@dataclass
class Replayed:
    """What the letter row must say, according to its journal."""

    status: Optional[LetterStatus] = None
    department_id: Optional[int] = None
    deadline: Optional[date] = None
    rating: Optional[int] = None
    transfer_count: int = 0


def replay(events: list[Event]) -> Replayed:
    state = Replayed()
    for event in events:
        p = event.payload
        if event.kind == "registered":
            state.status, state.deadline = LetterStatus.REGISTERED, date.fromisoformat(p["deadline"])
        elif event.kind == "assigned":
            state.status, state.department_id = LetterStatus.ASSIGNED, p["department_id"]
        elif event.kind == "transferred":
            state.status, state.department_id = LetterStatus.ASSIGNED, p["department_id"]
            state.transfer_count += 1
        elif event.kind in ("forwarded", "transferred_out"):
            state.status = LetterStatus.FORWARDED
        elif event.kind == "extended":
            state.deadline = date.fromisoformat(p["deadline"])
        elif event.kind == "draft_submitted":
            state.status = LetterStatus.IN_CONTROL
        elif event.kind == "returned":
            state.status = LetterStatus.ASSIGNED
        elif event.kind == "answer_sent":
            state.status, state.rating = LetterStatus.ANSWERED, None
        elif event.kind == "rated":
            state.rating = p["rating"]
        elif event.kind == "disputed":
            state.status = LetterStatus.DISPUTED
        elif event.kind == "upheld":
            state.status = LetterStatus.ANSWERED
        elif event.kind == "closed":
            state.status = LetterStatus.CLOSED
    return state


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
    except (KeyError, TypeError, ValueError) as error:  # a payload rewritten into nonsense
        problem(None, f"journal cannot be replayed: {error!r}")
        return breaks
    row = Replayed(letter.status, letter.department_id, letter.deadline, letter.rating, letter.transfer_count)
    for name in ("status", "department_id", "deadline", "rating", "transfer_count"):
        if getattr(row, name) != getattr(state, name):
            problem(None, f"row disagrees with journal: {name} is {_show(getattr(row, name))}, "
                          f"journal says {_show(getattr(state, name))}")
    return breaks


def _show(value) -> str:
    return value.value if hasattr(value, "value") else str(value)


def events_of(letter: Letter) -> list[Event]:
    return list(db.session.scalars(
        select(Event).where(Event.letter_id == letter.id).order_by(Event.seq)
    ))


def verify_events(events: list[Event]) -> list[Break]:
    """The chain of one letter's events alone (kept for callers that hold no letter row)."""
    if not events:
        return []
    return [b for b in verify_letter(db.session.get(Letter, events[0].letter_id), events)
            if not b.problem.startswith("row disagrees")]


@dataclass
class Report:
    letters: int = 0
    events: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaks


def verify_akimat(akimat_id: Optional[int] = None, batch: int = 500) -> Report:
    """Verifies every letter of an akimat (or of the installation), a batch of letters at a time."""
    report = Report()
    for letters in _letter_batches(akimat_id, batch):
        ids = [letter.id for letter in letters]
        by_letter: dict[int, list[Event]] = {i: [] for i in ids}
        events = list(db.session.scalars(select(Event).where(Event.letter_id.in_(ids))
                                         .order_by(Event.letter_id, Event.seq)))
        for event in events:
            by_letter[event.letter_id].append(event)
        for letter in letters:
            report.letters += 1
            report.events += len(by_letter[letter.id])
            report.breaks.extend(verify_letter(letter, by_letter[letter.id]))
        for obj in (*letters, *events):  # keep memory flat over a million letters
            db.session.expunge(obj)
    return report


def _letter_batches(akimat_id: Optional[int], batch: int) -> Iterator[list[Letter]]:
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
