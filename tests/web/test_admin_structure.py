"""The administrator's departments and categories pages: add, edit, retire — and what residents
and staff then see. Refusals: other roles 403, another akimat's administrator 404."""

import uuid

from sqlalchemy import select

from akimat_reception.extensions import db
from akimat_reception.models import AdminEvent, Category, Department
from tests import factories
from tests.conftest import login, post_form


def _signed_in(app, role="admin", akimat="astana"):
    """A client signed in as the role, reading the pages in English."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    login(client, role, akimat)
    return client


def _code() -> str:
    return f"t{uuid.uuid4().hex[:8]}"


def _department_form(code, name="Управление тестов"):
    # A new department's form has no head field (it has no executors yet); an edit's has.
    return {"code": code, "name_kk": f"{name} kk", "name_ru": name, "name_en": f"{name} en"}


def _by_code(app, model, code):
    with app.app_context():
        row = db.session.scalar(select(model).where(model.code == code))
        return row.id if row else None


def test_admin_adds_edits_and_retires_a_department(app):
    client = _signed_in(app, "admin")
    code = _code()
    added = post_form(client, "/astana/admin/departments/new", _department_form(code, f"Отдел {code}"))
    assert added.status_code == 302
    listing = client.get("/astana/admin/departments").get_data(as_text=True)
    assert f"Отдел {code}" in listing and "The department was saved." in listing
    department_id = _by_code(app, Department, code)

    url = f"/astana/admin/departments/{department_id}"
    edited = post_form(client, url, {**_department_form(code, f"Управление {code}"), "head": "0"})
    assert edited.status_code == 302
    assert f"Управление {code}" in client.get("/astana/admin/departments").get_data(as_text=True)

    retired = post_form(client, f"{url}/retire", {}, form_url="/astana/admin/departments")
    assert retired.status_code == 302
    assert "was retired" in client.get("/astana/admin/departments").get_data(as_text=True)
    assert client.get(url).status_code == 404  # a retired department is not edited
    with app.app_context():
        kinds = db.session.scalars(
            select(AdminEvent.kind)
            .where(AdminEvent.target_type == "department", AdminEvent.target_id == department_id)
            .order_by(AdminEvent.id)
        ).all()
        changed = db.session.scalar(
            select(AdminEvent).where(AdminEvent.kind == "department_changed", AdminEvent.target_id == department_id)
        )
        assert kinds == ["department_created", "department_changed", "department_retired"]
        assert changed.before["name_ru"] == f"Отдел {code}" and changed.after["name_ru"] == f"Управление {code}"
        assert "code" not in changed.after  # only what changed is recorded


def test_a_retired_department_is_not_offered_for_routing_or_new_executors(app):
    with app.app_context():
        department = factories.department()
        name, department_id = department.name_en, department.id
        letter, _ = factories.letter()
        number = letter.number
    admin = _signed_in(app, "admin")
    assert name in admin.get("/astana/admin/staff/invite").get_data(as_text=True)
    post_form(admin, f"/astana/admin/departments/{department_id}/retire", {}, form_url="/astana/admin/departments")
    assert name not in admin.get("/astana/admin/staff/invite").get_data(as_text=True)
    registrar = _signed_in(app, "registrar")
    page = registrar.get(f"/astana/office/letters/{number}").get_data(as_text=True)
    assert 'name="department"' in page and name not in page


def test_a_department_that_a_category_suggests_is_not_retired(app):
    with app.app_context():
        astana = factories.akimat("astana")
        category = db.session.scalar(
            select(Category).where(Category.akimat_id == astana.id, Category.default_department_id.is_not(None))
        )
        department_id = category.default_department_id
    client = _signed_in(app, "admin")
    post_form(client, f"/astana/admin/departments/{department_id}/retire", {}, form_url="/astana/admin/departments")
    page = client.get("/astana/admin/departments").get_data(as_text=True)
    assert "Give them another default department first." in page
    with app.app_context():
        assert db.session.get(Department, department_id).retired_at is None


def test_a_failed_department_form_keeps_what_was_typed_and_says_what_is_wrong(app):
    client = _signed_in(app, "admin")
    with app.app_context():
        taken = factories.akimat("astana").departments[0]
        taken.code = taken.code or _code()
        db.session.commit()
        taken_code = taken.code
    empty = post_form(client, "/astana/admin/departments/new", {"code": "bad code!", "name_ru": "Мой отдел"})
    html = empty.get_data(as_text=True)
    assert empty.status_code == 422 and "There is a problem" in html and 'value="Мой отдел"' in html
    assert "Use Latin letters" in html and "This field is required." in html
    duplicate = post_form(client, "/astana/admin/departments/new", _department_form(taken_code))
    assert duplicate.status_code == 422
    assert "already has this code" in duplicate.get_data(as_text=True)


def test_the_head_is_one_of_the_departments_executors(app):
    from akimat_reception.demo import DEMO_PASSWORD
    from akimat_reception.domain.staff import add_staff
    from akimat_reception.models import Role

    with app.app_context():
        department = factories.department()
        department.code = _code()
        email = f"head-{uuid.uuid4().hex[:8]}@example.kz"
        executor = add_staff(factories.akimat("astana"), email, "Head", Role.EXECUTOR, DEMO_PASSWORD, department.id)
        department_id, code, executor_id = department.id, department.code, executor.id
        names = (department.name_kk, department.name_ru, department.name_en)
        registrar_id = factories.staff("registrar").id
    client = _signed_in(app)
    url = f"/astana/admin/departments/{department_id}"
    assert email in client.get(url).get_data(as_text=True)
    form = {"code": code, "name_kk": names[0], "name_ru": names[1], "name_en": names[2]}
    assert post_form(client, url, {**form, "head": str(registrar_id)}).status_code == 422
    assert post_form(client, url, {**form, "head": str(executor_id)}).status_code == 302
    with app.app_context():
        assert db.session.get(Department, department_id).head_id == executor_id


def test_a_retired_category_leaves_the_letter_form_and_its_letters_keep_it(app):
    client = _signed_in(app, "admin")
    code = _code()
    with app.app_context():
        default = factories.akimat("astana").departments[0].id
    added = post_form(
        client,
        "/astana/admin/categories/new",
        {
            "code": code,
            "name_kk": f"Санат {code}",
            "name_ru": f"Тема {code}",
            "name_en": f"Topic {code}",
            "default_department": str(default),
        },
    )
    assert added.status_code == 302
    category_id = _by_code(app, Category, code)
    resident = app.test_client()
    resident.get("/language/ru?next=/")
    # The areas are offered on the letter's second step (the first asks its kind).
    kind = {"kind": "application", "writer": "named"}
    assert post_form(resident, "/astana/letters/new/kind", kind, "/astana/letters/new").status_code == 302
    assert f"Тема {code}" in resident.get("/astana/letters/new/letter").get_data(as_text=True)
    with app.app_context():
        letter, _ = factories.letter(category=code)
        letter_id = letter.id
    retire_url = f"/astana/admin/categories/{category_id}/retire"
    assert post_form(client, retire_url, {}, "/astana/admin/categories").status_code == 302
    assert f"Тема {code}" not in resident.get("/astana/letters/new/letter").get_data(as_text=True)
    with app.app_context():
        from akimat_reception.models import Letter

        assert db.session.get(Letter, letter_id).category_id == category_id
        assert db.session.get(Category, category_id).retired_at is not None


def test_a_category_needs_a_department_in_service(app):
    with app.app_context():
        retired = factories.department()
        from akimat_reception.domain.administration.structure import retire_department

        retire_department(retired, None)
        db.session.commit()
        retired_id = retired.id
    client = _signed_in(app, "admin")
    form = {"code": _code(), "name_kk": "a", "name_ru": "б", "name_en": "c", "default_department": str(retired_id)}
    assert post_form(client, "/astana/admin/categories/new", form).status_code == 422


def test_other_roles_are_refused_and_another_akimat_gets_404(app):
    with app.app_context():
        department_id = factories.akimat("astana").departments[0].id
        almaty_department = factories.akimat("almaty").departments[0].id
    for role in ("registrar", "executor", "controller", "akim"):
        client = _signed_in(app, role)
        assert client.get("/astana/admin/departments").status_code == 403
        assert client.get("/astana/admin/categories/new").status_code == 403
    stranger = _signed_in(app, "admin", "almaty")
    assert stranger.get("/astana/admin/departments").status_code == 404
    assert stranger.get(f"/astana/admin/departments/{department_id}").status_code == 404
    own = _signed_in(app, "admin")
    assert own.get(f"/astana/admin/departments/{almaty_department}").status_code == 404
    retire = post_form(own, f"/astana/admin/departments/{almaty_department}/retire", {}, "/astana/admin/departments")
    assert retire.status_code == 404
