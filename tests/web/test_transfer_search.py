"""Transfer to any akimat, chosen by search among thousands: the registrar types part of a name,
a former name or another spelling, gets at most 20 matches as radio buttons (no script needed),
and forwards to the one chosen. A closed akimat, and the letter's own, are never offered."""

import re
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from akimat_reception.domain import journal
from akimat_reception.extensions import db
from akimat_reception.models import Letter, LetterStatus
from tests import factories
from tests.conftest import login, post_form
from tests.executors import tenant

EN = {"Accept-Language": "en"}


def _offered(html):
    """The akimats offered as radio buttons: id -> label."""
    radios = re.findall(r'<input[^>]*name="target_akimat"[^>]*value="(\d+)"[^>]*>\s*<label[^>]*>([^<]*)</label>', html)
    return {int(value): label for value, label in radios}


def _registrar(app):
    client = app.test_client()
    login(client, "registrar")
    return client


def test_search_by_a_former_name_finds_the_akimat_among_many_and_shows_at_most_20(app):
    alias = f"Старое{uuid.uuid4().hex[:6]}"
    common = f"Многоаул{uuid.uuid4().hex[:6]}"
    with app.app_context():
        wanted = tenant(f"Новое имя {common}", aliases=f"{alias}\nOther spelling")
        for i in range(24):
            tenant(f"{common} {i}")
        letter, _ = factories.letter()
        number, wanted_id = letter.number, wanted.id
    client = _registrar(app)
    page = client.get(f"/astana/office/letters/{number}", query_string={"find_akimat": alias.upper()}, headers=EN)
    assert page.status_code == 200
    assert list(_offered(page.get_data(as_text=True))) == [wanted_id]
    many = client.get(f"/astana/office/letters/{number}", query_string={"find_akimat": common}, headers=EN)
    assert len(_offered(many.get_data(as_text=True))) == 20
    nothing = client.get(f"/astana/office/letters/{number}", query_string={"find_akimat": "нет-такого-акимата-xyz"})
    assert not _offered(nothing.get_data(as_text=True))
    assert "No open akimat matches the search." in client.get(
        f"/astana/office/letters/{number}?find_akimat=zzzz-none", headers=EN
    ).get_data(as_text=True)


def test_a_closed_akimat_and_the_letters_own_are_not_offered_nor_accepted(app):
    word = f"Закрытый{uuid.uuid4().hex[:6]}"
    with app.app_context():
        closed = tenant(word, closed_at=datetime.now(UTC))
        letter, _ = factories.letter()
        number, closed_id, astana_id = letter.number, closed.id, factories.akimat("astana").id
    client = _registrar(app)
    html = client.get(f"/astana/office/letters/{number}", query_string={"find_akimat": word}).get_data(as_text=True)
    assert closed_id not in _offered(html)
    own = client.get(f"/astana/office/letters/{number}", query_string={"find_akimat": "astana"}).get_data(as_text=True)
    assert astana_id not in _offered(own)
    for target in (closed_id, astana_id):
        response = post_form(
            client,
            f"/astana/office/letters/{number}/forward",
            {"target_akimat": target, "find_akimat": word, "forward_reason": "Не наша компетенция"},
            form_url=f"/astana/office/letters/{number}",
            headers=EN,
        )
        assert response.status_code == 422
        assert "Choose an open akimat from the list found." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Letter.status).where(Letter.number == number)) is LetterStatus.REGISTERED


def test_the_transfer_lands_in_the_akimat_found_and_both_journals_say_so(app):
    alias = f"Öskemen{uuid.uuid4().hex[:6]}"
    with app.app_context():
        target = tenant("Усть-Каменогорск", aliases=alias)
        letter, _ = factories.letter(email="moved@example.kz")
        number, target_id, target_slug = letter.number, target.id, target.slug
    client = _registrar(app)
    html = client.get(f"/astana/office/letters/{number}", query_string={"find_akimat": alias.lower()}).get_data(
        as_text=True
    )
    assert target_id in _offered(html)
    response = post_form(
        client,
        f"/astana/office/letters/{number}/forward",
        {"target_akimat": target_id, "find_akimat": alias, "forward_reason": "Заявитель живёт в Усть-Каменогорске"},
        form_url=f"/astana/office/letters/{number}",
    )
    assert response.status_code == 302
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        received = letter.transferred_to
        assert letter.status is LetterStatus.FORWARDED and received.akimat.slug == target_slug
        assert journal.events_of(letter)[-1].payload["to_akimat"] == target_slug
        assert journal.events_of(received)[-1].payload["from_number"] == number


def test_a_failed_forward_keeps_the_matches_and_what_was_typed(app):
    word = f"Повтор{uuid.uuid4().hex[:6]}"
    with app.app_context():
        target = tenant(word)
        letter, _ = factories.letter()
        number, target_id = letter.number, target.id
    client = _registrar(app)
    response = post_form(
        client,
        f"/astana/office/letters/{number}/forward",
        {"target_akimat": target_id, "find_akimat": word, "forward_reason": ""},
        form_url=f"/astana/office/letters/{number}",
        headers=EN,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert target_id in _offered(html) and f'value="{word}"' in html
