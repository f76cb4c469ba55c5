"""Pages of a list without a COUNT over the whole table: one row more than a page tells
whether there is a next page."""
from dataclasses import dataclass

from flask import current_app, request

from ..extensions import db


@dataclass
class Page:
    items: list
    number: int
    has_previous: bool
    has_next: bool


def paginate(stmt, per_page: int | None = None) -> Page:
    per_page = per_page or current_app.config["PER_PAGE"]
    number = request.args.get("page", 1, type=int)
    number = max(1, min(number, 10_000))
    rows = db.session.scalars(stmt.limit(per_page + 1).offset((number - 1) * per_page)).all()
    return Page(items=rows[:per_page], number=number, has_previous=number > 1, has_next=len(rows) > per_page)
