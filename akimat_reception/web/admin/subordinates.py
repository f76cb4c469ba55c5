"""The administrator of a higher akimat: the akimats under it — their names, kind, their
administrators' contact and their figures (counts only, no resident's personal data)."""

from flask import render_template
from flask_babel import lazy_gettext as _l

from ...domain.administration.figures import admins_of
from ...domain.permissions import Action
from ...models import AkimatKind
from ..akim.subordinates import PERIODS, page_of, period_and_figures
from ..tenancy import require
from . import bp

KIND_LABELS = {
    AkimatKind.REGION: _l("Region"),
    AkimatKind.REPUBLICAN_CITY: _l("City of republican significance"),
    AkimatKind.REGIONAL_CITY: _l("City of regional significance"),
    AkimatKind.DISTRICT: _l("District"),
    AkimatKind.CITY_DISTRICT: _l("District within a city"),
    AkimatKind.DISTRICT_CITY: _l("City of district significance"),
    AkimatKind.RURAL_DISTRICT: _l("Rural district"),
    AkimatKind.VILLAGE: _l("Settlement or village"),
}


@bp.get("/subordinates")
def subordinates():
    require(Action.VIEW_SUBORDINATES)
    days, period, figures = period_and_figures()
    page = page_of(figures)  # by name
    return render_template(
        "admin/subordinates.html",
        page=page,
        total=len(figures),
        admins=admins_of([f.akimat.id for f in page.items]),
        kinds=KIND_LABELS,
        days=days,
        periods=PERIODS,
        period=period,
    )
