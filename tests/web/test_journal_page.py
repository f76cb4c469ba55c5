"""The journal check page: a small akimat has every journal checked on each visit; a large one shows
its last complete check (recorded by `flask journal verify`) and checks at once every letter
changed since, and says which is which."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from akimat_reception.demo.bulk import add_letters, create_akimat
from akimat_reception.domain import journal, lifecycle
from akimat_reception.extensions import db
from akimat_reception.models import Akimat, Event, JournalCheck, Letter, LetterStatus, Role
from tests import factories
from tests.conftest import login, owner_context, server_transaction

EN = {"Accept-Language": "en"}
SLUG = "district-80"
INDEX = 2 + 18 + 79


def _tamper(sql, **params):
    with server_transaction() as conn:  # the app's own role may not switch the triggers off
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(sql), params)


def _last_check(html):
    return re.search(r"Last complete check</h2>(.*?)<h2", html, re.S).group(1)


def _changed_since(html):
    return html.split('id="changed-since"', 1)[1]


def _page(client, slug="astana"):
    response = client.get(f"/{slug}/oversight/journal", headers=EN)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_small_akimat_is_checked_completely_on_each_visit(app, client):
    with app.app_context():
        factories.letter()
        letters = db.session.scalar(
            select(func.count()).select_from(Letter).where(Letter.akimat_id == factories.akimat().id)
        )
    login(client, "akim")
    html = _page(client)
    checked = re.search(r"Checked: (\d+) letters", html)
    assert checked and int(checked.group(1)) == letters, html[html.find("<main") :][:1500]
    assert "Last complete check" not in html


@pytest.fixture
def large(app, monkeypatch):
    """An akimat of its own that the page treats as large (any number of letters is "too many")."""
    monkeypatch.setitem(app.config, "JOURNAL_CHECK_ON_VIEW", 0)
    with owner_context(app):  # the bulk generator moves the sequences past its ids: the owner may
        akimat = db.session.scalar(select(Akimat).where(Akimat.slug == SLUG))
        if akimat is None:
            akimat = create_akimat(INDEX, datetime.now(UTC))
            add_letters([akimat], 40, seed=3, span_days=30)
        akimat_id = akimat.id
        db.session.remove()
    return akimat_id


def test_a_large_akimat_shows_its_last_complete_check_and_the_letters_changed_since(app, client, runner, large):
    login(client, "akim", SLUG)
    with app.app_context():
        had_check = journal.last_check(large) is not None
    if not had_check:
        html = _page(client, SLUG)
        assert "No complete check has been recorded yet" in html
        assert "Checked: 40 letters" in _changed_since(html), "every letter is new since no check"

    result = runner.invoke(args=["journal", "verify", "--akimat", SLUG])
    assert result.exit_code == 0, result.output
    with app.app_context():
        check = journal.last_check(large)
        assert check.letters == journal.letters_of(large) and check.breaks == []
        assert check.through_event_id == db.session.scalar(
            select(Event.id).where(Event.akimat_id == large).order_by(Event.id.desc()).limit(1)
        )
    html = _page(client, SLUG)
    assert f"{check.letters} letters, {check.events} events." in _last_check(html) and "Intact" in _last_check(html)
    assert f"A full audit: every entry of the sealed record ({check.verified_size})" in _last_check(html)
    assert "Checked: 0 letters, 0 events." in _changed_since(html)

    with app.app_context():  # a letter changes through the application: the page checks it at once
        letter = db.session.scalars(
            select(Letter)
            .where(Letter.akimat_id == large, Letter.status.in_((LetterStatus.ASSIGNED,)))
            .order_by(Letter.id)
            .limit(1)
        ).one()
        lifecycle.instruct(letter, "Доложить до пятницы.", factories.staff(Role.AKIM, SLUG))
        changed_number, changed_id = letter.number, letter.id
        old = db.session.scalars(
            select(Letter).where(Letter.akimat_id == large, Letter.id != changed_id).order_by(Letter.id).limit(1)
        ).one()
        old_number, old_id = old.number, old.id
    html = _page(client, SLUG)
    assert "Checked: 1 letters" in _changed_since(html) and "Intact" in _changed_since(html)

    with app.app_context():  # someone rewrites the changed letter's newest event behind the application
        _tamper(
            "UPDATE event SET payload = :p WHERE letter_id = :id AND kind = 'instruction'",
            p='{"text": "Ничего не делать."}',
            id=changed_id,
        )
        _tamper("UPDATE letter SET transfer_count = transfer_count + 5 WHERE id = :id", id=old_id)
    try:
        html = _page(client, SLUG)
        breaks = _changed_since(html)
        assert changed_number in breaks and "content altered" in breaks and "Breaks found: 1." in breaks
        assert old_number not in html, "an unchanged letter waits for the next complete check"
        result = runner.invoke(args=["journal", "verify", "--akimat", SLUG, "--full"])  # the unchanged one too
        assert result.exit_code == 1 and f"BREAK {old_number}" in result.output
        html = _page(client, SLUG)
        found = _last_check(html)
        assert old_number in found and changed_number in found
    finally:
        with app.app_context():
            _tamper(
                "UPDATE event SET payload = :p WHERE letter_id = :id AND kind = 'instruction'",
                p='{"text": "Доложить до пятницы."}',
                id=changed_id,
            )
            _tamper("UPDATE letter SET transfer_count = transfer_count - 5 WHERE id = :id", id=old_id)
            assert journal.check_akimat(large)[1].breaks == []


def test_the_page_says_when_more_letters_changed_than_it_checks(app, client, large, monkeypatch):
    monkeypatch.setitem(app.config, "JOURNAL_RECENT_LIMIT", 1)
    with app.app_context():
        journal.check_akimat(large)
        for letter in db.session.scalars(
            select(Letter)
            .where(Letter.akimat_id == large, Letter.status == LetterStatus.ASSIGNED)
            .order_by(Letter.id)
            .limit(2)
        ).all():
            lifecycle.instruct(letter, "Взять на контроль.", factories.staff(Role.AKIM, SLUG))
        assert db.session.scalar(select(JournalCheck.id).where(JournalCheck.akimat_id == large)) is not None
    login(client, "akim", SLUG)
    html = _page(client, SLUG)
    assert "More than 1 letters changed since" in html
