"""An anonymous letter in a real browser, in Russian on a 360 px phone: the sender follows it and
reads what happens to a letter without a name; the registrar finds that it reports a crime, and
it is forwarded the same day to the configured body, which the sender then reads too."""

import pytest
from playwright.sync_api import expect

from akimat_reception.domain import anonymous
from tests import factories
from tests.browser.conftest import translator

ru = translator("ru")
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def anonymous_letter(live_app):
    """Registered through lifecycle.submit, as the step-by-step form's "without my name" does."""
    with live_app.app_context():
        letter, code = factories.anonymous_letter(
            subject="Продажа наркотиков у гаражей",
            body="Каждый вечер у гаражей за домом 14 продают что-то похожее на наркотики.",
            category="utilities",
        )
        return letter.number, code, anonymous.forward_to(letter.akimat)


def _sign_in(page, role):
    page.goto("/login")
    page.get_by_label(ru("Email")).fill(f"{role}@astana.demo.kz")
    page.get_by_label(ru("Password")).fill("Reception-demo-2026")
    page.get_by_role("button", name=ru("Sign in")).click()


def _fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"


def test_the_sender_reads_what_happens_and_the_registrar_forwards_a_crime_the_same_day(
    browser, base_url, anonymous_letter, artifacts
):
    number, code, body = anonymous_letter
    resident = browser.new_context(base_url=base_url, locale="ru-RU", viewport=PHONE).new_page()
    resident.goto("/astana/track")
    resident.get_by_label(ru("Registration number")).fill(number)
    resident.get_by_label(ru("Access code")).fill(code)
    resident.get_by_role("button", name=ru("Show my letter")).click()

    expect(resident.locator(".resident-status")).to_have_text(
        ru("Registered and shown to the akim; being checked for a report of a crime or a threat")
    )
    expect(resident.get_by_text(ru("Answer due by"))).to_have_count(0)  # no answer is coming
    rules = resident.locator(".anonymous-rules")
    expect(rules.get_by_role("heading", level=2)).to_have_text(ru("A letter without your name"))
    expect(rules).to_contain_text(ru("Your letter is registered, and the akim sees it."))
    expect(rules).to_contain_text(
        ru("But a letter without a name is not considered, unless it reports a crime or a threat to public safety.")
    )
    expect(rules).to_contain_text(ru("If it does, it is sent the same working day to: %(body)s.") % {"body": body})
    expect(rules).to_contain_text(
        ru("You get a number and a code to follow your letter on this site. No answer comes by post.")
    )
    _fits(resident)
    resident.screenshot(path=str(artifacts / "anonymous-tracking-ru-360.png"), full_page=True)

    registrar = browser.new_context(base_url=base_url, locale="ru-RU", viewport=PHONE).new_page()
    _sign_in(registrar, "registrar")
    registrar.goto(f"/astana/office/letters/{number}")
    section = registrar.locator("#anonymous")
    expect(section.get_by_role("heading", level=2)).to_have_text(ru("Anonymous letter"))
    expect(registrar.get_by_role("button", name=ru("Send to this department"))).to_have_count(0)  # not routed first
    section.get_by_label(ru("Yes: it reports a crime or a threat to public safety — forward it today")).check()
    section.get_by_label(ru("What you found in it (kept in the record; for a crime, sent with the letter)")).fill(
        "Сообщает о продаже наркотиков у гаражей за домом 14"
    )
    _fits(registrar)
    registrar.screenshot(path=str(artifacts / "anonymous-assessment-ru-360.png"), full_page=True)
    section.get_by_role("button", name=ru("Record the assessment")).click()

    expect(registrar.get_by_text(ru("The assessment was recorded."))).to_be_visible()
    expect(registrar.locator("#anonymous")).to_contain_text(
        ru("Reports a crime or a threat to public safety: forwarded")
    )
    expect(registrar.locator("dl.facts").first).to_contain_text(body)
    expect(registrar.get_by_role("button", name=ru("Record the assessment"))).to_have_count(0)

    resident.reload()
    expect(resident.locator(".resident-status")).to_have_text(ru("Forwarded to the competent body"))
    expect(resident.locator("dl.facts")).to_contain_text(body)
    resident.screenshot(path=str(artifacts / "anonymous-forwarded-ru-360.png"), full_page=True)
