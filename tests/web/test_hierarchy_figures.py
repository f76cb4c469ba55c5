"""The hierarchy in use: a higher akimat's akim and admin see the figures of the akimats under it —
counts only — and nothing of any other akimat; they do not open a subordinate's letters unless
a letter is transferred to them."""

import re
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from akimat_reception.domain import lifecycle
from akimat_reception.extensions import db
from akimat_reception.models import AkimatKind, Decision, Letter, Role
from tests import factories
from tests.conftest import login, post_form
from tests.executors import person, sign_in, tenant

EN = {"Accept-Language": "en"}


def _cells(html, name):
    """The cells of the table row that names `name`, as text."""
    row = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(name)}(?:(?!</tr>).)*</tr>", html, re.S)
    assert row, f"no row for {name}"
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)]


def _tree(app):
    """A region with two districts, and a sibling region with one; the akims of each."""
    with app.app_context():
        region = tenant("Область", kind=AkimatKind.REGION)
        district = tenant("Район", parent=region)
        quiet = tenant("Абай, тихий район", parent=region)  # first by name, last by overdue
        sibling = tenant("Соседняя область", kind=AkimatKind.REGION)
        sibling_district = tenant("Соседний район", parent=sibling)
        surname = f"Фамилия{uuid.uuid4().hex[:8]}"
        dept = district.departments[0]
        letters = []
        for received in (datetime.now(UTC), datetime.now(UTC), datetime.now(UTC) - timedelta(days=45)):
            letter, _ = factories.letter(district.slug, surname=surname, received_at=received, subject="Тайна письма")
            lifecycle.assign(letter, dept, person(role=Role.REGISTRAR, akimat=district))
            letters.append(letter)
        letter = letters[0]  # received today, answered today: on time
        executor = person(department=dept)
        lifecycle.submit_draft(letter, executor, Decision.SATISFIED, f"{letter.number}. {factories.ANSWER_TEXT['ru']}")
        lifecycle.approve_draft(letter, person(role=Role.CONTROLLER, akimat=district))
        lifecycle.rate(letter, 4, "Спасибо")
        akims = {a.slug: person("Аким", role=Role.AKIM, akimat=a) for a in (region, district, sibling)}
        names = {key: a.name_en for key, a in dict(region=region, district=district, quiet=quiet).items()}
        names["sibling_district"] = sibling_district.name_en
        return (
            {"region": region.slug, "district": district.slug, "sibling": sibling.slug},
            names,
            {slug: a.email for slug, a in akims.items()},
            surname,
            letter.number,
        )


def test_the_akim_of_a_region_sees_the_counts_of_its_districts_and_no_personal_data(app):
    slugs, names, akims, surname, number = _tree(app)
    client = sign_in(app.test_client(), akims[slugs["region"]])
    dashboard = client.get(f"/{slugs['region']}/akim/", headers=EN).get_data(as_text=True)
    assert "Figures of the subordinate akimats" in dashboard
    html = client.get(f"/{slugs['region']}/akim/subordinates", headers=EN).get_data(as_text=True)
    # received in the last 30 days, not answered, overdue, answered on time, mean rating
    assert _cells(html, names["district"])[1:] == ["2", "2", "1", "1 of 1 (100%)", "4.0"]
    assert _cells(html, names["quiet"])[1:] == ["0", "0", "0", "0 of 0", "—"]
    assert names["sibling_district"] not in html
    assert surname not in html and "Тайна письма" not in html and number not in html
    year = client.get(f"/{slugs['region']}/akim/subordinates?days=365", headers=EN).get_data(as_text=True)
    assert _cells(year, names["district"])[1] == "3"


def test_sorted_by_overdue_the_akimat_with_overdue_letters_comes_first(app):
    slugs, names, akims, _surname, _number = _tree(app)
    client = sign_in(app.test_client(), akims[slugs["region"]])
    html = client.get(f"/{slugs['region']}/akim/subordinates?sort=overdue", headers=EN).get_data(as_text=True)
    assert html.index(names["district"]) < html.index(names["quiet"])
    by_name = client.get(f"/{slugs['region']}/akim/subordinates?sort=name", headers=EN).get_data(as_text=True)
    assert by_name.index(names["quiet"]) < by_name.index(names["district"])


