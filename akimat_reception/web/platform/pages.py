"""The pages of one akimat in the platform administration: new, show, edit, move, close and
reopen, appoint the first administrator."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...domain.administration import akimats, staff
from ...extensions import db
from ...forms.platform import AKIMAT_KIND_LABELS, AkimatForm, AppointAdminForm, ConfirmForm, MoveForm
from ...models import Akimat, AkimatKind, Invitation, Membership, Role, User
from . import bp, matching

CANDIDATES = 10


def _akimat_or_404(akimat_id: int) -> Akimat:
    return db.session.get(Akimat, akimat_id) or abort(404)


def _parent(form, field_name: str = "parent") -> tuple[bool, Akimat | None, list[Akimat]]:
    """The higher akimat typed by its address. Unknown: the akimats whose names match the text,
    offered as the search step (works without JavaScript; the field's datalist is a shortcut)."""
    text = form[field_name].data or ""
    if not text:
        return True, None, []
    found = akimats.find_akimat(text)
    if found is not None:
        return True, found, []
    candidates = list(db.session.scalars(matching(text).order_by(Akimat.slug).limit(CANDIDATES)))
    form[field_name].errors.append(_("No akimat has this address. Type the address (slug) of the higher akimat."))
    return False, None, candidates


def _data(form: AkimatForm, parent: Akimat | None) -> akimats.AkimatData:
    return akimats.AkimatData(
        slug=form.slug.data,
        number_prefix=form.number_prefix.data,
        name_kk=form.name_kk.data,
        name_ru=form.name_ru.data,
        name_en=form.name_en.data,
        kind=AkimatKind(form.kind.data),
        aliases=form.aliases.data or "",
        parent=parent,
        opens_at=form.opens_at.data,
        closes_at=form.closes_at.data,
        default_language=form.default_language.data,
        timezone=form.timezone.data,
        anonymous_forward_to=form.anonymous_forward_to.data or "",
    )


def _refused(form, error: akimats.AkimatError) -> None:
    db.session.rollback()
    target = form[error.field] if error.field in form else form[next(iter(form._fields))]
    target.errors = list(target.errors) + [error.message]


@bp.route("/akimats/new", methods=["GET", "POST"])
def new_akimat():
    form = AkimatForm()
    if not form.is_submitted():
        form.kind.data = AkimatKind.DISTRICT.value
        form.default_language.data = "kk"
        form.timezone.data = akimats.DEFAULT_TIMEZONE
        form.opens_at.data, form.closes_at.data = akimats.AkimatData.opens_at, akimats.AkimatData.closes_at
    candidates: list[Akimat] = []
    if form.validate_on_submit():
        known, parent, candidates = _parent(form)
        if known:
            try:
                akimat = akimats.create_akimat(_data(form, parent), current_user)
                db.session.commit()
            except akimats.AkimatError as error:
                _refused(form, error)
            else:
                flash(_("The akimat was created. Appoint its first administrator."), "success")
                return redirect(url_for(".appoint_admin", akimat_id=akimat.id))
    return render_template(
        "platform/akimat_form.html", form=form, subject=None, candidates=candidates
    ), 422 if form.is_submitted() else 200


@bp.get("/akimats/<int:akimat_id>")
def show(akimat_id: int):
    akimat = _akimat_or_404(akimat_id)
    history = akimats.placements(akimat)
    parents = {a.id: a for a in db.session.scalars(select(Akimat).where(Akimat.id.in_({p.parent_id for p in history})))}
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.akimat_id == akimat.id).order_by(Invitation.id.desc()).limit(20)
    ).all()
    return render_template(
        "platform/akimat.html",
        subject=akimat,
        history=history,
        parents=parents,
        invitations=invitations,
        administrators=_administrators(akimat),
        kinds=AKIMAT_KIND_LABELS,
        has_letters=akimats.has_letters(akimat),
        confirm=ConfirmForm(),
    )


