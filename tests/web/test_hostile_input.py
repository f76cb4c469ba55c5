"""Every public form, fed a corpus of hostile inputs in every text field.

For each input and field: never a 500; either a clear, translated error shown by the field (422,
with the error summary at the top) or a faithful round trip (the text, as stored and as shown back
wherever it is shown, is what was sent, HTML-escaped); and the raw input never appears unescaped
in any HTML page. The requests rotate through kk, ru and en, so that "translated" is checked
against each language's catalogue."""

import html as html_lib
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import pytest
from babel.support import Translations
from markupsafe import escape
from sqlalchemy import func, select
from wtforms.i18n import messages_path

from akimat_reception.domain import journal, lifecycle
from akimat_reception.domain.identity import format_phone_national, normalize_phone
from akimat_reception.extensions import db
from akimat_reception.models import DeliveryStatus, Letter, OutboxMessage, PhoneReport, Role
from tests import factories
from tests.conftest import PROJECT_ROOT, login, post_form

PAYLOADS = {
    "xss-script": "<script>alert(1)</script>",
    "xss-img-onerror": '"><img src=x onerror=alert(1)>',
    "xss-javascript-url": "javascript:alert(document.cookie)",
    "xss-svg-onload": "<svg/onload=alert(1)>",
    "xss-attribute": "' autofocus onfocus='alert(1)",
    "sql-or": "' OR 1=1 --",
    "sql-drop": '"; DROP TABLE letter; --',
    "oversized-100kB": "A" * 100_000,
    "oversized-100kB-kazakh": "Ә" * 50_000,  # 100 kB of UTF-8
    "nul": "Текст\x00письма",
    "bell": "Звонок\x07 в дверь",
    "ansi-escape": "\x1b[31mКрасный текст\x1b[0m",
    "crlf-header": "Тема\r\nBcc: attacker@example.com",
    "word-line-breaks": "Строка 1\x0bСтрока 2\x0cСтрока 3",  # vertical tab, form feed: kept as line breaks
    "rtl-override": "Счёт \u202egpj.exe",
    "kazakh": "Құрметті әкім, аулаға жарық орнатыңыз",
    "russian": "Прошу отремонтировать подъезд № 3",
    "arabic": "مرحبا، أرجو إصلاح الطريق",
    "emoji-zwj": "Біздің отбасы 👨‍👩‍👧‍👦 🏳️‍🌈 👍🏽",
    "mixed-script": "Әкім Аким مرحبا 😀 Ωmega ℌ",
}
LANGUAGES = ("kk", "ru", "en")
LANGUAGE_OF = {name: LANGUAGES[i % 3] for i, name in enumerate(PAYLOADS)}


def as_stored(text: str) -> str:
    """What a faithful text field keeps: the text, trimmed, with vertical tabs and form feeds as
    the line breaks they are."""
    return text.translate({0x0B: "\n", 0x0C: "\n"}).strip()


# --- what every response must satisfy -----------------------------------------------------------------


def _catalogue_patterns(language: str) -> list[re.Pattern]:
    """Every message of our catalogue and of WTForms' in `language`, as a pattern (placeholders
    match anything). In kk and ru only real translations count: a msgid shown as is is not."""
    patterns = []
    for directory, domain in ((PROJECT_ROOT / "translations", "messages"), (messages_path(), "wtforms")):
        catalogue = Translations.load(str(directory), [language], domain=domain)._catalog
        for msgid, msgstr in catalogue.items():
            if isinstance(msgid, tuple):  # plural forms
                msgid = msgid[0]
            if not msgid or not msgstr or (language != "en" and msgstr == msgid):
                continue
            if len(re.sub(r"%\(\w+\)[sd]|%[sd]", "", msgstr)) < 12:
                continue  # labels and words, not messages; and "%(x)s" alone would match anything
            pattern = re.sub(r"%\\\(\w+\\\)[sd]|%[sd]", ".+?", re.escape(msgstr))
            patterns.append(re.compile(pattern + "$", re.S))
    return patterns


PATTERNS = {language: _catalogue_patterns(language) for language in LANGUAGES}


def assert_no_raw_payload(page: str, *texts: str) -> None:
    for text in texts:
        if text and str(escape(text)) != text:
            assert text not in page, f"unescaped input in the page: {text[:60]!r}"
    lowered = page.lower()
    assert 'href="javascript:' not in lowered and "<script>alert" not in lowered
    assert "<svg/onload" not in lowered and "<img src=x" not in lowered


