"""Importing an akimat's structure (departments, categories, staff, phone lines) from the tables
structure_file.py reads: all of it is checked first, and any problem changes nothing and is
listed with its sheet and line; a sound file is applied in one transaction, every change
recorded. Rows are matched by department and category code, staff email and phone number, so
importing the same file again updates and never duplicates.

Staff rows become invitations prepared unsent (they go out when the administrator confirms:
send_invitations), or roles added to people who already work in this akimat. Nothing is taken
away by a file: a department, role or line missing from it stays; retiring is a column
(departments, categories) or a deliberate act on the admin pages.

This module checks and applies departments, categories and phone lines; structure_staff.py the
staff sheet and the invitations; structure_plan.py holds the plan they both fill."""

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ...models import Akimat, Category, Department, PhoneLine, User
from ...models.phones import PHONE_LANGUAGES
from ...models.tenancy import search_key
from ..identity import normalize_phone
from ..permissions import Action, can
from ..phone_csv import _snapshot as line_snapshot
from ..phone_csv import check_line_fields
from ..phones import LineData
from ..phones.lines import _apply as apply_line
from .record import record_change, snapshot
from .structure_file import Tables
from .structure_plan import (
    CODE,
    NAMES,
    Change,
    Context,
    Plan,
    StructureError,
    department_problem,
    flag,
    key,
    problem_at,
    summary,
)
from .structure_staff import check_staff, open_invitation, send_invitations, unsent_invitations

__all__ = [
    "Plan",
    "StructureError",
    "apply_structure",
    "check_structure",
    "open_invitation",
    "send_invitations",
    "summary",
    "unsent_invitations",
]


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
    retired = {key(d.code): d.retired_at is not None for d in akimat.departments if d.code}
    _check_named(akimat, "departments", rows.get("departments", []), plan, retired, now)
    _check_named(akimat, "categories", rows.get("categories", []), plan, retired, now)
    check_staff(akimat, rows.get("staff", []), plan, retired, now)
    _check_lines(akimat, rows.get("phone_lines", []), plan, retired)
    return plan


def _check_named(akimat: Akimat, sheet: str, rows, plan: Plan, retired: dict[str, bool], now: datetime) -> None:
    """Departments and categories: a code, names in Kazakh and Russian, a retired flag; a
    category's default department among the departments."""
    model = Department if sheet == "departments" else Category
    existing: list = akimat.departments if sheet == "departments" else akimat.categories
    by_code = {key(o.code): o for o in existing if o.code}
    # A department from before codes existed is found by its name, and gets the file's code.
    by_name = {search_key(o.name_ru): o for o in existing if not o.code}
    seen: dict[str, int] = {}
    for row in rows:
        v, problems = row.values, []
        if not CODE.fullmatch(v["code"]):
            problems.append(_("the code must be 1 to 40 Latin letters, digits, - or _"))
        elif key(v["code"]) in seen:
            problems.append(_("the code %(code)s is also on line %(line)s", code=v["code"], line=seen[key(v["code"])]))
        else:
            seen[key(v["code"])] = row.line
        for column in ("name_kk", "name_ru"):
            if not v[column]:
                problems.append(_("the column %(column)s is empty", column=column))
        if any(len(v[c]) > 200 for c in NAMES[1:]):
            problems.append(_("a name is longer than 200 characters"))
        is_retired = flag(v["retired"])
        if is_retired is None:
            problems.append(_('retired must be "yes" or empty'))
        default_code = v.get("default_department", "")
        if default_code:
            problem = department_problem(default_code, retired)
            if problem:
                problems.append(problem)
        if problems:
            plan.problems += [problem_at(sheet, row.line, p) for p in problems]
            continue
        target = by_code.get(key(v["code"])) or by_name.get(search_key(v["name_ru"]))
        if sheet == "departments":
            retired[key(v["code"])] = bool(is_retired)
        values = {c: v[c] for c in NAMES}

        def apply(ctx: Context, target=target, values=values, is_retired=is_retired, default_code=default_code):
            obj = target or model(akimat=ctx.akimat)
            fields = (*NAMES, "retired_at") + (("default_department_id",) if model is Category else ())
            before = snapshot(obj, fields) if target else None
            for name, value in values.items():
                setattr(obj, name, value)
            if bool(obj.retired_at) != is_retired:
                obj.retired_at = ctx.now if is_retired else None
            if isinstance(obj, Category):
                obj.default_department = ctx.departments[key(default_code)] if default_code else None
            db.session.add(obj)
            db.session.flush()
            if isinstance(obj, Department):
                ctx.departments[key(values["code"])] = obj
            kind = f"{model.__name__.lower()}_{'updated' if target else 'created'}"
            record_change(kind, model.__name__.lower(), obj.id, ctx.actor, ctx.akimat.id, before, snapshot(obj, fields))

        if target is None:
            action = "created"
        else:
            same = all(getattr(target, c) == values[c] for c in NAMES) and bool(target.retired_at) == is_retired
            if model is Category:
                current = target.default_department.code if target.default_department else ""
                same = same and key(current or "") == key(default_code)
            action = "unchanged" if same else "updated"
        label = f"{values['code']} — {values['name_ru']}"
        plan.changes.append(Change(sheet, row.line, action, label, None if action == "unchanged" else apply))


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
        problem = department_problem(v["department"], retired) if v["department"] else _("the department is empty")
        if problem:
            problems.append(problem)
        fields, field_problems = check_line_fields({**v, "opens": v["opens_at"], "closes": v["closes_at"]})
        problems += field_problems
        if problems:
            plan.problems += [problem_at("phone_lines", row.line, p) for p in problems]
            continue
        assert e164 is not None
        target, code = in_service.get(e164), v["department"]

        def apply(ctx: Context, target=target, e164=e164, fields=fields, code=code):
            line = target or PhoneLine(akimat_id=ctx.akimat.id, created_at=ctx.now)
            line.akimat = ctx.akimat
            before = _line_json(line) if target else None
            apply_line(line, LineData(department=ctx.departments[key(code)], e164=e164, **fields))
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
            same_department = key(target.department.code or "") == key(code)
            action = "unchanged" if same_department and line_snapshot(target) == wanted else "updated"
        label = f"{v['number']} — {fields['purpose_ru']}"
        plan.changes.append(Change("phone_lines", row.line, action, label, None if action == "unchanged" else apply))


def _line_json(line: PhoneLine) -> dict:
    return snapshot(line, ("department_id", "e164", "purpose_kk", "purpose_ru", "purpose_en", "languages", "days"))


def apply_structure(akimat: Akimat, plan: Plan, actor: User | None, now: datetime | None = None) -> Plan:
    """Applies a plan without problems in one transaction and commits; returns it (its counts are
    the report: created N, updated M, unchanged K).

    actor: the administrator; None for the command line and the demo, which name no one.
    """
    if actor is not None and not can(actor, Action.MANAGE_STRUCTURE, akimat):
        raise StructureError(_("Only an administrator of this akimat may import its structure."))
    if plan.problems:
        raise StructureError("; ".join(plan.problems))
    ctx = Context(akimat, actor, now or datetime.now(UTC), {key(d.code): d for d in akimat.departments if d.code})
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
