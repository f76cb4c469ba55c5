""" "My letters" in a real browser, in Kazakh on a 360px phone: a resident who has lost the numbers
of their letters finds "My letters" on the home page, gives their email, reads the code from the
email that really arrives (the outbox delivered to an SMTP server), sees their letters of two
akimats with the IIN masked, and opens one."""

import re
import uuid

from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import translator
from tests.smtp import SmtpServer, drain, free_port

kk = translator("kk")
PHONE = {"width": 360, "height": 740}
CODE = re.compile(r"\b(\d{6})\b")


def test_a_resident_lists_my_letters_by_email_and_opens_one(browser, base_url, live_app, artifacts):
    email = f"dauren-{uuid.uuid4().hex[:8]}@example.kz"
    with live_app.app_context():
        astana, _ = factories.letter(email=email, iin="900101300017", subject="Аулада жарық жоқ", language="kk")
        almaty, _ = factories.letter("almaty", email=email, subject="Үйде су жоқ", language="kk")
        astana_number, almaty_number = astana.number, almaty.number
    server = SmtpServer(free_port())
    saved = live_app.config["MAIL_SERVER"], live_app.config["MAIL_PORT"]
    live_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    server.start()
    try:
        page = browser.new_context(base_url=base_url, locale="kk-KZ", viewport=PHONE).new_page()
        page.goto("/")
        link = kk("My letters: every letter you sent in the last year, by your email or phone")
        page.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(kk("My letters"))
        page.get_by_label(kk("Email or phone number")).fill(email)
        page.screenshot(path=str(artifacts / "my-letters-kk-360px.png"), full_page=True)
        page.get_by_role("button", name=kk("Send me a code")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(kk("Enter the code"))
        page.screenshot(path=str(artifacts / "my-letters-code-kk-360px.png"), full_page=True)

        with live_app.app_context():
            drain()
        [mail] = [m for m in server.inbox.to(email) if m["Subject"] == kk("Your code for “My letters”")]
        code = CODE.search(mail.get_body(("plain",)).get_content()).group(1)
    finally:
        server.stop()
        live_app.config.update(MAIL_SERVER=saved[0], MAIL_PORT=saved[1])

    page.get_by_label(kk("Code"), exact=True).fill(code)
    page.get_by_role("button", name=kk("Show my letters")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(kk("My letters"))
    expect(page.get_by_role("heading", name=astana_number)).to_be_visible()
    expect(page.get_by_role("heading", name=almaty_number)).to_be_visible()
    expect(page.get_by_text("••••••••0017")).to_be_visible()
    page.screenshot(path=str(artifacts / "my-letters-list-kk-360px.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the list scrolls sideways on a phone ({width}px)"

    card = page.locator("section.card", has=page.get_by_role("heading", name=almaty_number))
    card.get_by_role("button", name=kk("Open the letter")).click()
    assert page.url.endswith(f"/almaty/track/{almaty_number}")
    expect(page.get_by_text("Үйде су жоқ").first).to_be_visible()
    page.screenshot(path=str(artifacts / "my-letters-opened-kk-360px.png"), full_page=True)
