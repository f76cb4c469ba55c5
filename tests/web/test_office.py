"""Staff pages: the inbox of each role, routing and answering, and who may do what."""

import pytest
from sqlalchemy import select

from akimat_reception.extensions import db
from akimat_reception.models import Letter, LetterStatus
from tests import factories
from tests.conftest import listed_numbers, post_form


@pytest.fixture
def routed(app):
    with app.app_context():
        letter, _ = factories.routed_letter(subject="Нет отопления: routed")
        return letter.number


@pytest.fixture
def elsewhere(app):
    """A letter with a department other than the demo executor's."""
    with app.app_context():
        letter, _ = factories.letter(subject="Школа: elsewhere", category="education")
        from akimat_reception.domain import lifecycle

        lifecycle.assign(letter, factories.akimat().departments[2], factories.staff("registrar"))
        return letter.number


@pytest.fixture
def fresh(app):
    with app.app_context():
        letter, _ = factories.letter(subject="Свежее обращение", category="health")
        return letter.number


def _status(app, number):
    with app.app_context():
        return db.session.scalar(select(Letter.status).where(Letter.number == number))


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/astana/office/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_wrong_password_keeps_the_email_and_says_so(client):
    response = post_form(
        client, "/login", {"email": "registrar@astana.demo.kz", "password": "nope"}, headers={"Accept-Language": "en"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Wrong email or password." in html and 'value="registrar@astana.demo.kz"' in html


def test_akim_lands_on_the_dashboard_and_registrar_on_the_inbox(client):
    from tests.conftest import login

    assert login(client, "akim").headers["Location"] == "/astana/akim/"
    client.post("/logout", data={})  # CSRF refuses a bare post: still signed in
    assert client.get("/astana/akim/").status_code == 200
    fresh_client = client.application.test_client()
    assert login(fresh_client, "registrar").headers["Location"] == "/astana/office/"


def test_signing_out_ends_the_session(client, login_as):
    from tests.conftest import csrf_token

    login_as("registrar")
    token = csrf_token(client, "/astana/office/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/astana/office/").status_code == 302


def test_registrar_sees_every_letter_of_the_akimat(login_as, routed, elsewhere, fresh):
    listed = listed_numbers(login_as("registrar"), "/astana/office/")
    assert routed in listed and elsewhere in listed and fresh in listed


def test_executor_sees_only_the_department_letters(login_as, routed, elsewhere, fresh):
    client = login_as("executor")
    listed = listed_numbers(client, "/astana/office/")
    assert routed in listed and elsewhere not in listed and fresh not in listed
    assert client.get(f"/astana/office/letters/{elsewhere}").status_code == 403
    assert client.get(f"/astana/office/letters/{routed}").status_code == 200


def test_inbox_filters_by_status(app, login_as, routed, fresh):
    client = login_as("registrar")
    registered = listed_numbers(client, "/astana/office/", status="registered")
    assert fresh in registered and routed not in registered


def test_registrar_sees_the_suggested_department_and_routes_the_letter(app, login_as, fresh):
    client = login_as("registrar")
    html = client.get(f"/astana/office/letters/{fresh}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Suggested from the topic: Department of Health." in html
    with app.app_context():
        health = factories.akimat().departments[3].id
    response = post_form(
        client,
        f"/astana/office/letters/{fresh}/assign",
        {"department": health},
        form_url=f"/astana/office/letters/{fresh}",
    )
    assert response.status_code == 302
    assert _status(app, fresh) is LetterStatus.ASSIGNED
    page = client.get(f"/astana/office/letters/{fresh}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Sent to the department" in page and "Registrar" in page


def test_moving_a_routed_letter_without_a_reason_is_refused(app, login_as, routed):
    client = login_as("registrar")
    with app.app_context():
        other = factories.akimat().departments[5].id
    response = post_form(
        client,
        f"/astana/office/letters/{routed}/assign",
        {"department": other, "reason": ""},
        form_url=f"/astana/office/letters/{routed}",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "Give the reason for moving the letter" in response.get_data(as_text=True)


def test_executor_drafts_control_approves_and_the_letter_is_answered(app, login_as, routed):
    client = login_as("executor")
    body = "Отопление в доме восстановлено 20 ноября, температура в квартирах проверена специалистом управления."
    response = post_form(
        client,
        f"/astana/office/letters/{routed}/answer",
        {"decision": "satisfied", "body": body},
        form_url=f"/astana/office/letters/{routed}",
    )
    assert response.status_code == 302
    assert _status(app, routed) is LetterStatus.IN_CONTROL
    controller = app.test_client()
    from tests.conftest import login

    login(controller, "controller")
    page = controller.get(f"/astana/office/letters/{routed}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Draft answer waiting for control" in page and body in page
    response = post_form(
        controller,
        f"/astana/office/letters/{routed}/control",
        {"verdict": "approve"},
        form_url=f"/astana/office/letters/{routed}",
    )
    assert response.status_code == 302
    assert _status(app, routed) is LetterStatus.ANSWERED
    html = client.get(f"/astana/office/letters/{routed}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Answer sent" in html and body in html


def test_refusal_without_grounds_is_refused_and_keeps_the_text(app, login_as, routed):
    client = login_as("executor")
    response = post_form(
        client,
        f"/astana/office/letters/{routed}/answer",
        {"decision": "refused", "body": "В удовлетворении отказано.", "reasons": "Нет оснований"},
        form_url=f"/astana/office/letters/{routed}",
        headers={"Accept-Language": "en"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A refusal or leaving without consideration must give this." in html
    assert 'href="#legal_basis"' in html and 'href="#appeal_procedure"' in html
    assert "В удовлетворении отказано." in html and "Нет оснований" in html
    assert _status(app, routed) is LetterStatus.ASSIGNED


@pytest.mark.parametrize("role", ["controller", "akim", "registrar"])
def test_roles_other_than_the_executor_cannot_answer(app, login_as, routed, role):
    client = login_as(role)
    response = post_form(
        client, f"/astana/office/letters/{routed}/answer", {"decision": "satisfied", "body": "Ответ"}, form_url="/login"
    )
    assert response.status_code == 403
    assert _status(app, routed) is LetterStatus.ASSIGNED


def test_executor_cannot_route(app, login_as, fresh):
    client = login_as("executor")
    with app.app_context():
        department = factories.akimat().departments[0].id
    response = post_form(
        client, f"/astana/office/letters/{fresh}/assign", {"department": department}, form_url="/astana/office/"
    )
    assert response.status_code == 403


def test_administrator_does_not_read_letters(login_as, routed):
    client = login_as("admin")
    assert client.get("/astana/office/").status_code == 403
    assert client.get(f"/astana/office/letters/{routed}").status_code == 403


def test_unknown_letter_number_is_404(login_as):
    assert login_as("registrar").get("/astana/office/letters/AST-2026-999999").status_code == 404
