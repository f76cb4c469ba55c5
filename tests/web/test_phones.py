"""The phone directory through the web: the public page in three languages, "nobody answers"
reports and their rate limit, staff check calls, the admin's lines and CSV, tenancy, the akim's
dashboard, the digest and `flask phones due`."""

import io
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.support import Translations
from sqlalchemy import event, func, select

from akimat_reception.domain import phones
from akimat_reception.domain.calendar import KAZAKHSTAN
from akimat_reception.domain.identity import format_phone_national
from akimat_reception.extensions import db
from akimat_reception.models import CheckResult, OutboxMessage, PhoneCheck, PhoneLine, PhoneReport, Role
from tests import factories
from tests.conftest import PROJECT_ROOT, csrf_token, login, post_form

ALMATY_TIME = ZoneInfo("Asia/Almaty")


def translator(language):
    return Translations.load(str(PROJECT_ROOT / "translations"), [language]).gettext


def _line(app, **kwargs):
    """A line of a department of its own; returns (line id, number, department id)."""
    with app.app_context():
        line = factories.phone_line(**kwargs)
        return line.id, line.e164, line.department_id


def _check(app, line_id, result=CheckResult.ANSWERED, at=None, role=Role.REGISTRAR):
    with app.app_context():
        line = db.session.get(PhoneLine, line_id)
        phones.record_check(line, factories.staff(role, line.akimat.slug), result, "", now=at)


def _state(app, line_id, now=None):
    with app.app_context():
        return phones.state_now(db.session.get(PhoneLine, line_id), KAZAKHSTAN, now)


def _report(client, line_id, address="10.1.0.1", comment="", language="en", slug="astana"):
    """Presses "Nobody answers" as a browser would, with the line's own prefixed form fields."""
    html = client.get(f"/{slug}/phones").get_data(as_text=True)
    token = re.search(r'name="line\d+-csrf_token" type="hidden" value="([^"]+)"', html)
    return client.post(
        f"/{slug}/phones/{line_id}/report",
        environ_base={"REMOTE_ADDR": address},
        headers={"Accept-Language": language},
        data={
            f"line{line_id}-csrf_token": token.group(1) if token else csrf_token(client, "/login"),
            f"line{line_id}-comment": comment,
        },
    )


def _row(html, line_id):
    match = re.search(rf'<tr id="line-{line_id}".*?</tr>', html, re.S)
    assert match, f"line {line_id} is not on the page"
    return match.group(0)


# --- the public page -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_public_directory_shows_each_line_in_the_readers_language(app, client, language):
    # Open round the clock, so that the row offers "Nobody answers" whatever the hour the suite runs at.
    line_id, number, _ = _line(app, purpose="Heating emergencies", opens=time(0), closes=time(23, 59), days="daily")
    _check(app, line_id)
    t = translator(language)
    response = client.get("/astana/phones", headers={"Accept-Language": language})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert t("Phone numbers of the akimat") in html
    if language != "en":
        assert t("Phone numbers of the akimat") != "Phone numbers of the akimat", "not translated"
    row = _row(html, line_id)
    national = "8 (7172) " + " ".join(re.findall("..", number[-6:]))
    assert f'href="tel:{number}"' in row and national in row
    assert (
        "Heating emergencies (kk)"
        if language == "kk"
        else "Heating emergencies (ru)"
        if language == "ru"
        else "Heating emergencies"
    ) in row
    assert t("Verified") in row and t("Nobody answers") in row
    assert t("Every day") in row and "00:00–23:59" in row