def assert_translated_error(page: str, field_ids: tuple[str, ...], language: str) -> None:
    """The summary at the top links to the field and says what is wrong in the page's language;
    the same message stands by the field."""
    assert 'class="error-summary"' in page
    items = [
        (target, html_lib.unescape(text))
        for target, text in re.findall(r'<li><a href="#([^"]+)">(.*?)</a></li>', page, re.S)
    ]
    mine = [text for target, text in items if target in field_ids]
    assert mine, f"no error for {field_ids} in the summary: {items}"
    for text in mine:
        # "Label: message", or "Label? message" for a label that asks a question (no "?:").
        parts = re.split(r"(?<=[?:]) ", text, maxsplit=1)
        message = parts[1] if len(parts) == 2 else text
        assert any(p.match(message) for p in PATTERNS[language]), f"not a {language} message: {message!r}"
    assert any(f'id="{field_id}-error"' in page for field_id in field_ids), "no message by the field"


@dataclass
class Outcome:
    """What a form did with one hostile input."""

    accepted: bool
    pages: list = dataclass_field(default_factory=list)  # every HTML page seen, to scan
    stored: str | None = None  # the value as the database holds it, when accepted
    shown: list = dataclass_field(default_factory=list)  # pages that must show the value back


def check(
    outcome: Outcome,
    payload: str,
    expected: str | None,
    *,
    error_fields=(),
    language="en",
    shown_as: str | None = None,
):
    for page in outcome.pages:
        assert_no_raw_payload(page, payload, expected or "")
    if not outcome.accepted:
        assert_translated_error(outcome.pages[0], error_fields, language)
        return "rejected"
    assert outcome.stored == expected, "not stored as sent"
    for page in outcome.shown:
        assert str(escape(shown_as if shown_as is not None else expected)) in page, "not shown back as sent"
    return "accepted"


def _status(response, allowed=(302, 422)):
    assert response.status_code != 500, response.get_data(as_text=True)[:300]
    assert response.status_code in allowed, (response.status_code, response.get_data(as_text=True)[:300])
    return response


# --- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def staff_client(app):
    """A registrar signed in once per backend: opens the office pages where the values show."""
    client = app.test_client()
    login(client, "registrar")
    return client


@pytest.fixture(scope="module")
def category_id(app):
    with app.app_context():
        return factories.akimat().categories[0].id


@pytest.fixture(scope="module")
def line_id(app):
    with app.app_context():
        return factories.phone_line(purpose="Hostile input line").id


def _lang(language):
    return {"Accept-Language": language}


# --- the letter form ------------------------------------------------------------------------------------

LETTER = {
    "kind": "complaint",
    "subject": "Отопление в доме 12",
    "body": "Радиаторы холодные третью неделю, просим принять меры.",
    "disputed_party": "КСК дома 12",
    "complaint_request": "Включить отопление",
    "surname": "Ахметов",
    "given_name": "Ерлан",
    "patronymic": "",
    "iin": "",
    "address": "Астана, ул. Тестовая, 1",
    "email": "resident@example.kz",
    "phone": "",
    "language": "ru",
}
# field → (pages that show it: receipt/status/office, how it is shown)
LETTER_FIELDS = {
    "subject": ("receipt", "status", "office"),
    "body": ("status", "office"),
    "disputed_party": ("office",),
    "complaint_request": ("office",),
    "surname": ("office",),
    "given_name": ("office",),
    "patronymic": ("office",),
    "iin": ("office",),
    "address": ("office",),
    "email": ("office",),
    "phone": ("office",),
    "submission_token": (),  # hidden: never shown, but a client can send anything
}


@pytest.mark.parametrize("payload_name", PAYLOADS)
@pytest.mark.parametrize("field", LETTER_FIELDS)
def test_letter_form_field_survives_hostile_input(app, client, staff_client, category_id, field, payload_name):
    payload, language = PAYLOADS[payload_name], LANGUAGE_OF[payload_name]
    response = _status(
        post_form(
            client, "/astana/letters/new", {**LETTER, "category": category_id, field: payload}, headers=_lang(language)
        )
    )
    pages = [response.get_data(as_text=True)]
    expected = as_stored(payload)
    if field == "phone":
        expected = normalize_phone(expected)
    outcome = Outcome(accepted=response.status_code == 302, pages=pages)
    if outcome.accepted:
        number = response.headers["Location"].rstrip("/").split("/")[-2]
        shown = {
            "receipt": client.get(response.headers["Location"], headers=_lang(language)),
            "status": client.get(f"/astana/track/{number}", headers=_lang(language)),
            "office": staff_client.get(f"/astana/office/letters/{number}"),
        }
        for response_ in shown.values():
            assert response_.status_code == 200
        pages += [r.get_data(as_text=True) for r in shown.values()]
        with app.app_context():
            stored = db.session.scalar(select(getattr(Letter, field)).where(Letter.number == number))
        if field == "submission_token" and stored != expected:
            # A token the server could not have issued is replaced by a fresh one, silently:
            # the resident cannot see or correct a hidden field.
            assert re.fullmatch(r"[0-9a-f]{32}", stored), stored
            expected = stored
        outcome.stored = stored
        outcome.shown = [shown[name].get_data(as_text=True) for name in LETTER_FIELDS[field]]
    check(
        outcome,
        payload,
        expected,
        error_fields=(field,),
        language=language,
        shown_as=format_phone_national(expected) if field == "phone" and expected else None,
    )


