"""Anonymous letters on the pages: the registrar's assessment on the office page, the words a
resident reads on the tracking page, the staff lists' mark, the figures that count them apart,
and the platform form that names an akimat's body."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from akimat_reception.domain import lifecycle
from akimat_reception.extensions import db
from akimat_reception.models import Akimat, AkimatKind, Letter, LetterStatus, Role
from tests import factories
from tests.conftest import login, post_form
from tests.executors import person, sign_in, tenant
from tests.web.test_platform import _akimat, _form, login_platform

EN = {"Accept-Language": "en"}


def _anonymous(app, slug="astana", **kwargs) -> tuple[str, str]:
    with app.app_context():
        letter, code = factories.anonymous_letter(slug, subject="Продажа наркотиков у гаражей", **kwargs)
        return letter.number, code


def _letter(app, number) -> Letter:
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        db.session.expunge(letter)
        return letter


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_registrar_sees_the_rule_and_the_assessment_and_no_routing(app, client):
    number, _code = _anonymous(app)
    login(client, "registrar")
    html = client.get(f"/astana/office/letters/{number}", headers=EN).get_data(as_text=True)
    text = _text(html)
    assert "Anonymous letter" in text
    assert "not considered, unless it reports a crime or a threat to public safety" in text
    assert "12 January 2007 No. 221-III" in text and "The APPK is silent" in text
    assert "Does the letter report a crime or a threat to public safety?" in text
    assert f'action="/astana/office/letters/{number}/anonymous"' in html
    assert f"/letters/{number}/assign" not in html and f"/letters/{number}/forward" not in html
    assert re.search(r"<dt>Name</dt><dd>Anonymous</dd>", html)


def test_a_crime_without_a_word_of_what_it_reports_is_refused_by_the_field_and_keeps_the_choice(app, client):
    number, _code = _anonymous(app)
    login(client, "registrar")
    url = f"/astana/office/letters/{number}/anonymous"
    response = post_form(
        client,
        url,
        {"finding": "crime", "assessment_note": ""},
        form_url=f"/astana/office/letters/{number}",
        headers=EN,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("Say what the letter reports: the body it goes to reads it.") == 2  # summary and field
    assert re.search(r'<input[^>]*checked[^>]*value="crime"|<input[^>]*value="crime"[^>]*checked', html)
    assert _letter(app, number).status is LetterStatus.REGISTERED


def test_the_registrar_forwards_a_crime_and_the_page_says_where(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ANONYMOUS_FORWARD_TO", "Департамент полиции города Астаны")
    number, _code = _anonymous(app)
    login(client, "registrar")
    page = f"/astana/office/letters/{number}"
    response = post_form(
        client, f"{page}/anonymous", {"finding": "crime", "assessment_note": "Торговля наркотиками"}, form_url=page
    )
    assert response.status_code == 302
    text = _text(client.get(page, headers=EN).get_data(as_text=True))
    assert "Reports a crime or a threat to public safety: forwarded" in text and "Торговля наркотиками" in text
    assert "Forwarded to Департамент полиции города Астаны" in text
    assert "Record the assessment" not in text
    letter = _letter(app, number)
    assert letter.status is LetterStatus.FORWARDED and letter.forwarded_to == "Департамент полиции города Астаны"


def test_an_executor_cannot_assess(app, client):
    number, _code = _anonymous(app)
    login(client, "executor")
    token_page = "/astana/office/"
    response = post_form(client, f"/astana/office/letters/{number}/anonymous", {"finding": "none"}, form_url=token_page)
    assert response.status_code in (403, 404)
    assert _letter(app, number).status is LetterStatus.REGISTERED


def test_the_inbox_marks_anonymous_letters(app):
    with app.app_context():  # an akimat of its own: the letter is on the inbox's first page
        akimat = tenant("Район входящих")
        slug, code = akimat.slug, akimat.categories[0].code
        number = factories.anonymous_letter(slug, category=code)[0].number
        signed = factories.letter(slug, category=code)[0].number
        email = person("Регистратор", role=Role.REGISTRAR, akimat=akimat).email
    client = sign_in(app.test_client(), email)
    html = client.get(f"/{slug}/office/?status=registered", headers=EN).get_data(as_text=True)
    other = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(signed)}(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    assert "badge-anonymous" not in other
    row = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(number)}(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    assert 'class="badge badge-anonymous">Anonymous<' in row


def _track(client, number, code):
    response = post_form(client, "/astana/track", {"number": number, "code": code})
    assert response.status_code == 302
    return _text(client.get(f"/astana/track/{number}", headers=EN).get_data(as_text=True))


def test_the_resident_reads_what_happens_to_an_anonymous_letter(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ANONYMOUS_FORWARD_TO", "Департамент полиции города Астаны")
    number, code = _anonymous(app)
    text = _track(client, number, code)
    assert "A letter without your name" in text
    assert "Your letter is registered, and the akim sees it." in text
    assert "not considered, unless it reports a crime or a threat to public safety" in text
    assert "sent the same working day to: Департамент полиции города Астаны" in text
    assert "No answer comes by post." in text


def test_not_considered_is_said_plainly_on_the_tracking_page_without_a_due_date(app, client):
    number, code = _anonymous(app)
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        lifecycle.assess_anonymous(letter, factories.staff(Role.REGISTRAR), False, "Нет сведений")
    text = _track(client, number, code)
    assert "Registered and shown to the akim. Not considered: it has no name and reports no crime or threat" in text
    assert "Answer due by" not in text
    assert "Anonymous letter assessed" in text  # the history
    assert "Нет сведений" not in text  # the registrar's note stays in the office


def test_a_signed_letter_shows_no_anonymous_rules(app, client):
    with app.app_context():
        letter, code = factories.letter()
        number = letter.number
    text = _track(client, number, code)
    assert "A letter without your name" not in text and "Answer due by" in text


def test_with_consider_all_the_resident_reads_that_it_is_considered(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ANONYMOUS_LETTERS", "consider_all")
    number, code = _anonymous(app)
    text = _track(client, number, code)
    assert "Your letter is registered and considered like any other." in text
    assert "not considered" not in text


def test_the_akims_dashboard_counts_anonymous_letters_apart(app):
    with app.app_context():
        akimat = tenant("Район анонимных писем")
        slug = akimat.slug
        factories.letter(slug, category=akimat.categories[0].code)
        factories.anonymous_letter(slug, category=akimat.categories[0].code)
        factories.anonymous_letter(slug, category=akimat.categories[0].code)
        akim = person("Аким", role=Role.AKIM, akimat=akimat)
        email = akim.email
    client = sign_in(app.test_client(), email)
    html = client.get(f"/{slug}/akim/", headers=EN).get_data(as_text=True)
    totals = dict(
        (name, int(n))
        for n, name in re.findall(
            r'<li class="total[^"]*"><span class="total-number">(\d+)</span> ([a-z ]+)</li>', html
        )
    )
    assert totals["not answered"] == 1  # the signed letter alone
    assert "Unanswered anonymous letters: 2 (not in the figures)" in html
    assert html.count('class="badge badge-anonymous"') == 2  # ... yet both are in the akim's list


def test_the_subordinates_figures_leave_anonymous_letters_out(app):
    with app.app_context():
        region = tenant("Область анонимных", kind=AkimatKind.REGION)
        district = tenant("Район анонимных", parent=region)
        code = district.categories[0].code
        factories.letter(district.slug, category=code)
        factories.anonymous_letter(district.slug, category=code)
        overdue = datetime.now(UTC) - timedelta(days=40)  # before the period, and overdue, were it counted
        factories.anonymous_letter(district.slug, category=code, received_at=overdue)
        email = person("Аким", role=Role.AKIM, akimat=region).email
        name, region_slug = district.name_en, region.slug
    client = sign_in(app.test_client(), email)
    html = client.get(f"/{region_slug}/akim/subordinates", headers=EN).get_data(as_text=True)
    row = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(name)}(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    cells = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[1] == "1 Anonymous letters: 1 (not in the figures)"  # received in the period: the signed one
    assert cells[2:4] == ["1", "0"]  # not answered, overdue: the signed one alone


def test_the_public_ratings_say_anonymous_letters_are_not_in_them(client):
    text = _text(client.get("/astana/ratings", headers=EN).get_data(as_text=True))
    assert "Anonymous letters are not in these figures" in text


def test_the_platform_names_an_akimats_body_for_anonymous_letters(app):
    client = app.test_client()
    login_platform(client)
    district = _akimat(app, kind=AkimatKind.DISTRICT)
    edit = f"/platform/akimats/{district['id']}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert "Where anonymous letters reporting a crime are forwarded (optional)" in page
    form = _form("ab12", slug=district["slug"], number_prefix=_prefix_of(app, district["id"]))
    form.update(name_ru=district["name_ru"], name_en=district["name_en"])
    saved = post_form(client, edit, {**form, "anonymous_forward_to": "  Полиция   района  "})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    with app.app_context():
        assert db.session.get(Akimat, district["id"]).anonymous_forward_to == "Полиция района"
    assert 'value="Полиция района"' in client.get(edit).get_data(as_text=True)


def _prefix_of(app, akimat_id):
    with app.app_context():
        return db.session.get(Akimat, akimat_id).number_prefix


def test_the_letter_form_offers_every_kind_the_code_names_each_with_its_sentence(app, client):
    from flask_babel import force_locale

    from akimat_reception.labels import KIND_HINTS, KIND_LABELS

    with app.test_request_context(), force_locale("ru"):
        expected = {kind: (str(KIND_LABELS[kind]), str(KIND_HINTS[kind])) for kind in KIND_LABELS}
    text = _text(client.get("/astana/letters/new", headers={"Accept-Language": "ru"}).get_data(as_text=True))
    for kind, (label, hint) in expected.items():
        assert label in text and hint in text, kind
    assert "Сообщение" in text and "ничего не требуя для себя" in text


def test_an_anonymous_letters_receipt_promises_no_answer_date(app):
    """The receipt by email and SMS of a letter without a name says what the page says: no answer
    is due, unless it reports a crime or a threat (a signed letter's receipt gives the date)."""
    from akimat_reception.models import Channel, OutboxMessage

    with app.app_context():
        letter, _ = factories.anonymous_letter(email="nobody.named@example.kz", phone="+77015550101")
        sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.letter_id == letter.id)).all()
        email = next(m for m in sent if m.channel is Channel.EMAIL)
        sms = next(m for m in sent if m.channel is Channel.SMS)
        assert letter.language == "ru"
        assert "не рассматривается" in email.body_text and "Ответ должен быть дан" not in email.body_text
        assert "Ответ до" not in sms.body_text and letter.number in sms.body_text
