"""The verbs that change lines, checks and reports, one transaction each."""

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Akimat, CheckResult, Department, LineDays, PhoneCheck, PhoneLine, PhoneReport, User
from ...models._common import utcnow
from ...models.phones import PHONE_LANGUAGES
from ..administration.record import record_change, snapshot
from ..permissions import Action, can


class PhoneError(Exception):
    """A change the rules do not allow; `message` is shown to the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _require(user: User, action: Action, akimat: Akimat) -> None:
    if not can(user, action, akimat):
        raise PhoneError(_l("You are not allowed to do this."))


def client_hash(address: str) -> str:
    """A keyed hash of the client's address: reports can be told apart without keeping addresses."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()


@dataclass
class LineData:
    """What an administrator enters for a line; validated by the form before it gets here."""

    department: Department
    e164: str
    purpose_kk: str
    purpose_ru: str
    purpose_en: str
    languages: list[str]
    days: LineDays = LineDays.WORKING
    opens_at: time | None = None
    closes_at: time | None = None


# What a line's record of administrative changes keeps before and after.
LINE_FIELDS = (
    "department_id",
    "e164",
    "purpose_kk",
    "purpose_ru",
    "purpose_en",
    "languages",
    "days",
    "opens_at",
    "closes_at",
)


def _apply(line: PhoneLine, data: LineData) -> None:
    if data.department.akimat_id != line.akimat_id:
        raise PhoneError(_l("Choose a department of this akimat."))
    line.department = data.department
    line.e164 = data.e164
    line.purpose_kk, line.purpose_ru, line.purpose_en = data.purpose_kk, data.purpose_ru, data.purpose_en
    line.languages = ",".join(code for code in PHONE_LANGUAGES if code in data.languages)
    line.days, line.opens_at, line.closes_at = data.days, data.opens_at, data.closes_at


def _require_unique(akimat: Akimat, e164: str, line_id: int | None = None) -> None:
    other = db.session.scalar(
        select(PhoneLine.id)
        .where(
            PhoneLine.akimat_id == akimat.id,
            PhoneLine.retired_at.is_(None),
            PhoneLine.e164 == e164,
            PhoneLine.id != (line_id or 0),
        )
        .limit(1)
    )
    if other is not None:
        raise PhoneError(_l("This number is already in the directory."))


def add_line(akimat: Akimat, data: LineData, actor: User | None, now: datetime | None = None) -> PhoneLine:
    """A new line, stale until someone calls it. actor None: the installation (the demo)."""
    if actor is not None:
        _require(actor, Action.MANAGE_PHONES, akimat)
    _require_unique(akimat, data.e164)
    line = PhoneLine(akimat_id=akimat.id, created_at=now or utcnow())
    line.akimat = akimat
    _apply(line, data)
    db.session.add(line)
    db.session.flush()
    line.department_id = data.department.id
    record_change("phone_line_created", "phone_line", line.id, actor, akimat.id, after=snapshot(line, LINE_FIELDS))
    db.session.commit()
    return line


def update_line(line: PhoneLine, data: LineData, actor: User) -> None:
    """Corrects a line. Its checks and reports stay: a new number is a new line (retire the old one)."""
    _require(actor, Action.MANAGE_PHONES, line.akimat)
    if line.retired_at is not None:
        raise PhoneError(_l("This line is retired."))
    if data.e164 != line.e164:  # its checks were calls to the old number
        raise PhoneError(
            _l("The number of a line cannot change: retire this line and add the new number as a new line.")
        )
    before = snapshot(line, LINE_FIELDS)
    _apply(line, data)
    line.department_id = data.department.id
    record_change(
        "phone_line_updated", "phone_line", line.id, actor, line.akimat_id, before, snapshot(line, LINE_FIELDS)
    )
    db.session.commit()


def retire_line(line: PhoneLine, actor: User, now: datetime | None = None) -> None:
    """Takes the line off the public directory; its checks and reports are kept."""
    _require(actor, Action.MANAGE_PHONES, line.akimat)
    if line.retired_at is not None:
        raise PhoneError(_l("This line is retired."))
    line.retired_at = now or utcnow()
    record_change(
        "phone_line_retired", "phone_line", line.id, actor, line.akimat_id, {"retired": False}, {"retired": True}
    )
    db.session.commit()


def record_check(
    line: PhoneLine, actor: User, result: CheckResult, note: str = "", now: datetime | None = None
) -> PhoneCheck:
    """Staff called the line. An answered call verifies it and resolves every open report."""
    now = now or utcnow()
    _require(actor, Action.VERIFY_PHONES, line.akimat)
    db.session.refresh(line, with_for_update=True)  # two checks at once are ordered (PostgreSQL)
    if line.retired_at is not None:
        raise PhoneError(_l("This line is retired."))
    check = PhoneCheck(
        akimat_id=line.akimat_id,
        line_id=line.id,
        checked_by_id=actor.id,
        checked_at=now,
        result=result,
        note=note or "",
    )
    db.session.add(check)
    db.session.flush()
    if line.last_checked_at is None or now >= line.last_checked_at:
        line.last_checked_at, line.last_result = now, result
    if result is CheckResult.ANSWERED:
        if line.last_answered_at is None or now > line.last_answered_at:
            line.last_answered_at = now
        db.session.execute(
            update(PhoneReport)
            .where(
                PhoneReport.line_id == line.id,
                PhoneReport.resolved_by_check_id.is_(None),
                PhoneReport.reported_at <= now,
            )
            .values(resolved_by_check_id=check.id)
        )
    db.session.commit()
    return check


def report_dead(line: PhoneLine, client: str, comment: str = "", now: datetime | None = None) -> PhoneReport:
    """A resident says nobody answers. `client` is the client's address; only its keyed hash is kept."""
    if line.retired_at is not None:
        raise PhoneError(_l("This line is retired."))
    report = PhoneReport(
        akimat_id=line.akimat_id,
        line_id=line.id,
        reported_at=now or utcnow(),
        client_hash=client_hash(client),
        comment=(comment or "")[:500],
    )
    db.session.add(report)
    db.session.commit()
    return report


def checks_of(line: PhoneLine, limit: int = 20) -> Sequence[PhoneCheck]:
    return db.session.scalars(
        select(PhoneCheck)
        .where(PhoneCheck.line_id == line.id)
        .order_by(PhoneCheck.checked_at.desc(), PhoneCheck.id.desc())
        .limit(limit)
        .options(joinedload(PhoneCheck.checked_by))
    ).all()


def open_reports_of(line: PhoneLine, limit: int = 50) -> Sequence[PhoneReport]:
    return db.session.scalars(
        select(PhoneReport)
        .where(PhoneReport.line_id == line.id, PhoneReport.resolved_by_check_id.is_(None))
        .order_by(PhoneReport.reported_at.desc())
        .limit(limit)
    ).all()
