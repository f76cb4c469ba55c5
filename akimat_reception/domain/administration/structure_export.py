"""An akimat's structure as the tables of structure_file.py, in the import's own format: a file
exported and imported again changes nothing."""

from datetime import UTC, datetime

from sqlalchemy import select

from ...extensions import db
from ...models import Akimat, Invitation, Membership, PhoneLine, Role, User
from ..identity import format_phone_national


def _time(value) -> str:
    return value.strftime("%H:%M") if value else ""


def export_structure(akimat: Akimat, now: datetime | None = None) -> dict[str, list[dict[str, str]]]:
    """The four tables: every department and category (retired ones marked), the staff (members
    with their roles, then the people invited who have not accepted yet), the lines in service."""
    now = now or datetime.now(UTC)
    code = {d.id: d.code or "" for d in akimat.departments}
    tables: dict[str, list[dict[str, str]]] = {
        "departments": [
            {
                "code": d.code or "",
                "name_kk": d.name_kk,
                "name_ru": d.name_ru,
                "name_en": d.name_en,
                "retired": "yes" if d.retired_at else "",
            }
            for d in akimat.departments
        ],
        "categories": [
            {
                "code": c.code,
                "name_kk": c.name_kk,
                "name_ru": c.name_ru,
                "name_en": c.name_en,
                "default_department": code.get(c.default_department_id or 0, ""),
                "retired": "yes" if c.retired_at else "",
            }
            for c in akimat.categories
        ],
        "staff": [],
        "phone_lines": [
            {
                "department": code.get(line.department_id, ""),
                "number": format_phone_national(line.e164),
                "purpose_kk": line.purpose_kk,
                "purpose_ru": line.purpose_ru,
                "purpose_en": line.purpose_en,
                "languages": " ".join(line.language_codes),
                "days": line.days.value,
                "opens_at": _time(line.opens_at),
                "closes_at": _time(line.closes_at),
            }
            for line in db.session.scalars(
                select(PhoneLine)
                .where(PhoneLine.akimat_id == akimat.id, PhoneLine.retired_at.is_(None))
                .order_by(PhoneLine.id)
            )
        ],
    }
    people: dict[int, tuple[User, list[Membership]]] = {}
    for membership in db.session.scalars(
        select(Membership).where(Membership.akimat_id == akimat.id).order_by(Membership.id)
    ):
        people.setdefault(membership.user_id, (membership.user, []))[1].append(membership)
    for user, memberships in people.values():
        roles = {m.role for m in memberships}
        tables["staff"].append(
            _person(user.email, user.full_name, roles, [code.get(m.department_id or 0, "") for m in memberships])
        )
    members = {user.email for user, _ in people.values()}
    for invitation in db.session.scalars(
        select(Invitation)
        .where(
            Invitation.akimat_id == akimat.id,
            Invitation.open_at(now),
        )
        .order_by(Invitation.id)
    ):
        if invitation.email in members:
            continue
        members.add(invitation.email)
        roles = {Role(g["role"]) for g in invitation.roles}
        departments = [code.get(g.get("department_id") or 0, "") for g in invitation.roles]
        tables["staff"].append(_person(invitation.email, invitation.full_name, roles, departments))
    return tables


def _person(email: str, full_name: str, roles: set[Role], departments: list[str]) -> dict[str, str]:
    return {
        "email": email,
        "full_name": full_name,
        "roles": "; ".join(r.value for r in Role if r in roles),
        "department": "; ".join(d for d in departments if d),
    }
