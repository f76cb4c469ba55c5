"""Every list page costs the same number of SQL statements whatever the number of letters: no
query per row (N+1). Each page is rendered with 10 letters in an akimat of its own, and again with
200, and the statements counted with an SQLAlchemy event."""

from contextlib import contextmanager
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import event, select

from akimat_reception.demo.bulk import add_letters, create_akimat, demo_access_code
from akimat_reception.extensions import db
from akimat_reception.models import Akimat, Letter, LetterStatus
from tests import factories
from tests.conftest import login, owner_context, post_form

SLUG = "district-78"  # generated akimat number 2 + 18 cities + 78
INDEX = 2 + 18 + 77
SEED = 5

STAFF_PAGES = {
    "registrar": ["/office/", "/office/?status=all", "/office/?status=closed"],
    "executor": ["/office/"],
    "akim": ["/akim/", "/oversight/access-log"],
}
PUBLIC_PAGES = ["/phones", "/ratings"]


@contextmanager
def counted(app):
    with app.app_context():
        engine = db.engine
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _statements(app, client, url):
    client.get(url)  # warm: the first request of a client may differ (language, session)
    with counted(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return statements


def _measure(app, tracked_number):
    counts = {}
    for role, pages in STAFF_PAGES.items():
        client = app.test_client()
        login(client, role, SLUG)
        for page in pages:
            counts[(role, page)] = _statements(app, client, f"/{SLUG}{page}")
    client = app.test_client()
    for page in PUBLIC_PAGES:
        counts[("public", page)] = _statements(app, client, f"/{SLUG}{page}")
    response = post_form(
        client, f"/{SLUG}/track", {"number": tracked_number, "code": demo_access_code(tracked_number, SEED)}
    )
    assert response.status_code == 302
    counts[("public", "/track/<number>")] = _statements(app, client, f"/{SLUG}/track/{tracked_number}")
    return counts


@pytest.fixture
def tenant(app):
    """An akimat of its own with staff, two phone lines and 10 letters: 8 written in bulk (all
    states, received over the last weeks), and 2 routed through the lifecycle to the executor's
    department, so that every list has rows."""
    from akimat_reception.domain import phones
    from akimat_reception.models import LineDays

    with owner_context(app):  # the bulk generator moves the sequences past its ids: the owner may
        akimat = db.session.scalar(select(Akimat).where(Akimat.slug == SLUG))
        if akimat is None:
            now = datetime.now(UTC)
            akimat = create_akimat(INDEX, now)
            for n, department in enumerate(akimat.departments[:2]):
                phones.add_line(
                    akimat,
                    phones.LineData(
                        department=department,
                        e164=f"+7727300{n:04d}",
                        purpose_kk="Қабылдау",
                        purpose_ru="Приёмная",
                        purpose_en="Reception",
                        languages=["kk", "ru"],
                        days=LineDays.WORKING,
                        opens_at=time(9),
                        closes_at=time(18),
                    ),
                    actor=None,
                    now=now,
                )
            add_letters([akimat], 8, seed=SEED, now=now, span_days=40)
            for _ in range(2):
                factories.routed_letter(SLUG)
        akimat_id = akimat.id
        db.session.remove()
    return akimat_id


def _letters(app, akimat_id):
    with app.app_context():
        return db.session.scalars(select(Letter).where(Letter.akimat_id == akimat_id).order_by(Letter.id)).all()


def test_list_pages_cost_the_same_statements_with_10_and_200_letters(app, tenant):
    letters = _letters(app, tenant)
    assert len(letters) == 10
    tracked = next(
        letter.number
        for letter in letters
        if letter.number.startswith("DACZ")
        and letter.status in (LetterStatus.ANSWERED, LetterStatus.CLOSED, LetterStatus.ASSIGNED)
    )
    with_10 = _measure(app, tracked)

    with owner_context(app):  # the bulk generator moves the sequences past its ids: the owner may
        akimat = db.session.get(Akimat, tenant)
        add_letters([akimat], 190, seed=SEED + 1, span_days=40)
        unresolved = db.session.scalars(
            select(Letter).where(Letter.akimat_id == tenant, Letter.status.in_(LetterStatus.unresolved()))
        ).all()
        assert len(unresolved) > 50, "enough open letters for more than one page"
        assert len({letter.department_id for letter in unresolved}) > 3
    assert len(_letters(app, tenant)) == 200
    with_200 = _measure(app, tracked)

    differing = {
        page: (len(with_10[page]), len(with_200[page])) for page in with_10 if len(with_10[page]) != len(with_200[page])
    }
    assert not differing, f"statements per page, 10 letters vs 200: {differing}"
    for page, statements in with_200.items():  # a bound: a page that needs more is doing too much
        assert len(statements) <= 16, (page, len(statements), statements)
