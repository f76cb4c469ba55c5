"""The answer on paper through the office's pages: the printed letter (what it says, who may print
it), recording its posting or handing over, and the registrars' list of answers still to send."""

import re

from sqlalchemy import select

from akimat_reception.domain import lifecycle
from akimat_reception.extensions import db
from akimat_reception.models import Letter, Role
from tests import factories
from tests.conftest import login, post_form

EN = {"Accept-Language": "en"}


def _client(app, role, slug="astana"):
    client = app.test_client()
    login(client, role, slug)
    return client


def _paper_letter(app, **fields):
    with app.app_context():
        return factories.answered_letter(email=None, phone=None, **fields)[0].number


def _controller_position(app, position):
    with app.app_context():
        factories.staff(Role.CONTROLLER).position = position
        db.session.commit()


def test_the_printed_answer_is_an_official_letter_in_the_residents_language(app):
    number = _paper_letter(app, language="kk")
    _controller_position(app, "Руководитель отдела контроля")
    try:
        page = _client(app, "registrar").get(f"/astana/office/letters/{number}/answer/print", headers=EN)
    finally:
        _controller_position(app, None)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        answer, controller = letter.sent_answer, factories.staff(Role.CONTROLLER)
        expected = [
            letter.akimat.name_kk,
            f"{number}/1",
            letter.resident_name,
            letter.address,
            answer.body,
            controller.full_name,
            "Руководитель отдела контроля",
            answer.author.full_name,
        ]
    for text in expected:
        assert text in html, text
    assert 'lang="kk"' in html and "Шығыс нөмірі" in html  # its headings are in Kazakh, whatever the UI's


def test_only_who_sends_it_may_print_it_and_only_a_sent_answer(app):
    number = _paper_letter(app)
    url = f"/astana/office/letters/{number}/answer/print"
    assert _client(app, "executor").get(url).status_code == 200
    assert _client(app, "controller").get(url).status_code == 403
    assert _client(app, "registrar", "almaty").get(url).status_code == 404
    with app.app_context():
        unanswered = factories.routed_letter(email=None, phone=None)[0].number
    assert _client(app, "registrar").get(f"/astana/office/letters/{unanswered}/answer/print").status_code == 404


def test_a_registrar_records_the_posting_and_the_letter_shows_it(app):
    number = _paper_letter(app)
    registrar = _client(app, "registrar")
    page_url = f"/astana/office/letters/{number}"
    page = registrar.get(page_url, headers=EN).get_data(as_text=True)
    assert "The answer on paper" in page and f"{number}/answer/print" in page
    missing = post_form(registrar, f"{page_url}/answer/dispatch", {}, form_url=page_url, headers=EN)
    assert missing.status_code == 422 and "Choose how the answer left" in missing.get_data(as_text=True)
    done = post_form(registrar, f"{page_url}/answer/dispatch", {"method": "post"}, form_url=page_url)
    assert done.status_code == 302
    page = registrar.get(page_url, headers=EN).get_data(as_text=True)
    assert "Sent by post on" in page and "Answer on paper sent or handed over" in page
    assert "Record how it left" not in page  # recorded once


def test_the_list_holds_the_answers_still_to_send_on_paper_page_by_page(app):
    with app.app_context():
        by_email = factories.answered_letter()[0].number
        asked = factories.answered_letter(paper_answer=True)[0].number
        posted, _ = factories.answered_letter(email=None, phone=None)
        lifecycle.dispatch_answer(posted, posted.sent_answer, "post", factories.staff(Role.REGISTRAR))
        posted = posted.number
    mine = {asked} | {_paper_letter(app) for _ in range(25)}
    registrar = _client(app, "registrar")
    seen, url, pages = [], "/astana/office/answers/on-paper", 0
    while url:
        html = registrar.get(url, headers=EN).get_data(as_text=True)
        rows = re.findall(r'href="/astana/office/letters/([A-Z]+-\d{4}-\d{6})">', html)
        assert len(rows) <= 25
        seen += rows
        pages += 1
        following = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = following.group(1).replace("&amp;", "&") if following else None
    assert pages >= 2
    assert mine <= set(seen) and len(seen) == len(set(seen))
    assert by_email not in seen and posted not in seen


def test_the_list_is_for_those_who_send_answers(app):
    assert _client(app, "executor").get("/astana/office/answers/on-paper").status_code == 200
    assert _client(app, "controller").get("/astana/office/answers/on-paper").status_code == 403
