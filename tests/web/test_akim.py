"""The akim's dashboard: every unresolved letter, overdue first, with counts."""

from datetime import UTC, datetime, timedelta

from tests import factories
from tests.conftest import listed_numbers


def _numbers_in_order(client):
    return listed_numbers(client, "/astana/akim/")


def test_dashboard_lists_overdue_first_and_keeps_letters_until_answered(app, login_as):
    now = datetime.now(UTC)
    with app.app_context():
        overdue, _ = factories.routed_letter(subject="Overdue one", received_at=now - timedelta(days=40))
        recent, _ = factories.letter(subject="Recent one", received_at=now)
        middle, _ = factories.letter(subject="Middle one", received_at=now - timedelta(days=10))
        overdue_number, recent_number, middle_number = overdue.number, recent.number, middle.number
    client = login_as("akim")
    order = _numbers_in_order(client)
    assert order.index(overdue_number) < order.index(middle_number) < order.index(recent_number)
    with app.app_context():
        from sqlalchemy import select

        from akimat_reception.extensions import db
        from akimat_reception.models import Letter

        letter = db.session.scalar(select(Letter).where(Letter.number == overdue_number))
        factories.answer(letter)
    order = _numbers_in_order(client)
    assert overdue_number not in order and recent_number in order


def test_dashboard_counts_by_department(app, login_as):
    with app.app_context():
        factories.routed_letter(subject="Counted")
        first_department = factories.akimat().departments[0].name_en
    html = login_as("akim").get("/astana/akim/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Unanswered letters by department" in html
    assert first_department in html


def test_only_the_akim_sees_the_dashboard(login_as, client):
    for role in ("registrar", "executor", "controller", "admin"):
        fresh = client.application.test_client()
        from tests.conftest import login

        login(fresh, role)
        assert fresh.get("/astana/akim/").status_code == 403, role


def test_akim_of_another_akimat_gets_404(login_as):
    assert login_as("akim", "almaty").get("/astana/akim/").status_code == 404