@pytest.mark.parametrize("slug, number", [("astana", "8 (7172) 55 01 09"), ("almaty", "8 (727) 300 1111")])
def test_public_directory_lists_the_demo_lines_of_every_state(client, slug, number):
    html = client.get(f"/{slug}/phones", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for badge in ("badge-verified", "badge-stale", "badge-failing"):
        assert badge in html, badge
    assert number in html and "Call instead:" in html


def test_failing_line_shows_the_departments_verified_alternative_first(app, client):
    with app.app_context():
        dept = factories.department()
        failing = factories.phone_line(dept=dept, purpose="Reception")
        alternative = factories.phone_line(dept=dept, purpose="Dispatch")
        failing_id, failing_number, alternative_number = failing.id, failing.e164, alternative.e164
        alternative_id = alternative.id
    _check(app, alternative_id)
    _check(app, failing_id, CheckResult.NO_ANSWER)
    html = client.get("/astana/phones", headers={"Accept-Language": "en"}).get_data(as_text=True)
    row = _row(html, failing_id)
    assert "Call instead:" in row and "badge-failing" in row
    assert row.index(f"tel:{alternative_number}") < row.index(f"tel:{failing_number}")
    # and the verified line comes before the failing one in the department's table
    assert html.index(f'id="line-{alternative_id}"') < html.index(f'id="line-{failing_id}"')


def test_search_finds_lines_by_purpose_or_department_in_any_case_and_language(app, client):
    line_id, _, dept_id = _line(app, purpose="Отопление и горячая вода")
    other_id, _, _ = _line(app, purpose="Kindergarten queue")
    for query in ("ОТОПЛЕНИЕ", "горячая", "Test department"):
        html = client.get("/astana/phones", query_string={"q": query}, headers={"Accept-Language": "ru"}).get_data(
            as_text=True
        )
        assert f'id="line-{line_id}"' in html, query
    html = client.get("/astana/phones", query_string={"q": "отопление"}).get_data(as_text=True)
    assert f'id="line-{other_id}"' not in html
    assert "No line matches" in client.get(
        "/astana/phones", query_string={"q": "zzzz-nothing"}, headers={"Accept-Language": "en"}
    ).get_data(as_text=True)


def test_retired_and_other_akimats_lines_are_not_on_the_public_page(app, client):
    retired_id, _, _ = _line(app)
    almaty_id, _, _ = _line(app, slug="almaty", number="+77272999001")
    with app.app_context():
        phones.retire_line(db.session.get(PhoneLine, retired_id), factories.staff(Role.ADMIN))
    html = client.get("/astana/phones").get_data(as_text=True)
    assert f'id="line-{retired_id}"' not in html and f'id="line-{almaty_id}"' not in html


def test_public_page_works_without_any_line(client):
    assert client.get("/astana/phones", query_string={"q": "x" * 500}).status_code == 200
    assert client.get("/atlantis/phones").status_code == 404


# --- reports ------------------------------------------------------------------------------------------


def test_report_is_stored_with_a_hashed_client_and_counted(app, client):
    line_id, _, _ = _line(app)
    _check(app, line_id)
    response = _report(client, line_id, "10.2.0.1", "Called at 10:15, no answer")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/astana/phones#line-{line_id}-thanks")
    with app.app_context():
        report = db.session.scalar(select(PhoneReport).where(PhoneReport.line_id == line_id))
        assert report.comment == "Called at 10:15, no answer" and report.resolved_by_check_id is None
        assert "10.2.0.1" not in report.client_hash and len(report.client_hash) == 64
    state = _state(app, line_id)
    assert (state.status, state.open_reports, state.reports, state.due) == (phones.LineStatus.VERIFIED, 1, 1, True)
    assert "Thank you: your report was recorded." in client.get(
        "/astana/phones", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)


def test_reports_from_three_residents_flip_a_line_to_failing_and_an_answered_check_restores_it(app, client):
    line_id, _, _ = _line(app)
    _check(app, line_id)
    for address in ("10.3.0.1", "10.3.0.1", "10.3.0.2"):  # one resident twice: counted once
        assert _report(client, line_id, address).status_code == 302
    assert _state(app, line_id).status is phones.LineStatus.VERIFIED
    _report(client, line_id, "10.3.0.3")
    state = _state(app, line_id)
    assert (state.status, state.open_reports, state.reports) == (phones.LineStatus.FAILING, 3, 4)
    assert "badge-failing" in _row(client.get("/astana/phones").get_data(as_text=True), line_id)

    staff = factories_client(client, "registrar")
    response = post_form(
        staff,
        f"/astana/office/phones/{line_id}/checks",
        {"result": "answered", "note": "Operator answered"},
        form_url=f"/astana/office/phones/{line_id}",
    )
    assert response.status_code == 302
    state = _state(app, line_id)
    assert (state.status, state.open_reports) == (phones.LineStatus.VERIFIED, 0)
    with app.app_context():
        check = db.session.scalar(
            select(PhoneCheck).where(PhoneCheck.line_id == line_id).order_by(PhoneCheck.id.desc())
        )
        assert check.note == "Operator answered" and check.checked_by.email == "registrar@astana.demo.kz"
        open_reports = db.session.scalar(
            select(func.count())
            .select_from(PhoneReport)
            .where(PhoneReport.line_id == line_id, PhoneReport.resolved_by_check_id.is_(None))
        )
        resolved = db.session.scalar(
            select(func.count()).select_from(PhoneReport).where(PhoneReport.resolved_by_check_id == check.id)
        )
        assert (open_reports, resolved) == (0, 4)


def factories_client(client, role, akimat="astana"):
    fresh = client.application.test_client()
    login(fresh, role, akimat)
    return fresh


def test_failed_check_makes_a_verified_line_failing(app, client):
    line_id, _, _ = _line(app)
    _check(app, line_id)
    staff = factories_client(client, "controller")
    post_form(
        staff,
        f"/astana/office/phones/{line_id}/checks",
        {"result": "wrong_number"},
        form_url=f"/astana/office/phones/{line_id}",
    )
    state = _state(app, line_id)
    assert (state.status, state.last_result) == (phones.LineStatus.FAILING, CheckResult.WRONG_NUMBER)


def test_report_with_too_long_a_comment_keeps_it_and_says_why(app, client):
    line_id, _, _ = _line(app)
    response = _report(client, line_id, "10.4.0.1", "x" * 501)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in html and f'href="#line{line_id}-comment"' in html
    assert "x" * 501 in html
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(PhoneReport).where(PhoneReport.line_id == line_id)) == 0
        )


