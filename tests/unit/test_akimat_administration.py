"""The platform administrator's rules on akimats, alone through the domain: the number prefix is
frozen once letters exist, a changed slug is kept for redirects and never reused, the hierarchy has
no cycles, a move is dated with placements, and every change is recorded with before and after."""

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from akimat_reception.domain.administration import akimats
from akimat_reception.domain.administration.akimats import AkimatData, AkimatError
from akimat_reception.extensions import db
from akimat_reception.models import AdminEvent, AkimatKind, AkimatSlug, Category, Invitation
from tests import factories


def _data(parent=None, kind=AkimatKind.DISTRICT, **changes) -> AkimatData:
    tag = uuid.uuid4().hex[:8]
    fields = dict(
        slug=f"district-{tag}",
        number_prefix="".join(chr(ord("A") + int(c, 16) % 26) for c in tag[:6]),
        name_kk=f"Аудан {tag}",
        name_ru=f"Район {tag}",
        name_en=f"District {tag}",
        kind=kind,
        parent=parent,
    )
    fields.update(changes)
    return AkimatData(**fields)


def _create(parent=None, **changes):
    created = akimats.create_akimat(_data(parent, **changes), None)
    db.session.commit()
    return created


def _events(akimat, kind):
    return db.session.scalars(
        select(AdminEvent).where(AdminEvent.akimat_id == akimat.id, AdminEvent.kind == kind).order_by(AdminEvent.id)
    ).all()


def test_a_new_akimat_is_placed_under_its_parent_from_today_and_recorded(app, app_context):
    region = _create(kind=AkimatKind.REGION)
    district = _create(region, aliases="  Старое имя \n\nСтарое имя\nÖskemen ")
    assert district.parent_id == region.id and district.aliases == "Старое имя\nÖskemen"
    [placement] = akimats.placements(district)
    assert (placement.parent_id, placement.valid_from, placement.valid_to) == (
        region.id,
        akimats.today_in("Asia/Almaty"),
        None,
    )
    [created] = _events(district, "akimat_created")
    assert created.after["slug"] == district.slug and created.after["parent_id"] == region.id
    assert created.after["kind"] == "district" and created.before == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slug": "Bad Slug"}, "slug"),
        ({"slug": "login"}, "slug"),  # a page of the site
        ({"slug": "astana"}, "slug"),  # another akimat's
        ({"number_prefix": "A1"}, "number_prefix"),
        ({"number_prefix": "AST"}, "number_prefix"),  # Astana's
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"default_language": "en"}, "default_language"),
        ({"name_kk": "  "}, "name_kk"),
    ],
)
def test_wrong_fields_are_refused_naming_the_field(app, app_context, changes, field):
    if changes.get("number_prefix") == "AST":
        changes["number_prefix"] = factories.akimat("astana").number_prefix
    with pytest.raises(AkimatError) as refused:
        akimats.create_akimat(_data(**changes), None)
    db.session.rollback()
    assert refused.value.field == field


def test_the_prefix_is_frozen_once_the_akimat_has_letters(app, app_context):
    district = _create()
    data = _data(slug=district.slug, number_prefix="ZZ" + district.number_prefix[:4])
    akimats.update_akimat(district, data, None)  # no letters yet: it may change
    db.session.commit()
    db.session.add(Category(akimat=district, code="roads", name_kk="Жолдар", name_ru="Дороги", name_en="Roads"))
    db.session.commit()
    factories.letter(district.slug, category="roads")
    with pytest.raises(AkimatError) as refused:
        akimats.update_akimat(district, _data(slug=district.slug, number_prefix="QQQ"), None)
    db.session.rollback()
    assert refused.value.field == "number_prefix"


