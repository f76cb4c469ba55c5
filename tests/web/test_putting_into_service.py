"""Issue 13's "done when", walked end to end through the web as the people involved would, with
real mail (the `smtp` fixture and the outbox's delivery) and no Python shell: the platform creates
a district under a region and appoints its administrator, who enrols a second factor and imports
the district's structure from an .xlsx file; the registrar, the executor and the controller it
names accept their invitations; a letter is received, routed, answered and approved; the executor
is deactivated, their session ends at once and their other letter waits for reassignment; the
registrar's forgotten password is reset by email; the administrator's lost second factor is reset
by the platform. Each step's refusals are tested in the step's own module."""

import io
import re
import uuid

import pyotp
from openpyxl import Workbook
from sqlalchemy import select

from akimat_reception.demo import DEMO_PASSWORD
from akimat_reception.domain.administration.structure_file import SHEETS
from akimat_reception.extensions import db
from akimat_reception.models import Akimat, Department, Letter, LetterStatus, User
from tests import factories
from tests.conftest import csrf_token, current_code, post_form
from tests.smtp import drain

PASSWORD = "steppe-window-harvest-2026"
INVITATION = re.compile(r"/invitations/[A-Za-z0-9_-]{20,}")
RESET = re.compile(r"/login/reset/[A-Za-z0-9_-]{20,}")


def _visitor(app):
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


def _link(app, smtp, email, pattern) -> str:
    with app.app_context():
        drain()
    mail = smtp.inbox.to(email)[-1]
    return pattern.search(mail.get_body(("plain",)).get_content()).group(0)


def _accept(app, smtp, email):
    """The invited person opens the emailed link and chooses a password: signed in."""
    person = _visitor(app)
    link = _link(app, smtp, email, INVITATION)
    accepted = post_form(person, link, {"password": PASSWORD, "repeat_password": PASSWORD})
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[:300]
    return person


