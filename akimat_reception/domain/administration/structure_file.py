"""An akimat's structure as a file: reading and writing the tables, nothing about their meaning
(structure_import.py validates and applies them). docs/import.md describes the format.

Two formats, the same four tables (SHEETS):
- an .xlsx workbook with the sheets departments, categories, staff, phone_lines;
- CSV: a .zip holding departments.csv, categories.csv, staff.csv, phone_lines.csv — each table
  keeps its own columns, as in the workbook, and a spreadsheet program opens each file as it is.
  A single .csv named after one table (staff.csv, "staff (2).csv") is read as that table alone.

CSV must be UTF-8 (a byte order mark is accepted): any other encoding is refused with a message
naming the problem, never guessed, since a guess garbles the Kazakh letters ә ғ қ ң ө ұ ү һ і.
Cells that would start with = + - @ are written with a leading apostrophe, as the phone
directory's export does, so that a spreadsheet does not run them as formulas; reading takes it off.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, time

from flask_babel import gettext as _

from ..phone_csv import FORMULA_STARTS

SHEETS: dict[str, list[str]] = {
    "departments": ["code", "name_kk", "name_ru", "name_en", "retired"],
    "categories": ["code", "name_kk", "name_ru", "name_en", "default_department", "retired"],
    "staff": ["email", "full_name", "roles", "department"],
    "phone_lines": [
        "department",
        "number",
        "purpose_kk",
        "purpose_ru",
        "purpose_en",
        "languages",
        "days",
        "opens_at",
        "closes_at",
    ],
}
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000  # per table
EXTENSIONS = (".xlsx", ".zip", ".csv")


@dataclass
class Row:
    """One line of a table: `line` counts the header as line 1, as a spreadsheet shows it."""

    line: int
    values: dict[str, str]


@dataclass
class Tables:
    """The tables read from a file, by sheet name, and the problems that stop reading."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _uncell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


# Reading -----------------------------------------------------------------------------------------


