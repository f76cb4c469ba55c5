"""The phone directory in a real browser: a resident reports that nobody answers, staff call the
line and record the answer, and the line is verified again. Then every phone page on a 360px
phone, and through axe-core."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from akimat_reception.domain import phones
from akimat_reception.domain.identity import format_phone_national
from akimat_reception.extensions import db
from akimat_reception.models import CheckResult, PhoneLine, PhoneReport, Role
from tests import factories
from tests.browser.conftest import translator
from tests.conftest import current_code

ru = translator("ru")
kk = translator("kk")
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


def _sign_in(page, role, akimat="astana"):
    page.goto("/login")
    page.get_by_label(ru("Email")).fill(f"{role}@{akimat}.demo.kz")
    page.get_by_label(ru("Password")).fill("Reception-demo-2026")
    page.get_by_role("button", name=ru("Sign in")).click()


@pytest.fixture
def reported_line(live_app):
    """A verified line that two residents already reported: the third report makes it failing."""
    with live_app.app_context():
        dept = factories.department(name="Journey department")
        line = factories.phone_line(dept=dept, purpose="Heating emergencies")
        phones.record_check(
            line,
            factories.staff(Role.REGISTRAR),
            CheckResult.ANSWERED,
            now=datetime.now(UTC) - timedelta(days=6),
        )
        for client in ("10.9.0.1", "10.9.0.2"):
            phones.report_dead(line, client)
        return line.id, line.e164, format_phone_national(line.e164)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_resident_reports_a_dead_line_and_staff_verify_it_again(
    browser, base_url, live_app, reported_line, javascript, artifacts
):
    line_id, e164, national = reported_line
    resident = browser.new_context(base_url=base_url, locale="ru-RU", java_script_enabled=javascript).new_page()
    resident.goto("/astana/")
    resident.get_by_role("link", name=ru("Phone numbers")).first.click()
    expect(resident.get_by_role("heading", level=1)).to_have_text(ru("Phone numbers of the akimat"))
    resident.get_by_label(ru("Search by department or purpose")).fill("heating emergencies")
    resident.get_by_role("button", name=ru("Search")).click()
    row = resident.locator(f"#line-{line_id}")
    expect(row.get_by_role("link", name=national)).to_have_attribute("href", f"tel:{e164}")
    expect(row.locator(".badge")).to_have_text(ru("Verified"))

    # One click, with a comment this time: open "Add a comment", write, send.
    row.get_by_text(ru("Add a comment")).click()
    row.get_by_label(ru("Comment (optional)")).fill("Звонил в 10:15 и в 11:00, гудки")
    row.get_by_role("button", name=f"{ru('Send the report')} — {national}").click()
    expect(resident.get_by_role("status")).to_contain_text(
        ru("Thank you: your report was recorded. Staff will call this line to check it.")
    )
    row = resident.locator(f"#line-{line_id}")
    expect(row.locator(".badge")).to_have_text(ru("Not answering"))
    resident.screenshot(
        path=str(artifacts / f"phones-reported-ru-{'js' if javascript else 'nojs'}.png"), full_page=True
    )

    staff = browser.new_context(base_url=base_url, locale="ru-RU", java_script_enabled=javascript).new_page()
    _sign_in(staff, "registrar")
    staff.get_by_role("link", name=ru("Phone checks")).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(ru("Phone lines to check"))
    staff.get_by_role("link", name=national).click()
    expect(staff.locator(".report-list")).to_contain_text("Звонил в 10:15 и в 11:00, гудки")
    staff.get_by_role("button", name=ru("Record the call")).click()  # forgot the result first
    expect(staff.get_by_role("alert")).to_contain_text(ru("Choose what happened on the call."))
    staff.get_by_label(ru("Answered the call"), exact=True).check()
    staff.get_by_label(ru("Note (optional)")).fill("Ответил диспетчер, линия работает")
    staff.get_by_role("button", name=ru("Record the call")).click()
    expect(staff.get_by_role("status")).to_contain_text(ru("The check call was recorded."))
    expect(staff.locator(".timeline")).to_contain_text("Ответил диспетчер, линия работает")
    expect(staff.locator(".report-list")).to_have_count(0)
    staff.screenshot(path=str(artifacts / f"phones-checked-ru-{'js' if javascript else 'nojs'}.png"), full_page=True)

    resident.reload()
    expect(resident.locator(f"#line-{line_id} .badge")).to_have_text(ru("Verified"))
    with live_app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(PhoneReport)
                .where(PhoneReport.line_id == line_id, PhoneReport.resolved_by_check_id.is_(None))
            )
            == 0
        )
    resident.context.close()
    staff.context.close()


def test_resident_reports_in_one_click_in_kazakh(browser, base_url, live_app, artifacts):
    with live_app.app_context():
        line = factories.phone_line(purpose="Water")
        line_id = line.id
    page = browser.new_context(base_url=base_url, locale="kk-KZ").new_page()
    page.goto("/language/kk?next=/astana/phones")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    page.locator(f"#line-{line_id} .button-report").click()
    expect(page.get_by_role("status")).to_contain_text(
        kk("Thank you: your report was recorded. Staff will call this line to check it.")
    )
    with live_app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(PhoneReport).where(PhoneReport.line_id == line_id)) == 1
        )
    page.context.close()


# --- every phone page on a phone, and through axe ------------------------------------------------------

PAGES = [  # (who, path, language)
    (None, "/astana/phones", "kk"),
    (None, "/almaty/phones", "ru"),
    (None, "/astana/phones?q=zzz", "en"),
    ("registrar", "/astana/office/phones/", "ru"),
    ("registrar", "/astana/office/phones/{line}", "kk"),
    ("admin", "/astana/admin/phones/", "ru"),
    ("admin", "/astana/admin/phones/new", "kk"),
    ("admin", "/astana/admin/phones/import", "en"),
    ("akim", "/astana/akim/", "kk"),
]


@pytest.fixture(scope="module")
def a_line(live_app):
    with live_app.app_context():
        return db.session.scalar(
            select(PhoneLine.id).where(PhoneLine.akimat_id == factories.akimat().id).order_by(PhoneLine.id).limit(1)
        )


@pytest.mark.parametrize("who, path, language", PAGES)
def test_phone_page_fits_a_360px_phone_and_passes_axe(
    browser, base_url, live_app, a_line, who, path, language, artifacts
):
    context = browser.new_context(base_url=base_url, viewport={"width": 360, "height": 640}, locale="ru-RU")
    page = context.new_page()
    page.goto(f"/language/{language}?next=/")
    if who:
        page.goto("/login")
        page.fill("#email", f"{who}@astana.demo.kz")
        page.fill("#password", "Reception-demo-2026")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        if page.url.endswith("/login/code"):  # administrators sign in with a second factor
            page.fill("#code", current_code(live_app, f"{who}@astana.demo.kz"))
            page.locator("main form button[type=submit]").click()
            page.wait_for_load_state()
    response = page.goto(path.format(line=a_line))
    assert response.status == 200
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    name = (who or "public") + path.format(line="line").replace("/", "-").replace("?", "-")
    page.screenshot(path=str(artifacts / f"phone-{name}-{language}.png"), full_page=True)
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
    if AXE_JS.exists():
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))  # the CSP refuses inline script tags
        violations = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})).violations.map(v => v.id + ": " + v.help
            + " " + v.nodes.map(n => n.target.join(" ")).join(", "))""")
        assert not violations, f"{path} [{language}]: " + "\n".join(violations)
    context.close()