def test_report_without_a_csrf_token_is_refused(app, client):
    line_id, _, _ = _line(app)
    assert client.post(f"/astana/phones/{line_id}/report", data={}).status_code == 400


def test_report_on_a_line_of_another_akimat_is_404(app, client):
    line_id, _, _ = _line(app, slug="almaty", number="+77272999002")
    assert _report(client, line_id, slug="astana").status_code == 404


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_sixth_report_from_one_client_within_the_hour_gets_a_translated_429(app, client, language):
    assert app.config["PHONE_REPORT_RATE_LIMIT"] == "5 per hour"
    line_ids = [_line(app)[0] for _ in range(2)]
    for i in range(5):
        assert _report(client, line_ids[i % 2], "10.5.0.1").status_code == 302, i
    blocked = _report(client, line_ids[0], "10.5.0.1", language=language)
    html = blocked.get_data(as_text=True)
    t = translator(language)
    assert blocked.status_code == 429
    assert f'<html lang="{language}">' in html and t("Too many requests") in html
    assert (
        t("You have sent this too many times from this connection. Nothing more was recorded; please try again later.")
        in html
    )
    assert "Retry-After" in blocked.headers
    with app.app_context():
        stored = db.session.scalar(
            select(func.count()).select_from(PhoneReport).where(PhoneReport.line_id.in_(line_ids))
        )
    assert stored == 5
    # another client is not affected
    assert _report(client, line_ids[0], "10.5.0.2").status_code == 302


def test_rate_limit_does_not_touch_the_rest_of_the_site(app, client):
    line_id, _, _ = _line(app)
    for _ in range(5):
        _report(client, line_id, "127.0.0.1")
    assert _report(client, line_id, "127.0.0.1").status_code == 429
    assert client.get("/astana/phones").status_code == 200
    assert client.get("/astana/").status_code == 200


# --- freshness through the akimat's clock ------------------------------------------------------------


def test_line_answered_late_in_the_evening_goes_stale_at_local_midnight_thirty_one_days_later(app):
    line_id, _, _ = _line(app)
    answered = datetime(2026, 3, 1, 23, 30, tzinfo=ALMATY_TIME)  # 18:30 UTC: still 1 March in Almaty
    _check(app, line_id, at=answered)
    last_verified = datetime(2026, 3, 31, 23, 59, tzinfo=ALMATY_TIME)
    first_stale = datetime(2026, 4, 1, 0, 0, tzinfo=ALMATY_TIME)
    assert _state(app, line_id, last_verified).status is phones.LineStatus.VERIFIED
    assert _state(app, line_id, first_stale).status is phones.LineStatus.STALE
    assert _state(app, line_id, last_verified).days_since_answer == 30


