"""The invitation in a real browser: the administrator invites an executor; the email really goes
out through the outbox to an SMTP server; the person opens its link on a 360px phone, chooses a
password, is signed in and sees their department's letters."""

import re
import uuid

from playwright.sync_api import expect

from akimat_reception.demo import DEMO_PASSWORD
from akimat_reception.domain import lifecycle
from akimat_reception.models import Role
from tests import factories
from tests.browser.conftest import translator
from tests.conftest import current_code
from tests.smtp import SmtpServer, drain, free_port

ru = translator("ru")
PHONE = {"width": 360, "height": 740}
LINK = re.compile(r"https?://[^/\s]+(/invitations/[A-Za-z0-9_-]{20,})")


def _sign_in_as_admin(page, app):
    page.goto("/login")
    page.get_by_label(ru("Email")).fill("admin@astana.demo.kz")
    page.get_by_label(ru("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=ru("Sign in")).click()
    page.get_by_label(ru("Six-digit code from your authenticator app")).fill(current_code(app, "admin@astana.demo.kz"))
    page.get_by_role("button", name=ru("Sign in")).click()


def test_admin_invites_an_executor_who_accepts_on_a_phone_and_sees_the_inbox(browser, base_url, live_app, artifacts):
    with live_app.app_context():
        # A department of its own: the demo akimat's executors, which other tests count, stay as they were.
        department = factories.department(name="Отдел благоустройства")
        department_name = department.name_ru
        letter, _ = factories.letter(subject="Двор не освещается")
        lifecycle.assign(letter, department, factories.staff(Role.REGISTRAR))
        number = letter.number
    email = f"executor-{uuid.uuid4().hex[:8]}@example.kz"
    server = SmtpServer(free_port())
    saved = live_app.config["MAIL_SERVER"], live_app.config["MAIL_PORT"]
    live_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    server.start()
    try:
        admin = browser.new_context(base_url=base_url, locale="ru-RU").new_page()
        _sign_in_as_admin(admin, live_app)
        admin.get_by_role("link", name=ru("Staff"), exact=True).click()
        admin.get_by_role("link", name=ru("Invite a person")).click()
        admin.get_by_label(ru("Email")).fill(email)
        admin.get_by_label(ru("Full name")).fill("Гүлнар Тоқтарова")
        admin.get_by_label(ru("Executor"), exact=True).check()
        admin.get_by_label(ru("Executor's department")).select_option(label=department_name)
        admin.get_by_role("button", name=ru("Send the invitation")).click()
        expect(admin.get_by_role("status")).to_contain_text(
            ru("The invitation was sent to %(email)s.") % {"email": email}
        )
        expect(admin.get_by_role("cell", name=email, exact=True)).to_be_visible()

        with live_app.app_context():
            drain()
        [mail] = server.inbox.to(email)
        link = LINK.search(mail.get_body(("plain",)).get_content()).group(1)
    finally:
        server.stop()
        live_app.config.update(MAIL_SERVER=saved[0], MAIL_PORT=saved[1])

    phone = browser.new_context(base_url=base_url, locale="ru-RU", viewport=PHONE).new_page()
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text(ru("Accept the invitation"))
    phone.get_by_label(ru("New password"), exact=True).fill("lamp-orchard-violet-1987")
    phone.get_by_label(ru("New password again")).fill("lamp-orchard-violet-1987")
    phone.screenshot(path=str(artifacts / "invitation-360px.png"), full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the invitation page scrolls sideways on a phone ({width}px)"
    phone.get_by_role("button", name=ru("Accept and sign in")).click()

    expect(phone.get_by_role("heading", level=1)).to_have_text(ru("Letters"))
    expect(phone.get_by_role("link", name=number)).to_be_visible()  # a letter of their department
    phone.screenshot(path=str(artifacts / "invitation-inbox-360px.png"), full_page=True)

    again = phone.context.browser.new_context(base_url=base_url, locale="ru-RU").new_page()
    response = again.goto(link)  # the link works once
    assert response.status == 404
    expect(again.get_by_role("heading", level=1)).to_have_text(ru("This link does not work"))
    with live_app.app_context():
        from sqlalchemy import select

        from akimat_reception.extensions import db
        from akimat_reception.models import User

        user = db.session.scalar(select(User).where(User.email == email))
        assert user.roles_in(factories.akimat("astana")) == {Role.EXECUTOR}
