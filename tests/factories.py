"""Letters made through the lifecycle, as the site would make them."""
import uuid
from datetime import datetime, timezone

from sqlalchemy import select

from akimat_reception.domain import lifecycle
from akimat_reception.extensions import db
from akimat_reception.models import Akimat, Category, LetterKind, Role, User

VALID_IIN = "900101300017"  # checksum-valid, made up


def akimat(slug="astana") -> Akimat:
    return db.session.scalar(select(Akimat).where(Akimat.slug == slug))


def staff(role: Role | str, slug="astana") -> User:
    role = Role(role)
    return db.session.scalar(select(User).where(User.email == f"{role.value}@{slug}.demo.kz"))


def letter(slug="astana", *, category="utilities", kind=LetterKind.APPLICATION, language="ru",
           subject=None, received_at: datetime | None = None, **fields):
    tenant = akimat(slug)
    cat = db.session.scalar(select(Category).where(Category.akimat_id == tenant.id, Category.code == category))
    data = dict(kind=kind, category=cat, language=language,
                subject=subject or f"Test letter {uuid.uuid4().hex[:6]}",
                body="Радиаторы холодные третью неделю, просим принять меры.",
                surname="Ахметов", given_name="Ерлан", address="Астана, ул. Тестовая, 1",
                email="resident@example.kz", submission_token=uuid.uuid4().hex)
    data.update(fields)
    return lifecycle.submit(tenant, lifecycle.Submission(**data), now=received_at or datetime.now(timezone.utc))


def routed_letter(slug="astana", **kwargs):
    """A letter with the demo executor's department (the akimat's first)."""
    created, code = letter(slug, **kwargs)
    lifecycle.assign(created, akimat(slug).departments[0], staff(Role.REGISTRAR, slug))
    return created, code
