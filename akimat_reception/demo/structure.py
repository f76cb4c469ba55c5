"""The demo akimats as the platform would put them into service: the akimat row and its place in
the hierarchy, then its structure (departments, categories, staff, phone lines) as the tables of a
structure file, through the same import an administrator uses (domain/administration/
structure_import.py); the staff then accept their invitations with the demo's password, the path
a real person takes."""

from ..domain.administration import akimats, invitations, structure_import
from ..domain.administration.structure_file import Row, Tables
from ..extensions import db
from ..models import Akimat, AkimatKind, Role, User
from .content import AGRICULTURE, CATEGORIES
from .phones import PHONES
from .staff import DEMO_PASSWORD, DEMO_TOTP_SECRET, EXECUTOR_NAMES, STAFF_NAMES

CATEGORY_NAMES = {code: names for code, names, _ in CATEGORIES} | {"agriculture": AGRICULTURE}


def create_demo_akimat(spec: dict, parent: Akimat | None = None) -> Akimat:
    """The akimat and its place in the hierarchy, created by the platform's own verb (recorded as
    the operator's, as `flask akimat create` is)."""
    kk, ru, en = spec["names"]
    return akimats.create_akimat(
        akimats.AkimatData(
            slug=spec["slug"],
            number_prefix=spec["prefix"],
            name_kk=kk,
            name_ru=ru,
            name_en=en,
            kind=AkimatKind(spec.get("kind", "republican_city")),
            aliases="\n".join(spec.get("aliases", [])),
            parent=parent,
        ),
        by=None,
    )


def _rows(records: list[dict[str, str]]) -> list[Row]:
    return [Row(line, values) for line, values in enumerate(records, start=2)]


def city_tables(spec: dict) -> Tables:
    """Astana's or Almaty's structure file: its seven departments, the eight categories, one
    person per role (executor@ in the first department), an executor per other department
    (executor2@ ...), and the phone directory."""
    slug, codes = spec["slug"], spec["department_codes"]
    departments = [
        {"code": code, "name_kk": k, "name_ru": r, "name_en": e, "retired": ""}
        for code, (k, r, e) in zip(codes, spec["departments"], strict=True)
    ]
    categories = [
        {"code": code, "name_kk": k, "name_ru": r, "name_en": e, "retired": ""}
        | {"default_department": codes[dep] if dep is not None else ""}
        for code, (k, r, e), dep in CATEGORIES
    ]
    staff = [
        {
            "email": f"{role.value}@{slug}.demo.kz",
            "full_name": STAFF_NAMES[slug][role],
            "roles": role.value,
            "department": codes[0] if role is Role.EXECUTOR else "",
        }
        for role in Role
    ] + [
        {
            "email": f"executor{n}@{slug}.demo.kz",
            "full_name": EXECUTOR_NAMES[(n - 2) % 6],
            "roles": "executor",
            "department": codes[n - 1],
        }
        for n in range(2, len(codes) + 1)
    ]
    lines = [
        {
            "department": codes[index],
            "number": number,
            "purpose_kk": kk,
            "purpose_ru": ru,
            "purpose_en": en,
            "languages": languages,
            "days": days,
            "opens_at": opens.strftime("%H:%M") if opens else "",
            "closes_at": closes.strftime("%H:%M") if closes else "",
        }
        for index, number, (kk, ru, en), languages, days, opens, closes, _story in PHONES.get(slug, [])
    ]
    rows = {"departments": departments, "categories": categories, "staff": staff, "phone_lines": lines}
    return Tables(rows={sheet: _rows(records) for sheet, records in rows.items()})


def regional_tables(spec: dict) -> Tables:
    """A small structure: a few departments and categories, an administrator and a registrar."""
    slug = spec["slug"]
    departments = [
        {"code": code, "name_kk": k, "name_ru": r, "name_en": e, "retired": ""} for code, k, r, e in spec["departments"]
    ]
    categories = [
        dict(zip(("name_kk", "name_ru", "name_en"), CATEGORY_NAMES[code], strict=True))
        | {"code": code, "default_department": department or "", "retired": ""}
        for code, department in spec["categories"]
    ]
    staff = [
        {"email": f"{role}@{slug}.demo.kz", "full_name": name, "roles": role, "department": ""}
        for role, name in spec["staff"]
    ]
    return Tables(rows={"departments": _rows(departments), "categories": _rows(categories), "staff": _rows(staff)})


def import_demo_structure(akimat: Akimat, tables: Tables) -> dict[str, User]:
    """Imports the tables, then every invited person accepts with the demo's password (the
    administrators get the demo's published second factor). Returns the people by email."""
    plan = structure_import.check_structure(akimat, tables)
    structure_import.apply_structure(akimat, plan, actor=None)
    people = {}
    for invitation in structure_import.unsent_invitations(akimat):
        # The demo hands each person their link directly instead of emailing it.
        token = invitations.secrets.token_urlsafe(16)
        invitation.token_hash = invitations.token_hash(token)
        opened = invitations.find_open(token)
        assert opened is not None
        user = invitations.accept(opened, DEMO_PASSWORD)
        if Role.ADMIN in user.roles_in(akimat):
            user.totp_secret = DEMO_TOTP_SECRET
        people[user.email] = user
    db.session.commit()
    return people
