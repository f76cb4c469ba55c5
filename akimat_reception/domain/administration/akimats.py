"""The platform administrator's verbs on akimats: create, edit, move in the hierarchy, close and
reopen, appoint the first administrator. Each records an AdminEvent in the caller's transaction
(the caller commits), and each refuses what the rules forbid with an AkimatError.

An akimat is never deleted: there is no verb for it. Letters, the journal, staff and the record of
administrative changes all point at it, and an akimat that was abolished or merged is closed to new
letters instead (APPK: a resident may still track and rate what it answered)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from ...extensions import db
from ...models import Akimat, AkimatKind, AkimatPlacement, AkimatSlug, Invitation, Letter, Role, User
from ..passwords import password_problems
from . import invitations
from .hierarchy import subordinate_ids
from .record import record_change, snapshot

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PREFIX_RE = re.compile(r"^[A-Z]{2,8}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LANGUAGES = ("kk", "ru")
DEFAULT_TIMEZONE = "Asia/Almaty"
FIELDS = (
    "slug",
    "number_prefix",
    "name_kk",
    "name_ru",
    "name_en",
    "aliases",
    "kind",
    "parent_id",
    "opens_at",
    "closes_at",
    "default_language",
    "timezone",
    "anonymous_forward_to",
    "closed_at",
)


class AkimatError(Exception):
    """A change the rules refuse; `field` names the form field, `message` is shown to the user."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass
class AkimatData:
    """What the platform administrator types about an akimat (the parent only at creation:
    afterwards it changes by a dated move)."""

    slug: str
    number_prefix: str
    name_kk: str
    name_ru: str
    name_en: str
    kind: AkimatKind
    aliases: str = ""
    parent: Akimat | None = None
    opens_at: time = time(9, 0)
    closes_at: time = time(18, 30)
    default_language: str = "ru"
    timezone: str = DEFAULT_TIMEZONE
    # Where its anonymous letters reporting a crime or a threat go; empty: the installation's body.
    anonymous_forward_to: str = ""


def clean_aliases(text: str) -> str:
    """One alias a line, trimmed, without blanks or repeats (compared case-insensitively)."""
    seen: set[str] = set()
    kept = []
    for line in (text or "").splitlines():
        alias = " ".join(line.split())
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            kept.append(alias)
    return "\n".join(kept)


def today_in(zone: str) -> date:
    """Today's date in the akimat's time zone: a placement starts on the akimat's own day."""
    return datetime.now(ZoneInfo(zone)).date()


def has_letters(akimat: Akimat) -> bool:
    return bool(db.session.scalar(select(exists().where(Letter.akimat_id == akimat.id))))


def accepts_letters(akimat: Akimat) -> bool:
    """A closed akimat takes no new letters; tracking, answers and ratings keep working."""
    return akimat.closed_at is None


def may_administer_platform(user) -> bool:
    """Only the installation's operator; an akimat's own admin has no say over other akimats."""
    return bool(user is not None and user.is_authenticated and user.is_platform_admin and user.active)


def find_akimat(slug: str) -> Akimat | None:
    return db.session.scalar(select(Akimat).where(Akimat.slug == (slug or "").strip().lower()))


def _reserved_slugs() -> set[str]:
    """First path segments of the installation's own pages (/login, /platform, /healthz ...): an
    akimat named so would be hidden behind them."""
    reserved = set()
    for rule in current_app.url_map.iter_rules():
        first = rule.rule.strip("/").split("/")[0]
        if first and not first.startswith("<"):
            reserved.add(first)
    return reserved


def _check(data: AkimatData, akimat: Akimat | None) -> None:
    """Every rule of the fields; raises AkimatError naming the first wrong field."""
    if not SLUG_RE.match(data.slug) or not 2 <= len(data.slug) <= 40:
        raise AkimatError("slug", _l("Use 2 to 40 lowercase latin letters, digits and hyphens, e.g. karaganda-region."))
    if data.slug in _reserved_slugs():
        raise AkimatError("slug", _l("This address is taken by a page of the site. Choose another."))
    other = find_akimat(data.slug)
    if other is not None and other is not akimat:
        raise AkimatError("slug", _l("Another akimat has this address."))
    former = db.session.scalar(select(AkimatSlug).where(AkimatSlug.slug == data.slug))
    if former is not None and (akimat is None or former.akimat_id != akimat.id):
        raise AkimatError(
            "slug", _l("This address belonged to another akimat: its old links lead there, so it is never reused.")
        )
    if not PREFIX_RE.match(data.number_prefix):
        raise AkimatError("number_prefix", _l("Use 2 to 8 uppercase latin letters, e.g. KRG."))
    taken = db.session.scalar(select(Akimat).where(Akimat.number_prefix == data.number_prefix))
    if taken is not None and taken is not akimat:
        raise AkimatError("number_prefix", _l("Another akimat numbers its letters with this prefix."))
    for name in ("name_kk", "name_ru", "name_en"):
        if not getattr(data, name).strip():
            raise AkimatError(name, _l("Enter the name."))
    if data.default_language not in LANGUAGES:
        raise AkimatError("default_language", _l("Choose Kazakh or Russian."))
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise AkimatError("timezone", _l("Enter a time zone like Asia/Almaty.")) from None
    if data.opens_at >= data.closes_at:
        raise AkimatError("closes_at", _l("The reception must close after it opens."))