# --- tracking and signing in ----------------------------------------------------------------------------


@pytest.mark.parametrize("payload_name", PAYLOADS)
@pytest.mark.parametrize("field", ["number", "code"])
def test_track_form_field_survives_hostile_input(client, field, payload_name):
    payload, language = PAYLOADS[payload_name], LANGUAGE_OF[payload_name]
    data = {"number": "AST-2026-000001", "code": "ABCD-EFGH-JKLM-NPQR", field: payload}
    response = _status(post_form(client, "/astana/track", data, headers=_lang(language)), allowed=(422,))
    # No letter has this number and code: the answer is always an error, on the field or on the code.
    check(
        Outcome(accepted=False, pages=[response.get_data(as_text=True)]),
        payload,
        as_stored(payload),
        error_fields=(field, "code"),
        language=language,
    )


@pytest.mark.parametrize("payload_name", PAYLOADS)
@pytest.mark.parametrize("field", ["email", "password"])
def test_login_form_field_survives_hostile_input(client, field, payload_name):
    payload, language = PAYLOADS[payload_name], LANGUAGE_OF[payload_name]
    # An address no account has, so that the failed attempts lock nobody out.
    data = {"email": "nobody@astana.demo.kz", "password": "Reception-demo-2026", field: payload}
    response = _status(post_form(client, "/login", data, headers=_lang(language)), allowed=(422,))
    check(
        Outcome(accepted=False, pages=[response.get_data(as_text=True)]),
        payload,
        as_stored(payload),
        error_fields=(field, "password"),
        language=language,
    )


# --- the forms on a tracked letter's page ---------------------------------------------------------------


def _answered(app):
    with app.app_context():
        letter, _ = factories.answered_letter()
        return letter.id, letter.number


def _under_hearing(app):
    with app.app_context():
        letter, _ = factories.routed_letter()
        lifecycle.notify_preliminary_refusal(letter, "Нет оснований для удовлетворения", factories.staff(Role.EXECUTOR))
        return letter.id, letter.number


@dataclass(frozen=True)
class ResidentForm:
    path: str  # under /astana/track/<number>/
    field: str
    make_letter: Callable
    extra: dict
    stored: Callable  # (letter) -> the stored text
    shown_on_status_page: bool


def _event_text(kind):
    def stored(letter):
        events = [e for e in journal.events_of(letter) if e.kind == kind]
        return events[-1].payload["text"] if events else None

    return stored


RESIDENT_FORMS = {
    # A rating of 1 sends the comment to control as the resident's dispute: shown in the office.
    "rating": ResidentForm("rating", "comment", _answered, {"score": "1"}, lambda letter: letter.rating_comment, False),
    "dispute": ResidentForm("dispute", "dispute", _answered, {}, _event_text("disputed"), False),
    "position": ResidentForm("position", "position", _under_hearing, {}, _event_text("position_stated"), True),
}


@pytest.mark.parametrize("payload_name", PAYLOADS)
@pytest.mark.parametrize("form_name", RESIDENT_FORMS)
def test_tracked_letter_form_survives_hostile_input(app, client, staff_client, form_name, payload_name):
    form, payload, language = RESIDENT_FORMS[form_name], PAYLOADS[payload_name], LANGUAGE_OF[payload_name]
    letter_id, number = form.make_letter(app)
    with client.session_transaction() as session:
        session["tracked"] = factories.tracked_entry(letter_id)
    response = _status(
        post_form(
            client,
            f"/astana/track/{number}/{form.path}",
            {**form.extra, form.field: payload},
            form_url=f"/astana/track/{number}",
            headers=_lang(language),
        )
    )
    outcome = Outcome(accepted=response.status_code == 302, pages=[response.get_data(as_text=True)])
    if outcome.accepted:
        status_page = client.get(response.headers["Location"], headers=_lang(language)).get_data(as_text=True)
        office_page = staff_client.get(f"/astana/office/letters/{number}").get_data(as_text=True)
        outcome.pages += [status_page, office_page]
        outcome.shown = [office_page] + ([status_page] if form.shown_on_status_page else [])
        with app.app_context():
            outcome.stored = form.stored(db.session.get(Letter, letter_id))
    check(outcome, payload, as_stored(payload), error_fields=(form.field,), language=language)


