"""The demo's people: their names and the published password and second factor. The small demo
brings them in through the structure import (structure.py); the bulk demo, which writes thousands
of akimats, still creates them directly with the functions below."""

from ..extensions import db
from ..models import Akimat, Category, Department, Membership, Role, User
from .content import CATEGORIES

DEMO_PASSWORD = "Reception-demo-2026"
# Administrators must use a second factor. The demo's admins share this published key, so that
# anyone trying the demo can produce codes; real accounts enrol their own at /account/two-factor.
DEMO_TOTP_SECRET = "DEMOAKIMATRECEPTIONADMINTWOSIXAA"


def _create_akimat(spec) -> Akimat:
    kk, ru, en = spec["names"]
    akimat = Akimat(
        slug=spec["slug"],
        number_prefix=spec["prefix"],
        name_kk=kk,
        name_ru=ru,
        name_en=en,
        default_language="ru",
        timezone="Asia/Almaty",
    )
    db.session.add(akimat)
    codes = spec.get("department_codes") or [None] * len(spec["departments"])
    departments = [
        Department(akimat=akimat, code=code, name_kk=k, name_ru=r, name_en=e)
        for code, (k, r, e) in zip(codes, spec["departments"], strict=True)
    ]
    db.session.add_all(departments)
    for code, (k, r, e), dep in CATEGORIES:
        db.session.add(
            Category(
                akimat=akimat,
                code=code,
                name_kk=k,
                name_ru=r,
                name_en=e,
                default_department=departments[dep] if dep is not None else None,
            )
        )
    return akimat


STAFF_NAMES = {
    "astana": {
        Role.REGISTRAR: "Айгерім Сапарова",
        Role.EXECUTOR: "Бекзат Тұрсынов",
        Role.CONTROLLER: "Марина Ли",
        Role.AKIM: "Қайрат Әбенов",
        Role.ADMIN: "Тимур Жақсылықов",
    },
    "almaty": {
        Role.REGISTRAR: "Дана Нұрпейісова",
        Role.EXECUTOR: "Руслан Оспанов",
        Role.CONTROLLER: "Ирина Пак",
        Role.AKIM: "Ерболат Мұқанов",
        Role.ADMIN: "Арман Садықов",
    },
}


def create_staff(akimat: Akimat, password: str = DEMO_PASSWORD) -> dict[Role, User]:
    staff = {}
    first_department = akimat.departments[0]
    for role in Role:
        user = User(email=f"{role.value}@{akimat.slug}.demo.kz", full_name=STAFF_NAMES[akimat.slug][role])
        user.set_password(password)
        if role is Role.ADMIN:
            user.totp_secret = DEMO_TOTP_SECRET
        db.session.add(user)
        db.session.add(
            Membership(
                user=user, akimat=akimat, role=role, department=first_department if role is Role.EXECUTOR else None
            )
        )
        staff[role] = user
    return staff


EXECUTOR_NAMES = ["Дина Әлиева", "Сергей Пак", "Мадина Ержанова", "Алмас Қуанышев", "Жанар Омарова", "Виктор Цой"]


def create_department_executors(akimat: Akimat, password: str = DEMO_PASSWORD) -> dict[int, User]:
    """Every department has its executor, as in a real akimat: executor@ for the first,
    executor2@ ... executor7@ for the others."""
    db.session.flush()  # the departments' ids
    executors = {}
    for index, department in enumerate(akimat.departments[1:], start=2):
        user = User(email=f"executor{index}@{akimat.slug}.demo.kz", full_name=EXECUTOR_NAMES[(index - 2) % 6])
        user.set_password(password)
        db.session.add(user)
        db.session.add(Membership(user=user, akimat=akimat, role=Role.EXECUTOR, department=department))
        executors[department.id] = user
    return executors


PLATFORM_ADMIN_EMAIL = "platform@demo.kz"


def create_platform_admin(password: str = DEMO_PASSWORD) -> User:
    """The demo's platform administrator: no role in any akimat, the demo's published second factor."""
    user = User(email=PLATFORM_ADMIN_EMAIL, full_name="Платформа Әкімшісі", is_platform_admin=True)
    user.set_password(password)
    user.totp_secret = DEMO_TOTP_SECRET
    db.session.add(user)
    return user
