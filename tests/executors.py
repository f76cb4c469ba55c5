"""Named executors and akimats of the hierarchy, made for one test: unique emails, slugs and
prefixes, so that tests sharing the session's database never see each other's rows."""

import uuid
from datetime import date

from akimat_reception.demo import DEMO_PASSWORD
from akimat_reception.extensions import db
from akimat_reception.models import Akimat, AkimatKind, AkimatPlacement, Category, Department, Membership, Role, User
from tests import factories


def person(name="Тестовый Исполнитель", *, akimat=None, role=Role.EXECUTOR, department=None, password=DEMO_PASSWORD):
    """An active staff member with one role (an executor's in `department`)."""
    user = User(email=f"{uuid.uuid4().hex[:10]}@staff.test.kz", full_name=f"{name} {uuid.uuid4().hex[:4]}")
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    tenant = akimat or (department.akimat if department is not None else factories.akimat())
    db.session.add(
        Membership(
            user_id=user.id,
            akimat_id=tenant.id,
            role=Role(role),
            department_id=department.id if department is not None and Role(role) is Role.EXECUTOR else None,
        )
    )
    db.session.commit()
    db.session.refresh(user)
    return user


def department_with_head(slug="astana"):
    """A department of its own, with a head who is one of its executors, and a second executor."""
    dept = factories.department(slug, name="Executors")
    head = person("Начальник Отдела", department=dept)
    dept.head_id = head.id
    db.session.commit()
    return dept, head, person("Исполнитель Второй", department=dept)


def letter_in(dept, **kwargs):
    letter, _ = factories.letter(dept.akimat.slug, **kwargs)
    from akimat_reception.domain import lifecycle

    lifecycle.assign(letter, dept, factories.staff(Role.REGISTRAR, dept.akimat.slug))
    return letter


def tenant(name, *, parent=None, kind=AkimatKind.DISTRICT, aliases="", closed_at=None):
    """An akimat with one department and one topic, under `parent`."""
    tag = uuid.uuid4().hex[:6]
    akimat = Akimat(
        slug=f"t-{tag}",
        number_prefix=factories.number_prefix(),
        name_kk=f"{name} {tag} (kk)",
        name_ru=f"{name} {tag}",
        name_en=f"{name} {tag} (en)",
        kind=kind,
        parent_id=parent.id if parent is not None else None,
        aliases=aliases,
        closed_at=closed_at,
    )
    db.session.add(akimat)
    db.session.flush()
    # Long in its place in the hierarchy: the figures of a higher akimat count the days an akimat
    # stood under it (AkimatPlacement), and these tests write letters of past weeks.
    db.session.add(AkimatPlacement(akimat_id=akimat.id, parent_id=akimat.parent_id, valid_from=date(2000, 1, 1)))
    db.session.add(
        Department(akimat_id=akimat.id, name_kk=f"Бөлім {tag}", name_ru=f"Отдел {tag}", name_en=f"Dept {tag}")
    )
    db.session.add(
        Category(
            akimat_id=akimat.id, code="utilities", name_kk="Коммуналдық", name_ru="Коммунальные", name_en="Utilities"
        )
    )
    db.session.commit()
    return akimat


def sign_in(client, user):
    """Signs `user` (a User, or an email) in through the login form (staff without the second factor)."""
    from tests.conftest import post_form

    email = user if isinstance(user, str) else user.email
    response = post_form(client, "/login", {"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client
