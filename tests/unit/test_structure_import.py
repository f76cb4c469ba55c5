"""The structure file: read, checked whole, applied all-or-nothing, idempotent, round trip."""

import io
import uuid
import zipfile

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from akimat_reception.demo.structure import create_demo_akimat
from akimat_reception.domain.administration import structure_file, structure_import
from akimat_reception.domain.administration.structure_export import export_structure
from akimat_reception.extensions import db
from akimat_reception.models import AdminEvent, Category, Department, Invitation, PhoneLine
from tests import factories

KAZAKH = "әғқңөұүһі ӘҒҚҢӨҰҮҺІ"

DEPARTMENTS = [
    "code,name_kk,name_ru,name_en,retired",
    f"HOUSING,Тұрғын үй бөлімі {KAZAKH},Отдел ЖКХ,Housing office,",
    "ROADS,Жолдар бөлімі,Отдел дорог,Roads office,",
]
CATEGORIES = [
    "code,name_kk,name_ru,name_en,default_department,retired",
    "utilities,Коммуналдық қызметтер,Коммунальные услуги,Utilities,HOUSING,",
    "other,Басқа сұрақ,Другой вопрос,Other question,,",
]
STAFF = [
    "email,full_name,roles,department",
    "reg-{u}@example.kz,Әлия Тоқтарова,registrar,",
    "exe-{u}@example.kz,Бекзат Тұрсынов,registrar; executor,HOUSING",
]
LINES = [
    "department,number,purpose_kk,purpose_ru,purpose_en,languages,days,opens_at,closes_at",
    "HOUSING,+7 7232 55 01 09,Диспетчерлік қызмет,Диспетчерская,Dispatch,kk ru,daily,,",
]


@pytest.fixture
def akimat(app_context):
    """An akimat of the test's own, the messages in English (outside a request they follow the
    installation's default language)."""
    unique = uuid.uuid4().hex[:8]
    spec = {
        "slug": f"t-{unique}",
        "prefix": factories.number_prefix(),
        "names": ("Тест әкімдігі", "Тест акимат", "Test"),
    }
    created = create_demo_akimat(spec)
    db.session.commit()
    with force_locale("en"):
        yield created


def _csv(lines: list[str], u: str = "") -> bytes:
    return ("\ufeff" + "\r\n".join(line.format(u=u) for line in lines) + "\r\n").encode("utf-8")


def _zip(u: str, **replace: list[str]) -> bytes:
    sheets = {"departments": DEPARTMENTS, "categories": CATEGORIES, "staff": STAFF, "phone_lines": LINES} | replace
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for sheet, lines in sheets.items():
            archive.writestr(f"{sheet}.csv", _csv(lines, u))
    return out.getvalue()


def _check(akimat, raw: bytes, name: str = "structure.zip"):
    return structure_import.check_structure(akimat, structure_file.read_structure(raw, name))


def _counts(akimat) -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model).where(model.akimat_id == akimat.id))
        for model in (Department, Category, Invitation, PhoneLine, AdminEvent)
    )


def _import(akimat, raw: bytes, name: str = "structure.zip"):
    plan = _check(akimat, raw, name)
    assert plan.problems == []
    return structure_import.apply_structure(akimat, plan, actor=None)


def test_a_sound_file_creates_everything_and_records_each_change(akimat):
    u = uuid.uuid4().hex[:6]
    plan = _import(akimat, _zip(u))
    assert (plan.count("created"), plan.count("updated"), plan.count("unchanged")) == (7, 0, 0)
    assert [d.code for d in akimat.departments] == ["HOUSING", "ROADS"]
    assert akimat.departments[0].name_kk.endswith(KAZAKH)
    assert akimat.categories[0].default_department.code == "HOUSING"
    invited = db.session.scalars(select(Invitation).where(Invitation.akimat_id == akimat.id)).all()
    assert {i.email for i in invited} == {f"reg-{u}@example.kz", f"exe-{u}@example.kz"}
    assert all(i.sent_at is None for i in invited)  # nothing goes out before the admin confirms
    kinds = db.session.scalars(select(AdminEvent.kind).where(AdminEvent.akimat_id == akimat.id)).all()
    assert kinds.count("department_created") == 2 and "phone_line_created" in kinds and "structure_imported" in kinds


def test_importing_the_same_file_again_changes_nothing_and_duplicates_nothing(akimat):
    u = uuid.uuid4().hex[:6]
    _import(akimat, _zip(u))
    before = _counts(akimat)
    plan = _import(akimat, _zip(u))
    assert (plan.count("created"), plan.count("updated"), plan.count("unchanged")) == (0, 0, 7)
    assert _counts(akimat)[:4] == before[:4]


