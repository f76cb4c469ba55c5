"""The structure page: an administrator exports the akimat's structure, sends a file, sees the
problems or the changes, confirms, and then sends the invitations, which reach people by email."""

import io
import re
import uuid

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from akimat_reception.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from akimat_reception.demo.structure import create_demo_akimat
from akimat_reception.domain.administration import invitations
from akimat_reception.extensions import db
from akimat_reception.models import Department, Invitation, Membership, OutboxMessage, Role, User
from tests import factories
from tests.conftest import csrf_token, login
from tests.smtp import drain

SHEETS = {
    "departments": [
        ["code", "name_kk", "name_ru", "name_en", "retired"],
        ["HOUSING", "Тұрғын үй бөлімі", "Отдел ЖКХ", "Housing", ""],
    ],
    "categories": [
        ["code", "name_kk", "name_ru", "name_en", "default_department", "retired"],
        ["utilities", "Коммуналдық қызметтер", "Коммунальные услуги", "Utilities", "HOUSING", ""],
    ],
    "staff": [["email", "full_name", "roles", "department"]],
    "phone_lines": [
        ["department", "number", "purpose_kk", "purpose_ru", "purpose_en", "languages", "days", "opens_at", "closes_at"]
    ],
}


@pytest.fixture(autouse=True)
def english(client):
    """The pages in English, whatever the akimat's default (one test reads them in Kazakh)."""
    client.set_cookie("lang", "en")


@pytest.fixture
def tenant(app):
    """An akimat of this test with its administrator (admin@<slug>.demo.kz) and a registrar."""
    unique = uuid.uuid4().hex[:8]
    slug = f"s-{unique}"
    with app.app_context():
        akimat = create_demo_akimat(
            {"slug": slug, "prefix": factories.number_prefix(), "names": ("Сынақ", "Проба", "Trial")}
        )
        for role in (Role.ADMIN, Role.REGISTRAR):
            user = User(email=f"{role.value}@{slug}.demo.kz", full_name="Сынақ Қызметкер")
            user.set_password(DEMO_PASSWORD)
            user.totp_secret = DEMO_TOTP_SECRET if role is Role.ADMIN else None
            db.session.add(Membership(user=user, akimat=akimat, role=role))
        db.session.commit()
    return slug


def _workbook(staff_rows) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, rows in SHEETS.items():
        worksheet = workbook.create_sheet(sheet)
        for row in rows + (staff_rows if sheet == "staff" else []):
            worksheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(client, slug, raw, name="structure.xlsx"):
    token = csrf_token(client, f"/{slug}/admin/structure")
    return client.post(
        f"/{slug}/admin/structure/preview",
        data={"csrf_token": token, "file": (io.BytesIO(raw), name)},
        content_type="multipart/form-data",
    )


def _confirm(client, slug, preview_html):
    fields = dict(re.findall(r'name="(upload|filename)"[^>]*value="([^"]*)"', preview_html))
    if not fields:
        fields = {k: v for v, k in re.findall(r'value="([^"]*)"[^>]*name="(upload|filename)"', preview_html)}
    token = csrf_token(client, f"/{slug}/admin/structure")
    return client.post(f"/{slug}/admin/structure/import", data={"csrf_token": token, **fields})


def _departments(app, slug) -> list[str]:
    with app.app_context():
        from tests import factories

        return [
            d.code for d in db.session.scalars(select(Department).where(Department.akimat == factories.akimat(slug)))
        ]


def test_upload_preview_confirm_then_send_the_invitations_by_email(app, client, tenant, smtp):
    login(client, "admin", tenant)
    people = [f"reg-{tenant}@example.kz", f"exe-{tenant}@example.kz"]
    raw = _workbook(
        [[people[0], "Әлия Тоқтарова", "registrar", ""], [people[1], "Бекзат Тұрсынов", "executor", "HOUSING"]]
    )

    preview = _upload(client, tenant, raw)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "HOUSING — Отдел ЖКХ" in html and people[1] in html
    assert _departments(app, tenant) == []  # a preview changes nothing

    confirmed = _confirm(client, tenant, html)
    assert confirmed.status_code == 302
    page = client.get(f"/{tenant}/admin/structure").get_data(as_text=True)
    assert "created 4, updated 0, unchanged 0" in page and "Send the invitations (2)" in page
    assert _departments(app, tenant) == ["HOUSING"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(OutboxMessage.recipient.in_(people))) == 0  # not yet

    token = csrf_token(client, f"/{tenant}/admin/structure")
    sent = client.post(f"/{tenant}/admin/structure/invitations", data={"csrf_token": token})
    assert sent.status_code == 302
    assert "Invitations sent: 2." in client.get(f"/{tenant}/admin/structure").get_data(as_text=True)
    with app.app_context():
        drain()
        for address in people:
            [mail] = smtp.inbox.to(address)
            link = re.search(r"/invitations/([A-Za-z0-9_-]{20,})", mail.get_body(("plain",)).get_content())
            invitation = invitations.find_open(link.group(1))  # the emailed link opens the invitation
            assert invitation is not None and invitation.email == address and invitation.sent_at is not None