def _apply(akimat: Akimat, data: AkimatData) -> None:
    akimat.slug = data.slug
    akimat.number_prefix = data.number_prefix
    akimat.name_kk = data.name_kk.strip()
    akimat.name_ru = data.name_ru.strip()
    akimat.name_en = data.name_en.strip()
    akimat.aliases = clean_aliases(data.aliases)
    akimat.kind = data.kind
    akimat.opens_at = data.opens_at
    akimat.closes_at = data.closes_at
    akimat.default_language = data.default_language
    akimat.timezone = data.timezone
    akimat.anonymous_forward_to = " ".join((data.anonymous_forward_to or "").split()) or None


def _normalized(data: AkimatData) -> AkimatData:
    data.slug = (data.slug or "").strip().lower()
    data.number_prefix = (data.number_prefix or "").strip().upper()
    data.timezone = (data.timezone or "").strip() or DEFAULT_TIMEZONE
    return data


def create_akimat(data: AkimatData, by: User | None) -> Akimat:
    """A new akimat, placed under `data.parent` from today (in its own time zone). The caller commits.

    data: the fields; the slug is stored in lower case and the prefix in upper case.
    by: the platform administrator (None: a command run by the operator).
    """
    data = _normalized(data)
    _check(data, None)
    akimat = Akimat()
    _apply(akimat, data)
    akimat.parent_id = data.parent.id if data.parent is not None else None
    db.session.add(akimat)
    db.session.flush()
    db.session.add(
        AkimatPlacement(
            akimat_id=akimat.id,
            parent_id=akimat.parent_id,
            valid_from=today_in(akimat.timezone),
            recorded_by_id=by.id if by else None,
        )
    )
    record_change("akimat_created", "akimat", akimat.id, by, akimat.id, after=snapshot(akimat, FIELDS))
    return akimat


def update_akimat(akimat: Akimat, data: AkimatData, by: User | None) -> Akimat:
    """Saves the edited fields (not the parent: see move_akimat). The caller commits.

    akimat: the akimat edited.
    data: the new fields. The number prefix cannot change once the akimat has letters (their
        numbers carry it); a new slug keeps the old one as a permanent redirect.
    by: the platform administrator.
    """
    data = _normalized(data)
    if data.number_prefix != akimat.number_prefix and has_letters(akimat):
        raise AkimatError(
            "number_prefix",
            _l("The prefix cannot change: the akimat already has letters, and their numbers carry it."),
        )
    _check(data, akimat)
    before = snapshot(akimat, FIELDS)
    old_slug = akimat.slug
    _apply(akimat, data)
    if akimat.slug != old_slug:
        reclaimed = db.session.scalar(select(AkimatSlug).where(AkimatSlug.slug == akimat.slug))
        if reclaimed is not None:  # the akimat takes back one of its own former addresses
            db.session.delete(reclaimed)
        db.session.add(AkimatSlug(slug=old_slug, akimat_id=akimat.id))
    record_change("akimat_updated", "akimat", akimat.id, by, akimat.id, before=before, after=snapshot(akimat, FIELDS))
    return akimat


def current_placement(akimat: Akimat) -> AkimatPlacement | None:
    return db.session.scalar(
        select(AkimatPlacement)
        .where(AkimatPlacement.akimat_id == akimat.id, AkimatPlacement.valid_to.is_(None))
        .order_by(AkimatPlacement.valid_from.desc(), AkimatPlacement.id.desc())
    )


def placements(akimat: Akimat) -> list[AkimatPlacement]:
    """The akimat's history in the hierarchy, earliest first."""
    return list(
        db.session.scalars(
            select(AkimatPlacement)
            .where(AkimatPlacement.akimat_id == akimat.id)
            .order_by(AkimatPlacement.valid_from, AkimatPlacement.id)
        )
    )


def check_parent(akimat: Akimat, parent: Akimat | None) -> None:
    """No cycles: an akimat is never under itself or under one of its own subordinates."""
    if parent is None:
        return
    if parent.id == akimat.id:
        raise AkimatError("parent", _l("An akimat cannot stand under itself."))
    if parent.id in subordinate_ids(akimat.id):
        raise AkimatError("parent", _l("This akimat stands under the one you move: choose another."))