def test_a_changed_row_updates_by_its_code_email_or_number(akimat):
    u = uuid.uuid4().hex[:6]
    _import(akimat, _zip(u))
    departments = [DEPARTMENTS[0], DEPARTMENTS[1], "ROADS,Жолдар бөлімі,Отдел дорог и мостов,Roads office,yes"]
    staff = STAFF[:2] + ["exe-{u}@example.kz,Бекзат Тұрсынов,executor,HOUSING; ROADS"]
    lines = [LINES[0], LINES[1].replace("daily", "working").replace(",,", ",09:00,18:00")]
    plan = _check(akimat, _zip(u, departments=departments, staff=staff, phone_lines=lines))
    assert "the department ROADS is retired" in " ".join(plan.problems)  # retired in this very file
    departments[2] = departments[2].removesuffix("yes")
    plan = _import(akimat, _zip(u, departments=departments, staff=staff, phone_lines=lines))
    assert (plan.count("created"), plan.count("updated"), plan.count("unchanged")) == (0, 3, 4)
    assert akimat.departments[1].name_ru == "Отдел дорог и мостов" and len(akimat.departments) == 2
    invitation = structure_import.open_invitation(akimat, f"exe-{u}@example.kz")
    assert sorted(g["role"] for g in invitation.roles) == ["executor", "executor"]
    line = db.session.scalar(select(PhoneLine).where(PhoneLine.akimat_id == akimat.id))
    assert line.opens_at.hour == 9 and line.days.value == "working"


@pytest.mark.parametrize(
    ("sheet", "lines", "message"),
    [
        ("staff", STAFF + ["bad-address,Ким Ольга,registrar,"], 'staff, line 4: "bad-address" is not an email address'),
        ("staff", STAFF + ["x-{u}@example.kz,Ким Ольга,executor,"], "staff, line 4: an executor needs a department"),
        ("staff", STAFF + ["x-{u}@example.kz,Ким,executor,HOUSINGS"], "staff, line 4: the department HOUSINGS"),
        ("staff", STAFF + ["x-{u}@example.kz,Ким Ольга,janitor,"], "staff, line 4: roles must be among"),
        ("staff", STAFF + ["reg-{u}@example.kz,Ким Ольга,akim,"], "staff, line 4: the address is also on line 2"),
        ("departments", DEPARTMENTS + ["HOUSING,Екі,Два,Two,"], "departments, line 4: the code HOUSING is also"),
        ("departments", DEPARTMENTS + ["NEW,,Новый,New,"], "departments, line 4: the column name_kk is empty"),
        ("categories", CATEGORIES + ["parks,Саябақ,Парки,Parks,PARKS,"], "categories, line 4: the department PARKS"),
        ("phone_lines", LINES + ["HOUSING,12,Қабылдау,Приёмная,,kk,working,,"], 'phone_lines, line 3: the number "12"'),
        ("phone_lines", LINES + ["HOUSING,+7 7232 55 01 09,А,Б,,kk,,,"], "phone_lines, line 3: the number is also on"),
        ("phone_lines", LINES + ["HOUSING,+7 7232 55 02 02,А,Б,,fr,,,"], "phone_lines, line 3: languages must be"),
        ("departments", ["code,name_kk,name_en,retired", "A,Б,C,"], "departments.csv: the column name_ru is missing"),
    ],
)
def test_every_refusal_names_its_sheet_and_line_and_changes_nothing(akimat, sheet, lines, message):
    u = uuid.uuid4().hex[:6]
    before = _counts(akimat)
    plan = _check(akimat, _zip(u, **{sheet: lines}))
    assert any(problem.startswith(message) for problem in plan.problems), plan.problems
    with pytest.raises(structure_import.StructureError):
        structure_import.apply_structure(akimat, plan, actor=None)
    assert _counts(akimat) == before


def test_every_problem_of_the_file_is_listed_at_once(akimat):
    u = uuid.uuid4().hex[:6]
    staff = STAFF + ["bad-address,Ким,registrar,", "y-{u}@example.kz,Ким,executor,NOWHERE"]
    lines = LINES + ["HOUSING,12,А,Б,,kk,,,"]
    plan = _check(akimat, _zip(u, staff=staff, phone_lines=lines))
    assert [p.split(":")[0] for p in plan.problems] == ["staff, line 4", "staff, line 5", "phone_lines, line 3"]