@bp.route("/akimats/<int:akimat_id>/edit", methods=["GET", "POST"])
def edit(akimat_id: int):
    akimat = _akimat_or_404(akimat_id)
    form = AkimatForm(obj=akimat)
    del form.parent  # the parent changes by a dated move
    if not form.is_submitted():
        form.kind.data = akimat.kind.value
    if form.validate_on_submit():
        try:
            akimats.update_akimat(akimat, _data(form, akimat.parent), current_user)
            db.session.commit()
        except akimats.AkimatError as error:
            _refused(form, error)
        else:
            flash(_("The akimat was saved."), "success")
            return redirect(url_for(".show", akimat_id=akimat.id))
    return render_template(
        "platform/akimat_form.html",
        form=form,
        subject=akimat,
        candidates=[],
        prefix_frozen=akimats.has_letters(akimat),
    ), 422 if form.is_submitted() else 200


@bp.route("/akimats/<int:akimat_id>/move", methods=["GET", "POST"])
def move(akimat_id: int):
    akimat = _akimat_or_404(akimat_id)
    form = MoveForm()
    if not form.is_submitted():
        form.effective.data = akimats.today_in(akimat.timezone)
    candidates: list[Akimat] = []
    if form.validate_on_submit():
        known, parent, candidates = _parent(form)
        if known:
            try:
                akimats.move_akimat(akimat, parent, form.effective.data, current_user)
                db.session.commit()
            except akimats.AkimatError as error:
                _refused(form, error)
            else:
                flash(_("The move was recorded."), "success")
                return redirect(url_for(".show", akimat_id=akimat.id))
    return render_template(
        "platform/move.html", form=form, subject=akimat, candidates=candidates
    ), 422 if form.is_submitted() else 200


def _administrators(akimat: Akimat) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.akimat_id == akimat.id, Membership.role == Role.ADMIN)
            .order_by(User.full_name, User.id)
            .distinct()
        )
    )


@bp.post("/akimats/<int:akimat_id>/admins/<int:user_id>/reset-second-factor")
def reset_second_factor(akimat_id: int, user_id: int):
    """An akimat's last administrator lost the phone: only the platform's administrator may let them
    enrol again (an akimat's administrator resets the others, on the akimat's staff pages)."""
    akimat = _akimat_or_404(akimat_id)
    user = next((u for u in _administrators(akimat) if u.id == user_id), None) or abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            staff.reset_second_factor(user, current_user, akimat)
        except staff.StaffRuleError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            flash(
                _(
                    "The second factor of %(name)s was reset: they set up a new one at their next sign-in.",
                    name=user.full_name,
                ),
                "success",
            )
    return redirect(url_for(".show", akimat_id=akimat.id))


def _toggle(akimat_id: int, verb, message: str):
    akimat = _akimat_or_404(akimat_id)
    if ConfirmForm().validate_on_submit():
        try:
            verb(akimat, current_user)
            db.session.commit()
            flash(message, "success")
        except akimats.AkimatError as error:
            db.session.rollback()
            flash(str(error.message), "error")
    return redirect(url_for(".show", akimat_id=akimat.id))


@bp.post("/akimats/<int:akimat_id>/close")
def close(akimat_id: int):
    return _toggle(akimat_id, akimats.close_akimat, _("The akimat is closed to new letters."))


@bp.post("/akimats/<int:akimat_id>/reopen")
def reopen(akimat_id: int):
    return _toggle(akimat_id, akimats.reopen_akimat, _("The akimat takes letters again."))


@bp.route("/akimats/<int:akimat_id>/admins/new", methods=["GET", "POST"])
def appoint_admin(akimat_id: int):
    akimat = _akimat_or_404(akimat_id)
    form = AppointAdminForm()
    if form.validate_on_submit():
        try:
            akimats.appoint_first_admin(akimat, form.email.data, form.full_name.data, current_user)
            db.session.commit()
        except akimats.AkimatError as error:
            _refused(form, error)
        else:
            flash(_("The invitation was sent to %(email)s.", email=form.email.data.lower()), "success")
            return redirect(url_for(".show", akimat_id=akimat.id))
    return render_template(
        "platform/appoint_admin.html", form=form, subject=akimat
    ), 422 if form.is_submitted() else 200