def test_check_calls_are_append_only(app):
    from akimat_reception.models.guards import HistoryRewriteRefused

    line_id, _, _ = _line(app)
    _check(app, line_id)
    with app.app_context():
        check = db.session.scalar(select(PhoneCheck).where(PhoneCheck.line_id == line_id))
        check.note = "rewritten"
        with pytest.raises(HistoryRewriteRefused):
            db.session.commit()
        db.session.rollback()


# --- staff: the queue and the check -----------------------------------------------------------------


def test_queue_lists_due_lines_oldest_first_and_not_fresh_ones(app, client):
    now = datetime.now(UTC)
    never_id, _, _ = _line(app)
    old_id, _, _ = _line(app)
    _check(app, old_id, at=now - timedelta(days=40))
    older_id, _, _ = _line(app)
    _check(app, older_id, at=now - timedelta(days=50))
    fresh_id, _, _ = _line(app)
    _check(app, fresh_id, at=now - timedelta(days=2))
    html = factories_client(client, "registrar").get("/astana/office/phones/").get_data(as_text=True)
    order = [int(i) for i in re.findall(r'office/phones/(\d+)"', html)]
    assert fresh_id not in order
    assert order.index(never_id) < order.index(older_id) < order.index(old_id)
    everything = factories_client(client, "registrar").get("/astana/office/phones/?show=all").get_data(as_text=True)
    assert f'office/phones/{fresh_id}"' in everything


