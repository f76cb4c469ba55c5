"""Importing an akimat's structure (departments, categories, staff, phone lines) from the tables
structure_file.py reads: all of it is checked first, and any problem changes nothing and is
listed with its sheet and line; a sound file is applied in one transaction, every change
recorded. Rows are matched by department and category code, staff email and phone number, so
importing the same file again updates and never duplicates.

Staff rows become invitations prepared unsent (they go out when the administrator confirms:
send_invitations), or roles added to people who already work in this akimat. Nothing is taken
away by a file: a department, role or line missing from it stays; retiring is a column
(departments, categories) or a deliberate act on the admin pages."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import Akimat, Category, Department, Invitation, Membership, PhoneLine, Role, User
from ...models.phones import PHONE_LANGUAGES
from ...models.tenancy import search_key
from ..identity import normalize_phone
from ..permissions import Action, can
from ..phone_csv import _snapshot as line_snapshot
from ..phone_csv import check_line_fields
from ..phones import LineData
from ..phones.lines import _apply as apply_line
from . import invitations
from .record import record_change, snapshot
from .structure_file import Tables

CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")
YES, NO = {"yes", "y", "1", "true", "да", "иә", "x"}, {"", "no", "n", "0", "false", "нет", "жоқ"}
NAMES = ("code", "name_kk", "name_ru", "name_en")


class StructureError(Exception):
    """An import refused as a whole: by permission, or because its plan has problems."""


@dataclass
class Change:
    """What one row will do (or did): `action` is created, updated or unchanged."""

    sheet: str
    line: int
    action: str
    label: str
    apply: Callable[["_Context"], None] | None = None


@dataclass
class Plan:
    """The checked file: its problems (none: it can be applied) and the changes it makes."""

    problems: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)


@dataclass
class _Context:
    akimat: Akimat
    actor: User | None
    now: datetime
    departments: dict[str, Department]  # by code, case-folded


def _key(code: str) -> str:
    return code.casefold()


def _flag(value: str) -> bool | None:
    text = value.strip().casefold()
    return True if text in YES else False if text in NO else None


def _problem(sheet: str, line: int, message: str) -> str:
    return _("%(sheet)s, line %(line)s: %(problem)s", sheet=sheet, line=line, problem=message)


def _split(value: str) -> list[str]:
    return [part for part in re.split(r"[;,\s]+", value) if part]


def check_structure(akimat: Akimat, tables: Tables, now: datetime | None = None) -> Plan:
    """Checks every row of every table against the file and the akimat; writes nothing.

    akimat: the akimat the file is for.
    tables: what structure_file.read_structure read (its reading problems come first).
    """
    now = now or datetime.now(UTC)
    plan = Plan(problems=list(tables.problems))
    if plan.problems:
        return plan
    rows = tables.rows
    # Department codes after the import, and whether each is retired then: later tables name them.
    retired = {_key(d.code): d.retired_at is not None for d in akimat.departments if d.code}
    _check_named(akimat, "departments", rows.get("departments", []), plan, retired, now)
    _check_named(akimat, "categories", rows.get("categories", []), plan, retired, now)
    _check_staff(akimat, rows.get("staff", []), plan, retired, now)
    _check_lines(akimat, rows.get("phone_lines", []), plan, retired)
    return plan


def _department_problem(code: str, retired: dict[str, bool]) -> str | None:
    if _key(code) not in retired:
        return _("the department %(code)s does not exist", code=code)
    if retired[_key(code)]:
        return _("the department %(code)s is retired", code=code)
    return None


def _check_named(akimat: Akimat, sheet: str, rows, plan: Plan, retired: dict[str, bool], now: datetime) -> None:
    """Departments and categories: a code, names in Kazakh and Russian, a retired flag; a
    category's default department among the departments."""
    model = Department if sheet == "departments" else Category
    existing: list = akimat.departments if sheet == "departments" else akimat.categories
    by_code = {_key(o.code): o for o in existing if o.code}
    # A department from before codes existed is found by its name, and gets the file's code.
    by_name = {search_key(o.name_ru): o for o in existing if not o.code}
    seen: dict[str, int] = {}
    for row in rows:
        v, problems = row.values, []
        if not CODE.fullmatch(v["code"]):
            problems.append(_("the code must be 1 to 40 Latin letters, digits, - or _"))
        elif _key(v["code"]) in seen:
            problems.append(_("the code %(code)s is also on line %(line)s", code=v["code"], line=seen[_key(v["code"])]))
        else:
            seen[_key(v["code"])] = row.line
        for column in ("name_kk", "name_ru"):
            if not v[column]:
                problems.append(_("the column %(column)s is empty", column=column))
        if any(len(v[c]) > 200 for c in NAMES[1:]):
            problems.append(_("a name is longer than 200 characters"))
        is_retired = _flag(v["retired"])
        if is_retired is None:
            problems.append(_('retired must be "yes" or empty'))
        default_code = v.get("default_department", "")
        if default_code:
            problem = _department_problem(default_code, retired)
            if problem:
                problems.append(problem)
        if problems:
            plan.problems += [_problem(sheet, row.line, p) for p in problems]
            continue
        target = by_code.get(_key(v["code"])) or by_name.get(search_key(v["name_ru"]))
        if sheet == "departments":
            retired[_key(v["code"])] = bool(is_retired)
        values = {c: v[c] for c in NAMES}

        def apply(ctx: _Context, target=target, values=values, is_retired=is_retired, default_code=default_code):
            obj = target or model(akimat=ctx.akimat)
            fields = (*NAMES, "retired_at") + (("default_department_id",) if model is Category else ())
            before = snapshot(obj, fields) if target else None
            for name, value in values.items():
                setattr(obj, name, value)
            if bool(obj.retired_at) != is_retired:
                obj.retired_at = ctx.now if is_retired else None
            if isinstance(obj, Category):
                obj.default_department = ctx.departments[_key(default_code)] if default_code else None
            db.session.add(obj)
            db.session.flush()
            if isinstance(obj, Department):
                ctx.departments[_key(values["code"])] = obj
            kind = f"{model.__name__.lower()}_{'updated' if target else 'created'}"
            record_change(kind, model.__name__.lower(), obj.id, ctx.actor, ctx.akimat.id, before, snapshot(obj, fields))

        if target is None:
            action = "created"
        else:
            same = all(getattr(target, c) == values[c] for c in NAMES) and bool(target.retired_at) == is_retired
            if model is Category:
                current = target.default_department.code if target.default_department else ""
                same = same and _key(current or "") == _key(default_code)
            action = "unchanged" if same else "updated"
        label = f"{values['code']} — {values['name_ru']}"
        plan.changes.append(Change(sheet, row.line, action, label, None if action == "unchanged" else apply))


