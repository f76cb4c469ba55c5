"""Staff accounts (қызметкерлер / сотрудники) and their roles in akimats: who may hold which role,
and the one password rule (passwords.py) that the web's password form applies as well."""

from sqlalchemy import select

from ..extensions import db
from ..models import Akimat, Department, Membership, Role, User
from .passwords import password_problems


class StaffError(Exception):
    """An account the rules refuse. `field` names what is wrong (department, password); `message`
    says why: the password's reason is translated as on the web, the others are for operators."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


def add_staff(
    akimat: Akimat, email: str, full_name: str, role: Role, password: str, department_id: int | None = None
) -> User:
    """Gives the account of `email` the `role` in `akimat`, creating the account when there is none,
    and sets its password. Commits.

    akimat: where the role holds.
    email: the sign-in address, compared and stored in lower case.
    full_name: the name of a new account (an existing account keeps its own).
    role: an executor needs `department_id`, a department of this akimat; no other role has one.
    password: must pass `password_problems` with the email and name, as on the password form.
    """
    if role is Role.EXECUTOR:
        department = db.session.get(Department, department_id) if department_id else None
        if department is None or department.akimat_id != akimat.id:
            raise StaffError("department", "an executor needs a department of this akimat")
    elif department_id:
        raise StaffError("department", "only an executor belongs to a department")
    email = email.lower()
    problems = password_problems(password, (email, full_name))
    if problems:
        raise StaffError("password", problems[0])
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=full_name)
        db.session.add(user)
    user.set_password(password)
    department_id = department_id if role is Role.EXECUTOR else None
    held = any(
        m.akimat_id == akimat.id and m.role is role and m.department_id == department_id for m in user.memberships
    )
    if not held:  # the unique constraint does not see two equal rows whose department is NULL
        db.session.add(Membership(user=user, akimat=akimat, role=role, department_id=department_id))
    db.session.commit()
    return user
