"""Pages of the whole installation: the list of akimats and the language switch."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ...extensions import db
from ...forms.validators import CONTROL_CHARACTERS
from ...models import Akimat
from ...models.tenancy import search_key

bp = Blueprint("home", __name__)

MAX_QUERY = 100  # no akimat's name is longer; a longer pattern is only load on the database

LANGUAGE_COOKIE = "lang"
ONE_YEAR = 365 * 24 * 3600


@bp.get("/")
def index():
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    stmt = select(Akimat).order_by(Akimat.name_ru)
    key = search_key(CONTROL_CHARACTERS.sub("", query))  # NUL cannot even reach PostgreSQL
    if key:
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Akimat.search_text.like(f"%{escaped}%", escape="\\"))
    akimats = db.session.scalars(stmt.limit(200)).all()
    return render_template("public/index.html", akimats=akimats, query=query)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("home.index")
    return target


@bp.get("/language/<code>")
def set_language(code):
    response = redirect(_safe_next(request.args.get("next")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=ONE_YEAR, samesite="Lax", httponly=True)
        if current_user.is_authenticated and current_user.language != code:
            current_user.language = code
            db.session.commit()
    return response
