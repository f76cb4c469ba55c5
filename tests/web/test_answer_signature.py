"""What the answer says of who wrote it (the tracking page), the staff's position and work phone
on the admin pages, the answer rules when the executor saves a draft, and the returned notice."""

from sqlalchemy import select

from akimat_reception.domain import lifecycle
from akimat_reception.extensions import db
from akimat_reception.models import Decision, Letter, Role, User
from tests import factories
from tests.conftest import login, post_form

EN = {"Accept-Language": "en"}


def _client(app, role, slug="astana"):
    client = app.test_client()
    login(client, role, slug)
    return client


def _executor_details(app, position, phone):
    with app.app_context():
        executor = factories.staff(Role.EXECUTOR)
        executor.position, executor.work_phone = position, phone
        db.session.commit()


def test_the_resident_reads_who_answered_and_whom_to_call(app):
    _executor_details(app, "Главный специалист", "+77172400200")
    try:
        with app.app_context():
            letter, _ = factories.answered_letter()
            letter_id, number, name = letter.id, letter.number, factories.staff(Role.EXECUTOR).full_name
        resident = app.test_client()
        with resident.session_transaction() as session:
            session["tracked"] = factories.tracked_entry(letter_id)
        page = resident.get(f"/astana/track/{number}", headers=EN).get_data(as_text=True)
    finally:
        _executor_details(app, None, None)
    assert f"{name}, Главный специалист" in page
    assert 'href="tel:+77172400200"' in page and f"{number}/1" in page


def test_the_admin_sets_a_persons_position_and_work_phone(app):
    with app.app_context():
        person_id = factories.staff(Role.REGISTRAR).id
    admin = _client(app, "admin")
    url = f"/astana/admin/staff/{person_id}"
    wrong = post_form(
        admin, f"{url}/details", {"position": "Регистратор", "work_phone": "12"}, form_url=url, headers=EN
    )
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "Enter a phone number like" in html
    assert 'value="Регистратор"' in html and 'value="12"' in html  # what was typed stays
    saved = post_form(
        admin, f"{url}/details", {"position": "Регистратор", "work_phone": "8 7172 40 03 00"}, form_url=url
    )
    assert saved.status_code == 302
    with app.app_context():
        person = db.session.get(User, person_id)
        assert (person.position, person.work_phone) == ("Регистратор", "+77172400300")
        person.position = person.work_phone = None
        db.session.commit()


def test_a_draft_in_another_language_is_refused_by_the_answer_field_and_kept(app):
    with app.app_context():
        number = factories.routed_letter(language="kk")[0].number
    executor = _client(app, "executor")
    url = f"/astana/office/letters/{number}"
    body = factories.ANSWER_TEXT["ru"]
    response = post_form(executor, f"{url}/answer", {"decision": "satisfied", "body": body}, form_url=url, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="body-error"' in html and "must be written in the language of the letter" in html
    assert body in html
    with app.app_context():
        assert db.session.scalar(select(Letter).where(Letter.number == number)).answers == []


def test_a_curt_draft_is_sent_with_a_warning_and_control_approves_it_knowingly(app):
    with app.app_context():
        number = factories.routed_letter()[0].number
    url = f"/astana/office/letters/{number}"
    executor = _client(app, "executor")
    form = executor.get(url, headers=EN).get_data(as_text=True)
    assert "These only warn" in form  # the executor reads in advance which rules warn
    saved = post_form(
        executor,
        f"{url}/answer",
        {"decision": "satisfied", "body": f"Справка {number} выдана."},
        form_url=url,
        headers=EN,
    )
    assert saved.status_code == 302
    page = executor.get(url, headers=EN).get_data(as_text=True)
    assert "Warning:" in page and "too short" in page
    controller = _client(app, "controller")
    refused = post_form(controller, f"{url}/control", {"verdict": "approve"}, form_url=url, headers=EN)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "These rules only warn" in html and "approve the answer as it is" in html
    approved = post_form(controller, f"{url}/control", {"verdict": "approve", "despite_warnings": "y"}, form_url=url)
    assert approved.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Letter).where(Letter.number == number)).sent_answer is not None


def test_the_returned_for_rework_notice_goes_once_the_answer_is_approved(app):
    with app.app_context():
        letter, _ = factories.routed_letter()
        executor, controller = factories.staff(Role.EXECUTOR), factories.staff(Role.CONTROLLER)
        lifecycle.submit_draft(letter, executor, Decision.EXPLAINED, f"{letter.number}. {factories.ANSWER_TEXT['ru']}")
        lifecycle.return_draft(letter, "Укажите сроки ремонта", controller)
        number = letter.number
    url = f"/astana/office/letters/{number}"
    executor_client = _client(app, "executor")
    notice = "notice-returned"
    assert notice in executor_client.get(url, headers=EN).get_data(as_text=True)
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        factories.answer(letter, body=f"{number}. Ремонт 5 мая. {factories.ANSWER_TEXT['ru']}")
    page = executor_client.get(url, headers=EN).get_data(as_text=True)
    assert notice not in page and "Укажите сроки ремонта" not in page  # the journal still lists the return
