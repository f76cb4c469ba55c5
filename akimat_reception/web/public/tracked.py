"""The letters this browser may open: each remembered with the code generation it was opened
with (a reissued code ends the session) and when it was last seen (a shared computer does not keep
a letter open for the whole browser session). "Forget this letter" removes one at once."""

import time

from flask import current_app, g, session
from sqlalchemy import select

from ...extensions import db
from ...models import Letter

TRACKED_KEY = "tracked"
MAX_TRACKED = 20


def _entries() -> dict[str, list[int]]:
    return dict(session.get(TRACKED_KEY, {}))


def _idle_seconds() -> int:
    return int(current_app.config.get("TRACKING_IDLE_MINUTES", 30)) * 60


def remember(letter: Letter) -> None:
    entries = _entries()
    entries.pop(str(letter.id), None)
    entries[str(letter.id)] = [letter.code_generation, int(time.time())]
    session[TRACKED_KEY] = dict(list(entries.items())[-MAX_TRACKED:])


def forget(letter: Letter) -> None:
    entries = _entries()
    if entries.pop(str(letter.id), None) is not None:
        session[TRACKED_KEY] = entries


def tracked_letter(number: str) -> Letter | None:
    """The akimat's letter `number`, if this browser opened it with its current code and has not
    been idle on it too long; seeing it again keeps it open."""
    letter = db.session.scalar(select(Letter).where(Letter.akimat_id == g.akimat.id, Letter.number == number))
    if letter is None:
        return None
    entry = _entries().get(str(letter.id))
    if entry is None:
        return None
    generation, seen = entry
    if generation != letter.code_generation or time.time() - seen > _idle_seconds():
        forget(letter)
        return None
    remember(letter)
    return letter
