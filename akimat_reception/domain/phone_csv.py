"""The phone directory as CSV: exported for a spreadsheet, imported back in one transaction.

Columns: id, department_id, department, number, purpose_kk, purpose_ru, purpose_en, languages,
days, opens, closes, status, last_answered. Numbers are written in the national format
("8 (7172) 55 66 77"), which spreadsheet programs keep as text (they would turn "+77172556677" into a
number), and read back in any format. A cell that would start with = + - or @ gets a leading
apostrophe, so that a spreadsheet does not run it as a formula; the import takes it off again.
On import a row with the id of a line in service (or, without an id, with the number of one) updates
that line; any other row adds a line. `department`,
`status` and `last_answered` are there for the reader and ignored on import, unless department_id is
empty (then the department is found by its name in any language). Lines missing from the file
are kept: retiring is a deliberate act on the admin page. A file with any wrong row changes nothing.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from flask_babel import gettext as _

from ..extensions import db
from ..models import Akimat, Department, LineDays, PhoneLine, User
from ..models._common import utcnow
from ..models.phones import PHONE_LANGUAGES
from .identity import format_phone_national, normalize_phone
from .permissions import Action
from .phones import LineData, LineState, PhoneError, search_key
from .phones.lines import _apply, _require

COLUMNS = [
    "id",
    "department_id",
    "department",
    "number",
    "purpose_kk",
    "purpose_ru",
    "purpose_en",
    "languages",
    "days",
    "opens",
    "closes",
    "status",
    "last_answered",
]
MAX_ROWS = 5000


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _uncell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def _time(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


def export_csv(entries: list[tuple[PhoneLine, LineState]]) -> str:
    """UTF-8 with a byte order mark, so that spreadsheet programs read Cyrillic right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for line, state in entries:
        writer.writerow(
            [
                line.id,
                line.department_id,
                _cell(line.department.name_ru),
                format_phone_national(line.e164),
                _cell(line.purpose_kk),
                _cell(line.purpose_ru),
                _cell(line.purpose_en),
                " ".join(line.language_codes),
                line.days.value,
                _time(line.opens_at),
                _time(line.closes_at),
                state.status.value,
                state.answered_on.isoformat() if state.answered_on else "",
            ]
        )
    return "\ufeff" + out.getvalue()


@dataclass
class ImportRow:
    number: int  # the row of the file, counting the header as 1
    line: PhoneLine | None  # None: a new line
    data: LineData


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def _parse_time(text: str) -> time:
    return datetime.strptime(text.strip(), "%H:%M").time()


def check_line_fields(value: dict[str, str]) -> tuple[dict, list[str]]:
    """The rules of a line's purpose, languages, days and hours, shared by this file's import and
    the structure import (structure_import.py). `value`: stripped text by column (purpose_kk,
    purpose_ru, purpose_en, languages, days, opens, closes). Returns LineData's fields other than
    the department and the number, and the problems (none: the fields are sound)."""
    problems = []
    for column in ("purpose_kk", "purpose_ru"):
        if not value[column]:
            problems.append(_("the column %(column)s is empty", column=column))
    if any(len(value[c]) > 300 for c in ("purpose_kk", "purpose_ru", "purpose_en")):
        problems.append(_("a purpose is longer than 300 characters"))

    codes = [c for c in value["languages"].replace(",", " ").replace(";", " ").split()]
    if not codes or any(c not in PHONE_LANGUAGES for c in codes):
        problems.append(_('languages must be kk, ru or en, e.g. "kk ru"'))

    days = value["days"] or LineDays.WORKING.value
    if days not in {d.value for d in LineDays}:
        problems.append(_('days must be "working" or "daily"'))
        days = LineDays.WORKING.value

    opens = closes = None
    try:
        opens = _parse_time(value["opens"]) if value["opens"] else None
        closes = _parse_time(value["closes"]) if value["closes"] else None
    except ValueError:
        problems.append(_("times must look like 09:00"))
    else:
        if (opens is None) != (closes is None) or (opens is not None and opens == closes):
            problems.append(_("give both times, different, or neither for round the clock"))
    fields = {
        "purpose_kk": value["purpose_kk"],
        "purpose_ru": value["purpose_ru"],
        "purpose_en": value["purpose_en"],
        "languages": codes,
        "days": LineDays(days),
        "opens_at": opens,
        "closes_at": closes,
    }
    return fields, problems