def test_a_changed_slug_is_kept_for_redirects_and_never_given_to_another(app, app_context):
    district = _create()
    old = district.slug
    new = old + "-renamed"
    akimats.update_akimat(
        district, _data(slug=new, number_prefix=district.number_prefix, name_kk=district.name_kk), None
    )
    db.session.commit()
    former = db.session.scalar(select(AkimatSlug).where(AkimatSlug.slug == old))
    assert former is not None and former.akimat_id == district.id and district.slug == new
    [changed] = _events(district, "akimat_updated")
    assert changed.before["slug"] == old and changed.after["slug"] == new
    with pytest.raises(AkimatError) as refused:
        akimats.create_akimat(_data(slug=old), None)
    db.session.rollback()
    assert refused.value.field == "slug"


def test_no_cycles_an_akimat_never_stands_under_itself_or_its_subordinate(app, app_context):
    region = _create(kind=AkimatKind.REGION)
    district = _create(region)
    village = _create(district, kind=AkimatKind.RURAL_DISTRICT)
    today = akimats.today_in(region.timezone)
    for parent in (region, district, village):
        with pytest.raises(AkimatError) as refused:
            akimats.move_akimat(region, parent, today, None)
        db.session.rollback()
        assert refused.value.field == "parent"


def test_a_move_is_dated_it_closes_the_placement_and_opens_the_next(app, app_context):
    old_region = _create(kind=AkimatKind.REGION)
    new_region = _create(kind=AkimatKind.REGION)
    district = _create(old_region)
    first = akimats.current_placement(district)
    first.valid_from = date(2020, 1, 1)  # placed long ago
    db.session.commit()
    effective = akimats.today_in(district.timezone) - timedelta(days=10)
    akimats.move_akimat(district, new_region, effective, None)
    db.session.commit()
    history = akimats.placements(district)
    assert [(p.parent_id, p.valid_from, p.valid_to) for p in history] == [
        (old_region.id, date(2020, 1, 1), effective),
        (new_region.id, effective, None),
    ]
    assert district.parent_id == new_region.id
    [moved] = _events(district, "akimat_moved")
    assert moved.before["parent_id"] == old_region.id and moved.after == {
        "parent_id": new_region.id,
        "effective": effective.isoformat(),
    }


def test_a_move_cannot_be_dated_in_the_future_or_before_the_current_placement(app, app_context):
    region = _create(kind=AkimatKind.REGION)
    district = _create()
    today = akimats.today_in(district.timezone)
    for effective in (today + timedelta(days=1), today - timedelta(days=1)):
        with pytest.raises(AkimatError) as refused:
            akimats.move_akimat(district, region, effective, None)
        db.session.rollback()
        assert refused.value.field == "effective"


def test_closing_stops_new_letters_and_reopening_takes_them_again_both_recorded(app, app_context):
    district = _create()
    assert akimats.accepts_letters(district)
    akimats.close_akimat(district, None)
    db.session.commit()
    assert not akimats.accepts_letters(district)
    with pytest.raises(AkimatError):
        akimats.close_akimat(district, None)
    akimats.reopen_akimat(district, None)
    db.session.commit()
    assert akimats.accepts_letters(district)
    [closed] = _events(district, "akimat_closed")
    [reopened] = _events(district, "akimat_reopened")
    assert closed.before == {"closed_at": None} and closed.after["closed_at"]
    assert reopened.after == {"closed_at": None}


def test_the_first_admin_is_appointed_by_an_invitation_for_the_admin_role(app, app_context):
    district = _create()
    email = f"Admin-{uuid.uuid4().hex[:6]}@Example.kz"
    invitation, token = akimats.appoint_first_admin(district, email, "Әлия Сейітова", None)
    db.session.commit()
    stored = db.session.get(Invitation, invitation.id)
    assert stored.email == email.lower() and stored.roles == [{"role": "admin", "department_id": None}]
    assert stored.sent_at is not None and token
    assert _events(district, "staff_invited")
    with pytest.raises(AkimatError) as refused:
        akimats.appoint_first_admin(district, "not-an-address", "X", None)
    assert refused.value.field == "email"
