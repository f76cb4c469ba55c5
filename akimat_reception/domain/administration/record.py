"""The record of administrative changes: every creation, edit, move, retirement, invitation, role
change, deactivation and second-factor reset is one append-only AdminEvent, written in the same
transaction as the change (the caller commits), with what the thing was before and after."""

from datetime import date, datetime, time

from ...extensions import db
from ...models import AdminEvent, User


def snapshot(obj, fields: tuple[str, ...]) -> dict:
    """The named fields of `obj` as JSON-safe values, for the before/after of a change."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def _plain(value):
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, (int, str)):  # an Enum
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def record_change(
    kind: str,
    target_type: str,
    target_id: int | None,
    actor: User | None,
    akimat_id: int | None,
    before: dict | None = None,
    after: dict | None = None,
) -> AdminEvent:
    """Appends one administrative event; the caller's commit writes it with the change.

    kind: what happened, e.g. "akimat_created", "department_retired", "staff_deactivated".
    target_type, target_id: what changed ("akimat", "department", "category", "user", "invitation").
    actor: who did it; None for the system (an import run from the command line names no one).
    akimat_id: whose record it belongs to; None for the platform's own changes.
    before, after: only the fields that matter, as `snapshot` gives them.
    """
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    event = AdminEvent(
        kind=kind,
        target_type=target_type,
        target_id=target_id,
        actor_id=actor.id if actor is not None else None,
        akimat_id=akimat_id,
        before=before or {},
        after=after or {},
    )
    db.session.add(event)
    return event