def test_check_without_a_result_keeps_the_note_and_says_what_is_missing(app, client):
    line_id, _, _ = _line(app)
    staff = factories_client(client, "registrar")
    response = post_form(
        staff,
        f"/astana/office/phones/{line_id}/checks",
        {"note": "Tried twice"},
        form_url=f"/astana/office/phones/{line_id}",
        headers={"Accept-Language": "en"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose what happened on the call." in html and "Tried twice" in html and 'href="#result"' in html


OFFICE = {"registrar": 200, "executor": 403, "controller": 200, "akim": 403, "admin": 200}
ADMIN = {"registrar": 403, "executor": 403, "controller": 403, "akim": 403, "admin": 200}


@pytest.mark.parametrize("role", list(OFFICE))
def test_each_role_gets_exactly_its_phone_pages(app, client, role):
    line_id, _, _ = _line(app)
    staff = factories_client(client, role)
    got = {
        "queue": staff.get("/astana/office/phones/").status_code,
        "line": staff.get(f"/astana/office/phones/{line_id}").status_code,
        "check": post_form(
            staff, f"/astana/office/phones/{line_id}/checks", {"result": "busy"}, form_url="/astana/"
        ).status_code,
        "admin": staff.get("/astana/admin/phones/").status_code,
        "new": staff.get("/astana/admin/phones/new").status_code,
        "export": staff.get("/astana/admin/phones/export.csv").status_code,
        "retire": post_form(staff, f"/astana/admin/phones/{line_id}/retire", {}, form_url="/astana/").status_code,
    }
    office, admin = OFFICE[role], ADMIN[role]
    assert got == {
        "queue": office,
        "line": office,
        "check": 302 if office == 200 else 403,
        "admin": admin,
        "new": admin,
        "export": admin,
        "retire": 302 if admin == 200 else 403,
    }


def test_anonymous_visitor_is_sent_to_sign_in_for_staff_phone_pages(client):
    for url in ("/astana/office/phones/", "/astana/admin/phones/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


@pytest.mark.parametrize("role", ["registrar", "controller", "admin", "akim", "executor"])
def test_almaty_staff_get_404_on_every_astana_phone_url(app, role):
    line_id, _, _ = _line(app)
    client = app.test_client()
    login(client, role, "almaty")
    urls = [
        ("get", "/astana/office/phones/"),
        ("get", f"/astana/office/phones/{line_id}"),
        ("post", f"/astana/office/phones/{line_id}/checks"),
        ("get", "/astana/admin/phones/"),
        ("get", f"/astana/admin/phones/{line_id}/edit"),
        ("post", f"/astana/admin/phones/{line_id}/retire"),
        ("get", "/astana/admin/phones/export.csv"),
        ("get", "/astana/admin/phones/import"),
    ]
    for method, url in urls:
        if method == "get":
            status = client.get(url).status_code
        else:
            status = post_form(client, url, {"result": "answered"}, form_url="/almaty/").status_code
        assert status == 404, (role, url)
    # and an Almaty URL does not reach an Astana line either
    if role in ("registrar", "controller", "admin"):
        assert client.get(f"/almaty/office/phones/{line_id}").status_code == 404


# --- the admin's lines --------------------------------------------------------------------------------


def _line_form(department_id, **overrides):
    data = {
        "department": department_id,
        "number": "8 7172 93 45 67",
        "purpose_kk": "Жылу",
        "purpose_ru": "Отопление",
        "purpose_en": "Heating",
        "languages": ["kk", "ru"],
        "days": "working",
        "opens_at": "09:00",
        "closes_at": "18:00",
    }
    data.update(overrides)
    return data


def test_admin_adds_a_line_and_it_appears_on_the_public_page_as_not_checked(app, client):
    with app.app_context():
        dept_id = factories.department().id
    number = factories.phone_number()
    admin = factories_client(client, "admin")
    response = post_form(admin, "/astana/admin/phones/new", _line_form(dept_id, number=number))
    assert response.status_code == 302
    with app.app_context():
        line = db.session.scalar(select(PhoneLine).where(PhoneLine.e164 == number))
        assert (line.department_id, line.languages, line.opens_at) == (dept_id, "kk,ru", time(9))
    row = _row(client.get("/astana/phones", headers={"Accept-Language": "en"}).get_data(as_text=True), line.id)
    assert "Not checked recently" in row and "Not checked yet" in row


def test_invalid_line_form_keeps_what_was_typed_and_links_each_error(app, client):
    with app.app_context():
        dept_id = factories.department().id
    admin = factories_client(client, "admin")
    response = post_form(
        admin,
        "/astana/admin/phones/new",
        _line_form(
            dept_id, number="12345", purpose_kk="", languages=[], closes_at="", purpose_ru="Отопление и горячая вода"
        ),
        headers={"Accept-Language": "en"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for anchor in ("#number", "#purpose_kk", "#languages", "#closes_at"):
        assert f'href="{anchor}"' in html, anchor
    assert 'value="12345"' in html and 'value="Отопление и горячая вода"' in html and 'value="09:00"' in html
    assert "Enter a phone number like +7 701 234 5678." in html


def test_number_already_in_the_directory_is_refused(app, client):
    _, number, dept_id = _line(app)
    admin = factories_client(client, "admin")
    response = post_form(
        admin, "/astana/admin/phones/new", _line_form(dept_id, number=number), headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422 and "This number is already in the directory." in response.get_data(as_text=True)


def test_admin_edits_a_line(app, client):
    line_id, number, dept_id = _line(app)
    admin = factories_client(client, "admin")
    form = admin.get(f"/astana/admin/phones/{line_id}/edit").get_data(as_text=True)
    assert f'value="{number}"' in form
    response = post_form(
        admin,
        f"/astana/admin/phones/{line_id}/edit",
        _line_form(dept_id, number=number, purpose_en="Heating (edited)", days="daily", opens_at="", closes_at=""),
    )
    assert response.status_code == 302
    with app.app_context():
        line = db.session.get(PhoneLine, line_id)
        assert (line.purpose_en, line.days.value, line.round_the_clock) == ("Heating (edited)", "daily", True)


def test_retired_line_leaves_the_public_page_and_keeps_its_history(app, client):
    line_id, _, _ = _line(app)
    _check(app, line_id)
    admin = factories_client(client, "admin")
    assert (
        post_form(admin, f"/astana/admin/phones/{line_id}/retire", {}, form_url="/astana/admin/phones/").status_code
        == 302
    )
    assert f'id="line-{line_id}"' not in client.get("/astana/phones").get_data(as_text=True)
    history = admin.get(f"/astana/office/phones/{line_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Retired" in history and "Answered the call" in history
    assert _report(client, line_id, "10.6.0.1").status_code == 404
    assert admin.get(f"/astana/admin/phones/{line_id}/edit").status_code == 404


# --- CSV ----------------------------------------------------------------------------------------------


def _import(admin, content: str, filename="phones.csv"):
    token = csrf_token(admin, "/astana/admin/phones/import")
    return admin.post(
        "/astana/admin/phones/import",
        headers={"Accept-Language": "en"},
        content_type="multipart/form-data",
        data={"csrf_token": token, "file": (io.BytesIO(content.encode("utf-8")), filename)},
    )


def _count_lines(app):
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(PhoneLine)
            .where(PhoneLine.akimat_id == factories.akimat().id, PhoneLine.retired_at.is_(None))
        )


def test_exported_csv_imports_back_unchanged(app, client):
    line_id, number, _ = _line(app, purpose="Round trip", opens=time(8, 30), closes=time(17), days="working")
    admin = factories_client(client, "admin")
    exported = admin.get("/astana/admin/phones/export.csv")
    assert exported.mimetype == "text/csv" and "attachment" in exported.headers["Content-Disposition"]
    text = exported.get_data(as_text=True)
    assert text.startswith("\ufeffid,department_id,department,number")
    assert f"{line_id}," in text and format_phone_national(number) in text and number not in text
    assert "Round trip (ru)" in text and "08:30,17:00" in text
    before = _count_lines(app)
    response = _import(admin, text)
    assert response.status_code == 302
    flashed = admin.get("/astana/admin/phones/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"Imported: 0 added, 0 changed, {before} unchanged." in flashed
    assert _count_lines(app) == before


def test_csv_import_updates_by_id_and_adds_new_rows(app, client):
    line_id, number, dept_id = _line(app, purpose="Before")
    new_number = factories.phone_number()
    admin = factories_client(client, "admin")
    content = (
        "id;department_id;number;purpose_kk;purpose_ru;purpose_en;languages;days;opens;closes\n"
        f"{line_id};{dept_id};{number};Кейін;После;After;kk ru en;daily;;\n"
        f";{dept_id};{new_number};Жаңа;Новая;New;ru;working;09:00;13:00\n"
    )
    assert _import(admin, content).status_code == 302
    with app.app_context():
        updated = db.session.get(PhoneLine, line_id)
        added = db.session.scalar(select(PhoneLine).where(PhoneLine.e164 == new_number))
        assert (updated.purpose_en, updated.languages) == ("After", "kk,ru,en")
        assert (added.department_id, added.languages, added.closes_at) == (dept_id, "ru", time(13))


def test_csv_with_a_wrong_row_imports_nothing_and_names_the_row(app, client):
    line_id, number, dept_id = _line(app, purpose="Untouched")
    admin = factories_client(client, "admin")
    before = _count_lines(app)
    content = (
        "id,department_id,number,purpose_kk,purpose_ru,purpose_en,languages,days,opens,closes\n"
        f"{line_id},{dept_id},{number},Өзгерді,Изменено,Changed,kk,daily,,\n"
        f",{dept_id},not-a-number,Жаңа,Новая,New,xx,weekly,9am,\n"
    )
    response = _import(admin, content)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Row 3:" in html and "not-a-number" in html and "Nothing was imported" in html
    assert _count_lines(app) == before
    with app.app_context():
        assert db.session.get(PhoneLine, line_id).purpose_en == "Untouched"


def test_csv_cells_that_look_like_formulas_are_defused_and_read_back(app, client):
    line_id, _, _ = _line(app, purpose='=HYPERLINK("http://example.com")')
    admin = factories_client(client, "admin")
    text = admin.get("/astana/admin/phones/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text
    assert _import(admin, text).status_code == 302
    with app.app_context():
        assert db.session.get(PhoneLine, line_id).purpose_en == '=HYPERLINK("http://example.com")'


def test_number_of_a_line_cannot_change_by_edit_or_import(app, client):
    line_id, number, dept_id = _line(app)
    admin = factories_client(client, "admin")
    other = factories.phone_number()
    response = post_form(
        admin,
        f"/astana/admin/phones/{line_id}/edit",
        _line_form(dept_id, number=other),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422 and "The number of a line cannot change" in response.get_data(as_text=True)
    content = (
        "id,department_id,number,purpose_kk,purpose_ru,purpose_en,languages,days,opens,closes\n"
        f"{line_id},{dept_id},{other},A,B,C,kk,daily,,\n"
    )
    response = _import(admin, content)
    assert response.status_code == 422 and f"the number of line {line_id} cannot change" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.get(PhoneLine, line_id).e164 == number


def test_import_without_a_file_says_so(client):
    admin = factories_client(client, "admin")
    response = post_form(admin, "/astana/admin/phones/import", {}, headers={"Accept-Language": "en"})
    assert response.status_code == 422 and "Choose a CSV file." in response.get_data(as_text=True)


# --- the akim, the digest, the command ----------------------------------------------------------------


def _count_queries(app, fetch):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = fetch()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return response, len(statements)


def test_akim_dashboard_shows_share_verified_and_failing_lines_with_reports(app, client):
    with app.app_context():
        dept = factories.department(name="Dashboard department")
        verified = factories.phone_line(dept=dept)
        failing = factories.phone_line(dept=dept)
        ids, name, failing_number = (verified.id, failing.id), dept.name_en, failing.e164
    _check(app, ids[0])
    _check(app, ids[1], at=datetime.now(UTC) - timedelta(days=12))
    for address in ("10.7.0.1", "10.7.0.2", "10.7.0.3"):
        _report(client, ids[1], address)
    akim = factories_client(client, "akim")
    html = akim.get("/astana/akim/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    html = html[html.index('id="phones-title"') :]
    assert "Verified phone lines by department, the weakest first" in html
    row = re.search(rf"<tr>\s*<td[^>]*>{re.escape(name)}</td>.*?</tr>", html, re.S).group(0)
    assert ">2<" in row and ">1<" in row and "50%" in row
    failing_row = re.search(
        rf"<tr>\s*<td[^>]*><a class=\"phone-number\" href=\"tel:{re.escape(failing_number)}\".*?</tr>", html, re.S
    ).group(0)
    assert ">3<" in failing_row and ">12<" in failing_row


def test_akim_dashboard_makes_as_many_queries_for_many_lines_as_for_few(app, client):
    akim = factories_client(client, "akim")
    akim.get("/astana/akim/")  # warm up: the first request loads what later ones find cached
    _, before = _count_queries(app, lambda: akim.get("/astana/akim/"))
    with app.app_context():
        dept = factories.department()
        for i in range(6):
            line = factories.phone_line(dept=dept)
            if i % 2:
                phones.report_dead(line, f"10.8.0.{i}")
    _, after = _count_queries(app, lambda: akim.get("/astana/akim/"))
    assert after == before


def test_public_page_makes_as_many_queries_for_many_lines_as_for_few(app, client):
    client.get("/astana/phones")
    _, before = _count_queries(app, lambda: client.get("/astana/phones"))
    with app.app_context():
        dept = factories.department()
        for _ in range(5):
            factories.phone_line(dept=dept)
    _, after = _count_queries(app, lambda: client.get("/astana/phones"))
    assert after == before


def test_digest_lists_failing_and_stale_lines_with_their_department(app, runner):
    from akimat_reception.domain.identity import format_phone_national

    with app.app_context():
        dept = factories.department("almaty", name="Digest department")
        failing = factories.phone_line("almaty", dept=dept)
        stale = factories.phone_line("almaty", dept=dept)
        failing_id, failing_number, stale_number = failing.id, failing.e164, stale.e164
        names = {"kk": dept.name_kk, "ru": dept.name_ru, "en": dept.name_en}
    _check(app, failing_id, CheckResult.BUSY)
    assert runner.invoke(args=["digest"]).exit_code == 0
    with app.app_context():
        digest = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "digest", OutboxMessage.recipient == "akim@almaty.demo.kz")
            .order_by(OutboxMessage.id.desc())
        ).first()
    t = translator(digest.language)
    department = names[digest.language]
    assert f"{t('Not answering')}: {format_phone_national(failing_number)} — {department}" in digest.body_text
    assert f"{t('Not checked recently')}: {format_phone_national(stale_number)} — {department}" in digest.body_text
    assert f"{t('Not answering')}: {format_phone_national(failing_number)}" in digest.body_html


def test_phones_due_command_lists_lines_due_for_a_check(app, runner):
    due_id, due_number, _ = _line(app)
    fresh_id, fresh_number, _ = _line(app)
    _check(app, fresh_id)
    result = runner.invoke(args=["phones", "due", "--akimat", "astana"])
    assert result.exit_code == 0
    assert due_number in result.output and fresh_number not in result.output
    assert re.search(r"^\d+ lines due for a check$", result.output, re.M)
    assert "almaty" not in result.output
    assert runner.invoke(args=["phones", "due", "--akimat", "atlantis"]).exit_code != 0
