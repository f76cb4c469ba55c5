"""The administration's routes for the route × role walk (test_routes_by_role.py) and the
cache-control walk: fresh departments, categories, people and invitations in Astana for each
role's walk, so that every POST starts from its own state."""

import uuid
from dataclasses import dataclass

from akimat_reception.demo import DEMO_PASSWORD
from akimat_reception.domain.administration import invitations
from akimat_reception.domain.administration.invitations import Grant
from akimat_reception.domain.administration.structure import CategoryData, add_category
from akimat_reception.domain.staff import add_staff
from akimat_reception.extensions import db
from akimat_reception.models import Role
from tests import factories

ADMIN_ONLY_GET = (
    "admin_structure.departments",
    "admin_structure.new_department",
    "admin_structure.edit_department",
    "admin_structure.categories",
    "admin_structure.new_category",
    "admin_structure.edit_category",
    "admin_staff.index",
    "admin_staff.invite",
    "admin_staff.person",
)
ADMIN_ONLY_POST = (
    "admin_structure.retire_department",
    "admin_structure.retire_category",
    "admin_staff.resend",
    "admin_staff.revoke",
    "admin_staff.grant_role",
    "admin_staff.withdraw_role",
    "admin_staff.deactivate",
    "admin_staff.reactivate",
    "admin_staff.reset_second_factor",
    "admin_staff.official_details",
)


@dataclass
class AdminFixtures:
    department: int
    other_department: int
    department_to_retire: int
    category: int
    category_to_retire: int
    invitation_to_resend: int
    invitation_to_revoke: int
    person: int
    membership: int
    to_deactivate: int
    to_reactivate: int
    to_reset: int


def _person(astana, department_id: int):
    """An executor of the walk's own department: the demo staff that other tests count stay as they were."""
    email = f"walk-{uuid.uuid4().hex[:10]}@example.kz"
    return add_staff(astana, email, "Walk Person", Role.EXECUTOR, DEMO_PASSWORD, department_id)


def admin_fixtures() -> AdminFixtures:
    """Call inside an app context."""
    astana = factories.akimat("astana")
    department, other, to_retire = factories.department(), factories.department(), factories.department()
    tag = uuid.uuid4().hex[:8]
    category = add_category(astana, CategoryData(f"w{tag}", "a", "б", "c"), None)
    category_to_retire = add_category(astana, CategoryData(f"r{tag}", "a", "б", "c"), None)
    db.session.commit()
    grants = [Grant(Role.EXECUTOR, department.id)]
    resend, _ = invitations.invite(astana, f"walk-{tag}-1@example.kz", "Walk", grants, None)
    revoke, _ = invitations.invite(astana, f"walk-{tag}-2@example.kz", "Walk", grants, None)
    db.session.commit()
    person, to_deactivate, to_reactivate, to_reset = (_person(astana, department.id) for _ in range(4))
    to_reactivate.active = False
    db.session.commit()
    return AdminFixtures(
        department.id,
        other.id,
        to_retire.id,
        category.id,
        category_to_retire.id,
        resend.id,
        revoke.id,
        person.id,
        person.memberships[0].id,
        to_deactivate.id,
        to_reactivate.id,
        to_reset.id,
    )


def admin_requests(f: AdminFixtures) -> dict:
    """endpoint -> (method, url, form data)"""
    admin, staff = "/astana/admin", "/astana/admin/staff"
    return {
        "admin_structure.departments": ("GET", f"{admin}/departments", None),
        "admin_structure.new_department": ("GET", f"{admin}/departments/new", None),
        "admin_structure.edit_department": ("GET", f"{admin}/departments/{f.department}", None),
        "admin_structure.retire_department": ("POST", f"{admin}/departments/{f.department_to_retire}/retire", {}),
        "admin_structure.categories": ("GET", f"{admin}/categories", None),
        "admin_structure.new_category": ("GET", f"{admin}/categories/new", None),
        "admin_structure.edit_category": ("GET", f"{admin}/categories/{f.category}", None),
        "admin_structure.retire_category": ("POST", f"{admin}/categories/{f.category_to_retire}/retire", {}),
        "admin_staff.index": ("GET", f"{staff}/", None),
        "admin_staff.invite": ("GET", f"{staff}/invite", None),
        "admin_staff.resend": ("POST", f"{staff}/invitations/{f.invitation_to_resend}/resend", {}),
        "admin_staff.revoke": ("POST", f"{staff}/invitations/{f.invitation_to_revoke}/revoke", {}),
        "admin_staff.person": ("GET", f"{staff}/{f.person}", None),
        "admin_staff.grant_role": (
            "POST",
            f"{staff}/{f.person}/roles",
            {"role": "executor", "department": str(f.other_department)},
        ),
        "admin_staff.withdraw_role": ("POST", f"{staff}/{f.person}/roles/{f.membership}/withdraw", {}),
        "admin_staff.deactivate": ("POST", f"{staff}/{f.to_deactivate}/deactivate", {}),
        "admin_staff.reactivate": ("POST", f"{staff}/{f.to_reactivate}/reactivate", {}),
        "admin_staff.reset_second_factor": ("POST", f"{staff}/{f.to_reset}/reset-second-factor", {}),
        "admin_staff.official_details": (
            "POST",
            f"{staff}/{f.person}/details",
            {"position": "Главный специалист", "work_phone": "+7 7172 40 05 00"},
        ),
    }
