"""Who answered and whom to call: the signature every sent answer carries (on the tracking page, on
paper, and in the answer's email and SMS), so a resident never gets an answer from nobody.

The contact is the executor's own work phone; else a line in service of the department that
answered (domain/phones: a line that is not failing first); else one of the akimat's lines."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import Answer, CheckResult, PhoneLine
from .identity import format_phone_national

# The results of a check call after which a line is not worth offering to a resident.
_FAILED = {r for r in CheckResult if r is not CheckResult.ANSWERED}


@dataclass(frozen=True)
class Signature:
    executor_name: str
    executor_position: str | None
    phone: str | None  # E.164
    phone_source: str | None  # "executor", "department" or "akimat"
    signer_name: str | None  # the controller or akim who approved it (Answer.signed_by)
    signer_position: str | None
    outgoing_number: str | None

    @property
    def phone_display(self) -> str | None:
        return format_phone_national(self.phone) if self.phone else None


def _line(akimat_id: int, department_id: int | None = None) -> str | None:
    stmt = select(PhoneLine).where(PhoneLine.akimat_id == akimat_id, PhoneLine.retired_at.is_(None))
    if department_id is not None:
        stmt = stmt.where(PhoneLine.department_id == department_id)
    lines = db.session.scalars(stmt.order_by(PhoneLine.id)).all()
    working = [line for line in lines if line.last_result not in _FAILED]
    candidates = working or lines
    return candidates[0].e164 if candidates else None


def contact_phone(answer: Answer) -> tuple[str | None, str | None]:
    """(number, where it came from): the executor's, the department's, the akimat's, or (None, None)."""
    if answer.author.work_phone:
        return answer.author.work_phone, "executor"
    department_id = answer.department_id or answer.letter.department_id
    if department_id is not None and (number := _line(answer.letter.akimat_id, department_id)):
        return number, "department"
    if number := _line(answer.letter.akimat_id):
        return number, "akimat"
    return None, None


def answer_signature(answer: Answer) -> Signature:
    """The executor (the author's full name and position), a phone to call, and the signer."""
    phone, source = contact_phone(answer)
    signer = answer.signed_by
    return Signature(
        executor_name=answer.author.full_name,
        executor_position=answer.author.position,
        phone=phone,
        phone_source=source,
        signer_name=signer.full_name if signer else None,
        signer_position=signer.position if signer else None,
        outgoing_number=answer.outgoing_number,
    )


def signature_text(answer: Answer) -> str:
    """The signature as one line of plain text, in the current language, for an email or an SMS:
    "Executor: Name, position. Phone: +7 ...". Notifications may call it."""
    signature = answer_signature(answer)
    executor = ", ".join(filter(None, (signature.executor_name, signature.executor_position)))
    parts = [_("Executor: %(executor)s.", executor=executor)]
    if signature.phone_display:
        parts.append(_("Phone: %(phone)s.", phone=signature.phone_display))
    return " ".join(parts)
