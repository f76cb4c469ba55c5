"""The resident's pages: choose an akimat, write a letter, get a receipt, track, rate."""

import re

import pytest
from sqlalchemy import func, select

from akimat_reception.domain import lifecycle
from akimat_reception.domain.access_codes import access_code_matches
from akimat_reception.extensions import db
from akimat_reception.models import Letter, Role
from tests import factories
from tests.conftest import post_form

GOOD_LETTER = {
    "kind": "application",
    "subject": "Жол шұңқыры",
    "body": "Аялдама жанындағы жолда үлкен шұңқыр бар, жөндеуді сұраймын.",
    "surname": "Сейтқали",
    "given_name": "Дәурен",
    "patronymic": "",
    "iin": "900101300017",
    "address": "Астана, Мәңгілік Ел, 10",
    "email": "dauren@example.kz",
    "phone": "",
    "language": "kk",
}


def _category_id(app, slug="astana", code="roads"):
    with app.app_context():
        tenant = factories.akimat(slug)
        return next(c.id for c in tenant.categories if c.code == code)


def _letters_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Letter))


def test_home_lists_akimats_and_finds_them_by_name_in_any_language(client):
    assert "Акимат города Астаны" in client.get("/", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    for query in ("алматы", "Almaty", "Алматы қаласы"):
        html = client.get("/", query_string={"q": query}).get_data(as_text=True)
        assert "/almaty/" in html and "/astana/" not in html, query


def test_reception_page_of_an_unknown_akimat_is_404(client):
    assert client.get("/atlantis/").status_code == 404


def test_writing_a_letter_starts_with_its_kind_one_thing_per_page(client):
    # The akimat's areas come on the next step (tests/web/test_letter_steps.py).
    html = client.get("/astana/letters/new", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "What kind of letter is it?" in html and "You ask the akimat to give you information." in html
    assert "Roads and public transport" not in html and 'name="surname"' not in html


def test_valid_letter_is_registered_and_receipt_shows_number_code_and_deadline(app, client):
    before = _letters_count(app)
    response = post_form(client, "/astana/letters/new", {**GOOD_LETTER, "category": _category_id(app)})
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"], headers={"Accept-Language": "kk"})
    html = receipt.get_data(as_text=True)
    number = re.search(r"AST-\d{4}-\d{6}", html).group(0)
    code = re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", html).group(0)
    assert _letters_count(app) == before + 1
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        assert letter.language == "kk" and letter.iin == "900101300017"
        assert access_code_matches(letter, code)
    # Shown once: the same receipt page no longer shows the code.
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert number in again and code not in again


def test_phone_is_stored_in_e164(app, client):
    data = {**GOOD_LETTER, "category": _category_id(app), "email": "", "phone": "8 (701) 234-56-78"}
    response = post_form(client, "/astana/letters/new", data)
    assert response.status_code == 302
    number = response.headers["Location"].split("/")[-2]
    with app.app_context():
        assert db.session.scalar(select(Letter.phone).where(Letter.number == number)) == "+77012345678"


def test_reposting_the_same_form_creates_one_letter(app, client):
    data = {**GOOD_LETTER, "category": _category_id(app), "submission_token": "5a1e70ce" * 4}
    first = post_form(client, "/astana/letters/new", data)
    count = _letters_count(app)
    second = post_form(client, "/astana/letters/new", data)
    assert _letters_count(app) == count
    assert first.headers["Location"] == second.headers["Location"]


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"iin": "900101300018"}, "iin", "This IIN is not valid"),
        ({"iin": "12345"}, "iin", "The IIN has 12 digits."),
        ({"email": "", "phone": ""}, "email", "Give an email or a phone number"),
        ({"email": "not-an-email"}, "email", "Enter an email address like"),
        ({"phone": "123"}, "phone", "Enter a phone number like"),
        ({"surname": "   "}, "surname", "This field is required."),
        ({"body": "short"}, "body", "Write from 10 to 10000 characters."),
        ({"kind": "complaint"}, "disputed_party", "A complaint must say this."),
        ({"category": "0"}, "category", "Choose an area."),
    ],
)
def test_invalid_letter_shows_error_by_the_field_and_keeps_what_was_typed(app, client, change, field, message):
    before = _letters_count(app)
    data = {**GOOD_LETTER, "category": _category_id(app), **change}
    response = post_form(client, "/astana/letters/new", data, headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _letters_count(app) == before
    assert 'class="error-summary"' in html and f'href="#{field}"' in html
    assert f'id="{field}-error"' in html and message in html
    # What was typed comes back, including the field in error.
    assert f'value="{GOOD_LETTER["subject"]}"' in html and data["body"] in html
    if field in ("iin", "email", "phone"):
        assert f'value="{data[field]}"' in html


def test_validation_errors_are_translated(app, client):
    data = {**GOOD_LETTER, "category": _category_id(app), "iin": "900101300018"}
    ru = post_form(client, "/astana/letters/new", data, headers={"Accept-Language": "ru"}).get_data(as_text=True)
    kk = post_form(client, "/astana/letters/new", data, headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert "ИИН" in ru and "This IIN is not valid" not in ru
    assert "ЖСН" in kk and "This IIN is not valid" not in kk


def test_form_without_csrf_token_is_refused(app, client):
    response = client.post("/astana/letters/new", data={**GOOD_LETTER, "category": _category_id(app)})
    assert response.status_code == 400


def _submit(app, client, **change):
    response = post_form(client, "/astana/letters/new", {**GOOD_LETTER, "category": _category_id(app), **change})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    number = re.search(r"AST-\d{4}-\d{6}", html).group(0)
    code = re.search(r"([2-9A-Z]{4}-){3}[2-9A-Z]{4}", html).group(0)
    return number, code


def test_tracking_with_number_and_code_shows_the_letter_and_its_history(app, client):
    number, code = _submit(app, client)
    visitor = app.test_client()  # another browser: only number + code open the letter
    assert visitor.get(f"/astana/track/{number}").status_code == 302
    response = post_form(visitor, "/astana/track", {"number": number.lower(), "code": code.lower()})
    assert response.status_code == 302
    html = visitor.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert number in html and "Жол шұңқыры" in html and "Registered" in html


def test_wrong_code_and_unknown_number_get_the_same_answer(app, client):
    number, _ = _submit(app, client)
    wrong_code = post_form(
        client, "/astana/track", {"number": number, "code": "AAAA-BBBB-CCCC-DDDD"}, headers={"Accept-Language": "en"}
    )
    unknown = post_form(
        client,
        "/astana/track",
        {"number": "AST-2026-999999", "code": "AAAA-BBBB-CCCC-DDDD"},
        headers={"Accept-Language": "en"},
    )
    assert wrong_code.status_code == unknown.status_code == 422
    message = "No letter matches this number and access code"
    assert message in wrong_code.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_letter_of_one_akimat_cannot_be_tracked_at_another(app, client):
    number, code = _submit(app, client)
    response = post_form(client, "/almaty/track", {"number": number, "code": code})
    assert response.status_code == 422


def test_resident_reads_the_answer_and_rates_it_once(app, client):
    number, code = _submit(app, client)
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        lifecycle.assign(letter, factories.akimat().departments[0], factories.staff(Role.REGISTRAR))
        factories.answer(
            letter,
            body="Жол 20 қарашада жөнделді: шұңқыр асфальтпен толтырылды, жұмысты "
            "басқарма маманы орнында тексерді. Рақмет хабарлағаныңызға.",
        )
    page = client.get(f"/astana/track/{number}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Жол 20 қарашада жөнделді" in page and "Rate the answer" in page
    no_score = post_form(client, f"/astana/track/{number}/rating", {"comment": "?"}, form_url=f"/astana/track/{number}")
    assert no_score.status_code == 422
    rated = post_form(
        client,
        f"/astana/track/{number}/rating",
        {"score": "4", "comment": "Рақмет"},
        form_url=f"/astana/track/{number}",
    )
    assert rated.status_code == 302
    page = client.get(f"/astana/track/{number}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You rated this answer 4 out of 5." in page and "Rate the answer" not in page


def test_language_choice_is_remembered_and_sets_html_lang(client):
    response = client.get("/language/kk", query_string={"next": "/astana/"})
    assert response.status_code == 302 and response.headers["Location"] == "/astana/"
    html = client.get("/astana/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="kk">' in html and "Астана қаласының әкімдігі" in html


def test_language_switch_does_not_redirect_off_site(client):
    response = client.get("/language/ru", query_string={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("language, text", [("ru", "Написать обращение"), ("kk", "Өтініш"), ("en", "Write a letter")])
def test_reception_page_speaks_the_browser_language(client, language, text):
    html = client.get("/astana/", headers={"Accept-Language": language}).get_data(as_text=True)
    assert f'<html lang="{language}">' in html and text in html