def _check_staff(akimat: Akimat, rows, plan: Plan, retired: dict[str, bool], now: datetime) -> None:
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
        names = [r.casefold() for r in _split(v["roles"])]
        unknown = [r for r in names if r not in {role.value for role in Role}]
        if not names or unknown:
            problems.append(
                _("roles must be among %(roles)s, separated by ;", roles="; ".join(role.value for role in Role))
            )
        roles = [role for role in Role if role.value in names]
        codes = _split(v["department"])
        if Role.EXECUTOR in roles and not codes:
            problems.append(_("an executor needs a department"))
        elif codes and Role.EXECUTOR not in roles:
            problems.append(_("only an executor has a department"))
        problems += [p for p in (_department_problem(code, retired) for code in codes) if p]
        if problems:
            plan.problems += [_problem("staff", row.line, p) for p in problems]
            continue
        _plan_person(akimat, row.line, email, v["full_name"], roles, codes, plan, now)


def _plan_person(akimat, line, email, full_name, roles, codes, plan: Plan, now: datetime) -> None:
    def grants(ctx: _Context) -> list[invitations.Grant]:
        return [invitations.Grant(r) for r in roles if r is not Role.EXECUTOR] + [
            invitations.Grant(Role.EXECUTOR, ctx.departments[_key(c)].id) for c in codes
        ]

    wanted = {(r.value, "") for r in roles if r is not Role.EXECUTOR} | {("executor", _key(c)) for c in codes}
    user = db.session.scalar(select(User).where(User.email == email))
    label = f"{email} — {', '.join(r.value for r in roles)}"
    if user is not None and user.memberships_in(akimat):
        have = {
            (m.role.value, _key(m.department.code or "") if m.department else "") for m in user.memberships_in(akimat)
        }
        if wanted <= have:
            plan.changes.append(Change("staff", line, "unchanged", label))
            return

        def add_roles(ctx: _Context, user=user):
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

        def invite(ctx: _Context):
            invitations.invite(ctx.akimat, email, full_name, grants(ctx), ctx.actor, send=False, now=ctx.now)

        plan.changes.append(Change("staff", line, "created", label, invite))
        return
    departments = {d.id: d for d in akimat.departments}
    pending = {
        (g["role"], _key(departments[g["department_id"]].code or "") if g.get("department_id") else "")
        for g in invitation.roles
    }
    if pending == wanted and invitation.full_name == full_name:
        plan.changes.append(Change("staff", line, "unchanged", label))
        return

    def update(ctx: _Context, invitation=invitation):
        before = snapshot(invitation, ("full_name", "roles"))
        invitation.full_name = full_name
        invitation.roles = [g.to_json() for g in grants(ctx)]
        after = snapshot(invitation, ("full_name", "roles"))
        record_change("invitation_updated", "invitation", invitation.id, ctx.actor, ctx.akimat.id, before, after)

    plan.changes.append(Change("staff", line, "updated", label, update))


