"""The chancellery's intake (web/office/intake.py): a registrar enters a letter that came on paper,
by post, by phone, by email, in person or from e-Otinish, prints its slip, and reissues a lost code."""

import html
import io
import re

import pytest
from sqlalchemy import select

from akimat_reception.domain.access_codes import access_code_matches
from akimat_reception.extensions import db
from akimat_reception.models import Category, Letter, LetterChannel
from tests import factories
from tests.conftest import csrf_token, login

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
VALID_BIN = "080740001235"  # checksum-valid, made up
FORM = "/astana/office/letters/new"


def _category_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Category.id).where(Category.code == "utilities").limit(1))


def _letter(app, number) -> Letter:
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        db.session.expunge(letter)
        return letter


@pytest.fixture
def registrar(app):
    client = app.test_client()
    login(client, "registrar")
    return client


def _post(client, app, files=(), **fields):
    data = {
        "csrf_token": csrf_token(client, FORM),
        "channel": "paper",
        "kind": "application",
        "category": _category_id(app),
        "subject": "Нет отопления в доме 12",
        "body": "Прошу проверить отопление в доме 12 по улице Абая: в квартирах холодно.",
        "sender_type": "person",
        "surname": "Серикова",
        "given_name": "Айгуль",
        "address": "Астана, ул. Абая, 12, кв. 4",
        "language": "ru",
        **fields,
    }
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(FORM, data=data, content_type="multipart/form-data", headers={"Accept-Language": "en"})


