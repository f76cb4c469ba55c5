"""The three journeys in a real browser: a resident writes and tracks, staff route and answer,
the akim sees the letter until it is answered."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from akimat_reception.demo import DEMO_PASSWORD
from akimat_reception.extensions import db
from akimat_reception.models import Letter
from tests import factories
from tests.browser.conftest import translator

kk = translator("kk")
ru = translator("ru")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_resident_writes_in_kazakh_and_tracks_the_letter(browser, base_url, javascript, artifacts):
    context = browser.new_context(base_url=base_url, java_script_enabled=javascript, locale="ru-RU")
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Қазақша").click()
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    page.get_by_label(kk("Find your akimat")).fill("астана")
    page.get_by_role("button", name=kk("Search")).click()
    page.get_by_role("link", name="Астана қаласының әкімдігі").click()
    page.get_by_role("link", name=kk("Write a letter")).first.click()

    # One thing per page (tests/browser/test_letter_steps_journey.py walks the steps in full).
    page.get_by_label(kk("Application"), exact=True).check()
    page.get_by_role("button", name=kk("Continue")).click()
    page.get_by_label(kk("Area")).select_option(label="Жолдар және қоғамдық көлік")
    page.get_by_label(kk("Subject")).fill("Аялдамадағы жол шұңқыры")
    page.get_by_label(kk("Your letter")).fill("Аялдама жанындағы жолда үлкен шұңқыр бар. Жөндеуді сұраймын.")
    page.get_by_role("button", name=kk("Continue")).click()

    # First a mistake: an IIN with a wrong control digit. The step says so and keeps what was typed.
    page.get_by_label(kk("Surname")).fill("Сейтқали")
    page.get_by_label(kk("Name"), exact=True).fill("Дәурен")
    page.get_by_label(kk("IIN")).fill("900101300018")
    page.get_by_label(kk("Postal address")).fill("Астана, Мәңгілік Ел даңғылы, 10")
    page.get_by_label(kk("Email")).fill("dauren@example.kz")
    page.get_by_label(kk("Kazakh")).check()
    page.get_by_role("button", name=kk("Continue")).click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(kk("There is a problem"))
    expect(summary).to_contain_text(kk("This IIN is not valid: check the digits against your ID card."))
    expect(page.get_by_label(kk("Postal address"))).to_have_value("Астана, Мәңгілік Ел даңғылы, 10")
    summary.get_by_role("link").first.click()
    page.get_by_label(kk("IIN")).fill("900101300017")
    page.get_by_role("button", name=kk("Continue")).click()
    page.get_by_role("button", name=kk("Send the letter")).click()

    expect(page.get_by_role("heading", name=kk("Your letter is registered"))).to_be_visible()
    number = page.locator(".big-number").inner_text().strip()
    code = page.locator(".big-code").inner_text().strip()
    assert re.fullmatch(r"AST-\d{4}-\d{6}", number)
    page.screenshot(path=str(artifacts / f"receipt-kk-{'js' if javascript else 'nojs'}.png"), full_page=True)

    # Later, from another device: only the number and the code.
    other = browser.new_context(base_url=base_url, java_script_enabled=javascript, locale="kk-KZ")
    tracker = other.new_page()
    tracker.goto("/astana/track")
    tracker.get_by_label(kk("Registration number")).fill(number)
    tracker.get_by_label(kk("Access code")).fill(code)
    tracker.get_by_role("button", name=kk("Show my letter")).click()
    expect(tracker.get_by_role("heading", level=1)).to_contain_text(number)
    expect(tracker.locator(".timeline")).to_contain_text(kk("Registered"))
    expect(tracker.locator("body")).to_contain_text("Аялдамадағы жол шұңқыры")
    other.close()
    context.close()


LONG_AGO = datetime.now(UTC) - timedelta(days=120)


def _sign_in(page, role, akimat="astana"):
    page.goto("/login")
    page.get_by_label(ru("Email")).fill(f"{role}@{akimat}.demo.kz")
    page.get_by_label(ru("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=ru("Sign in")).click()


def test_registrar_routes_and_executor_answers_with_grounds(browser, base_url, live_app, artifacts):
    with live_app.app_context():
        # Long overdue, so first in every list (overdue first), however many letters other tests add.
        letter, _ = factories.letter(subject="Нет отопления в доме 12", category="utilities", received_at=LONG_AGO)
        number = letter.number

    registrar = browser.new_context(base_url=base_url, locale="ru-RU").new_page()
    _sign_in(registrar, "registrar")
    registrar.get_by_role("link", name=number).click()
    expect(
        registrar.get_by_text(
            ru("Suggested from the topic: %(department)s.")
            % {"department": "Управление жилищно-коммунального хозяйства"}
        )
    ).to_be_visible()
    registrar.get_by_role("button", name=ru("Send to this department")).click()
    expect(registrar.get_by_role("status")).to_be_visible()
    registrar.context.close()

    executor = browser.new_context(base_url=base_url, locale="ru-RU").new_page()
    _sign_in(executor, "executor")
    executor.get_by_role("link", name=number).click()
    executor.get_by_label(ru("Left without consideration")).check()
    executor.get_by_label(ru("Answer to the resident")).fill(
        "Ваше обращение оставлено без рассмотрения: по тому же вопросу Вам дан ответ 12 октября, "
        "новых доводов обращение не содержит."
    )
    executor.get_by_role("button", name=ru("Send the draft to control")).click()
    expect(executor.get_by_role("alert")).to_contain_text(ru("Legal basis"))
    expect(executor.get_by_label(ru("Answer to the resident"))).to_contain_text("оставлено без рассмотрения")
    executor.screenshot(path=str(artifacts / "answer-errors-ru.png"), full_page=True)

    executor.get_by_label(ru("Reasons for the refusal")).fill("Повторное обращение по тому же вопросу.")
    executor.get_by_label(ru("Legal basis")).fill("АППК РК, статья 89")
    executor.get_by_label(ru("How to appeal")).fill("В вышестоящий орган или в суд.")
    executor.get_by_role("button", name=ru("Send the draft to control")).click()
    expect(executor.get_by_role("status")).to_contain_text(ru("The draft answer was sent to control."))
    expect(executor.locator(".timeline")).to_contain_text(ru("Draft answer sent to control"))
    executor.context.close()


def test_akim_sees_the_letter_until_it_is_answered(browser, base_url, live_app, artifacts):
    with live_app.app_context():
        letter, _ = factories.routed_letter(
            subject="Жалоба на вывоз мусора", category="utilities", received_at=LONG_AGO
        )
        number = letter.number
    page = browser.new_context(base_url=base_url, locale="ru-RU").new_page()
    _sign_in(page, "akim")
    expect(page.get_by_role("heading", name=ru("Akim's dashboard"))).to_be_visible()
    expect(page.get_by_role("link", name=number)).to_be_visible()
    page.screenshot(path=str(artifacts / "akim-dashboard-ru.png"), full_page=True)

    with live_app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        factories.answer(letter)
    page.reload()
    expect(page.get_by_role("link", name=number)).to_have_count(0)
    page.context.close()


PAGES = ["/", "/astana/", "/astana/letters/new", "/astana/track", "/login"]


@pytest.mark.parametrize("path", PAGES)
def test_page_fits_a_360px_phone(browser, base_url, path, artifacts):
    page = browser.new_context(base_url=base_url, viewport={"width": 360, "height": 640}, locale="kk-KZ").new_page()
    page.goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
    name = path.strip("/").replace("/", "-") or "home"
    page.screenshot(path=str(artifacts / f"phone-{name}.png"), full_page=True)
    page.context.close()


def test_resident_is_heard_before_a_refusal(browser, base_url, live_app, artifacts):
    with live_app.app_context():
        letter, code = factories.routed_letter(subject="Земельный участок", category="land", language="ru")
        number = letter.number
    executor = browser.new_context(base_url=base_url, locale="ru-RU").new_page()
    _sign_in(executor, "executor")
    executor.goto(f"/astana/office/letters/{number}")
    executor.get_by_label(ru("Grounds of the intended refusal")).fill("Участок принадлежит другому лицу.")
    executor.get_by_role("button", name=ru("Tell the resident")).click()
    expect(executor.get_by_role("status")).to_contain_text(ru("The resident was told of the preliminary decision."))

    resident = browser.new_context(base_url=base_url, locale="ru-RU").new_page()
    resident.goto("/astana/track")
    resident.get_by_label(ru("Registration number")).fill(number)
    resident.get_by_label(ru("Access code")).fill(code)
    resident.get_by_role("button", name=ru("Show my letter")).click()
    expect(resident.get_by_text("Участок принадлежит другому лицу.")).to_be_visible()
    resident.get_by_label(ru("Your position")).fill("У меня есть договор купли-продажи 2019 года.")
    resident.get_by_role("button", name=ru("Send my position")).click()
    expect(resident.get_by_role("status")).to_contain_text(ru("Your position was attached to the letter."))
    resident.screenshot(path=str(artifacts / "hearing-resident-ru.png"), full_page=True)

    executor.reload()
    expect(executor.locator(".notice-position")).to_contain_text("договор купли-продажи 2019 года")
    executor.screenshot(path=str(artifacts / "hearing-office-ru.png"), full_page=True)
    resident.context.close()
    executor.context.close()


def _control(page, verdict, comment=""):
    page.get_by_label(ru(verdict)).check()
    if comment:
        page.get_by_label(ru("Comment")).fill(comment)
    page.get_by_role("button", name=ru("Record the decision")).click()


def test_draft_returned_revised_approved_rated_two_and_reopened(browser, base_url, live_app, artifacts):
    with live_app.app_context():
        letter, code = factories.routed_letter(subject="Яма во дворе дома 7", category="utilities", language="ru")
        number = letter.number
    executor = browser.new_context(base_url=base_url, locale="ru-RU").new_page()
    _sign_in(executor, "executor")
    controller = browser.new_context(base_url=base_url, locale="ru-RU").new_page()
    _sign_in(controller, "controller")

    executor.goto(f"/astana/office/letters/{number}")
    executor.get_by_label(ru("Explained")).check()
    executor.get_by_label(ru("Answer to the resident")).fill("Ваше обращение принято в работу и будет рассмотрено.")
    executor.get_by_role("button", name=ru("Send the draft to control")).click()

    controller.goto(f"/astana/office/letters/{number}")
    expect(controller.get_by_text("Ваше обращение принято в работу")).to_be_visible()
    _control(controller, "Return for rework", "Ответ не по существу: когда и кто засыплет яму?")
    expect(controller.get_by_role("status")).to_contain_text(
        ru("The answer was returned to the department for rework.")
    )

    executor.reload()
    expect(executor.locator(".notice-returned")).to_contain_text("когда и кто засыплет яму")
    executor.get_by_label(ru("Satisfied"), exact=True).check()
    executor.get_by_label(ru("Answer to the resident")).fill(
        "Яма во дворе дома 7 будет засыпана и заасфальтирована подрядчиком ТОО «Жол-Сервис» до 5 декабря; "
        "контроль за работами ведёт управление."
    )
    executor.get_by_role("button", name=ru("Send the draft to control")).click()

    controller.reload()
    _control(controller, "Approve and send to the resident")
    expect(controller.get_by_role("status")).to_contain_text(ru("The answer was approved and sent to the resident."))

    resident = browser.new_context(base_url=base_url, locale="ru-RU").new_page()
    resident.goto("/astana/track")
    resident.get_by_label(ru("Registration number")).fill(number)
    resident.get_by_label(ru("Access code")).fill(code)
    resident.get_by_role("button", name=ru("Show my letter")).click()
    expect(resident.get_by_text("ТОО «Жол-Сервис»")).to_be_visible()
    resident.get_by_label(ru("2 — poor")).check()
    resident.get_by_label(ru("Comment (optional)")).fill("Яму засыпали песком, асфальта нет.")
    resident.get_by_role("button", name=ru("Send my rating")).click()
    expect(resident.locator(".resident-status")).to_have_text(ru("Your dispute is being considered"))
    resident.screenshot(path=str(artifacts / "disputed-resident-ru.png"), full_page=True)

    controller.reload()
    expect(controller.get_by_text("Яму засыпали песком, асфальта нет.")).to_be_visible()
    expect(controller.get_by_role("heading", name=ru("Control"))).to_be_visible()
    controller.screenshot(path=str(artifacts / "disputed-control-ru.png"), full_page=True)
    for page in (executor, controller, resident):
        page.context.close()
