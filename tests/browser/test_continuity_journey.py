"""The resident who never hits a dead end, in a real browser, each journey once: a lost code
replaced from the real email (ru, 360 px), the answer opened from the email's link (kk, 1280 px),
and the extension's reason read in the SMS and then on the page (ru, 1280 px)."""

import logging
import re
from contextlib import contextmanager

from flask_babel import force_locale, format_date
from playwright.sync_api import expect

from akimat_reception.domain import lifecycle
from akimat_reception.domain.calendar import KAZAKHSTAN
from akimat_reception.models import Role
from tests import factories
from tests.browser.conftest import translator
from tests.smtp import SmtpServer, drain, free_port

kk = translator("kk")
ru = translator("ru")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
LINK_PATH = re.compile(r"https?://[^/\s]+(/[a-z-]+/l/[A-Za-z0-9_-]{16})")
CODE = re.compile(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}")


@contextmanager
def mail_server(app):
    server = SmtpServer(free_port())
    saved = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        app.config.update(MAIL_SERVER=saved[0], MAIL_PORT=saved[1])


def _deliver(app):
    with app.app_context():
        drain()


def test_a_resident_loses_the_code_and_gets_a_new_one_by_email(browser, base_url, live_app, artifacts):
    with mail_server(live_app) as server:
        with live_app.app_context():
            letter, old_code = factories.letter(language="ru", email="lost-journey@example.kz", phone=None)
            number = letter.number
        _deliver(live_app)
        page = browser.new_context(base_url=base_url, locale="ru-RU", viewport=PHONE).new_page()
        page.goto("/astana/track")
        page.get_by_role("link", name=ru("I lost my access code")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(ru("I lost my access code"))
        page.screenshot(path=str(artifacts / "lost-code-ru-360px.png"), full_page=True)
        page.get_by_label(ru("Registration number")).fill(number)
        page.get_by_role("button", name=ru("Send me a new code")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(ru("What happens next"))
        expect(page.get_by_role("status")).to_contain_text(number)
        page.screenshot(path=str(artifacts / "lost-code-sent-ru-360px.png"), full_page=True)
        _deliver(live_app)
        mail = [
            m
            for m in server.inbox.to("lost-journey@example.kz")
            if ru("A new access code for your letter %(number)s") % {"number": number} == m["Subject"]
        ]
    [mail] = mail
    new_code = CODE.search(mail.get_body(("plain",)).get_content()).group(0)
    assert new_code != old_code

    page.get_by_role("link", name=ru("Follow your letter with the new code")).click()
    page.get_by_label(ru("Registration number")).fill(number)
    page.get_by_label(ru("Access code")).fill(old_code)
    page.get_by_role("button", name=ru("Show my letter")).click()
    expect(page.get_by_role("alert").first).to_contain_text(
        ru("No letter matches this number and access code. Check both and try again.")
    )
    page.get_by_label(ru("Access code")).fill(new_code)
    page.get_by_role("button", name=ru("Show my letter")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.locator(".timeline")).to_contain_text(ru("A new access code was issued"))
    page.screenshot(path=str(artifacts / "letter-after-new-code-ru-360px.png"), full_page=True)


def test_a_resident_opens_the_answer_from_the_email_s_link(browser, base_url, live_app, artifacts):
    with mail_server(live_app) as server:
        with live_app.app_context():
            letter, _ = factories.answered_letter(language="kk", email="answer-link@example.kz", phone=None)
            number = letter.number
        _deliver(live_app)
        [mail] = [
            m
            for m in server.inbox.to("answer-link@example.kz")
            if kk("Answer to your letter %(number)s") % {"number": number} == m["Subject"]
        ]
    text = mail.get_body(("plain",)).get_content()
    assert factories.ANSWER_TEXT["kk"][:40] in text  # the answer itself is in the email
    page = browser.new_context(base_url=base_url, locale="kk-KZ", viewport=DESKTOP).new_page()
    page.goto(LINK_PATH.search(text).group(1))
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.locator(".answer")).to_contain_text(factories.ANSWER_TEXT["kk"][:40])
    expect(page.get_by_role("button", name=kk("Forget this letter on this computer"))).to_be_visible()
    page.screenshot(path=str(artifacts / "answer-from-link-kk-1280px.png"), full_page=True)
    page.get_by_role("button", name=kk("Forget this letter on this computer")).click()
    expect(page.get_by_role("status")).to_contain_text(number)
    page.goto(f"/astana/track/{number}")
    expect(page.get_by_label(kk("Access code"))).to_be_visible()  # forgotten: the number and code again


def test_a_resident_reads_the_extension_reason_in_the_sms_and_on_the_page(
    browser, base_url, live_app, artifacts, caplog
):
    live_app.config["SMS_GATEWAY"] = "akimat_reception.delivery:DevelopmentSmsSink"
    caplog.set_level(logging.INFO, logger="akimat_reception.delivery")
    reason = "Нужно заключение экспертизы проектной документации"
    try:
        with live_app.app_context():
            letter, _ = factories.routed_letter(language="ru", email=None, phone="+77015550303")
            number, original = letter.number, letter.deadline
            new = KAZAKHSTAN.add_working_days(original, 10)
            asked = lifecycle.request_extension(letter, new, "Экспертиза", factories.staff(Role.EXECUTOR))
            lifecycle.decide_extension(asked, True, reason, factories.staff(Role.AKIM))
            with force_locale("ru"):
                short = format_date(original, "short"), format_date(new, "short")
                long = format_date(original, "long"), format_date(new, "long")
            drain()
    finally:
        live_app.config["SMS_GATEWAY"] = "akimat_reception.delivery:LogSmsGateway"
    texts = [r.args[1] for r in caplog.records if r.msg.startswith("SMS to") and r.args[0] == "+77015550303"]
    [sms] = [t for t in texts if "продлён" in t]
    assert f"с {short[0]} до {short[1]}" in sms and reason in sms
    page = browser.new_context(base_url=base_url, locale="ru-RU", viewport=DESKTOP).new_page()
    page.goto(LINK_PATH.search(sms).group(1))
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    expect(page.locator(".extension")).to_have_text(
        ru("Extended from %(original)s to %(new)s: %(reason)s")
        % {"original": long[0], "new": long[1], "reason": reason}
    )
    page.screenshot(path=str(artifacts / "extension-ru-1280px.png"), full_page=True)
