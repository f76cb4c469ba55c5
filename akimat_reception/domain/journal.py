"""Append-only, hash-chained events: each event seals its content and the previous event's hash,
so an edited, inserted or deleted event breaks the chain where it happened."""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import select

from ..extensions import db
from ..models import Event, Letter, User

GENESIS = "0" * 64


def _content_hash(event: Event) -> str:
    content = {
        "letter_id": event.letter_id,
        "seq": event.seq,
        "kind": event.kind,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "created_at": event.created_at.isoformat(timespec="microseconds"),
        "payload": event.payload,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(letter: Letter, kind: str, *, actor: Optional[User], actor_role: str,
           payload: dict, now: datetime) -> Event:
    """Adds an event to the letter's journal in the current transaction."""
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
    db.session.add(event)
    return event


@dataclass(frozen=True)
class Break:
    letter_id: int
    seq: Optional[int]
    problem: str


def verify_events(events: list[Event]) -> list[Break]:
    """Every break in one letter's chain, given its events in order of seq."""
    breaks = []
    prev_hash = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            breaks.append(Break(event.letter_id, expected_seq, "missing event"))
        if event.prev_hash != prev_hash:
            breaks.append(Break(event.letter_id, event.seq, "chain broken"))
        if _content_hash(event) != event.hash:
            breaks.append(Break(event.letter_id, event.seq, "content altered"))
        prev_hash = event.hash
    return breaks


def events_of(letter: Letter) -> list[Event]:
    return list(db.session.scalars(
        select(Event).where(Event.letter_id == letter.id).order_by(Event.seq)
    ))
