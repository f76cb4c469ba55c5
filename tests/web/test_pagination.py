"""Lists page by keyset: the "Next page" link carries the last row's sort values, and following
the links gives the same rows in the same order as asking for the pages by number."""

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from sqlalchemy import select

from akimat_reception.demo.bulk import add_letters, create_akimat
from akimat_reception.extensions import db
from akimat_reception.models import Akimat, Letter, LetterStatus, PersonalDataAccess
from tests.conftest import login, owner_context

SLUG = "district-79"
INDEX = 2 + 18 + 78


@pytest.fixture
def tenant(app):
    """An akimat of its own with 400 letters of the last three weeks: several pages of open letters,
    also in the executor's department."""
    with owner_context(app):  # the bulk generator moves the sequences past its ids: the owner may
        akimat = db.session.scalar(select(Akimat).where(Akimat.slug == SLUG))
        if akimat is None:
            akimat = create_akimat(INDEX, datetime.now(UTC))
            add_letters([akimat], 400, seed=9, span_days=21)
        akimat_id = akimat.id
        # Whatever today's date: more than a page of open letters, in the executor's department too.
        department_id = akimat.departments[0].id
        db.session.remove()
    assert len(_open_in_order(app, akimat_id, department_id)) > app.config["PER_PAGE"]
    return akimat_id


ROW = re.compile(r'<td data-label="[^"]*"[^>]*><a href="[^"]*/office/letters/([A-Z]+-\d{4}-\d{6})"')


def _follow(client, url):
    """Numbers in the list's rows, in order, following each page's rel="next" link as a browser would."""
    numbers, hrefs = [], []
    while url:
        html = client.get(url).get_data(as_text=True)
        numbers += ROW.findall(html)
        link = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = unescape(link.group(1)) if link else None
        if url:
            hrefs.append(url)
    return numbers, hrefs


def _open_in_order(app, akimat_id, department_id=None):
    with app.app_context():
        stmt = select(Letter.number).where(Letter.akimat_id == akimat_id, Letter.status.in_(LetterStatus.unresolved()))
        if department_id is not None:
            stmt = stmt.where(Letter.department_id == department_id)
        return db.session.scalars(stmt.order_by(Letter.deadline, Letter.id)).all()


@pytest.mark.parametrize(
    "role, url",
    [
        ("akim", f"/{SLUG}/akim/"),
        ("registrar", f"/{SLUG}/office/"),
        ("registrar", f"/{SLUG}/office/?status=all"),
        ("executor", f"/{SLUG}/office/"),
    ],
)
def test_next_page_links_list_every_letter_once_in_order(app, client, tenant, role, url):
    login(client, role, SLUG)
    followed, hrefs = _follow(client, url)
    assert hrefs and all("after=" in h for h in hrefs), "the next page is found by keyset"
    by_number, page = [], 1
    while True:
        html = client.get(url + ("&" if "?" in url else "?") + f"page={page}").get_data(as_text=True)
        by_number += ROW.findall(html)
        if 'rel="next"' not in html:
            break
        page += 1
    assert followed == by_number, "links and page numbers give the same list"
    assert len(followed) == len(set(followed))
    if "status=all" in url:
        return
    with app.app_context():
        department = None
        if role == "executor":
            department = db.session.scalar(select(Akimat).where(Akimat.id == tenant)).departments[0].id
    assert followed == _open_in_order(app, tenant, department), "overdue first, then the nearest deadline"


def test_a_cursor_that_does_not_fit_is_ignored(client, tenant):
    login(client, "akim", SLUG)
    first = ROW.findall(client.get(f"/{SLUG}/akim/").get_data(as_text=True))
    assert len(first) == 25
    for cursor in ("nonsense", "2026-13-45_7", "1_2_3", "2026-01-01_x"):
        html = client.get(f"/{SLUG}/akim/", query_string={"after": cursor}).get_data(as_text=True)
        assert ROW.findall(html) == first


def test_access_log_pages_newest_first_by_keyset(app, client, tenant):
    login(client, "akim", SLUG)
    url, seen = f"/{SLUG}/oversight/access-log", 0
    with app.app_context():
        expected = db.session.scalars(
            select(PersonalDataAccess.id)
            .where(PersonalDataAccess.akimat_id == tenant)
            .order_by(PersonalDataAccess.accessed_at.desc(), PersonalDataAccess.id.desc())
        ).all()
    assert len(expected) > 50, "the bulk demo logs who opened recent letters"
    pages = 0
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += html.count('<td data-label="') // 4
        link = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = unescape(link.group(1)) if link else None
        pages += 1
    assert seen == len(expected) and pages == -(-len(expected) // 50)