def test_the_same_file_again_changes_nothing(app, client, tenant):
    login(client, "admin", tenant)
    raw = _workbook([[f"x-{tenant}@example.kz", "Ольга Ким", "registrar", ""]])
    _confirm(client, tenant, _upload(client, tenant, raw).get_data(as_text=True))
    again = _upload(client, tenant, raw)
    assert "created 0, updated 0, unchanged 3" in again.get_data(as_text=True)
    _confirm(client, tenant, again.get_data(as_text=True))
    assert _departments(app, tenant) == ["HOUSING"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Invitation.email == f"x-{tenant}@example.kz")) == 1


def test_a_bad_file_lists_every_problem_with_its_line_and_changes_nothing(app, client, tenant):
    login(client, "admin", tenant)
    raw = _workbook(
        [["not-an-address", "Ольга Ким", "registrar", ""], [f"y-{tenant}@example.kz", "Ким", "executor", "ROADS"]]
    )
    response = _upload(client, tenant, raw)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "staff, line 2: &#34;not-an-address&#34; is not an email address" in html or "staff, line 2: &quot;" in html
    assert "staff, line 3: the department ROADS does not exist" in html
    assert "Import</button>" not in html and _departments(app, tenant) == []


def test_a_csv_in_windows_1251_is_refused_with_a_message_naming_the_encoding(app, client, tenant):
    login(client, "admin", tenant)
    raw = "code,name_kk,name_ru,name_en,retired\r\nHOUSING,Жилье,Отдел ЖКХ,Housing,\r\n".encode("cp1251")
    response = _upload(client, tenant, raw, "departments.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "is not UTF-8" in html and "CSV UTF-8" in html
    assert _departments(app, tenant) == []


def test_the_problems_are_told_in_the_readers_language(client, tenant):
    login(client, "admin", tenant)
    client.set_cookie("lang", "kk")
    raw = _workbook([["not-an-address", "Ольга Ким", "registrar", ""]])
    html = _upload(client, tenant, raw).get_data(as_text=True)
    assert "staff, 2-жол:" in html and "электрондық пошта мекенжайы емес" in html


def test_only_xlsx_zip_and_csv_files_are_accepted(client, tenant):
    login(client, "admin", tenant)
    response = _upload(client, tenant, b"%PDF-1.4", "structure.pdf")
    assert response.status_code == 422 and "Send an .xlsx workbook" in response.get_data(as_text=True)


def test_the_export_is_a_workbook_with_the_akimats_structure(client):
    login(client, "admin", "almaty")
    response = client.get("/almaty/admin/structure/export.xlsx")
    assert response.status_code == 200 and "almaty-structure.xlsx" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["departments", "categories", "staff", "phone_lines"]
    assert workbook["departments"]["B2"].value == "Энергетика және сумен жабдықтау басқармасы"
    assert workbook["staff"]["A2"].value == "registrar@almaty.demo.kz"
    archive = client.get("/almaty/admin/structure/export.zip")
    assert archive.status_code == 200 and archive.data.startswith(b"PK")


def test_another_role_is_refused_and_another_akimat_gets_404(client, tenant):
    login(client, "registrar", tenant)
    assert client.get(f"/{tenant}/admin/structure").status_code == 403
    assert client.get(f"/{tenant}/admin/structure/export.xlsx").status_code == 403
    client.get("/logout")
    other = client.application.test_client()
    other.set_cookie("lang", "en")
    login(other, "admin", "almaty")
    assert other.get(f"/{tenant}/admin/structure").status_code == 404
    assert other.get(f"/{tenant}/admin/structure/export.zip").status_code == 404
