"""The letter written one thing per page (web/public/writing.py): each step, the draft between
the steps (domain/drafts.py), check your answers, and sending."""

import io
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from akimat_reception.domain import attachments, drafts
from akimat_reception.extensions import db
from akimat_reception.models import Event, Letter, LetterDraft
from akimat_reception.models._common import utcnow
from tests import factories
from tests.conftest import csrf_token
from tests.web.test_attachments import PDF
from tests.web.test_public import _category_id

EN = {"Accept-Language": "en"}
START = "/astana/letters/new"
CHECK = "/astana/letters/new/check"
ABOUT_NAMED = {
    "surname": "Сейтқали",
    "given_name": "Дәурен",
    "patronymic": "",
    "iin": "900101300017",
    "address": "Астана, Мәңгілік Ел, 10",
    "email": "dauren@example.kz",
    "phone": "",
    "language": "kk",
}


class Writer:
    """A resident's browser going through the steps: one client, its CSRF token."""

    def __init__(self, app, client):
        self.app, self.client = app, client
        self.token = csrf_token(client, START)

    def post(self, step, data=None, query="", files=()):
        payload = {"csrf_token": self.token, **(data or {})}
        if files:
            payload["files"] = [(io.BytesIO(content), name) for name, content in files]
        url = CHECK if step == "check" else f"{START}/{step}{query}"
        return self.client.post(url, data=payload, headers=EN, content_type="multipart/form-data")

    def get(self, url):
        return self.client.get(url, headers=EN)

    def kind(self, kind="application", writer="named"):
        return self.post("kind", {"kind": kind, "writer": writer})

    def letter(self, query="", files=(), **fields):
        data = {"category": _category_id(self.app), "subject": "Жол шұңқыры", "body": "Аялдама жанында шұңқыр бар."}
        return self.post("letter", {**data, **fields}, query=query, files=files)

    def about(self, **fields):
        return self.post("about", {**ABOUT_NAMED, **fields})

    def draft(self) -> LetterDraft | None:
        with self.client.session_transaction() as session:
            token = next(iter((session.get("letter_drafts") or {}).values()), None)
        with self.app.app_context():
            found = db.session.scalar(select(LetterDraft).where(LetterDraft.token == token)) if token else None
            if found is not None:
                db.session.expunge(found)
            return found


