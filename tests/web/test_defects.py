"""The layout and wording defects of issue 14, each as a resident or an official would notice it in
the HTML (the geometry of the layout ones: tests/browser/test_geometry.py)."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import func, select

from akimat_reception.domain import lifecycle, notifications
from akimat_reception.extensions import db
from akimat_reception.models import Letter, PhoneReport, Role
from tests import factories
from tests.conftest import csrf_token, listed_numbers, login, post_form
from tests.web.test_public import GOOD_LETTER, _category_id

RU, KK, EN = ({"Accept-Language": code} for code in ("ru", "kk", "en"))


def _send_letter(app, client, **change):
    """Sends the public form; returns (number, receipt HTML in Russian)."""
    response = post_form(client, "/astana/letters/new", {**GOOD_LETTER, "category": _category_id(app), **change})
    assert response.status_code == 302
    html = client.get(response.headers["Location"], headers=RU).get_data(as_text=True)
    return re.search(r"AST-\d{4}-\d{6}", html).group(0), html


def _inbox_page_with(client, number, status, headers=EN) -> str:
    """The inbox page that lists `number` (earlier tests may have filled several pages)."""
    listed = listed_numbers(client, "/astana/office/", status=status)
    page = listed.index(number) // 25 + 1
    return client.get("/astana/office/", headers=headers, query_string={"status": status, "page": page}).get_data(
        as_text=True
    )


def _row(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


# 1, 2. The receipt: number and code whole, and the printout says where to follow the letter.


def test_receipt_shows_number_and_code_whole_and_where_to_follow_them(app, client):
    number, html = _send_letter(app, client)
    assert f'<p class="big-number" id="receipt-number">{number}</p>' in html
    assert re.search(r'<p class="big-code" id="receipt-code">([2-9A-Z]{4}-){3}[2-9A-Z]{4}</p>', html)
    # The block is not hidden from print (the page's links and header are).
    help_block = html[html.index('class="tracking-help"') : html.index("</section>", html.index("tracking-help"))]
    assert "http://localhost/astana/track" in help_block.replace("<wbr>", "") and "&lt;" not in help_block
    assert "введите регистрационный номер и код доступа" in help_block
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert ".receipt .big-number, .receipt .big-code { white-space: nowrap;" in css


# 3. "Nobody answers": the thank-you beside the line; no report on a line closed at that hour.


def _press_nobody_answers(client, line_id, address="10.14.0.1"):
    html = client.get("/astana/phones").get_data(as_text=True)
    token = re.search(r'name="line\d+-csrf_token" type="hidden" value="([^"]+)"', html)
    return client.post(
        f"/astana/phones/{line_id}/report",
        environ_base={"REMOTE_ADDR": address},
        headers=RU,
        data={
            f"line{line_id}-csrf_token": token.group(1) if token else csrf_token(client, "/login"),
            f"line{line_id}-comment": "",
        },
    )


def test_thank_you_for_a_phone_report_is_beside_the_line_and_takes_the_focus(app, client):
    with app.app_context():
        line = factories.phone_line(purpose="Defects: round the clock")
        line_id = line.id
    response = _press_nobody_answers(client, line_id)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#line-{line_id}-thanks")
    html = client.get("/astana/phones", headers=RU).get_data(as_text=True)
    row = _row(html, f'id="line-{line_id}"')
    assert f'id="line-{line_id}-thanks"' in row and "autofocus" in row
    assert "Спасибо: Ваше сообщение записано" in row or "Спасибо" in row
    # Once: a reload shows the button again, not the thanks.
    again = client.get("/astana/phones", headers=RU).get_data(as_text=True)
    assert f'id="line-{line_id}-thanks"' not in again


def test_a_line_closed_now_offers_no_report_and_says_when_it_opens(app, client):
    with app.app_context():
        akimat = factories.akimat()
        now = datetime.now(ZoneInfo(akimat.timezone))
        opens = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
        closes = (now + timedelta(hours=3)).time().replace(second=0, microsecond=0)
        line = factories.phone_line(purpose="Defects: closed now", opens=opens, closes=closes)
        line_id = line.id
    html = client.get("/astana/phones", headers=RU).get_data(as_text=True)
    row = _row(html, f'id="line-{line_id}"')
    assert "Никто не отвечает" not in row and f"/phones/{line_id}/report" not in row
    assert "Сейчас не работает, откроется" in row and opens.strftime("%H:%M") in row
    # Pressed anyway (an old page): nothing is recorded.
    assert _press_nobody_answers(client, line_id).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(PhoneReport.line_id == line_id)) == 0


# 4. Staff tables: the registration number's cell does not wrap.


def test_inbox_number_cell_is_marked_to_stay_on_one_line(app, login_as):
    with app.app_context():
        number = factories.letter()[0].number
    html = _inbox_page_with(login_as("registrar"), number, "all", RU)
    assert re.search(rf'<td data-label="Номер" class="number-cell"><a href="[^"]+">{number}</a>', html)
    css = app.test_client().get("/static/css/site.css").get_data(as_text=True)
    assert "th { overflow-wrap: normal;" in css and ".number-cell, .deadline { white-space: nowrap; }" in css


# 5. Residents read no office words.


def test_resident_rating_and_dispute_hints_speak_plainly(app, client):
    number, _ = _send_letter(app, client)
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        lifecycle.assign(letter, factories.akimat().departments[0], factories.staff(Role.REGISTRAR))
        factories.answer(letter)
    for headers, office_word, plain in (
        (RU, "контрол", "проверяют качество ответов"),
        (EN, "control", "check the quality of answers"),
    ):
        page = client.get(f"/astana/track/{number}", headers=headers).get_data(as_text=True)
        main = page[page.index("<main") : page.index("</main>")]
        assert plain in main and office_word not in main.lower()
    home = client.get("/astana/", headers=RU).get_data(as_text=True)
    assert "отклик (мнение о решении или проекте документа)" in home


# 6. The forwarding term: never the answer term's words, never for a routed letter.


def test_forwarding_term_has_its_own_words_and_goes_once_the_letter_is_routed(app, login_as):
    with app.app_context():
        fresh = factories.letter(subject="Defects: fresh")[0].number
        old = factories.letter(subject="Defects: old", received_at=datetime.now(UTC) - timedelta(days=9))[0].number
        routed = factories.routed_letter(subject="Defects: routed")[0].number
    client = login_as("registrar")
    fresh_row = _row(_inbox_page_with(client, fresh, "registered"), fresh)
    old_row = _row(_inbox_page_with(client, old, "registered"), old)
    assert "Overdue" not in fresh_row and "Forwarding term passed" not in fresh_row
    assert fresh_row.count("On time") == 1  # the answer term's only
    deadline_cell = old_row[old_row.index('data-label="Deadline"') :]
    assert "Forwarding term passed" in old_row and "Forwarding term passed" not in deadline_cell
    page = client.get(f"/astana/office/letters/{routed}", headers=EN).get_data(as_text=True)
    assert "Forward by" not in page
    assert "Forward by" in client.get(f"/astana/office/letters/{fresh}", headers=EN).get_data(as_text=True)


# 7. A Russian date ends in "г.": no second full stop after it.


def test_russian_dates_take_no_second_full_stop(app):
    with app.app_context():
        letter = factories.letter()[0]
        with app.test_request_context("/"), force_locale("ru"):
            texts = [
                " ".join(notifications.reminder_message(letter, state).paragraphs) for state in ("due_soon", "overdue")
            ]
    assert all("г." in text and "г.." not in text for text in texts), texts


# 8. The error summary: no colon after a label that asks a question.


def test_error_summary_adds_no_colon_after_a_question(app, client):
    response = post_form(
        client, "/astana/letters/new", {**GOOD_LETTER, "category": _category_id(app), "kind": "complaint"}, headers=RU
    )
    html = response.get_data(as_text=True)
    summary = html[html.index('class="error-summary"') : html.index("</div>", html.index('class="error-summary"'))]
    assert response.status_code == 422 and 'href="#disputed_party"' in summary
    assert "?:" not in summary and re.search(r"\? \S", summary)


# 9. The reason for moving a letter: its error by the reason.


def test_missing_reason_for_moving_a_letter_is_shown_by_the_reason(app, login_as):
    with app.app_context():
        letter, _ = factories.routed_letter(subject="Defects: move")
        number, other = letter.number, factories.akimat().departments[3].id
    client = login_as("registrar")
    response = post_form(
        client,
        f"/astana/office/letters/{number}/assign",
        {"department": other, "reason": ""},
        form_url=f"/astana/office/letters/{number}",
        headers=EN,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="reason-error"' in html and 'id="department-error"' not in html
    assert "Give the reason for moving the letter" in html[html.index('id="reason-error"') :][:300]


# 10. The akim's menu folds on a phone; a resident's does not need to.


def test_staff_menu_folds_under_menu_and_a_residents_menu_is_open(app, client):
    public = client.get("/astana/", headers=RU).get_data(as_text=True)
    assert "staff-menu" not in public
    login(client, "akim")
    html = client.get("/astana/akim/", headers=RU).get_data(as_text=True)
    menu = html[html.index('<details class="staff-menu">') : html.index("</details>")]
    assert "<summary>Меню</summary>" in menu and "/astana/office/" not in public
    assert "/logout" in menu


# 11. The complaint fields the resident wrote.


def test_resident_sees_the_complaint_fields_they_wrote(app, client):
    number, _ = _send_letter(
        app, client, kind="complaint", disputed_party="КСК «Жайлы үй»", complaint_request="Отопление қосу"
    )
    page = client.get(f"/astana/track/{number}", headers=RU).get_data(as_text=True)
    yours = page[page.index('id="text-title"') :]
    assert "КСК «Жайлы үй»" in yours and "Отопление қосу" in yours
    assert "Чьё действие или решение Вы обжалуете" in yours


# 12. A favicon and a meta description in the page's language.


def test_pages_have_a_favicon_and_a_translated_description(client):
    ru = client.get("/astana/", headers=RU).get_data(as_text=True)
    kk = client.get("/astana/", headers=KK).get_data(as_text=True)
    for html in (ru, kk):
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
        assert 'sizes="32x32"' in html
    description = [re.search(r'<meta name="description" content="([^"]+)">', html).group(1) for html in (ru, kk)]
    assert description[0].startswith("Напишите акиму") and description[0] != description[1]
    svg, png = client.get("/static/favicon.svg"), client.get("/static/favicon-32.png")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
