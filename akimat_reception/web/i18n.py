"""Translations in templates, looked up once per request and locale instead of once per string.

Flask-Babel gives Jinja a gettext that finds the request's translations anew for every string
(a page of letters has hundreds); these callables keep the catalogue found first in the request's
Babel context, as long as the locale is the same object (force_locale swaps it, and back)."""

from flask import Flask, g
from flask_babel import get_translations


def _translations():
    ctx = g.get("_flask_babel") if g else None
    if ctx is not None:
        kept = getattr(ctx, "template_translations", None)
        locale = getattr(ctx, "babel_locale", None)
        if kept is not None and locale is not None and kept[0] is locale:
            return kept[1]
    translations = get_translations()
    ctx = g.get("_flask_babel") if g else None
    locale = getattr(ctx, "babel_locale", None) if ctx is not None else None
    if locale is not None:
        ctx.template_translations = (locale, translations)
    return translations


def install(app: Flask) -> None:
    """Replaces the callables Flask-Babel installed in the app's Jinja environment (same strings,
    same plural and context rules, same autoescaping and %-formatting)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
