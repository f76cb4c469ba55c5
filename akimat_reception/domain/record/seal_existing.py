"""Sealing what was written before the record existed (`flask journal seal-existing`, once, after
the upgrade): every row of a sealed kind that has no entry at all gets one, committing to its
content as it stands. The record vouches for those rows from then on, not for their past — which
is why this is run once, and why a row without an entry is otherwise a break of the audit."""

from __future__ import annotations

from sqlalchemy import exists, select

from ...extensions import db
from ...models import LogEntry
from . import log
from .audit_rows import SOURCE_MODELS


def run(batch: int = 500) -> dict[str, int]:
    """Seals the unsealed rows, a committed batch at a time; how many of each source."""
    sealed: dict[str, int] = {}
    for source, model in SOURCE_MODELS.items():
        sealed[source] = 0
        last = 0
        while True:
            has_entry = exists().where(LogEntry.source == source, LogEntry.source_id == model.id)
            rows = list(
                db.session.scalars(select(model).where(model.id > last, ~has_entry).order_by(model.id).limit(batch))
            )
            if not rows:
                break
            db.session.add_all(log.entries_for(db.session(), rows))
            db.session.commit()
            sealed[source] += len(rows)
            last = rows[-1].id
            db.session.expunge_all()
    return sealed
