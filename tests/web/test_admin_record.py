"""Every administrative change is in the record, with who made it and what it was before and
after: here the changes made on the older admin pages — the phone directory's lines and the
working calendar's days — as the administrator makes them on the web."""

from datetime import date

from sqlalchemy import select

from akimat_reception.extensions import db
from akimat_reception.models import AdminEvent, CalendarOverride, PhoneLine
from tests import factories
from tests.conftest import login, post_form


def _events(target_type, target_id):
    return db.session.scalars(
        select(AdminEvent)
        .where(AdminEvent.target_type == target_type, AdminEvent.target_id == target_id)
        .order_by(AdminEvent.id)
    ).all()


def test_a_phone_line_added_corrected_and_retired_is_recorded_with_before_and_after(app):
    admin = app.test_client()
    login(admin, "admin")
    with app.app_context():
        department_id = factories.department().id
    number = factories.phone_number()
    form = {
        "department": department_id,
        "number": number,
        "purpose_kk": "Жылу",
        "purpose_ru": "Отопление",
        "purpose_en": "Heating",
        "languages": ["kk", "ru"],
        "days": "working",
        "opens_at": "09:00",
        "closes_at": "18:00",
    }
    assert post_form(admin, "/astana/admin/phones/new", form).status_code == 302
    with app.app_context():
        line_id = db.session.scalar(select(PhoneLine.id).where(PhoneLine.e164 == number))
    edited = post_form(admin, f"/astana/admin/phones/{line_id}/edit", {**form, "closes_at": "17:00"})
    assert edited.status_code == 302
    retired = post_form(admin, f"/astana/admin/phones/{line_id}/retire", {}, form_url="/astana/admin/phones/")
    assert retired.status_code == 302
    with app.app_context():
        created, changed, gone = _events("phone_line", line_id)
        assert [e.kind for e in (created, changed, gone)] == [
            "phone_line_created",
            "phone_line_updated",
            "phone_line_retired",
        ]
        assert {e.actor.email for e in (created, changed, gone)} == {"admin@astana.demo.kz"}
        assert created.after["e164"] == number and created.after["department_id"] == department_id
        assert changed.before == {"closes_at": "18:00:00"} and changed.after == {"closes_at": "17:00:00"}


def test_a_calendar_day_declared_and_removed_is_recorded(app):
    admin = app.test_client()
    login(admin, "admin", "almaty")
    day = date(2032, 5, 3)  # a day no other test declares
    declared = post_form(admin, "/almaty/admin/calendar", {"day": day.isoformat(), "kind": "day_off", "note": "Шешім"})
    assert declared.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(CalendarOverride).where(CalendarOverride.day == day))
        row_id = row.id
    removed = post_form(admin, f"/almaty/admin/calendar/{row_id}/delete", {}, form_url="/almaty/admin/calendar")
    assert removed.status_code == 302
    with app.app_context():
        added, gone = _events("calendar_day", row_id)
        assert (added.kind, added.after) == (
            "calendar_day_declared",
            {"day": day.isoformat(), "working": False, "note": "Шешім"},
        )
        assert gone.kind == "calendar_day_removed" and gone.before["day"] == day.isoformat()
        assert added.actor.email == gone.actor.email == "admin@almaty.demo.kz"