def move_akimat(akimat: Akimat, new_parent: Akimat | None, effective: date, by: User | None) -> AkimatPlacement:
    """Places the akimat under `new_parent` from `effective`: the current placement ends that day
    (valid_to = effective) and a new one begins, so figures of a period keep the hierarchy of that
    period. The caller commits.

    new_parent: the higher akimat from that day; None: none (a region, a city of republican
        significance).
    effective: the first day under the new parent — today or earlier (a decree is recorded after it
        takes effect), and not before the current placement began. On the day the current one
        began, it is corrected in place.
    by: the platform administrator.
    """
    check_parent(akimat, new_parent)
    new_parent_id = new_parent.id if new_parent is not None else None
    if new_parent_id == akimat.parent_id:
        raise AkimatError("parent", _l("The akimat already stands there."))
    if effective > today_in(akimat.timezone):
        raise AkimatError("effective", _l("Record a move on or after the day it takes effect."))
    current = current_placement(akimat)
    if current is not None and effective < current.valid_from:
        raise AkimatError(
            "effective",
            _l(
                "The current placement began on %(day)s: a move cannot take effect before it.",
                day=current.valid_from.isoformat(),
            ),
        )
    before = snapshot(akimat, ("parent_id",))
    if current is not None and effective == current.valid_from:
        current.parent_id = new_parent_id
        placement = current
    else:
        if current is not None:
            current.valid_to = effective
        placement = AkimatPlacement(
            akimat_id=akimat.id,
            parent_id=new_parent_id,
            valid_from=effective,
            recorded_by_id=by.id if by else None,
        )
        db.session.add(placement)
    akimat.parent_id = new_parent_id
    after = {**snapshot(akimat, ("parent_id",)), "effective": effective.isoformat()}
    record_change("akimat_moved", "akimat", akimat.id, by, akimat.id, before={**before, "effective": None}, after=after)
    return placement


def close_akimat(akimat: Akimat, by: User | None, now: datetime | None = None) -> None:
    """Closed to new letters (abolished, merged); what it holds stays readable. The caller commits."""
    if akimat.closed_at is not None:
        raise AkimatError("closed_at", _l("The akimat is already closed."))
    before = snapshot(akimat, ("closed_at",))
    akimat.closed_at = now or datetime.now(UTC)
    record_change(
        "akimat_closed", "akimat", akimat.id, by, akimat.id, before=before, after=snapshot(akimat, ("closed_at",))
    )


def reopen_akimat(akimat: Akimat, by: User | None) -> None:
    """Takes letters again. The caller commits."""
    if akimat.closed_at is None:
        raise AkimatError("closed_at", _l("The akimat is open."))
    before = snapshot(akimat, ("closed_at",))
    akimat.closed_at = None
    record_change(
        "akimat_reopened", "akimat", akimat.id, by, akimat.id, before=before, after=snapshot(akimat, ("closed_at",))
    )


def appoint_first_admin(akimat: Akimat, email: str, full_name: str, by: User | None) -> tuple[Invitation, str]:
    """Invites the akimat's administrator (who then invites the rest of the staff). The email goes
    through the outbox; returns the invitation and its token. The caller commits.

    email, full_name: the person appointed; an address with an account gets the role added.
    by: the platform administrator (None: a command run by the operator).
    """
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise AkimatError("email", _l("Enter an email address like name@akimat.gov.kz."))
    if not (full_name or "").strip():
        raise AkimatError("full_name", _l("Enter the person's full name."))
    if akimat.closed_at is not None:
        raise AkimatError("email", _l("The akimat is closed: reopen it first."))
    return invitations.invite(akimat, email, full_name, [invitations.Grant(Role.ADMIN)], by)


def create_platform_admin(email: str, full_name: str, password: str) -> User:
    """Makes the account of `email` a platform administrator (creating it when there is none) with
    this password, under the web's password rule. The second factor is enrolled at the first
    sign-in (security: must_use_second_factor). The caller commits; an operator's command, so the
    record names no actor.

    Raises AkimatError("email" | "full_name" | "password", ...).
    """
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise AkimatError("email", _l("Enter an email address like name@akimat.gov.kz."))
    if not (full_name or "").strip():
        raise AkimatError("full_name", _l("Enter the person's full name."))
    problems = password_problems(password, (email, full_name))
    if problems:
        raise AkimatError("password", problems[0])
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=full_name.strip())
        db.session.add(user)
    before = {"is_platform_admin": bool(user.is_platform_admin)}
    user.is_platform_admin = True
    user.set_password(password)
    db.session.flush()
    record_change(
        "platform_admin_appointed", "user", user.id, None, None, before=before, after={"is_platform_admin": True}
    )
    return user
