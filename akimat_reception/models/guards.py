"""The ORM refuses to rewrite history: events and access records are append-only, a submitted
letter's content and a sent answer never change, nothing is deleted. (PostgreSQL refuses the
same with triggers, for clients that bypass the ORM.)"""

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from .access import AccessCode, LetterLink
from .journal import AdminEvent, Event, PersonalDataAccess
from .letters import Answer, Attachment, Letter
from .phones import PhoneCheck

FROZEN_LETTER_COLUMNS = (
    "akimat_id",
    "number",
    "year",
    "seq",
    "submission_token",
    "access_code_hash",
    "kind",
    "language",
    "subject",
    "body",
    "disputed_party",
    "complaint_request",
    "surname",
    "given_name",
    "patronymic",
    "iin",
    "address",
    "email",
    "phone",
    "received_at",
    "original_deadline",
    "channel",
    "sender_reference",
    "registered_by_id",
    "counts_from",
    "anonymous",
    "organisation_name",
    "organisation_bin",
    "signatory_position",
    "cosignatories",
)
# What the resident received: once sent, an answer's words never change (its rating may).
FROZEN_SENT_ANSWER_COLUMNS = (
    "letter_id",
    "author_id",
    "department_id",
    "decision",
    "body",
    "reasons",
    "legal_basis",
    "appeal_procedure",
    "language",
    "sent_at",
    "controlled_by_id",
    "signed_by_id",
    "outgoing_number",
)
APPEND_ONLY = (Event, PersonalDataAccess, PhoneCheck, Attachment, AdminEvent, AccessCode, LetterLink)


class HistoryRewriteRefused(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_rewrites_in_flush(session, flush_context, instances):
    for obj in session.deleted:
        if isinstance(obj, (*APPEND_ONLY, Letter, Answer)):
            raise HistoryRewriteRefused(f"{type(obj).__name__} rows are never deleted")
    for obj in session.dirty:
        if not session.is_modified(obj, include_collections=False):
            continue
        if isinstance(obj, APPEND_ONLY):
            raise HistoryRewriteRefused(f"{type(obj).__name__} is append-only")
        state = inspect(obj)
        if isinstance(obj, Letter):
            # Any value set on a frozen column counts, even when the old one was never loaded.
            changed = [c for c in FROZEN_LETTER_COLUMNS if state.attrs[c].history.has_changes()]
            if changed:
                raise HistoryRewriteRefused(f"a submitted letter's content cannot change: {changed}")
        if isinstance(obj, Answer):
            changed = [c for c in FROZEN_SENT_ANSWER_COLUMNS if state.attrs[c].history.has_changes()]
            if changed:
                with session.no_autoflush:  # what the database holds, whether loaded or not
                    sent_before = session.execute(select(Answer.sent_at).where(Answer.id == obj.id)).scalar()
                if sent_before is not None:
                    raise HistoryRewriteRefused(f"a sent answer cannot change: {changed}")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_rewrites(orm_execute_state):
    if not (orm_execute_state.is_update or orm_execute_state.is_delete):
        return
    mapper = orm_execute_state.bind_mapper
    entity = mapper.class_ if mapper is not None else None
    if entity in APPEND_ONLY or (entity in (Letter, Answer) and orm_execute_state.is_delete):
        raise HistoryRewriteRefused(
            f"bulk {'update' if orm_execute_state.is_update else 'delete'} of {entity.__name__}"
        )
    if entity is Letter and orm_execute_state.is_update:
        values = getattr(orm_execute_state.statement, "_values", None) or {}
        names = {getattr(k, "key", k) for k in values}
        if names & set(FROZEN_LETTER_COLUMNS):
            raise HistoryRewriteRefused(f"a submitted letter's content cannot change: {sorted(names)}")
    if entity is Answer and orm_execute_state.is_update:
        values = getattr(orm_execute_state.statement, "_values", None) or {}
        if {getattr(k, "key", k) for k in values} & set(FROZEN_SENT_ANSWER_COLUMNS):
            raise HistoryRewriteRefused("bulk update of answers' content")
