"""A letter written step by step (GOV.UK "one thing per page"): what the resident has answered so
far, kept on the server between the steps. A draft is not a letter: it has no number, is in no
record, and nobody in the akimat sees it. It lives LETTER_DRAFT_HOURS after its last change; an
expired draft and its staged files are deleted when next looked at, and by the daily job
(jobs.py, `drafts_purge`) for those never looked at again. Its token is the staging key of its
files and the letter's submission_token: a draft sent twice registers one letter."""

import contextlib
import shutil
import uuid
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Akimat, LetterDraft, LetterKind
from ..models._common import utcnow
from . import attachments

DEFAULT_HOURS = 24

# The steps in order; "complaint" only for a complaint. Each names the draft keys it fills.
STEPS = ("kind", "letter", "complaint", "about", "check")
STEP_FIELDS = {
    "kind": ("kind", "anonymous"),
    "letter": ("category", "subject", "body"),
    "complaint": ("disputed_party", "complaint_request"),
    "about": ("surname", "given_name", "patronymic", "iin", "address", "email", "phone", "language"),
}


def lifetime() -> timedelta:
    return timedelta(hours=float(current_app.config.get("LETTER_DRAFT_HOURS") or DEFAULT_HOURS))


def start(akimat: Akimat, now: datetime | None = None) -> LetterDraft:
    now = now or utcnow()
    draft = LetterDraft(akimat_id=akimat.id, token=uuid.uuid4().hex, data={"done": []}, created_at=now, updated_at=now)
    draft.expires_at = now + lifetime()
    db.session.add(draft)
    db.session.flush()
    return draft


def find(akimat: Akimat, token: str | None, now: datetime | None = None, lock: bool = False) -> LetterDraft | None:
    """The akimat's live draft with this token; an expired one is deleted, with its files.
    `lock`: the row is locked until the transaction ends (PostgreSQL), so that the same draft sent
    twice at once is sent by the first request and found gone by the second."""
    if not token:
        return None
    query = select(LetterDraft).where(LetterDraft.akimat_id == akimat.id, LetterDraft.token == token)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    draft = db.session.scalar(query)
    if draft is not None and draft.expires_at <= (now or utcnow()):
        discard(draft)
        db.session.commit()
        return None
    return draft


def steps_for(data: dict) -> list[str]:
    """The steps this draft goes through: the complaint's questions only for a complaint."""
    return [s for s in STEPS if s != "complaint" or data.get("kind") == LetterKind.COMPLAINT.value]


def missing_step(data: dict) -> str | None:
    """The first step not yet answered, or None when the draft can be checked and sent."""
    done = set(data.get("done", []))
    return next((s for s in steps_for(data) if s != "check" and s not in done), None)


def previous_step(data: dict, step: str) -> str | None:
    steps = steps_for(data)
    if step not in steps:  # e.g. the complaint step of a draft that is no longer a complaint
        steps = list(STEPS)
    index = steps.index(step)
    return steps[index - 1] if index > 0 else None


def next_step(data: dict, step: str) -> str:
    steps = steps_for(data)
    return steps[steps.index(step) + 1]


def save_step(draft: LetterDraft, step: str, values: dict, now: datetime | None = None) -> None:
    """Keeps one step's answers and marks it done; writing with or without a name changes which
    questions "about you" asks, so that step is asked again."""
    now = now or utcnow()
    data = dict(draft.data or {})
    done = [s for s in data.get("done", []) if s != step]
    if step == "kind" and "anonymous" in data and bool(data["anonymous"]) != bool(values.get("anonymous")):
        done = [s for s in done if s != "about"]
    data.update({key: values.get(key) for key in STEP_FIELDS[step]})
    data["done"] = done + [step]
    draft.data = data  # a new dict: the JSON column notices the change
    draft.updated_at = now
    draft.expires_at = now + lifetime()


def discard(draft: LetterDraft) -> None:
    """Deletes the draft and its staged files (not its letter's files: sending moved those)."""
    _remove_staging(draft.token)
    db.session.delete(draft)


def _remove_staging(token: str) -> None:
    with contextlib.suppress(ValueError):  # not a token we issue: nothing of ours to remove
        shutil.rmtree(attachments.staging_folder(token), ignore_errors=True)


def purge_expired(akimat: Akimat, now: datetime | None = None) -> int:
    """Deletes the akimat's expired drafts with their files, and any staged files older than a
    draft's lifetime that no live draft holds (a one-page form left after an error). Returns how
    many drafts were deleted."""
    now = now or utcnow()
    expired = db.session.scalars(
        select(LetterDraft).where(LetterDraft.akimat_id == akimat.id, LetterDraft.expires_at <= now)
    ).all()
    for draft in expired:
        discard(draft)
    db.session.commit()
    live = set(db.session.scalars(select(LetterDraft.token)))
    oldest = now.timestamp() - lifetime().total_seconds()
    for token, modified in attachments.staging_folders():
        if token not in live and modified < oldest:
            _remove_staging(token)
    return len(expired)
