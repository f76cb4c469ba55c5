"""The staff sheet of a structure import: a person by email becomes an invitation prepared unsent,
or gets the roles of the row added when they already work in the akimat; the invitations go out
when the administrator confirms (send_invitations)."""

from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import Akimat, Invitation, Membership, Role, User
from ..permissions import Action, can
from . import invitations
from .record import record_change, snapshot
from .structure_plan import Change, Context, Plan, StructureError, department_problem, key, problem_at, split


def check_staff(akimat: Akimat, rows, plan: Plan, retired: dict[str, bool], now: datetime) -> None:
    """A person by email: roles, and the departments of an executor."""
    seen: dict[str, int] = {}
    for row in rows:
        v, problems = row.values, []
        email = v["email"].lower()
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            problems.append(_('"%(email)s" is not an email address', email=v["email"]))
        if email in seen:
            problems.append(_("the address is also on line %(line)s", line=seen[email]))
        seen.setdefault(email, row.line)
        if not v["full_name"] or len(v["full_name"]) > 200:
            problems.append(_("the full name is empty or longer than 200 characters"))
        names = [r.casefold() for r in split(v["roles"])]
        unknown = [r for r in names if r not in {role.value for role in Role}]
        if not names or unknown:
            problems.append(
                _("roles must be among %(roles)s, separated by ;", roles="; ".join(role.value for role in Role))
            )
        roles = [role for role in Role if role.value in names]
        codes = split(v["department"])
        if Role.EXECUTOR in roles and not codes:
            problems.append(_("an executor needs a department"))
        elif codes and Role.EXECUTOR not in roles:
            problems.append(_("only an executor has a department"))
        problems += [p for p in (department_problem(code, retired) for code in codes) if p]
        if problems:
            plan.problems += [problem_at("staff", row.line, p) for p in problems]
            continue
        _plan_person(akimat, row.line, email, v["full_name"], roles, codes, plan, now)


def _plan_person(akimat, line, email, full_name, roles, codes, plan: Plan, now: datetime) -> None:
    def grants(ctx: Context) -> list[invitations.Grant]:
        return [invitations.Grant(r) for r in roles if r is not Role.EXECUTOR] + [
            invitations.Grant(Role.EXECUTOR, ctx.departments[key(c)].id) for c in codes
        ]

    wanted = {(r.value, "") for r in roles if r is not Role.EXECUTOR} | {("executor", key(c)) for c in codes}
    user = db.session.scalar(select(User).where(User.email == email))
    label = f"{email} — {', '.join(r.value for r in roles)}"
    if user is not None and user.memberships_in(akimat):
        have = {
            (m.role.value, key(m.department.code or "") if m.department else "") for m in user.memberships_in(akimat)
        }
        if wanted <= have:
            plan.changes.append(Change("staff", line, "unchanged", label))
            return

        def add_roles(ctx: Context, user=user):
            present = {(m.role, m.department_id) for m in user.memberships_in(ctx.akimat)}
            for grant in grants(ctx):
                if (grant.role, grant.department_id) not in present:
                    db.session.add(
                        Membership(user=user, akimat=ctx.akimat, role=grant.role, department_id=grant.department_id)
                    )
                    record_change("role_added", "user", user.id, ctx.actor, ctx.akimat.id, after=grant.to_json())

        plan.changes.append(Change("staff", line, "updated", label, add_roles))
        return
    invitation = open_invitation(akimat, email, now)
    if invitation is None:

        def invite(ctx: Context):
            invitations.invite(ctx.akimat, email, full_name, grants(ctx), ctx.actor, send=False, now=ctx.now)

        plan.changes.append(Change("staff", line, "created", label, invite))
        return
    departments = {d.id: d for d in akimat.departments}
    pending = {
        (g["role"], key(departments[g["department_id"]].code or "") if g.get("department_id") else "")
        for g in invitation.roles
    }
    if pending == wanted and invitation.full_name == full_name:
        plan.changes.append(Change("staff", line, "unchanged", label))
        return

    def update(ctx: Context, invitation=invitation):
        before = snapshot(invitation, ("full_name", "roles"))
        invitation.full_name = full_name
        invitation.roles = [g.to_json() for g in grants(ctx)]
        after = snapshot(invitation, ("full_name", "roles"))
        record_change("invitation_updated", "invitation", invitation.id, ctx.actor, ctx.akimat.id, before, after)

    plan.changes.append(Change("staff", line, "updated", label, update))


def open_invitation(akimat: Akimat, email: str, now: datetime | None = None) -> Invitation | None:
    """The invitation to this address that can still be accepted, if any."""
    now = now or datetime.now(UTC)
    return db.session.scalar(
        select(Invitation)
        .where(
            Invitation.akimat_id == akimat.id,
            Invitation.email == email.lower(),
            Invitation.open_at(now),
        )
        .order_by(Invitation.id.desc())
        .limit(1)
    )


def unsent_invitations(akimat: Akimat, now: datetime | None = None) -> list[Invitation]:
    """The invitations an import prepared that have not gone out yet and can still be accepted."""
    now = now or datetime.now(UTC)
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.akimat_id == akimat.id,
                Invitation.sent_at.is_(None),
                Invitation.open_at(now),
            )
            .order_by(Invitation.id)
        )
    )


def send_invitations(akimat: Akimat, by: User | None, now: datetime | None = None) -> int:
    """Sends every unsent invitation, each with a fresh link (invitations.resend issues a new
    token: the one made at import was never shown to anyone). Commits; returns how many.

    by: the administrator who confirmed; None for `flask akimat import --send-invitations`.
    """
    if by is not None and not can(by, Action.MANAGE_STAFF, akimat):
        raise StructureError(_("Only an administrator of this akimat may send its invitations."))
    pending = unsent_invitations(akimat, now)
    for invitation in pending:
        invitations.resend(invitation, by, now)
    db.session.commit()
    return len(pending)
