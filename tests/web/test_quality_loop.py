"""The quality loop through the web: control approves or returns drafts, residents rate and
dispute, departments keep paragraphs, ratings are public without personal data."""

import re

from sqlalchemy import select

from akimat_reception.domain import lifecycle
from akimat_reception.extensions import db
from akimat_reception.models import AnswerTemplate, Decision, Letter, LetterStatus, Role
from tests import factories
from tests.conftest import login, post_form

EN = {"Accept-Language": "en"}


def _status(app, number):
    with app.app_context():
        return db.session.scalar(select(Letter.status).where(Letter.number == number))


def _client(app, role, slug="astana"):
    client = app.test_client()
    login(client, role, slug)
    return client


def _drafted(app, body=None, language="ru"):
    with app.app_context():
        letter, _ = factories.routed_letter(language=language)
        lifecycle.submit_draft(
            letter,
            factories.staff(Role.EXECUTOR),
            Decision.EXPLAINED,
            body or f"{letter.number}. {factories.ANSWER_TEXT[language]}",
        )
        return letter.number


def test_controller_returns_a_draft_with_a_comment_the_executor_reads(app):
    number = _drafted(app)
    controller = _client(app, "controller")
    no_comment = post_form(
        controller,
        f"/astana/office/letters/{number}/control",
        {"verdict": "return"},
        form_url=f"/astana/office/letters/{number}",
        headers=EN,
    )
    assert no_comment.status_code == 422 and "Write a comment" in no_comment.get_data(as_text=True)
    post_form(
        controller,
        f"/astana/office/letters/{number}/control",
        {"verdict": "return", "control_comment": "Укажите сроки ремонта"},
        form_url=f"/astana/office/letters/{number}",
    )
    assert _status(app, number) is LetterStatus.ASSIGNED
    page = _client(app, "executor").get(f"/astana/office/letters/{number}", headers=EN).get_data(as_text=True)
    assert "Returned for rework" in page and "Укажите сроки ремонта" in page


def test_control_shows_why_an_answer_cannot_be_sent(app):
    number = _drafted(app, body="Рассмотрено.")
    response = post_form(
        _client(app, "controller"),
        f"/astana/office/letters/{number}/control",
        {"verdict": "approve"},
        form_url=f"/astana/office/letters/{number}",
        headers=EN,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "The answer cannot be sent yet" in html and "too short" in html
    assert _status(app, number) is LetterStatus.IN_CONTROL


def test_resident_disputes_from_the_tracking_page_and_the_akim_sees_it(app):
    with app.app_context():
        letter, _ = factories.answered_letter()
        letter_id, number = letter.id, letter.number
    resident = app.test_client()
    with resident.session_transaction() as session:
        session["tracked"] = factories.tracked_entry(letter_id)
    page = resident.get(f"/astana/track/{number}", headers=EN).get_data(as_text=True)
    assert "Disagree with the answer?" in page
    post_form(
        resident,
        f"/astana/track/{number}/dispute",
        {"dispute": "Батареи всё ещё холодные"},
        form_url=f"/astana/track/{number}",
    )
    assert _status(app, number) is LetterStatus.DISPUTED
    page = resident.get(f"/astana/track/{number}", headers=EN).get_data(as_text=True)
    assert "Your dispute is being considered" in page and "Disagree with the answer?" not in page
    akim_page = _client(app, "akim").get("/astana/akim/", headers=EN).get_data(as_text=True)
    assert "Disputed by the resident" in akim_page
    controller_page = (
        _client(app, "controller").get(f"/astana/office/letters/{number}", headers=EN).get_data(as_text=True)
    )
    assert "The resident disputes the answer" in controller_page and "Батареи всё ещё холодные" in controller_page


def test_rating_of_two_reopens_the_letter(app):
    with app.app_context():
        letter, _ = factories.answered_letter()
        letter_id, number = letter.id, letter.number
    resident = app.test_client()
    with resident.session_transaction() as session:
        session["tracked"] = factories.tracked_entry(letter_id)
    post_form(
        resident,
        f"/astana/track/{number}/rating",
        {"score": "2", "comment": "Не помогло"},
        form_url=f"/astana/track/{number}",
    )
    assert _status(app, number) is LetterStatus.DISPUTED


def test_executor_inserts_a_paragraph_without_losing_what_was_typed(app):
    with app.app_context():
        letter, _ = factories.routed_letter(language="ru")
        number = letter.number
        template = db.session.scalar(
            select(AnswerTemplate).where(AnswerTemplate.language == "ru", AnswerTemplate.akimat_id == letter.akimat_id)
        )
        template_id, template_body = template.id, template.body
    executor = _client(app, "executor")
    response = post_form(
        executor,
        f"/astana/office/letters/{number}/answer",
        {"template": template_id, "insert_template": "1", "body": "Уважаемый заявитель!"},
        form_url=f"/astana/office/letters/{number}",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Уважаемый заявитель!" in html and template_body in html
    assert _status(app, number) is LetterStatus.ASSIGNED  # nothing was sent


def test_executor_keeps_paragraphs_of_their_department_only(app):
    executor = _client(app, "executor")
    response = post_form(
        executor,
        "/astana/office/templates/new",
        {
            "department": "1",
            "language": "kk",
            "title": "Жылу беру кестесі",
            "body": "Жылыту маусымы қазан айының ортасында басталады.",
        },
    )
    assert response.status_code == 302
    assert "Жылу беру кестесі" in executor.get("/astana/office/templates/").get_data(as_text=True)
    with app.app_context():
        other = factories.akimat().departments[3].id
    refused = post_form(
        executor,
        "/astana/office/templates/new",
        {"department": str(other), "language": "kk", "title": "x", "body": "y"},
    )
    assert refused.status_code in (403, 422)
    assert _client(app, "registrar").get("/astana/office/templates/").status_code == 403


def test_public_ratings_page_shows_counts_and_no_personal_data(app, client):
    with app.app_context():
        letter, _ = factories.answered_letter(surname="Уникальнаяфамилия")
        lifecycle.rate(letter, 4, "Комментарий заявителя 4242")
    html = client.get("/astana/ratings", headers=EN).get_data(as_text=True)
    assert "How departments answer" in html and "Department of Housing and Utilities" in html
    assert "Уникальнаяфамилия" not in html and "4242" not in html


def test_registrar_transfers_a_letter_to_another_akimat(app):
    with app.app_context():
        letter, _ = factories.letter("astana", email="moved@example.kz")
        number = letter.number
        almaty = factories.akimat("almaty").id
    registrar = _client(app, "registrar")
    response = post_form(
        registrar,
        f"/astana/office/letters/{number}/forward",
        {"target_akimat": str(almaty), "forward_reason": "Заявитель живёт в Алматы"},
        form_url=f"/astana/office/letters/{number}",
    )
    assert response.status_code == 302
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        received = letter.transferred_to
        assert letter.status is LetterStatus.FORWARDED and received.akimat.slug == "almaty"
        new_number = received.number
    almaty_page = (
        _client(app, "registrar", "almaty")
        .get(f"/almaty/office/letters/{new_number}", headers=EN)
        .get_data(as_text=True)
    )
    assert "Transferred from" in almaty_page and number in almaty_page


def test_routing_commands_print_a_number_on_the_data(app, runner):
    result = runner.invoke(args=["routing", "evaluate", "--akimat", "astana"])
    assert result.exit_code == 0
    assert re.search(r"first department final for \d+ of \d+ answered letters \(\d+\.\d%\)", result.output)
