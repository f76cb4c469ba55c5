"""The akimats of the bulk demo: Astana and Almaty as in the small demo, then the cities of
Kazakhstan and numbered districts, each with departments, categories and one user per role."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import select

from ...extensions import db
from ...models import Akimat, AnswerTemplate, Membership, Role, User
from ..content import AKIMATS, TEMPLATES
from ..phones import PHONES, demo_phones
from ..staff import DEMO_PASSWORD, DEMO_TOTP_SECRET, STAFF_NAMES, _create_akimat, create_staff

# The cities of Kazakhstan after Astana and Almaty; further akimats are numbered districts.
CITIES = [
    ("shymkent", "SHY", "Шымкент", "Шымкент", "Shymkent"),
    ("karaganda", "KRG", "Қарағанды", "Караганда", "Karaganda"),
    ("aktobe", "AKT", "Ақтөбе", "Актобе", "Aktobe"),
    ("taraz", "TRZ", "Тараз", "Тараз", "Taraz"),
    ("pavlodar", "PVL", "Павлодар", "Павлодар", "Pavlodar"),
    ("oskemen", "OSK", "Өскемен", "Усть-Каменогорск", "Oskemen"),
    ("semey", "SEM", "Семей", "Семей", "Semey"),
    ("kostanay", "KST", "Қостанай", "Костанай", "Kostanay"),
    ("kyzylorda", "KZO", "Қызылорда", "Кызылорда", "Kyzylorda"),
    ("atyrau", "ATR", "Атырау", "Атырау", "Atyrau"),
    ("oral", "URA", "Орал", "Уральск", "Oral"),
    ("petropavl", "PTR", "Петропавл", "Петропавловск", "Petropavl"),
    ("aktau", "AKU", "Ақтау", "Актау", "Aktau"),
    ("turkistan", "TRK", "Түркістан", "Туркестан", "Turkistan"),
    ("kokshetau", "KOK", "Көкшетау", "Кокшетау", "Kokshetau"),
    ("taldykorgan", "TDK", "Талдықорған", "Талдыкорган", "Taldykorgan"),
    ("konaev", "KNV", "Қонаев", "Конаев", "Konaev"),
    ("zhezkazgan", "ZHZ", "Жезқазған", "Жезказган", "Zhezkazgan"),
]

STAFF_POOL = [
    "Әсел Бекова",
    "Нұржан Әлиев",
    "Ольга Ким",
    "Серік Омаров",
    "Гаухар Исаева",
    "Данияр Сұлтанов",
    "Светлана Попова",
    "Ержан Қасымов",
    "Мадина Ахметова",
    "Алексей Тен",
    "Жанар Сейітова",
    "Бауыржан Нұрланов",
]


def generated_spec(index: int) -> dict:
    """The akimat number `index` (0 and 1 are the demo's Astana and Almaty)."""
    if index < 2:
        return AKIMATS[index]
    if index - 2 < len(CITIES):
        slug, prefix, kk, ru, en = CITIES[index - 2]
        names = (f"{kk} қаласының әкімдігі", f"Акимат города {ru}", f"Akimat of {en}")
    else:
        n = index - 2 - len(CITIES) + 1
        code = "".join(chr(ord("A") + (n - 1) // 26**k % 26) for k in (2, 1, 0))  # 1 -> AAA, 2 -> AAB ...
        slug, prefix = f"district-{n}", f"D{code}"  # letters only, like the cities' prefixes
        names = (f"{n}-аудан әкімдігі", f"Акимат района № {n}", f"Akimat of District {n}")
    return {
        "slug": slug,
        "prefix": prefix,
        "names": names,
        "departments": AKIMATS[0]["departments"],
        "department_codes": AKIMATS[0]["department_codes"],
    }


def create_akimat(index: int, now: datetime, password_hash: str | None = None) -> Akimat:
    """An akimat with its departments, categories, one user per role and an executor per department
    (emails role@slug.demo.kz, executor2@… for the second department, …), like the demo's."""
    spec = generated_spec(index)
    akimat = _create_akimat(spec)
    if spec["slug"] in STAFF_NAMES:
        staff = create_staff(akimat)
        password_hash = staff[Role.REGISTRAR].password_hash
    else:
        password_hash = password_hash or _demo_password_hash()
        for n, role in enumerate(Role):
            user = User(
                email=f"{role.value}@{spec['slug']}.demo.kz",
                full_name=STAFF_POOL[(index + n) % len(STAFF_POOL)],
                password_hash=password_hash,
                totp_secret=DEMO_TOTP_SECRET if role is Role.ADMIN else None,
            )
            db.session.add(user)
            db.session.add(
                Membership(
                    user=user,
                    akimat=akimat,
                    role=role,
                    department=akimat.departments[0] if role is Role.EXECUTOR else None,
                )
            )
    for n, department in enumerate(akimat.departments[1:], start=2):
        user = User(
            email=f"executor{n}@{spec['slug']}.demo.kz",
            full_name=STAFF_POOL[(index + 5 + n) % len(STAFF_POOL)],
            password_hash=password_hash,
        )
        db.session.add(user)
        db.session.add(Membership(user=user, akimat=akimat, role=Role.EXECUTOR, department=department))
    db.session.add_all(
        AnswerTemplate(akimat=akimat, department=akimat.departments[0], language=language, title=title, body=body)
        for language, title, body in TEMPLATES
    )
    db.session.commit()
    if spec["slug"] in PHONES:
        demo_phones(akimat, {Role.REGISTRAR: _member(akimat, Role.REGISTRAR)}, now)
    return akimat


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    user = User(email="", full_name="")
    user.set_password(DEMO_PASSWORD)
    return user.password_hash


def _member(akimat: Akimat, role: Role, department_id: int | None = None) -> User:
    stmt = select(User).join(Membership).where(Membership.akimat_id == akimat.id, Membership.role == role)
    if department_id is not None:
        stmt = stmt.where(Membership.department_id == department_id)
    return db.session.scalars(stmt.order_by(User.id).limit(1)).one()
