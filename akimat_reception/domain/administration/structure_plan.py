"""What a structure import is made of, shared by its parts (structure_import.py for departments,
categories and phone lines, structure_staff.py for people): the plan of changes a checked file
makes, and the small rules of reading its cells."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from ...models import Akimat, Department, User

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
    apply: Callable[["Context"], None] | None = None


@dataclass
class Plan:
    """The checked file: its problems (none: it can be applied) and the changes it makes."""

    problems: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)


@dataclass
class Context:
    akimat: Akimat
    actor: User | None
    now: datetime
    departments: dict[str, Department]  # by code, case-folded


def key(code: str) -> str:
    return code.casefold()


def flag(value: str) -> bool | None:
    text = value.strip().casefold()
    return True if text in YES else False if text in NO else None


def problem_at(sheet: str, line: int, message: str) -> str:
    return _("%(sheet)s, line %(line)s: %(problem)s", sheet=sheet, line=line, problem=message)


def split(value: str) -> list[str]:
    return [part for part in re.split(r"[;,\s]+", value) if part]


def department_problem(code: str, retired: dict[str, bool]) -> str | None:
    if key(code) not in retired:
        return _("the department %(code)s does not exist", code=code)
    if retired[key(code)]:
        return _("the department %(code)s is retired", code=code)
    return None


def summary(plan: Plan) -> str:
    """The report of an import, as the page and the command line print it."""
    return _(
        "created %(created)s, updated %(updated)s, unchanged %(unchanged)s",
        created=plan.count("created"),
        updated=plan.count("updated"),
        unchanged=plan.count("unchanged"),
    )
