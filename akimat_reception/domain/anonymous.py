"""Anonymous letters (анонимное обращение / жасырын өтініш): the rule, and where its basis comes from.

A letter without the sender's name and address (Letter.anonymous; surname, given name and address
stored empty) is registered like any other — number, access code, the akim sees it among the
unresolved letters — but it is not considered, unless it reports a crime or a threat to public
safety. The registrar decides which (lifecycle.assess_anonymous, the ANONYMOUS_ASSESSED event); a
letter that reports one is forwarded the same working day to the body the configuration names.

The basis: the Administrative Procedural and Process Code (APPK, in force since 1 July 2021) is
silent on anonymous appeals. The rule is cited as the government portal's earlier rule, the Law
"On the procedure for considering appeals of individuals and legal entities" of 12 January 2007
No. 221-III, art. 4 п.3 as it stood: anonymous appeals are not considered, except those containing
information on a crime being prepared or committed, or on a threat to state or public security,
which are sent to the state bodies concerned. Because the rule is no longer in a law in force, it
is configuration, not code:
- ANONYMOUS_LETTERS: "threats_only" (the earlier rule, the default) or "consider_all" (every
  anonymous letter is considered like a signed one: routed as usual, no assessment);
- ANONYMOUS_FORWARD_TO: the body's name, overridden per akimat by Akimat.anonymous_forward_to.

Anonymous letters are counted apart and left out of the on-time and decision figures (the akim's
dashboard, department statistics, the subordinates' figures, public ratings): `counted` below is the
one condition those queries add.
"""

from __future__ import annotations

import enum

from flask import current_app, has_app_context
from sqlalchemy import ColumnElement

from ..models import Akimat, Letter, LetterStatus

LEGAL_BASIS = (
    'Law of the Republic of Kazakhstan "On the procedure for considering appeals of individuals and '
    "legal entities\" of 12 January 2007 No. 221-III, art. 4 п.3 (the government portal's rule before "
    "the APPK; the APPK is silent on anonymous appeals)"
)
DEFAULT_FORWARD_TO = "Органы внутренних дел (полиция)"


class AnonymousRule(enum.StrEnum):
    THREATS_ONLY = "threats_only"  # not considered unless it reports a crime or a threat
    CONSIDER_ALL = "consider_all"  # considered like any signed letter


def current_rule() -> AnonymousRule:
    """The installation's rule (ANONYMOUS_LETTERS); the earlier rule when unset or mistyped."""
    value = current_app.config.get("ANONYMOUS_LETTERS") if has_app_context() else None
    try:
        return AnonymousRule(value or AnonymousRule.THREATS_ONLY)
    except ValueError:
        return AnonymousRule.THREATS_ONLY


def forward_to(akimat: Akimat) -> str:
    """The body an anonymous letter reporting a crime or a threat goes to: the akimat's own choice,
    else the installation's (ANONYMOUS_FORWARD_TO)."""
    own = (akimat.anonymous_forward_to or "").strip()
    return own or installation_forward_to()


def installation_forward_to() -> str:
    """The body the installation names (ANONYMOUS_FORWARD_TO), for akimats that name none."""
    configured = current_app.config.get("ANONYMOUS_FORWARD_TO") if has_app_context() else None
    return (configured or "").strip() or DEFAULT_FORWARD_TO


def needs_assessment(letter: Letter) -> bool:
    """True for an anonymous letter nobody has assessed yet, under the rule that assesses them: the
    registrar decides before anything else is done with it (it is not routed to a department)."""
    return (
        letter.anonymous
        and letter.status is LetterStatus.REGISTERED
        and letter.department_id is None
        and current_rule() is AnonymousRule.THREATS_ONLY
    )


def gets_an_answer(letter: Letter) -> bool:
    """False for an anonymous letter under the rule that does not consider them: no term to answer
    runs for the sender (one reporting a crime is answered, if at all, by the body it goes to)."""
    return not letter.anonymous or current_rule() is AnonymousRule.CONSIDER_ALL


def counted(anonymous_column) -> ColumnElement[bool]:
    """The condition the figures add: a signed letter (anonymous ones are counted apart)."""
    return anonymous_column.is_(False)
