"""Reading the rows an audit checks, so that no row, however malformed, stops it.

An insider with database rights can write anything into a column: text that is not JSON into a
payload, a null where the application never writes one, a date that is no date. The ORM would
raise while loading such a row and take the whole audit down with it. So:
- the events' payloads are read as text (cast server-side: psycopg parses json columns itself) and
  parsed here, each failure a problem of that row;
- every other batch is loaded through the ORM in one query per table, and if that query fails,
  again row by row, so that the bad rows are named and the good ones still checked.
One batch costs a constant number of queries, whatever its size.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, cast, select

from ...extensions import db
from ...models import Event


@dataclass
class Loaded:
    """Rows by id, and the ids whose row could not be read, with why."""

    rows: dict[int, Any] = field(default_factory=dict)
    unreadable: dict[int, str] = field(default_factory=dict)


def _problem(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error)[:200]}"


def load_rows(model: Any, ids: Iterable[int]) -> Loaded:
    """The model's rows with these ids: one query, or one per row if the batch cannot be read."""
    wanted = sorted({i for i in ids if i is not None})
    loaded = Loaded()
    if not wanted:
        return loaded
    try:
        for row in db.session.scalars(select(model).where(model.id.in_(wanted))):
            loaded.rows[row.id] = row
        return loaded
    except Exception:  # noqa: BLE001 - any failure of the batch is retried row by row below
        pass
    for row_id in wanted:
        if row_id in loaded.rows:
            continue
        try:
            row = db.session.scalars(select(model).where(model.id == row_id)).one_or_none()
        except Exception as error:  # noqa: BLE001 - a malformed row is a finding, not a crash
            loaded.unreadable[row_id] = _problem(error)
            continue
        if row is not None:
            loaded.rows[row_id] = row
    return loaded


EVENT_COLUMNS = ("id", "akimat_id", "letter_id", "seq", "kind", "actor_id", "actor_role", "created_at")


@dataclass(slots=True)
class EventRow:
    """An event's columns as read, its payload parsed: what verify_letter and content.py read of an
    Event (attributes only), at a tenth of the cost of building ORM objects over a million letters."""

    id: int
    akimat_id: int | None
    letter_id: int | None
    seq: int | None
    kind: str | None
    actor_id: int | None
    actor_role: str | None
    created_at: Any
    payload: Any
    prev_hash: str | None
    hash: str | None


@dataclass
class LoadedEvents:
    """Events as EventRow (never in the session), by id, with their problems."""

    rows: dict[int, EventRow] = field(default_factory=dict)
    problems: dict[int, list[str]] = field(default_factory=dict)
    letter_of: dict[int, int | None] = field(default_factory=dict)  # also for unreadable rows


def _event_select():
    columns = [getattr(Event, name) for name in EVENT_COLUMNS]
    return select(*columns, cast(Event.payload, Text).label("payload"), Event.prev_hash, Event.hash)


def load_events(*, ids: Iterable[int] = (), letter_ids: Iterable[int] = ()) -> LoadedEvents:
    """Events by their ids or by their letters: one query, or row by row if the batch fails."""
    ids, letter_ids = sorted(set(ids)), sorted(set(letter_ids))
    loaded = LoadedEvents()
    if not ids and not letter_ids:
        return loaded
    where = Event.id.in_(ids) if ids else Event.letter_id.in_(letter_ids)
    try:
        for row in db.session.execute(_event_select().where(where)):
            _take(loaded, row)
        return loaded
    except Exception:  # noqa: BLE001 - retried row by row below
        loaded = LoadedEvents()
    for event_id, letter_id in db.session.execute(select(Event.id, Event.letter_id).where(where)).all():
        loaded.letter_of[event_id] = letter_id
        try:
            row = db.session.execute(_event_select().where(Event.id == event_id)).one()
        except Exception as error:  # noqa: BLE001 - a malformed row is a finding, not a crash
            loaded.problems.setdefault(event_id, []).append(f"row cannot be read ({_problem(error)})")
            continue
        _take(loaded, row)
    return loaded


def _take(loaded: LoadedEvents, row: Any) -> None:
    values = {name: getattr(row, name) for name in EVENT_COLUMNS}
    values.update(prev_hash=row.prev_hash, hash=row.hash)
    problems = [f"{name} is empty" for name in ("letter_id", "seq", "kind", "created_at") if values[name] is None]
    try:
        values["payload"] = json.loads(row.payload) if row.payload is not None else None
    except (TypeError, ValueError) as error:
        problems.append(f"payload is not JSON ({_problem(error)})")
        values["payload"] = None
    if values["payload"] is None and not any(p.startswith("payload") for p in problems):
        problems.append("payload is empty")
    elif values["payload"] is not None and not isinstance(values["payload"], dict):
        problems.append("payload is not an object")
    loaded.rows[row.id] = EventRow(**values)
    loaded.letter_of[row.id] = values["letter_id"]
    if problems:
        loaded.problems[row.id] = problems


def forget(objects: Iterable[Any]) -> None:
    """Out of the session's identity map: memory stays flat over a million letters."""
    for obj in objects:
        if obj in db.session:
            db.session.expunge(obj)