def _check_lines(akimat: Akimat, rows, plan: Plan, retired: dict[str, bool]) -> None:
    """Phone lines by number, with the phone directory's own rules (phone_csv.check_line_fields)."""
    in_service = {
        line.e164: line
        for line in db.session.scalars(
            select(PhoneLine).where(PhoneLine.akimat_id == akimat.id, PhoneLine.retired_at.is_(None))
        )
    }
    seen: dict[str, int] = {}
    for row in rows:
        v, problems = row.values, []
        e164 = normalize_phone(v["number"]) if v["number"] else None
        if e164 is None:
            problems.append(_('the number "%(number)s" is not a valid phone number', number=v["number"]))
        elif e164 in seen:
            problems.append(_("the number is also on line %(line)s", line=seen[e164]))
        else:
            seen[e164] = row.line
        problem = _department_problem(v["department"], retired) if v["department"] else _("the department is empty")
        if problem:
            problems.append(problem)
        fields, field_problems = check_line_fields({**v, "opens": v["opens_at"], "closes": v["closes_at"]})
        problems += field_problems
        if problems:
            plan.problems += [_problem("phone_lines", row.line, p) for p in problems]
            continue
        assert e164 is not None
        target, code = in_service.get(e164), v["department"]

        def apply(ctx: _Context, target=target, e164=e164, fields=fields, code=code):
            line = target or PhoneLine(akimat_id=ctx.akimat.id, created_at=ctx.now)
            line.akimat = ctx.akimat
            before = _line_json(line) if target else None
            apply_line(line, LineData(department=ctx.departments[_key(code)], e164=e164, **fields))
            db.session.add(line)
            db.session.flush()
            kind = "phone_line_updated" if target else "phone_line_created"
            record_change(kind, "phone_line", line.id, ctx.actor, ctx.akimat.id, before, _line_json(line))

        action = "created"
        if target is not None:
            wanted = (
                target.department_id,
                e164,
                fields["purpose_kk"],
                fields["purpose_ru"],
                fields["purpose_en"],
                ",".join(c for c in PHONE_LANGUAGES if c in fields["languages"]),
                fields["days"],
                fields["opens_at"],
                fields["closes_at"],
            )
            same_department = _key(target.department.code or "") == _key(code)
            action = "unchanged" if same_department and line_snapshot(target) == wanted else "updated"
        label = f"{v['number']} — {fields['purpose_ru']}"
        plan.changes.append(Change("phone_lines", row.line, action, label, None if action == "unchanged" else apply))


def _line_json(line: PhoneLine) -> dict:
    return snapshot(line, ("department_id", "e164", "purpose_kk", "purpose_ru", "purpose_en", "languages", "days"))


def open_invitation(akimat: Akimat, email: str, now: datetime | None = None) -> Invitation | None:
    """The invitation to this address that can still be accepted, if any."""
    now = now or datetime.now(UTC)
    return db.session.scalar(
        select(Invitation)
        .where(
            Invitation.akimat_id == akimat.id,
            Invitation.email == email.lower(),
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .order_by(Invitation.id.desc())
        .limit(1)
    )


def apply_structure(akimat: Akimat, plan: Plan, actor: User | None, now: datetime | None = None) -> Plan:
    """Applies a plan without problems in one transaction and commits; returns it (its counts are
    the report: created N, updated M, unchanged K).

    actor: the administrator; None for the command line and the demo, which name no one.
    """
    if actor is not None and not can(actor, Action.MANAGE_STRUCTURE, akimat):
        raise StructureError(_("Only an administrator of this akimat may import its structure."))
    if plan.problems:
        raise StructureError("; ".join(plan.problems))
    ctx = _Context(akimat, actor, now or datetime.now(UTC), {_key(d.code): d for d in akimat.departments if d.code})
    try:
        for change in plan.changes:
            if change.apply is not None:
                change.apply(ctx)
        record_change(
            "structure_imported",
            "akimat",
            akimat.id,
            actor,
            akimat.id,
            after={a: plan.count(a) for a in ("created", "updated", "unchanged")},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return plan


def unsent_invitations(akimat: Akimat, now: datetime | None = None) -> list[Invitation]:
    """The invitations an import prepared that have not gone out yet and can still be accepted."""
    now = now or datetime.now(UTC)
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.akimat_id == akimat.id,
                Invitation.sent_at.is_(None),
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
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


def summary(plan: Plan) -> str:
    """The report of an import, as the page and the command line print it."""
    return _(
        "created %(created)s, updated %(updated)s, unchanged %(unchanged)s",
        created=plan.count("created"),
        updated=plan.count("updated"),
        unchanged=plan.count("unchanged"),
    )