def _number(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response.headers["Location"].split("/")[-2]


def _errors(response) -> str:
    return " ".join(re.findall(r'class="error-message"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S))


@pytest.mark.parametrize("role", ["executor", "controller", "akim", "admin"])
def test_only_a_registrar_may_enter_a_letter(app, role):
    client = app.test_client()
    login(client, role)
    assert client.get(FORM).status_code == 403


def test_the_registrar_finds_the_form_in_the_menu(registrar):
    assert f'href="{FORM}"' in registrar.get("/astana/office/").get_data(as_text=True)


def test_a_paper_letter_with_a_scan_gets_a_slip_with_number_code_and_who_accepted_it(app, registrar):
    response = _post(registrar, app, files=[("скан.pdf", PDF)], sender_reference="№ 15/3")
    number = _number(response)
    slip = registrar.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    code = re.search(r'class="big-code slip-code">([^<]+)<', slip).group(1)
    letter = _letter(app, number)
    with app.app_context():
        assert access_code_matches(db.session.get(Letter, letter.id), code)
        registrar_user = factories.staff("registrar")
        assert letter.registered_by_id == registrar_user.id
        assert letter.channel is LetterChannel.PAPER and letter.sender_reference == "15/3"
        assert len(db.session.get(Letter, letter.id).attachments) == 1
        assert registrar_user.full_name in slip
    assert number in slip and "Answer due by" in slip
    assert "http://localhost/astana/track" in slip or "/astana/track" in slip
    # The code is printed once: the slip opened again does not show it.
    again = registrar.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert number in again and code not in again


def test_a_failed_form_keeps_what_was_typed_and_the_scanned_page(app, registrar):
    response = _post(registrar, app, files=[("скан.pdf", PDF)], subject="", surname="Ким")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This field is required." in _errors(response)
    assert 'href="#subject"' in html  # the summary at the top links to the field
    assert 'value="Ким"' in html and "в квартирах холодно" in html
    assert "скан.pdf" in html  # staged: not to be chosen again


def test_an_oral_appeal_is_written_as_a_protocol(app, registrar):
    html = registrar.get(FORM, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "the protocol of an oral appeal" in html and "APPK art. 63" in html
    number = _number(_post(registrar, app, channel="phone", body="Со слов заявителя: во дворе третий день нет света."))
    assert _letter(app, number).channel is LetterChannel.PHONE


def test_an_organisation_letter_needs_a_valid_bin_and_the_signatory_position(app, registrar):
    response = _post(
        registrar, app, sender_type="organisation", organisation_name="ОСИ «Абай 12»", organisation_bin="123"
    )
    assert response.status_code == 422
    assert "The BIN has 12 digits." in _errors(response)
    assert "Give the position of who signed the letter." in _errors(response)
    bad_check = _post(
        registrar, app, sender_type="organisation", organisation_name="ОСИ", organisation_bin="080740001236"
    )
    assert "This BIN is not valid" in _errors(bad_check)
    number = _number(
        _post(
            registrar,
            app,
            sender_type="organisation",
            organisation_name="ОСИ «Абай 12»",
            organisation_bin=VALID_BIN,
            signatory_position="Председатель",
        )
    )
    letter = _letter(app, number)
    assert (letter.organisation_name, letter.organisation_bin, letter.signatory_position) == (
        "ОСИ «Абай 12»",
        VALID_BIN,
        "Председатель",
    )
    page = registrar.get(f"/astana/office/letters/{number}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "From an organisation" in page and VALID_BIN in page and "Председатель" in page


def test_a_collective_letter_lists_every_signatory_and_refuses_a_line_without_an_address(app, registrar):
    bad = _post(registrar, app, sender_type="collective", cosignatories="Ким Елена; Астана, Абая 12-5\nОспанов Марат")
    assert bad.status_code == 422 and "Line 2: write the name, a semicolon, then the address." in _errors(bad)
    assert "Ким Елена; Астана, Абая 12-5" in bad.get_data(as_text=True)
    number = _number(
        _post(
            registrar,
            app,
            sender_type="collective",
            cosignatories="Ким Елена; Астана, Абая 12-5\n\nОспанов Марат; Астана, Абая 12-7",
        )
    )
    assert _letter(app, number).cosignatories == [
        {"name": "Ким Елена", "address": "Астана, Абая 12-5"},
        {"name": "Оспанов Марат", "address": "Астана, Абая 12-7"},
    ]
    page = registrar.get(f"/astana/office/letters/{number}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "A collective letter: 3 signatories" in page and "Оспанов Марат — Астана, Абая 12-7" in page


def test_an_e_otinish_letter_needs_its_number_and_is_never_registered_twice(app, registrar):
    missing = _post(registrar, app, channel="e_otinish")
    assert "e-Otinish number" in _errors(missing)
    reference = f"ЖТ-{factories.number_prefix()}"
    first = _number(_post(registrar, app, channel="e_otinish", sender_reference=reference))
    again = _post(
        registrar, app, channel="e_otinish", sender_reference=f"  № {reference.lower()} ", files=[("скан.pdf", PDF)]
    )
    assert again.status_code == 422
    assert f"This number is already registered: letter {first}" in _errors(again)
    assert "скан.pdf" in again.get_data(as_text=True)  # the scan is still attached to the form
    # The same number by another channel is another sender's numbering: it is accepted.
    _number(_post(registrar, app, channel="post", sender_reference=reference))


def test_a_chancellery_code_replaces_the_lost_one_and_prints_a_new_slip(app, registrar):
    with app.app_context():
        letter, old_code = factories.letter()
        number = letter.number
    page = registrar.get(f"/astana/office/letters/{number}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "ID card checked: issue a new code" in page
    response = registrar.post(
        f"/astana/office/letters/{number}/new-code",
        data={"csrf_token": csrf_token(registrar, f"/astana/office/letters/{number}")},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/letters/{number}/slip")
    slip = registrar.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    new_code = re.search(r'class="big-code slip-code">([^<]+)<', slip).group(1)
    assert "This is a new code: the one issued before no longer opens the letter." in slip
    resident = app.test_client()
    tracked = resident.post(
        "/astana/track", data={"csrf_token": csrf_token(resident, "/astana/track"), "number": number, "code": old_code}
    )
    assert tracked.status_code != 302  # the old code opens nothing
    tracked = resident.post(
        "/astana/track", data={"csrf_token": csrf_token(resident, "/astana/track"), "number": number, "code": new_code}
    )
    assert tracked.status_code == 302


@pytest.mark.parametrize("role", ["executor", "controller", "akim"])
def test_other_roles_are_not_offered_a_new_code(app, role):
    with app.app_context():
        letter, _ = factories.routed_letter()
        number = letter.number
    client = app.test_client()
    login(client, role)
    page = client.get(f"/astana/office/letters/{number}").get_data(as_text=True)
    assert "new-code" not in page


def _entered_at(app, moment) -> str:
    from akimat_reception.domain import lifecycle
    from akimat_reception.domain.lifecycle.intake import register_received

    with app.app_context():
        astana = factories.akimat()
        letter, _ = register_received(
            astana,
            lifecycle.Submission(
                kind=factories.LetterKind.APPLICATION,
                category=astana.categories[0],
                language="ru",
                subject="Письмо, принятое вечером",
                body="Прошу отремонтировать подъезд дома 3.",
                surname="Ким",
                given_name="Елена",
                address="Астана, Абая 3",
                submission_token=factories.uuid.uuid4().hex,
                channel=LetterChannel.PAPER,
                registered_by=factories.staff("registrar"),
            ),
            now=moment,
        )
        return letter.number


def test_the_slip_says_why_a_letter_of_the_evening_counts_from_the_next_working_day(app, registrar):
    from datetime import UTC, datetime

    # Tuesday 3 November 2026, 19:00 in Astana (14:00 UTC): the akimat closed at 18:30.
    number = _entered_at(app, datetime(2026, 11, 3, 14, 0, tzinfo=UTC))
    slip = registrar.get(f"/astana/office/letters/{number}/slip", headers={"Accept-Language": "en"})
    text = re.sub(r"\s+", " ", html.unescape(slip.get_data(as_text=True)))
    assert "Counts as received on</dt> <dd>November 4, 2026" in text
    assert "it arrived after the akimat's working hours, which end at 18:30" in text
    assert "the term runs from the next working day" in text
    # A Saturday's letter: a day off.
    saturday = _entered_at(app, datetime(2026, 11, 7, 6, 0, tzinfo=UTC))
    slip = registrar.get(f"/astana/office/letters/{saturday}/slip", headers={"Accept-Language": "en"})
    assert "it arrived on a day off" in slip.get_data(as_text=True)
    assert "November 9, 2026" in slip.get_data(as_text=True)


def test_a_letter_without_email_or_phone_is_answered_on_paper(app, registrar):
    number = _number(_post(registrar, app))
    assert _letter(app, number).paper_answer
    with_email = _number(_post(registrar, app, email="kim@example.kz"))
    assert not _letter(app, with_email).paper_answer