def parse_csv(
    raw: bytes, akimat: Akimat, departments: Sequence[Department], lines: Sequence[PhoneLine]
) -> tuple[list[ImportRow], list[str]]:
    """The rows to apply, and the errors (each naming its row) that stop the import."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [_('The file is not UTF-8 text. Save it from the spreadsheet as "CSV UTF-8".')]
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = [c for c in ("number", "purpose_kk", "purpose_ru") if c not in (reader.fieldnames or [])]
    if missing:
        return [], [_("The file has no column %(columns)s. Start from an exported file.", columns=", ".join(missing))]
    by_id = {line.id: line for line in lines}
    by_number = {line.e164: line for line in lines if line.retired_at is None}
    departments_by_id = {d.id: d for d in departments}
    departments_by_name = {search_key(name): d for d in departments for name in (d.name_kk, d.name_ru, d.name_en)}
    rows: list[ImportRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}  # number -> the row it first appeared in
    for index, record in enumerate(reader, start=2):
        if index - 1 > MAX_ROWS:
            errors.append(_("The file has more than %(count)s rows.", count=MAX_ROWS))
            break
        value = {key: _uncell((record.get(key) or "").strip()) for key in COLUMNS}
        if not any(value.values()):
            continue
        problems = []

        line = None
        if value["id"]:
            line = by_id.get(int(value["id"])) if value["id"].isdigit() else None
            if line is None:
                problems.append(_("there is no line %(id)s in this akimat", id=value["id"]))
            elif line.retired_at is not None:
                problems.append(_("line %(id)s is retired", id=value["id"]))
        e164 = normalize_phone(value["number"]) if value["number"] else None
        if e164 is None:
            problems.append(_('the number "%(number)s" is not a valid phone number', number=value["number"]))
        elif line is None and not value["id"]:
            line = by_number.get(e164)
        elif line is not None and line.e164 != e164:
            problems.append(_("the number of line %(id)s cannot change: retire it and add a new line", id=line.id))
        if e164 and e164 in seen:
            problems.append(_("the number is also in row %(row)s", row=seen[e164]))
        elif e164:
            seen[e164] = index

        department = None
        if value["department_id"]:
            department = (
                departments_by_id.get(int(value["department_id"])) if value["department_id"].isdigit() else None
            )
        elif value["department"]:
            department = departments_by_name.get(search_key(value["department"]))
        if department is None:
            problems.append(
                _(
                    'no department of this akimat matches "%(department)s"',
                    department=value["department_id"] or value["department"],
                )
            )

        fields, field_problems = check_line_fields(value)
        problems += field_problems
        if problems:
            errors.append(_("Row %(row)s: %(problems)s.", row=index, problems="; ".join(problems)))
            continue
        assert department is not None and e164 is not None  # either missing is a problem above
        rows.append(
            ImportRow(
                index,
                line,
                LineData(department=department, e164=e164, **fields),
            )
        )
    if not rows and not errors:
        errors.append(_("The file has no rows."))
    return rows, errors


def _snapshot(line: PhoneLine) -> tuple:
    return (
        line.department_id,
        line.e164,
        line.purpose_kk,
        line.purpose_ru,
        line.purpose_en,
        line.languages,
        line.days,
        line.opens_at,
        line.closes_at,
    )


def import_rows(akimat: Akimat, rows: list[ImportRow], actor: User) -> ImportResult:
    """Applies the parsed rows in one transaction."""
    _require(actor, Action.MANAGE_PHONES, akimat)
    result = ImportResult()
    now = utcnow()
    try:
        for row in rows:
            if row.line is None:
                line = PhoneLine(akimat_id=akimat.id, created_at=now)
                line.akimat = akimat
                _apply(line, row.data)
                db.session.add(line)
                result.added += 1
                continue
            before = _snapshot(row.line)
            _apply(row.line, row.data)
            if _snapshot(row.line) == before:
                result.unchanged += 1
            else:
                result.updated += 1
        db.session.commit()
    except PhoneError:
        db.session.rollback()
        raise
    return result