# --- the phone directory ----------------------------------------------------------------------------------


@pytest.mark.parametrize("payload_name", PAYLOADS)
def test_nobody_answers_report_survives_hostile_input(app, client, staff_client, line_id, payload_name):
    payload, language = PAYLOADS[payload_name], LANGUAGE_OF[payload_name]
    page = client.get("/astana/phones", headers=_lang(language)).get_data(as_text=True)
    token = re.search(rf'name="line{line_id}-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    marker = uuid.uuid4().hex[:8]  # so that the test finds its own report among the line's
    address = f"10.66.{int(marker[:2], 16)}.{int(marker[2:4], 16)}"
    response = _status(
        client.post(
            f"/astana/phones/{line_id}/report",
            headers=_lang(language),
            environ_base={"REMOTE_ADDR": address},
            data={f"line{line_id}-csrf_token": token, f"line{line_id}-comment": payload},
        )
    )
    outcome = Outcome(accepted=response.status_code == 302, pages=[response.get_data(as_text=True)])
    if outcome.accepted:
        office_page = staff_client.get(f"/astana/office/phones/{line_id}").get_data(as_text=True)
        outcome.pages += [client.get(response.headers["Location"]).get_data(as_text=True), office_page]
        outcome.shown = [office_page]
        with app.app_context():
            outcome.stored = db.session.scalar(
                select(PhoneReport.comment)
                .where(PhoneReport.line_id == line_id)
                .order_by(PhoneReport.id.desc())
                .limit(1)
            )
    check(outcome, payload, as_stored(payload), error_fields=(f"line{line_id}-comment",), language=language)


# Bugs in views this module may not change (web/public/home.py), kept visible until fixed there:
# the home page puts the whole query, unchecked, into a LIKE pattern.
KNOWN_BUGS: dict = {}  # (url, backend, payload) -> why it fails; empty since the home search was fixed


@pytest.mark.parametrize("payload_name", PAYLOADS)
@pytest.mark.parametrize("url, limit", [("/astana/phones", 100), ("/", 100)], ids=["phones", "akimats"])
def test_search_survives_hostile_input(request, app, client, url, limit, payload_name):
    """A search is never an error: the query is shown back, escaped, as the page uses it."""
    backend = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0].split("+")[0]
    if (url, backend, payload_name) in KNOWN_BUGS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[url, backend, payload_name]))
    payload, language = PAYLOADS[payload_name], LANGUAGE_OF[payload_name]
    response = _status(client.get(url, query_string={"q": payload}, headers=_lang(language)), allowed=(200,))
    page = response.get_data(as_text=True)
    expected = payload.strip()[:limit]
    assert_no_raw_payload(page, payload, expected)
    assert f'value="{escape(expected)}"' in page


# --- what the accepted inputs set in motion -------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def first_outbox_id(app):
    """Where this module's notifications start, per backend."""
    with app.app_context():
        first = (db.session.scalar(select(func.max(OutboxMessage.id))) or 0) + 1
        db.session.remove()
    return first


def test_every_notification_the_hostile_letters_queued_is_delivered(app, app_context, smtp, first_outbox_id):
    """Runs after the tests above (file order within a backend): the receipts and staff messages
    their letters queued all reach a real SMTP server, and no email shows a payload unescaped.
    Delivering them also leaves the outbox as the next module expects it: nothing due."""
    from akimat_reception.delivery import deliver_due

    mine = select(OutboxMessage).where(OutboxMessage.id >= first_outbox_id)
    for _ in range(20):
        if not deliver_due(limit=500)["sent"]:
            break
    db.session.expire_all()
    messages = db.session.scalars(mine).all()
    assert messages, "the accepted letters queued no notification"
    assert {m.status for m in messages} == {DeliveryStatus.SENT}, [
        (m.id, m.status, m.last_error) for m in messages if m.status is not DeliveryStatus.SENT
    ][:5]
    for mail in smtp.inbox.messages:
        html = mail.get_body(("html",))
        if html is not None:
            assert_no_raw_payload(html.get_content(), *PAYLOADS.values())


def test_the_corpus_covers_every_kind_of_hostile_input():
    """Counted for the report: inputs × fields tried, per backend."""
    fields = len(LETTER_FIELDS) + 2 + 2 + len(RESIDENT_FORMS) + 1 + 2
    assert (len(PAYLOADS), fields) == (20, 22)