def _sign_in(app, email, password=PASSWORD):
    client = _visitor(app)
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def _enrol(client) -> str:
    """Sets up the authenticator as a person would: reads the key off the page, types a code."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code class="big-code">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    enrolled = post_form(client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert enrolled.status_code == 302
    return secret


def _structure_file(people: dict[str, tuple[str, str]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = {
        "departments": [
            SHEETS["departments"],
            ["HOUSING", "Тұрғын үй-коммуналдық шаруашылық бөлімі", "Отдел ЖКХ", "Housing and utilities", ""],
        ],
        "categories": [
            SHEETS["categories"],
            ["utilities", "Коммуналдық қызметтер", "Коммунальные услуги", "Utilities", "HOUSING", ""],
        ],
        "staff": [SHEETS["staff"]]
        + [[email, name, role, "HOUSING" if role == "executor" else ""] for role, (email, name) in people.items()],
        "phone_lines": [SHEETS["phone_lines"]],
    }
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _import(admin, slug, raw):
    token = csrf_token(admin, f"/{slug}/admin/structure")
    preview = admin.post(
        f"/{slug}/admin/structure/preview",
        data={"csrf_token": token, "file": (io.BytesIO(raw), "district.xlsx")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "HOUSING" in html, html[:500]
    fields = dict(re.findall(r'name="(upload|filename)"[^>]*value="([^"]*)"', html)) or {
        k: v for v, k in re.findall(r'value="([^"]*)"[^>]*name="(upload|filename)"', html)
    }
    assert (
        post_form(admin, f"/{slug}/admin/structure/import", fields, form_url=f"/{slug}/admin/structure").status_code
        == 302
    )
    sent = post_form(admin, f"/{slug}/admin/structure/invitations", {}, form_url=f"/{slug}/admin/structure")
    assert sent.status_code == 302


def test_a_district_is_put_into_service_from_a_fresh_installation_without_code(app, smtp):
    tag = uuid.uuid4().hex[:8]
    slug = f"ulan-{tag}"
    people = {
        role: (f"{role}-{tag}@example.kz", name)
        for role, name in (
            ("registrar", "Гүлнар Әбілова"),
            ("executor", "Нұрлан Бекенов"),
            ("controller", "Сәуле Жүнісова"),
        )
    }
    admin_email = f"admin-{tag}@example.kz"

    # The platform creates the district under the region and invites its administrator.
    platform = _visitor(app)
    post_form(platform, "/login", {"email": "platform@demo.kz", "password": DEMO_PASSWORD})
    post_form(platform, "/login/code", {"code": current_code(app, "platform@demo.kz")})
    created = post_form(
        platform,
        "/platform/akimats/new",
        {
            "slug": slug,
            "number_prefix": factories.number_prefix(),
            "name_kk": f"Ұлан ауданы {tag}",
            "name_ru": f"Уланский район {tag}",
            "name_en": f"Ulan District {tag}",
            "aliases": "",
            "kind": "district",
            "parent": "east-kazakhstan",
            "opens_at": "09:00",
            "closes_at": "18:30",
            "default_language": "kk",
            "timezone": "Asia/Almaty",
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:500]
    appointed = post_form(platform, created.headers["Location"], {"email": admin_email, "full_name": "Ерлан Сейітов"})
    assert appointed.status_code == 302
    with app.app_context():
        district = db.session.scalar(select(Akimat).where(Akimat.slug == slug))
        assert district.parent.slug == "east-kazakhstan"
        district_id = district.id

    # The administrator accepts, must set up the second factor, and imports the structure file.
    admin = _accept(app, smtp, admin_email)
    assert admin.get(f"/{slug}/admin/structure").headers["Location"].endswith("/account/two-factor")
    _enrol(admin)
    _import(admin, slug, _structure_file(people))

    # The registrar, the executor and the controller accept the emailed invitations.
    registrar, executor, controller = (_accept(app, smtp, people[role][0]) for role in people)
    with app.app_context():
        housing = db.session.scalar(select(Department).where(Department.akimat_id == district_id))
        executor_id = db.session.scalar(select(User.id).where(User.email == people["executor"][0]))
        first, _ = factories.letter(slug, category="utilities")
        second, _ = factories.letter(slug, category="utilities")
        numbers = (first.number, second.number)
        housing_id = housing.id
    office = f"/{slug}/office/letters"

    # A letter is received, routed to the department and its executor, answered and approved.
    for number in numbers:
        assert (
            post_form(
                registrar, f"{office}/{number}/assign", {"department": housing_id}, form_url=f"{office}/{number}"
            ).status_code
            == 302
        )
        assert (
            post_form(
                registrar, f"{office}/{number}/executor", {"executor": executor_id}, form_url=f"{office}/{number}"
            ).status_code
            == 302
        )
    assert numbers[0] in executor.get(f"/{slug}/office/?assigned=mine").get_data(as_text=True)
    answer = f"{numbers[0]}. {factories.ANSWER_TEXT['ru']}"
    drafted = post_form(
        executor,
        f"{office}/{numbers[0]}/answer",
        {"decision": "satisfied", "body": answer},
        form_url=f"{office}/{numbers[0]}",
    )
    assert drafted.status_code == 302
    approved = post_form(
        controller, f"{office}/{numbers[0]}/control", {"verdict": "approve"}, form_url=f"{office}/{numbers[0]}"
    )
    assert approved.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Letter.status).where(Letter.number == numbers[0])) is LetterStatus.ANSWERED

    # The executor leaves: deactivated, their open session ends at once, their letter waits.
    assert executor.get(f"/{slug}/office/").status_code == 200
    deactivated = post_form(
        admin, f"/{slug}/admin/staff/{executor_id}/deactivate", {}, form_url=f"/{slug}/admin/staff/{executor_id}"
    )
    assert deactivated.status_code == 302
    ended = executor.get(f"/{slug}/office/")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    awaiting = registrar.get(f"/{slug}/office/?assigned=awaiting").get_data(as_text=True)
    assert numbers[1] in awaiting and numbers[0] not in awaiting
    with app.app_context():
        assert db.session.scalar(select(Letter.executor_id).where(Letter.number == numbers[1])) is None

    # The registrar forgot the password: a link by email, a new password, the old one stops working.
    post_form(_visitor(app), "/login/forgot", {"email": people["registrar"][0]})
    reset_link = _link(app, smtp, people["registrar"][0], RESET)
    new_password = "mountain-lake-bicycle-2027"
    done = post_form(_visitor(app), reset_link, {"new_password": new_password, "repeat_password": new_password})
    assert done.status_code == 302
    assert _sign_in(app, people["registrar"][0], new_password)
    refused = post_form(_visitor(app), "/login", {"email": people["registrar"][0], "password": PASSWORD})
    assert refused.status_code == 422  # the old password no longer opens the account

    # The administrator lost the phone: the district's only administrator, so the platform resets it,
    # and the next sign-in asks for a new enrolment.
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.email == admin_email))
    reset = post_form(
        platform,
        f"/platform/akimats/{district_id}/admins/{admin_id}/reset-second-factor",
        {},
        form_url=f"/platform/akimats/{district_id}",
    )
    assert reset.status_code == 302
    back = _sign_in(app, admin_email)
    assert back.get(f"/{slug}/admin/staff/").headers["Location"].endswith("/account/two-factor")
    _enrol(back)
    assert back.get(f"/{slug}/admin/staff/").status_code == 200