def test_a_district_sees_nothing_of_its_region_and_a_sibling_nothing_of_the_other(app):
    slugs, names, akims, _surname, _number = _tree(app)
    district = sign_in(app.test_client(), akims[slugs["district"]])
    html = district.get(f"/{slugs['district']}/akim/subordinates", headers=EN).get_data(as_text=True)
    assert "No akimat is under this one." in html and names["region"] not in html
    assert "Figures of the subordinate akimats" not in district.get(f"/{slugs['district']}/akim/").get_data(
        as_text=True
    )
    assert district.get(f"/{slugs['region']}/akim/subordinates").status_code == 404
    sibling = sign_in(app.test_client(), akims[slugs["sibling"]])
    assert sibling.get(f"/{slugs['region']}/akim/subordinates").status_code == 404
    html = sibling.get(f"/{slugs['sibling']}/akim/subordinates", headers=EN).get_data(as_text=True)
    assert names["district"] not in html and names["quiet"] not in html


def test_the_akim_of_a_region_does_not_open_a_districts_letter(app):
    slugs, _names, akims, _surname, number = _tree(app)
    client = sign_in(app.test_client(), akims[slugs["region"]])
    assert client.get(f"/{slugs['district']}/office/letters/{number}").status_code == 404
    assert client.get(f"/{slugs['district']}/office/").status_code == 404


def test_astanas_admin_sees_its_district_with_its_admins_contact_and_almatys_does_not(app):
    with app.app_context():
        district = tenant("Район Астаны", parent=factories.akimat("astana"))
        admin = person("Админ Района", role=Role.ADMIN, akimat=district)
        name, email, surname = district.name_en, admin.email, f"Личная{uuid.uuid4().hex[:6]}"
        factories.letter(district.slug, surname=surname)
    client = app.test_client()
    login(client, "admin")
    html = client.get("/astana/admin/subordinates", headers=EN).get_data(as_text=True)
    cells = _cells(html, name)
    assert cells[1] == "District" and email in cells[2] and cells[3:5] == ["1", "1"]
    assert surname not in html
    other = app.test_client()
    login(other, "admin", "almaty")
    assert name not in other.get("/almaty/admin/subordinates", headers=EN).get_data(as_text=True)
    assert other.get("/astana/admin/subordinates").status_code == 404


def test_astanas_registrar_opens_a_districts_letter_only_once_transferred(app):
    with app.app_context():
        district = tenant("Район", parent=factories.akimat("astana"))
        letter, _ = factories.letter(district.slug)
        number, slug = letter.number, district.slug
        astana_id = factories.akimat("astana").id
        district_registrar = person(role=Role.REGISTRAR, akimat=district).email
    registrar = app.test_client()
    login(registrar, "registrar")
    assert registrar.get(f"/{slug}/office/letters/{number}").status_code == 404
    theirs = sign_in(app.test_client(), district_registrar)
    response = post_form(
        theirs,
        f"/{slug}/office/letters/{number}/forward",
        {"target_akimat": astana_id, "forward_reason": "Вопрос городского значения"},
        form_url=f"/{slug}/office/letters/{number}",
    )
    assert response.status_code == 302
    with app.app_context():
        received = db.session.scalar(select(Letter).where(Letter.number == number)).transferred_to
        new_number = received.number
    assert registrar.get(f"/astana/office/letters/{new_number}").status_code == 200
    assert registrar.get(f"/{slug}/office/letters/{number}").status_code == 404


def test_a_district_moved_to_another_region_keeps_its_earlier_figures_with_the_first(app):
    """Regions are split and created: a move is dated, and each region's figures for a period
    count the district's letters of the days it stood under that region."""
    from akimat_reception.domain.administration import akimats
    from akimat_reception.domain.administration.figures import Period, subordinate_figures

    with app.app_context():
        old_region = tenant("Старая область", kind=AkimatKind.REGION)
        new_region = tenant("Новая область", kind=AkimatKind.REGION)
        district = tenant("Переданный район", parent=old_region)
        now = datetime.now(UTC)
        for days_ago in (20, 3):  # one letter before the move, one after
            factories.letter(district.slug, received_at=now - timedelta(days=days_ago))
        akimats.move_akimat(district, new_region, (now - timedelta(days=10)).date(), by=None)
        db.session.commit()
        today = now.date()
        month = Period.last_days(30, today)
        [before] = subordinate_figures(old_region, month, today)
        [after] = subordinate_figures(new_region, month, today)
        assert before.akimat.id == after.akimat.id == district.id
        assert (before.received, before.unresolved) == (1, 0)  # its open letters are the new region's now
        assert (after.received, after.unresolved) == (1, 2)
        week = Period.last_days(7, today)
        assert subordinate_figures(old_region, week, today) == []  # not under it at all that week
