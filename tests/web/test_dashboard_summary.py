"""The akim's dashboard keeps its counts per change of the akimat's journal: after every change of a
letter the counts are those of the letters themselves, at once."""

import re
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from akimat_reception.demo.bulk import add_letters, create_akimat
from akimat_reception.domain import lifecycle
from akimat_reception.domain.calendar import calendar_for
from akimat_reception.extensions import db
from akimat_reception.models import Akimat, Decision, Letter, LetterStatus, Role
from akimat_reception.web.clock import today_in
from tests import factories
from tests.conftest import login, owner_context

EN = {"Accept-Language": "en"}
SLUG = "district-81"
INDEX = 2 + 18 + 80


def _shown(client):
    html = client.get(f"/{SLUG}/akim/", headers=EN).get_data(as_text=True)
    # Keyed by the name: two totals may show the same number.
    totals = re.findall(r'<li class="total[^"]*"><span class="total-number">(\d+)</span> ([a-z ]+)</li>', html)
    return {name: int(n) for n, name in totals}, html


def _counted(app, akimat_id):
    with app.app_context():
        akimat = db.session.get(Akimat, akimat_id)
        today = today_in(akimat)
        unresolved = Letter.status.in_(LetterStatus.unresolved())
        open_, overdue = db.session.execute(
            select(func.count(), func.count().filter(Letter.deadline < today)).where(
                Letter.akimat_id == akimat_id,
                unresolved,
                Letter.anonymous.is_(False),  # anonymous: counted apart
            )
        ).one()
        return {"not answered": open_, "overdue": overdue}


def test_dashboard_counts_follow_every_change_at_once(app, client):
    with owner_context(app):  # the bulk generator moves the sequences past its ids: the owner may
        akimat = db.session.scalar(select(Akimat).where(Akimat.slug == SLUG))
        if akimat is None:
            akimat = create_akimat(INDEX, datetime.now(UTC))
            add_letters([akimat], 60, seed=4, span_days=40)
        akimat_id = akimat.id
    login(client, "akim", SLUG)
    shown, _ = _shown(client)
    expected = _counted(app, akimat_id)
    assert {k: shown[k] for k in expected} == expected

    with app.app_context():
        letter, _code = factories.letter(SLUG, subject="Counted at once")
        number = letter.number
    shown, html = _shown(client)
    assert shown["not answered"] == expected["not answered"] + 1

    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        department = db.session.get(Akimat, akimat_id).departments[0]
        lifecycle.assign(letter, department, factories.staff(Role.REGISTRAR, SLUG))
        lifecycle.request_extension(
            letter,
            calendar_for(akimat_id).add_working_days(letter.deadline, 5),
            "Нужна экспертиза",
            factories.staff(Role.EXECUTOR, SLUG),
        )
    shown, html = _shown(client)
    assert "Requests for more time waiting for your decision" in html and f">{number}</a>" in html

    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        factories.answer(letter, Decision.SATISFIED)
    shown, html = _shown(client)
    assert shown["not answered"] == expected["not answered"]
    assert {k: shown[k] for k in expected} == _counted(app, akimat_id)


def test_the_kept_counts_are_per_application(app):
    """Two applications (two databases) never share the dashboard's kept counts."""
    from akimat_reception.web import cache

    with app.test_request_context():
        cache.by_revision(("test", 1, date.today()), 1, lambda: "first")
        assert cache.by_revision(("test", 1, date.today()), 1, lambda: "recomputed") == "first"
        assert cache.by_revision(("test", 1, date.today()), 2, lambda: "recomputed") == "recomputed"
        assert cache.by_revision(("test", 1, date.today()), 2, lambda: "again", ttl=0) == "again"
    from akimat_reception import create_app

    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    with other.test_request_context():
        assert cache.by_revision(("test", 1, date.today()), 2, lambda: "other") == "other"


def test_the_revision_catches_an_event_that_commits_after_a_later_one(tmp_path):
    """Event ids are taken in one order and committed in another: an event that becomes visible
    after a later-numbered one still changes the revision. (A database of its own: the events
    written here are not real journal events.)"""
    from sqlalchemy import insert

    from akimat_reception.domain.journal import revision
    from akimat_reception.models import Event
    from tests.conftest import make_test_app

    other = make_test_app(f"sqlite:///{tmp_path / 'revision.sqlite3'}")
    with other.app_context():
        letter, _code = factories.letter()
        akimat_id, before = letter.akimat_id, revision(letter.akimat_id)
        newest = before[0]

        def event(event_id, seq):
            db.session.execute(
                insert(Event).values(
                    id=event_id,
                    akimat_id=akimat_id,
                    letter_id=letter.id,
                    seq=seq,
                    kind="instruction",
                    actor_role="akim",
                    created_at=datetime.now(UTC),
                    payload={},
                    prev_hash="0" * 64,
                    hash="0" * 64,
                )
            )
            db.session.commit()

        event(newest + 10, 100)  # the later-numbered transaction commits first
        seen = revision(akimat_id)
        assert seen != before
        event(newest + 5, 101)  # then the earlier-numbered one
        assert revision(akimat_id) != seen
        db.session.remove()
