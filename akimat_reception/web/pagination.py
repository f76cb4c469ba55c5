"""Pages of a list without a COUNT over the whole table: one row more than a page tells
whether there is a next page.

Given the columns the list is sorted by (`order`, ending with the id, so that they are unique
together), the link to the next page carries the last row's values (`after=`, keyset
pagination): the next page starts right after them through the index, so page 2000 costs what
page 2 does. A page asked for by its number alone (`?page=7`) is read with OFFSET, as before.

A list that is the union of a few conditions (`split`, e.g. one status each: "not answered yet"
is four statuses) reads each condition's own index range in order and merges them, instead of
reading every row of the union to sort it."""

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, request
from sqlalchemy import select, tuple_, union_all

from ..extensions import db

MAX_PAGE = 10_000
SEPARATOR = "_"


@dataclass
class Page:
    items: list
    number: int
    has_previous: bool
    has_next: bool
    next_cursor: str | None = None

    @property
    def next_args(self) -> dict:
        """The query string of the link to the next page."""
        args = dict(request.args, page=self.number + 1)
        if self.next_cursor:
            args["after"] = self.next_cursor
        return args

    @property
    def previous_args(self) -> dict:
        """The query string of the link to the previous page (by its number)."""
        args = dict(request.args, page=self.number - 1)
        args.pop("after", None)
        return args


def paginate(stmt, per_page: int | None = None, *, order=(), descending: bool = False, split=(), options=()) -> Page:
    """A page of `stmt` (a select of one entity; ordered by the caller when `order` is not given).

    order: the sort columns, the entity's id last; descending: newest first; split: conditions
    whose union is the list; options: loader options for the rows (e.g. joinedload)."""
    per_page = per_page or current_app.config["PER_PAGE"]
    number = max(1, min(request.args.get("page", 1, type=int), MAX_PAGE))
    if not order:
        rows = db.session.scalars(stmt.options(*options).limit(per_page + 1).offset((number - 1) * per_page)).all()
        return Page(items=rows[:per_page], number=number, has_previous=number > 1, has_next=len(rows) > per_page)

    cursor = _decode(request.args.get("after"), order)
    offset = 0 if cursor is not None else (number - 1) * per_page
    keyset = None
    if cursor is not None:
        keyset = tuple_(*order) < tuple(cursor) if descending else tuple_(*order) > tuple(cursor)
    sort = [c.desc() for c in order] if descending else list(order)
    if split:
        rows = _merged(stmt, order, sort, descending, split, keyset, offset, per_page, options)
    else:
        ordered = stmt.where(keyset) if keyset is not None else stmt
        rows = (
            db.session.scalars(ordered.options(*options).order_by(*sort).limit(per_page + 1).offset(offset))
            .unique()
            .all()
        )
    items = rows[:per_page]
    has_next = len(rows) > per_page
    return Page(
        items=items,
        number=number,
        has_previous=number > 1,
        has_next=has_next,
        next_cursor=_encode([getattr(items[-1], c.key) for c in order]) if has_next else None,
    )


def _merged(stmt, order, sort, descending, split, keyset, offset, per_page, options) -> list:
    """Each condition's first rows from its own index range, merged in order."""
    entity = stmt.column_descriptions[0]["entity"]
    wanted = offset + per_page + 1
    keys = [c.label(f"k{i}") for i, c in enumerate(order)]
    branches = []
    for condition in split:
        branch = stmt.where(condition)
        if keyset is not None:
            branch = branch.where(keyset)
        branch = branch.with_only_columns(*keys).order_by(*sort).limit(wanted)
        branches.append(select(branch.subquery()))
    merged = (union_all(*branches) if len(branches) > 1 else branches[0]).subquery()
    merged_keys = [merged.c[f"k{i}"] for i in range(len(order))]
    merged_sort = [k.desc() for k in merged_keys] if descending else merged_keys
    page = (
        select(entity)
        .join(merged, order[-1] == merged_keys[-1])
        .options(*options)
        .order_by(*merged_sort)
        .limit(per_page + 1)
        .offset(offset)
    )
    return db.session.scalars(page).unique().all()


def _encode(values) -> str:
    return SEPARATOR.join(v.isoformat() if isinstance(v, (date, datetime)) else str(v) for v in values)


def _decode(text: str | None, order) -> list | None:
    """The values of a cursor, or None when there is none or it does not fit the columns."""
    if not text:
        return None
    parts = text.split(SEPARATOR)
    if len(parts) != len(order):
        return None
    values = []
    try:
        for part, column in zip(parts, order, strict=False):
            kind = column.type.python_type
            if kind is datetime:
                value = datetime.fromisoformat(part)
                if value.tzinfo is None:
                    return None
            elif kind is date:
                value = date.fromisoformat(part)
            else:
                value = kind(part)
            values.append(value)
    except (ValueError, TypeError, NotImplementedError):
        return None
    return values