@pytest.mark.parametrize(
    ("encoding", "expected"), [("cp1251", "it is not UTF-8"), ("utf-16-le", "UTF-16"), ("utf-16", "UTF-16")]
)
def test_a_csv_in_another_encoding_is_refused_never_garbled(akimat, encoding, expected):
    raw = "code,name_kk,name_ru,name_en,retired\r\nHOUSING,Жилье,Отдел ЖКХ,Housing,\r\n".encode(encoding)
    before = _counts(akimat)
    plan = _check(akimat, raw, "departments.csv")
    assert len(plan.problems) == 1 and expected in plan.problems[0] and "CSV UTF-8" in plan.problems[0]
    assert _counts(akimat) == before


def test_a_csv_with_or_without_a_byte_order_mark_is_read(akimat):
    text = "\r\n".join(DEPARTMENTS)
    assert _check(akimat, text.encode("utf-8"), "departments.csv").problems == []
    plan = _import(akimat, ("\ufeff" + text).encode("utf-8"), "departments (2).csv")
    assert plan.count("created") == 2 and akimat.departments[0].code == "HOUSING"  # not "\ufeffcode"


def test_a_semicolon_csv_from_a_russian_spreadsheet_is_read(akimat):
    raw = "\r\n".join(line.replace(",", ";") for line in DEPARTMENTS).encode("utf-8")
    assert _import(akimat, raw, "departments.csv").count("created") == 2


@pytest.mark.parametrize(("name", "expected"), [("structure.pdf", ".xlsx"), ("structure.xlsx", "not an .xlsx")])
def test_a_file_that_is_not_a_structure_file_is_refused(akimat, name, expected):
    plan = _check(akimat, b"%PDF-1.4 not a workbook", name)
    assert len(plan.problems) == 1 and expected in plan.problems[0]


@pytest.mark.parametrize("kind", ["xlsx", "zip"])
def test_kazakh_letters_survive_the_round_trip_and_reimport_changes_nothing(akimat, kind):
    u = uuid.uuid4().hex[:6]
    _import(akimat, _zip(u))
    tables = export_structure(akimat)
    raw = structure_file.write_workbook(tables) if kind == "xlsx" else structure_file.write_zip(tables)
    back = structure_file.read_structure(raw, f"export.{kind}")
    assert back.problems == []
    assert back.rows["departments"][0].values["name_kk"].endswith(KAZAKH)
    assert back.rows["staff"][1].values == {
        "email": f"exe-{u}@example.kz",
        "full_name": "Бекзат Тұрсынов",
        "roles": "registrar; executor",
        "department": "HOUSING",
    }
    plan = structure_import.check_structure(akimat, back)
    assert (plan.problems, plan.count("created"), plan.count("updated"), plan.count("unchanged")) == ([], 0, 0, 7)


def test_a_cell_that_looks_like_a_formula_stays_text(akimat):
    departments = [DEPARTMENTS[0], "HOUSING,=1+1,@SUM(A1),-x,"]
    _import(akimat, _csv(departments), "departments.csv")
    tables = export_structure(akimat)
    workbook_raw = structure_file.write_workbook(tables)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(workbook_raw))["departments"]
    assert sheet["B2"].value == "=1+1" and sheet["B2"].data_type == "s"
    assert "'=1+1" in structure_file.write_csv("departments", tables["departments"]).decode("utf-8")
    back = structure_file.read_structure(structure_file.write_zip(tables), "x.zip")
    assert back.rows["departments"][0].values["name_kk"] == "=1+1"


def test_the_demo_akimats_structure_exports_and_reimports_unchanged(app_context):
    from tests import factories

    city = factories.akimat("oskemen")  # no other test changes it
    tables = export_structure(city)
    assert [row["code"] for row in tables["departments"]] == ["HOUSING", "EDUCATION", "ECOLOGY"]
    assert [row["email"] for row in tables["staff"]] == ["admin@oskemen.demo.kz", "registrar@oskemen.demo.kz"]
    back = structure_file.read_structure(structure_file.write_workbook(tables), "a.xlsx")
    plan = structure_import.check_structure(city, back)
    assert plan.problems == [] and plan.count("created") == plan.count("updated") == 0


def test_the_demo_has_the_hierarchy(app_context):
    from tests import factories

    region, city = factories.akimat("east-kazakhstan"), factories.akimat("oskemen")
    assert city.parent_id == region.id and region.parent_id is None and region.kind.value == "region"
    assert "Öskemen" in city.aliases and "Целиноград" in factories.akimat("astana").aliases
    assert [d.code for d in city.departments] == ["HOUSING", "EDUCATION", "ECOLOGY"]
    assert factories.staff("registrar", "oskemen").roles_in(city) == {factories.Role.REGISTRAR}
