"""A resident writes a letter one thing per page, in a real browser: with JavaScript in Kazakh on a
desktop (a complaint, a file, an answer changed from the check page), and without JavaScript in
Russian on a 360 px phone (a step failed and corrected, the back link); both end on the receipt."""

import re

import pytest
from babel.support import Translations
from playwright.sync_api import expect
from sqlalchemy import select

from akimat_reception.extensions import db
from akimat_reception.models import Letter
from tests.browser.conftest import translator
from tests.conftest import PROJECT_ROOT

kk = translator("kk")
ru = translator("ru")
CHANGE_KK = Translations.load(str(PROJECT_ROOT / "translations"), ["kk"]).pgettext("link", "Change")
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _receipt_number(page, t) -> str:
    expect(page.get_by_role("heading", name=t("Your letter is registered"))).to_be_visible()
    number = page.locator(".big-number").inner_text().strip()
    assert re.fullmatch(r"AST-\d{4}-\d{6}", number)
    return number


def _kazakh_complaint_with_javascript(page, artifacts):
    t = kk
    page.goto("/astana/letters/new")
    expect(page.get_by_text(t("Step %(number)s of %(total)s") % {"number": 1, "total": 5})).to_be_visible()
    page.get_by_label(t("Complaint"), exact=True).check()
    page.get_by_role("button", name=t("Continue")).click()

    page.get_by_label(t("Area")).select_option(label="Коммуналдық қызметтер: жылу, су, жарық")
    page.get_by_label(t("Subject")).fill("Үйде жылу жоқ")
    page.get_by_label(t("Your letter")).fill("Үш апта бойы батареялар суық, шара қолдануды сұраймын.")
    page.get_by_label(t("Files (optional)")).set_input_files(
        {"name": "акт.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name=t("Continue")).click()

    expect(page.get_by_role("heading", name=t("About your complaint"))).to_be_visible()
    page.get_by_label(t("Whose action or decision do you dispute?")).fill("12-үйдің ПИК-і")
    page.get_by_label(t("What do you ask for?")).fill("Жылуды қосуды сұраймын.")
    page.get_by_role("button", name=t("Continue")).click()

    page.get_by_label(t("Surname")).fill("Сейтқали")
    page.get_by_label(t("Name"), exact=True).fill("Дәурен")
    page.get_by_label(t("Postal address")).fill("Астана, Мәңгілік Ел даңғылы, 10")
    page.get_by_label(t("Email")).fill("dauren@example.kz")
    page.get_by_role("button", name=t("Continue")).click()

    expect(page.get_by_role("heading", name=t("Check your letter before sending it"))).to_be_visible()
    answers = page.locator("main")
    for shown in ("Үйде жылу жоқ", "акт.pdf", "12-үйдің ПИК-і", "Сейтқали Дәурен", "dauren@example.kz"):
        expect(answers).to_contain_text(shown)
    page.get_by_role("link", name=f"{CHANGE_KK} {t('the subject')}").click()
    expect(page.get_by_label(t("Subject"))).to_have_value("Үйде жылу жоқ")
    expect(page.locator(".file-list")).to_contain_text("акт.pdf")  # kept: not chosen again
    page.get_by_label(t("Subject")).fill("12-үйде жылу жоқ")
    page.get_by_role("button", name=t("Continue")).click()
    expect(page.get_by_role("heading", name=t("Check your letter before sending it"))).to_be_visible()
    expect(answers).to_contain_text("12-үйде жылу жоқ")
    page.screenshot(path=str(artifacts / "letter-check-kk-1280.png"), full_page=True)
    page.get_by_role("button", name=t("Send the letter")).click()
    return _receipt_number(page, t)


def _russian_application_without_javascript(page, artifacts):
    t = ru
    page.goto("/astana/letters/new")
    page.get_by_label(t("Application"), exact=True).check()
    page.get_by_role("button", name=t("Continue")).click()

    page.get_by_label(t("Area")).select_option(label="Дороги и общественный транспорт")
    page.get_by_label(t("Subject")).fill("Яма на дороге")
    page.get_by_label(t("Your letter")).fill("Яма")  # too short: the step says so and keeps the subject
    page.get_by_role("button", name=t("Continue")).click()
    expect(page.get_by_role("alert")).to_contain_text(t("There is a problem"))
    expect(page.get_by_label(t("Subject"))).to_have_value("Яма на дороге")
    page.get_by_label(t("Your letter")).fill("У остановки большая яма на дороге, прошу отремонтировать.")
    page.get_by_role("button", name=t("Continue")).click()

    expect(page.get_by_role("heading", name=t("About you"))).to_be_visible()
    page.get_by_role("link", name=t("Back")).click()  # back a step: the letter is still there
    expect(page.get_by_label(t("Your letter"))).to_have_value(
        "У остановки большая яма на дороге, прошу отремонтировать."
    )
    page.get_by_role("button", name=t("Continue")).click()
    page.get_by_label(t("Surname")).fill("Иванова")
    page.get_by_label(t("Name"), exact=True).fill("Анна")
    page.get_by_label(t("Postal address")).fill("Астана, ул. Кенесары, 5")
    page.get_by_label(t("Phone")).fill("+7 701 234 5678")
    page.get_by_label(t("Russian")).check()
    page.get_by_role("button", name=t("Continue")).click()

    expect(page.get_by_role("heading", name=t("Check your letter before sending it"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("+7 701 234 5678")
    expect(page.locator("main")).not_to_contain_text(t("Whose action or decision do you dispute?"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the check page is {width}px wide on a 360px phone"
    page.screenshot(path=str(artifacts / "letter-check-ru-360.png"), full_page=True)
    page.get_by_role("button", name=t("Send the letter")).click()
    return _receipt_number(page, t)


@pytest.mark.parametrize(
    "javascript, locale, viewport, write",
    [
        (True, "kk-KZ", {"width": 1280, "height": 720}, _kazakh_complaint_with_javascript),
        (False, "ru-RU", {"width": 360, "height": 640}, _russian_application_without_javascript),
    ],
    ids=["kk-1280-with-js", "ru-360-without-js"],
)
def test_resident_writes_through_the_steps_and_gets_the_receipt(
    browser, base_url, live_app, artifacts, javascript, locale, viewport, write
):
    context = browser.new_context(base_url=base_url, java_script_enabled=javascript, locale=locale, viewport=viewport)
    number = write(context.new_page(), artifacts)
    with live_app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        assert letter is not None and not letter.anonymous
        if javascript:
            assert letter.subject == "12-үйде жылу жоқ" and [a.original_name for a in letter.attachments] == ["акт.pdf"]
            assert letter.disputed_party == "12-үйдің ПИК-і"
        else:
            assert letter.phone == "+77012345678" and letter.disputed_party is None
    context.close()
