"""The akimat's office: staff read, route, forward, extend and answer letters.

The blueprint is here; its pages are in inbox.py (the list), letter.py (one letter and the
actions on it) and handover.py (to a named executor, or out of the akimat). The answer paragraphs
and the phone checks are blueprints of their own."""

from flask_login import login_required

from ..tenancy import make_tenant_blueprint, require_member

bp = make_tenant_blueprint("office", __name__, "/office")


@bp.before_request
@login_required
def staff_only():
    require_member()


from . import anonymous, handover, inbox, letter, paper_answers  # noqa: E402,F401  (the pages register their routes on bp)
