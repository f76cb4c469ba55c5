"""An akimat's structure: its departments (басқарма / управление) and the categories of letters
with their default department. Nothing here is ever deleted: a department or category that is no
longer used is retired — letters, phone lines, staff and the record keep pointing at it, and it
is simply no longer offered for routing, for new executors, or on the letter form. (Deleting a
brand-new empty department would save one row and cost a second rule; retiring covers both.)

Every change is recorded with what it was before and after, in the caller's transaction."""

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Akimat, Category, Department, Membership, Role, User
from .record import record_change, snapshot

DEPARTMENT_FIELDS = ("code", "name_kk", "name_ru", "name_en", "head_id", "retired_at")
CATEGORY_FIELDS = ("code", "name_kk", "name_ru", "name_en", "default_department_id", "retired_at")


class StructureError(Exception):
    """A change of the structure the rules refuse; `field` names the form field, `message` says why."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class DepartmentData:
    """What an administrator gives for a department; `head_id` is one of its executors, or None."""

    code: str
    name_kk: str
    name_ru: str
    name_en: str
    head_id: int | None = None


@dataclass(frozen=True)
class CategoryData:
    """What an administrator gives for a category; `default_department_id` the routing suggestion."""

    code: str
    name_kk: str
    name_ru: str
    name_en: str
    default_department_id: int | None = None


def departments_in_service(akimat_id: int) -> list[Department]:
    """The departments letters may be routed to and executors may join: not retired."""
    return list(
        db.session.scalars(
            select(Department)
            .where(Department.akimat_id == akimat_id, Department.retired_at.is_(None))
            .order_by(Department.id)
        )
    )


def categories_in_service(akimat_id: int) -> list[Category]:
    """The categories the letter form offers: not retired."""
    return list(
        db.session.scalars(
            select(Category).where(Category.akimat_id == akimat_id, Category.retired_at.is_(None)).order_by(Category.id)
        )
    )


def executors_of(department: Department) -> list[User]:
    """The active executors of `department`: the people who may be its head."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.department_id == department.id,
                Membership.role == Role.EXECUTOR,
                User.active.is_(True),
            )
            .order_by(User.full_name, User.id)
        ).unique()
    )


def _check_code(model, akimat: Akimat, code: str, own_id: int | None) -> str:
    code = code.strip()
    if not code:
        raise StructureError("code", _l("Enter a code."))
    taken = db.session.scalar(
        select(model.id).where(model.akimat_id == akimat.id, model.code == code, model.id != (own_id or 0))
    )
    if taken is not None:
        raise StructureError("code", _l("Another entry of this akimat already has this code."))
    return code


def _check_names(data) -> None:
    for language in ("kk", "ru", "en"):
        if not getattr(data, f"name_{language}").strip():
            raise StructureError(f"name_{language}", _l("Enter the name in every language."))


def _apply_department(department: Department, akimat: Akimat, data: DepartmentData) -> None:
    if data.head_id is not None and data.head_id not in {u.id for u in executors_of(department)}:
        raise StructureError("head", _l("The head must be an executor of this department."))
    department.code = _check_code(Department, akimat, data.code, department.id)
    department.name_kk, department.name_ru = data.name_kk.strip(), data.name_ru.strip()
    department.name_en, department.head_id = data.name_en.strip(), data.head_id


def add_department(akimat: Akimat, data: DepartmentData, by: User | None) -> Department:
    """A new department of `akimat`; it has no executors yet, hence no head. The caller commits.

    by: the administrator (None: an import from the command line)."""
    _check_names(data)
    if data.head_id is not None:
        raise StructureError("head", _l("A new department has no executors yet; choose its head later."))
    department = Department(akimat_id=akimat.id)
    _apply_department(department, akimat, data)
    db.session.add(department)
    db.session.flush()
    record_change(
        "department_created", "department", department.id, by, akimat.id, after=snapshot(department, DEPARTMENT_FIELDS)
    )
    return department


def update_department(department: Department, data: DepartmentData, by: User | None) -> None:
    """New code, names or head of a department in service. The caller commits."""
    if department.retired_at is not None:
        raise StructureError("code", _l("A retired department cannot be changed."))
    _check_names(data)
    before = snapshot(department, DEPARTMENT_FIELDS)
    _apply_department(department, department.akimat, data)
    db.session.flush()
    record_change(
        "department_changed",
        "department",
        department.id,
        by,
        department.akimat_id,
        before,
        snapshot(department, DEPARTMENT_FIELDS),
    )


def retire_department(department: Department, by: User | None, now: datetime | None = None) -> None:
    """No new letters or executors go to the department; its letters, lines and staff stay. Refused
    while a category in service suggests it (change their default department first). The caller
    commits."""
    if department.retired_at is not None:
        raise StructureError("department", _l("The department is already retired."))
    suggested_by = [c for c in categories_in_service(department.akimat_id) if c.default_department_id == department.id]
    if suggested_by:
        raise StructureError(
            "department",
            _l(
                "Categories still send letters to this department: %(names)s. Give them another default "
                "department first.",
                names=", ".join(c.name for c in suggested_by),
            ),
        )
    before = snapshot(department, DEPARTMENT_FIELDS)
    department.retired_at = now or datetime.now(UTC)
    record_change(
        "department_retired",
        "department",
        department.id,
        by,
        department.akimat_id,
        before,
        snapshot(department, DEPARTMENT_FIELDS),
    )


def _apply_category(category: Category, akimat: Akimat, data: CategoryData) -> None:
    _check_names(data)
    if data.default_department_id is not None and data.default_department_id not in {
        d.id for d in departments_in_service(akimat.id)
    }:
        raise StructureError("default_department", _l("Choose a department of this akimat that is in service."))
    category.code = _check_code(Category, akimat, data.code, category.id)
    category.name_kk, category.name_ru = data.name_kk.strip(), data.name_ru.strip()
    category.name_en, category.default_department_id = data.name_en.strip(), data.default_department_id


def add_category(akimat: Akimat, data: CategoryData, by: User | None) -> Category:
    """A new category on the letter form of `akimat`. The caller commits."""
    category = Category(akimat_id=akimat.id)
    _apply_category(category, akimat, data)
    db.session.add(category)
    db.session.flush()
    record_change("category_created", "category", category.id, by, akimat.id, after=snapshot(category, CATEGORY_FIELDS))
    return category


def update_category(category: Category, data: CategoryData, by: User | None) -> None:
    """New code, names or default department of a category in service. The caller commits."""
    if category.retired_at is not None:
        raise StructureError("code", _l("A retired category cannot be changed."))
    before = snapshot(category, CATEGORY_FIELDS)
    _apply_category(category, category.akimat, data)
    db.session.flush()
    record_change(
        "category_changed",
        "category",
        category.id,
        by,
        category.akimat_id,
        before,
        snapshot(category, CATEGORY_FIELDS),
    )


def retire_category(category: Category, by: User | None, now: datetime | None = None) -> None:
    """Left off the letter form; the letters that have it keep it. The caller commits."""
    if category.retired_at is not None:
        raise StructureError("category", _l("The category is already retired."))
    before = snapshot(category, CATEGORY_FIELDS)
    category.retired_at = now or datetime.now(UTC)
    record_change(
        "category_retired", "category", category.id, by, category.akimat_id, before, snapshot(category, CATEGORY_FIELDS)
    )