@pytest.fixture
def writer(app, client):
    return Writer(app, client)


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _location(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return response.headers["Location"]


def test_an_application_goes_kind_letter_about_check_and_skips_the_complaint_step(writer):
    assert _location(writer.kind()).endswith("/letters/new/letter")
    assert _location(writer.letter()).endswith("/letters/new/about")
    assert _location(writer.about()).endswith("/letters/new/check")
    # The complaint's questions are not asked of an application, even by typing their address.
    assert _location(writer.get(f"{START}/complaint")).endswith("/letters/new/about")
    assert "Step 3 of 4" in writer.get(f"{START}/about").get_data(as_text=True)


def test_only_a_complaint_asks_whose_action_and_what_is_asked(writer):
    writer.kind("complaint")
    assert _location(writer.letter()).endswith("/letters/new/complaint")
    refused = writer.post("complaint", {"disputed_party": "ЖИК №12", "complaint_request": ""})
    html = refused.get_data(as_text=True)
    assert (
        refused.status_code == 422 and 'id="complaint_request-error"' in html and "A complaint must say this." in html
    )
    assert 'value="ЖИК №12"' in html  # what was typed is kept
    assert "Step 3 of 5" in html
    done = writer.post("complaint", {"disputed_party": "ЖИК №12", "complaint_request": "Жылуды қосуды сұраймын."})
    assert _location(done).endswith("/letters/new/about")


@pytest.mark.parametrize(
    "step, data, field, message",
    [
        ("kind", {"writer": "named"}, "kind", "Choose the kind of letter."),
        (
            "letter",
            {"category": "0", "subject": "Жол", "body": "Аялдама жанында шұңқыр бар."},
            "category",
            "Choose an area.",
        ),
        ("letter", {"subject": "Жол шұңқыры", "body": "қысқа"}, "body", "Write from 10 to 10000 characters."),
        ("about", {**ABOUT_NAMED, "surname": ""}, "surname", "This field is required."),
        ("about", {**ABOUT_NAMED, "email": "", "phone": ""}, "email", "Give an email or a phone number"),
        ("about", {**ABOUT_NAMED, "iin": "900101300018"}, "iin", "This IIN is not valid"),
    ],
)
def test_a_step_that_fails_says_why_by_the_field_and_keeps_what_was_typed(writer, step, data, field, message):
    if step != "kind":
        writer.kind()
    if step == "about":
        writer.letter()
    data = {"category": _category_id(writer.app), **data} if step == "letter" and "category" not in data else data
    response = writer.post(step, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in html and f'href="#{field}"' in html
    assert f'id="{field}-error"' in html and message in html
    kept = data.get("subject") or data.get("address")
    if kept:
        assert kept in html
    if step == "kind":
        assert writer.draft() is None  # nothing answered yet, nothing kept


def test_every_step_has_a_back_link_to_the_step_before(writer):
    def back(url):
        return re.search(r'class="back-link" href="([^"]+)"', writer.get(url).get_data(as_text=True)).group(1)

    assert back(START) == "/astana/"
    writer.kind("complaint")
    assert back(f"{START}/letter") == START
    writer.letter()
    assert back(f"{START}/complaint") == f"{START}/letter"
    writer.post("complaint", {"disputed_party": "ЖИК №12", "complaint_request": "Жылуды қосуды сұраймын."})
    assert back(f"{START}/about") == f"{START}/complaint"
    writer.about()
    assert back(CHECK) == f"{START}/about"


def test_check_your_answers_shows_every_answer_with_a_change_link_that_comes_back(writer):
    writer.kind("complaint")
    writer.letter(subject="Жылу жоқ")
    writer.post("complaint", {"disputed_party": "ЖИК №12", "complaint_request": "Жылуды қосуды сұраймын."})
    writer.about(phone="+7 701 234 5678")
    html = writer.get(CHECK).get_data(as_text=True)
    for shown in ("Complaint", "With my name", "Roads", "Жылу жоқ", "Аялдама жанында шұңқыр бар.", "ЖИК №12",
                  "Жылуды қосуды сұраймын.", "Сейтқали Дәурен", "900101300017", "Астана, Мәңгілік Ел, 10",
                  "dauren@example.kz", "+7 701 234 5678", "Kazakh"):  # fmt: skip
        assert shown in html, shown
    for step in ("kind", "letter", "complaint", "about"):
        assert f'href="{START}/{step}?change=1"' in html
    changing = writer.get(f"{START}/letter?change=1").get_data(as_text=True)
    assert 'value="Жылу жоқ"' in changing and f'class="back-link" href="{CHECK}"' in changing
    assert _location(writer.letter(subject="Үйде жылу жоқ", query="?change=1")).endswith("/letters/new/check")
    assert "Үйде жылу жоқ" in writer.get(CHECK).get_data(as_text=True)
    # Changed to an application, the complaint's answers are no longer shown nor sent.
    assert _location(writer.post("kind", {"kind": "application", "writer": "named"}, "?change=1")).endswith("/check")
    assert "ЖИК №12" not in writer.get(CHECK).get_data(as_text=True)


def test_files_chosen_on_the_letter_step_are_kept_across_steps_and_sent(app, writer):
    writer.kind()
    refused = writer.post("letter", {"category": _category_id(app), "subject": "Жол", "body": "қысқа"},
                          files=[("акт.pdf", PDF)])  # fmt: skip
    assert refused.status_code == 422 and "Already attached" in refused.get_data(as_text=True)
    assert "акт.pdf" in refused.get_data(as_text=True)  # not chosen again after an error elsewhere
    writer.letter()
    writer.about()
    assert "акт.pdf" in writer.get(f"{START}/letter").get_data(as_text=True)  # back to the step: still there
    assert "акт.pdf" in writer.get(CHECK).get_data(as_text=True)
    token = writer.draft().token
    receipt = _location(writer.post("check"))
    number = re.search(r"AST-\d{4}-\d{6}", receipt).group(0)
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        assert [a.original_name for a in letter.attachments] == ["акт.pdf"]
        assert letter.submission_token == token  # the draft's token: sending it twice is one letter
        assert attachments.staged(token) == []


def test_a_draft_is_no_letter_until_sent_and_is_deleted_when_sent(app, writer):
    letters, events = _count(app, Letter), _count(app, Event)
    writer.kind()
    writer.letter()
    writer.about()
    writer.get(CHECK)
    assert (_count(app, Letter), _count(app, Event)) == (letters, events)  # no number, nothing in the record
    assert writer.draft() is not None
    _location(writer.post("check"))
    assert _count(app, Letter) == letters + 1
    assert writer.draft() is None


def test_sending_twice_registers_one_letter_and_shows_the_first_receipt(app, writer):
    writer.kind()
    writer.letter()
    writer.about()
    before = _count(app, Letter)
    first = _location(writer.post("check"))
    second = _location(writer.post("check"))  # a second click, or the back button and Send again
    assert first == second
    assert _count(app, Letter) == before + 1


def test_an_anonymous_letter_asks_no_name_nor_address_and_is_registered_as_anonymous(app, writer):
    writer.kind("message", writer="anonymous")
    writer.letter(subject="Аулада түнде шу")
    about = writer.get(f"{START}/about").get_data(as_text=True)
    assert 'name="surname"' not in about and 'name="address"' not in about and 'name="email"' in about
    assert _location(writer.post("about", {"email": "", "phone": "", "language": "ru"})).endswith("/check")
    check = writer.get(CHECK).get_data(as_text=True)
    assert "Anonymously" in check and "Postal address" not in check
    number = re.search(r"AST-\d{4}-\d{6}", _location(writer.post("check"))).group(0)
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        assert letter.anonymous and (letter.surname, letter.given_name, letter.address) == ("", "", "")
        assert letter.iin is None and letter.email is None


def test_turning_a_named_draft_anonymous_asks_about_you_again(writer):
    writer.kind()
    writer.letter()
    writer.about()
    assert _location(writer.post("kind", {"kind": "application", "writer": "anonymous"}, "?change=1")).endswith(
        "/letters/new/about"
    )


def test_an_expired_draft_is_deleted_with_its_files_and_the_writing_starts_again(app, writer):
    writer.kind()
    writer.letter(files=[("акт.pdf", PDF)])
    draft = writer.draft()
    with app.app_context():
        db.session.get(LetterDraft, draft.id).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert _location(writer.get(f"{START}/about")).endswith("/letters/new")
    with app.app_context():
        assert db.session.get(LetterDraft, draft.id) is None
        assert attachments.staged(draft.token) == []


def test_the_daily_purge_deletes_drafts_past_their_time_and_keeps_the_others(app, writer):
    writer.kind()
    writer.letter(files=[("акт.pdf", PDF)])
    draft = writer.draft()
    with app.app_context():
        hours = app.config["LETTER_DRAFT_HOURS"]
        assert draft.expires_at - draft.updated_at == timedelta(hours=hours)
        astana = factories.akimat("astana")
        drafts.purge_expired(astana, now=utcnow())
        assert db.session.get(LetterDraft, draft.id) is not None and attachments.staged(draft.token)
        drafts.purge_expired(astana, now=draft.expires_at + timedelta(seconds=1))
        assert db.session.get(LetterDraft, draft.id) is None
        assert attachments.staged(draft.token) == []


def test_without_a_draft_later_steps_send_the_resident_to_the_start(writer):
    for url in (f"{START}/letter", f"{START}/about", CHECK):
        assert _location(writer.get(url)).endswith("/letters/new")


def test_check_before_every_step_is_answered_sends_to_the_missing_one(writer):
    writer.kind()
    writer.letter()
    assert _location(writer.get(CHECK)).endswith("/letters/new/about")


def test_a_refused_send_keeps_the_draft_and_says_when_to_send_again(app, writer, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LETTERS_PER_CONTACT", "1 per hour")
    for attempt in range(2):
        writer.kind()
        writer.letter(body=f"Аялдама жанында шұңқыр бар, {attempt}-хат.")
        writer.about()
        response = writer.post("check")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Nothing was registered and your text is kept" in html and "Аялдама жанында шұңқыр бар, 1-хат." in html
    assert writer.draft() is not None


def test_the_one_page_post_and_the_steps_count_against_one_limit(app, writer, monkeypatch):
    from tests.conftest import post_form
    from tests.web.test_public import GOOD_LETTER

    monkeypatch.setitem(app.config, "RATELIMIT_LETTERS_PER_CONTACT", "1 per hour")
    sent = post_form(writer.client, START, {**GOOD_LETTER, "category": _category_id(app)})
    assert sent.status_code == 302
    writer.kind()
    writer.letter()
    writer.about(email=GOOD_LETTER["email"])
    assert writer.post("check").status_code == 429


def test_a_closed_akimat_offers_no_steps(app, writer):
    with app.app_context():
        astana = factories.akimat("astana")
        astana.closed_at = utcnow()
        db.session.commit()
    try:
        for url in (START, f"{START}/letter", CHECK):
            html = writer.get(url).get_data(as_text=True)
            assert "no longer takes letters" in html and 'name="kind"' not in html
        assert writer.kind().status_code == 403
        assert writer.draft() is None
    finally:
        with app.app_context():
            factories.akimat("astana").closed_at = None
            db.session.commit()


def test_a_draft_belongs_to_its_akimat_alone(writer):
    writer.kind()
    writer.letter()
    writer.about()
    # The same browser at another akimat has no draft there: it starts afresh, and sees nothing of it.
    assert _location(writer.get("/almaty/letters/new/check")).endswith("/almaty/letters/new")
    assert "Жол шұңқыры" not in writer.get("/almaty/letters/new/about").get_data(as_text=True)
    assert writer.get(CHECK).status_code == 200  # and the first akimat's draft is untouched


def test_the_same_draft_sent_twice_at_once_registers_one_letter(app, writer):
    """A double click: two requests with the same session in flight together. On PostgreSQL the
    second waits on the draft's row lock and finds the letter the first registered."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("row locks: PostgreSQL (TEST_DATABASE_URL)")
    writer.kind()
    writer.letter()
    writer.about()
    cookie = writer.client.get_cookie("session").value
    before = _count(app, Letter)
    start, locations, errors = threading.Barrier(2), [], []

    def send():
        client = app.test_client()
        client.set_cookie("session", cookie)
        try:
            start.wait()
            response = client.post(CHECK, data={"csrf_token": writer.token})
            locations.append(response.headers.get("Location") or response.status_code)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and len(set(locations)) == 1 and "/receipt" in str(locations[0]), (errors, locations)
    assert _count(app, Letter) == before + 1


def test_flask_letters_purge_drafts_deletes_the_expired_ones(app, writer, runner):
    writer.kind()
    draft = writer.draft()
    with app.app_context():
        db.session.get(LetterDraft, draft.id).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    result = runner.invoke(args=["letters", "purge-drafts"])
    assert result.exit_code == 0 and "expired letter drafts" in result.output
    with app.app_context():
        assert db.session.get(LetterDraft, draft.id) is None


def test_the_purge_also_deletes_files_of_a_one_page_form_left_after_an_error(app, client):
    from tests.web.test_public import GOOD_LETTER

    token = "ab" * 16
    data = {**GOOD_LETTER, "category": _category_id(app), "body": "", "submission_token": token}
    data = {"csrf_token": csrf_token(client, START), **data, "files": [(io.BytesIO(PDF), "акт.pdf")]}
    assert client.post(START, data=data, content_type="multipart/form-data").status_code == 422
    with app.app_context():
        assert [f.original_name for f in attachments.staged(token)] == ["акт.pdf"]
        drafts.purge_expired(factories.akimat("astana"), now=utcnow())
        assert attachments.staged(token), "a form being written now keeps its files"
        drafts.purge_expired(factories.akimat("astana"), now=utcnow() + drafts.lifetime() + timedelta(minutes=1))
        assert attachments.staged(token) == []
