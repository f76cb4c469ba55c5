"""The akim of a higher akimat: the figures of the akimats under it — counts, overdue, answers on
time, ratings; never a resident's name or letter (domain/administration/figures.py)."""

from flask import current_app, g, render_template, request

from ...domain.administration.figures import AkimatFigures, Period, subordinate_figures
from ...domain.permissions import Action
from ..clock import today_in
from ..pagination import MAX_PAGE, Page
from ..tenancy import require
from . import bp

PERIODS = (7, 30, 90, 365)  # days a period may span, the last ones to today
SORTS = {
    "overdue": lambda f: (-f.overdue, -f.unresolved, f.akimat.name_ru),
    "unresolved": lambda f: (-f.unresolved, -f.overdue, f.akimat.name_ru),
    "received": lambda f: (-f.received, f.akimat.name_ru),
    "rating": lambda f: (f.mean_rating is None, f.mean_rating or 0, f.akimat.name_ru),  # the poorest first
    "name": lambda f: (f.akimat.name_ru, f.akimat.id),
}


def period_and_figures() -> tuple[int, Period, list[AkimatFigures]]:
    """The period asked for (?days=), and the figures of every subordinate akimat in it."""
    days = request.args.get("days", 30, type=int)
    days = days if days in PERIODS else 30
    today = today_in(g.akimat)
    period = Period.last_days(days, today)
    return days, period, subordinate_figures(g.akimat, period, today)


def page_of(items: list) -> Page:
    """One page of a list already in memory (the figures of a few hundred akimats at most)."""
    per_page = current_app.config["PER_PAGE"]
    number = max(1, min(request.args.get("page", 1, type=int), MAX_PAGE))
    start = (number - 1) * per_page
    return Page(
        items=items[start : start + per_page],
        number=number,
        has_previous=number > 1,
        has_next=len(items) > start + per_page,
    )


@bp.get("/subordinates")
def subordinates():
    require(Action.VIEW_SUBORDINATES)
    sort = request.args.get("sort", "overdue")
    sort = sort if sort in SORTS else "overdue"
    days, period, figures = period_and_figures()
    figures.sort(key=SORTS[sort])
    return render_template(
        "akim/subordinates.html",
        page=page_of(figures),
        total=len(figures),
        sort=sort,
        sorts=SORTS,
        days=days,
        periods=PERIODS,
        period=period,
    )
