"""A named executor within the department, through the office pages: the registrar or the head
names them on the letter, the inbox shows who holds each letter and filters "assigned to me" and
"awaiting an executor"; a deactivated executor's letter waits there for reassignment."""

import re

from sqlalchemy import select

from akimat_reception.domain.accounts import deactivate
from akimat_reception.extensions import db
from akimat_reception.models import Letter, Role
from tests import factories
from tests.conftest import login, post_form
from tests.executors import department_with_head, letter_in, sign_in

EN = {"Accept-Language": "en"}


def _setup(app):
    with app.app_context():
        dept, head, second = department_with_head()
        letter = letter_in(dept, subject="Свет в подъезде")
        return letter.number, (head.id, head.email, head.full_name), (second.id, second.email, second.full_name)


class _User:
    def __init__(self, user_id, email, full_name):
        self.id, self.email, self.full_name = user_id, email, full_name


def _row(html, number):
    match = re.search(rf"<tr>\s*<td[^>]*><a href=\"[^\"]*{number}\".*?</tr>", html, re.S)
    return match.group(0) if match else None


def _numbers(client, **params):
    html = client.get("/astana/office/", query_string=params, headers=EN).get_data(as_text=True)
    return set(re.findall(r'office/letters/([A-Z]+-\d{4}-\d{6})"', html)), html


def test_registrar_names_the_executor_on_the_letter_page_and_the_inbox_shows_them(app):
    number, _head, second = _setup(app)
    second = _User(*second)
    registrar = app.test_client()
    login(registrar, "registrar")
    page = registrar.get(f"/astana/office/letters/{number}", headers=EN).get_data(as_text=True)
    assert "Executor of the letter" in page and second.full_name in page
    assert "Not named: any executor of the department" in page
    response = post_form(
        registrar,
        f"/astana/office/letters/{number}/executor",
        {"executor": second.id},
        form_url=f"/astana/office/letters/{number}",
    )
    assert response.status_code == 302
    page = registrar.get(f"/astana/office/letters/{number}", headers=EN).get_data(as_text=True)
    assert f"<dd>{second.full_name}</dd>" in page
    executor = sign_in(app.test_client(), second)  # their inbox holds their department's letters only
    mine, html = _numbers(executor, assigned="mine")
    assert number in mine and second.full_name in _row(html, number)
    awaiting, _ = _numbers(executor, assigned="awaiting")
    assert number not in awaiting


def test_the_head_names_an_executor_and_another_executor_is_refused(app):
    number, head, second = _setup(app)
    head, second = _User(*head), _User(*second)
    other = sign_in(app.test_client(), second)
    page = other.get(f"/astana/office/letters/{number}", headers=EN).get_data(as_text=True)
    assert "Executor of the letter" not in page  # not offered to a plain executor
    refused = post_form(
        other, f"/astana/office/letters/{number}/executor", {"executor": head.id}, form_url="/astana/office/"
    )
    assert refused.status_code == 403
    chief = sign_in(app.test_client(), head)
    awaiting, _ = _numbers(chief, assigned="awaiting")
    assert number in awaiting
    done = post_form(
        chief, f"/astana/office/letters/{number}/executor", {"executor": second.id}, form_url="/astana/office/"
    )
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Letter.executor_id).where(Letter.number == number)) == second.id


def test_an_executor_of_another_department_is_refused_with_the_reason(app):
    number, _head, _second = _setup(app)
    with app.app_context():
        _dept, _other_head, stranger = department_with_head()
        stranger_id = stranger.id
    registrar = app.test_client()
    login(registrar, "registrar")
    response = post_form(
        registrar,
        f"/astana/office/letters/{number}/executor",
        {"executor": stranger_id},
        form_url=f"/astana/office/letters/{number}",
        headers=EN,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "Not a valid choice" in html  # only the department's are offered
    with app.app_context():
        assert db.session.scalar(select(Letter.executor_id).where(Letter.number == number)) is None


def test_another_akimats_registrar_gets_404(app):
    number, _head, second = _setup(app)
    registrar = app.test_client()
    login(registrar, "registrar", "almaty")
    response = post_form(
        registrar, f"/astana/office/letters/{number}/executor", {"executor": second[0]}, form_url="/almaty/office/"
    )
    assert response.status_code == 404


def test_a_deactivated_executors_letter_waits_for_reassignment(app):
    number, head, second = _setup(app)
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        dept = letter.department
        dept.head_id = None  # no head to take it: it goes back to the department as a whole
        db.session.commit()
        from akimat_reception.domain import lifecycle
        from akimat_reception.models import User

        lifecycle.assign_executor(letter, db.session.get(User, second[0]), factories.staff(Role.REGISTRAR))
        deactivate(db.session.get(User, second[0]), factories.staff(Role.ADMIN))
    colleague = sign_in(app.test_client(), head[1])  # an executor of the same department
    awaiting, html = _numbers(colleague, assigned="awaiting")
    assert number in awaiting and second[2] not in _row(html, number)
    registrar = app.test_client()
    login(registrar, "registrar")
    page = registrar.get(f"/astana/office/letters/{number}", headers=EN).get_data(as_text=True)
    assert "Executor named" in page and "executor deactivated" in page