def read_structure(raw: bytes, filename: str) -> Tables:
    """The tables of an uploaded file, chosen by its extension (.xlsx, .zip of CSVs, one .csv).

    raw: the file's bytes.
    filename: its name as uploaded; only the extension and, for one .csv, the table's name count.
    """
    tables = Tables()
    name = filename.lower().strip()
    if len(raw) > MAX_BYTES:
        tables.problems.append(_("The file is larger than %(size)s MB.", size=MAX_BYTES // (1024 * 1024)))
    elif name.endswith(".xlsx"):
        _read_workbook(raw, tables)
    elif name.endswith(".zip"):
        _read_zip(raw, tables)
    elif name.endswith(".csv"):
        sheet = next((s for s in SHEETS if name.rsplit("/", 1)[-1].startswith(s)), None)
        if sheet is None:
            tables.problems.append(
                _("Name a single CSV file after its table: %(names)s.", names=", ".join(f"{s}.csv" for s in SHEETS))
            )
        else:
            _read_csv(raw, sheet, f"{sheet}.csv", tables)
    else:
        tables.problems.append(_("Send an .xlsx workbook, a .zip of CSV files or one .csv file."))
    if not tables.problems and not any(tables.rows.values()):
        tables.problems.append(
            _("The file has none of the tables %(names)s, or they are empty.", names=", ".join(SHEETS))
        )
    return tables


def _text(value) -> str:
    """A spreadsheet cell as the text a person typed: 9:00 stays 09:00, 12 stays 12 (not 12.0)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%H:%M") if value.date().year < 1901 else value.date().isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_workbook(raw: bytes, tables: Tables) -> None:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        tables.problems.append(_("The file is not an .xlsx workbook. Save it from the spreadsheet as .xlsx."))
        return
    try:
        for sheet in SHEETS:
            if sheet not in workbook.sheetnames:
                continue
            records = ([_text(v) for v in row] for row in workbook[sheet].iter_rows(values_only=True))
            _take(records, sheet, sheet, tables)
    finally:
        workbook.close()


def _read_zip(raw: bytes, tables: Tables) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        tables.problems.append(_("The file is not a .zip archive."))
        return
    with archive:
        names = {info.filename.rsplit("/", 1)[-1].lower(): info for info in archive.infolist() if not info.is_dir()}
        for sheet in SHEETS:
            info = names.get(f"{sheet}.csv")
            if info is None:
                continue
            if info.file_size > MAX_BYTES:
                tables.problems.append(_("%(file)s is larger than %(size)s MB.", file=info.filename, size=2))
                continue
            _read_csv(archive.read(info), sheet, f"{sheet}.csv", tables)


def decode_utf8(raw: bytes) -> tuple[str | None, str | None]:
    """The text of a CSV file, or None and what is wrong with its encoding. A UTF-8 byte order mark
    is dropped; UTF-16 (with or without its mark) and single-byte encodings such as Windows-1251
    are refused, never guessed."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        return None, _("it is in UTF-16, not UTF-8")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        return None, _(
            "it is not UTF-8 (byte %(byte)s at position %(position)s; perhaps Windows-1251)",
            byte=f"0x{raw[error.start]:02X}",
            position=error.start,
        )


def _read_csv(raw: bytes, sheet: str, filename: str, tables: Tables) -> None:
    text, problem = decode_utf8(raw)
    if text is None:
        tables.problems.append(
            _('%(file)s: %(problem)s. Save it from the spreadsheet as "CSV UTF-8".', file=filename, problem=problem)
        )
        return
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    _take(csv.reader(io.StringIO(text), delimiter=delimiter), sheet, filename, tables)


def _take(records, sheet: str, source: str, tables: Tables) -> None:
    """The rows of one table, by its header; a table without one of its columns is a problem."""
    header = [h.strip().lower() for h in next(records, [])]
    missing = [c for c in SHEETS[sheet] if c not in header]
    if missing:
        tables.problems.append(
            _(
                "%(sheet)s: the column %(columns)s is missing. Start from an exported file.",
                sheet=source,
                columns=", ".join(missing),
            )
        )
        return
    rows = tables.rows.setdefault(sheet, [])
    for line, record in enumerate(records, start=2):
        if line - 1 > MAX_ROWS:
            tables.problems.append(_("%(sheet)s: more than %(count)s rows.", sheet=source, count=MAX_ROWS))
            return
        values = {name: _uncell(str(value).strip()) for name, value in zip(header, record, strict=False)}
        values = {column: values.get(column, "") for column in SHEETS[sheet]}
        if any(values.values()):
            rows.append(Row(line, values))


# Writing -----------------------------------------------------------------------------------------


def write_workbook(tables: dict[str, list[dict[str, str]]]) -> bytes:
    """An .xlsx workbook, one sheet per table, every cell text (so that a number or a code that
    looks like a date or a formula stays what it is)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, columns in SHEETS.items():
        worksheet = workbook.create_sheet(sheet)
        worksheet.append(columns)
        for values in tables.get(sheet, []):
            worksheet.append([values.get(c, "") for c in columns])
        for row in worksheet.iter_rows(min_row=2):
            for cell in row:
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cell.number_format = "@"
        for letter, column in zip("ABCDEFGHIJ", columns, strict=False):
            worksheet.column_dimensions[letter].width = 40 if column.startswith(("name", "purpose")) else 18
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_csv(sheet: str, rows: list[dict[str, str]]) -> bytes:
    """One table as UTF-8 CSV with a byte order mark, so that spreadsheet programs read Cyrillic
    and Kazakh letters right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SHEETS[sheet])
    for values in rows:
        writer.writerow([_cell(values.get(c, "")) for c in SHEETS[sheet]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_zip(tables: dict[str, list[dict[str, str]]]) -> bytes:
    """A .zip of the four CSV files."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet in SHEETS:
            archive.writestr(f"{sheet}.csv", write_csv(sheet, tables.get(sheet, [])))
    return out.getvalue()
