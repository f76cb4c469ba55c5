"""The akimat's administrator manages its staff: the list (people and open invitations), inviting,
resending and revoking an invitation, and a person's page (roles, deactivation, the second
factor). The rules are in domain/administration/staff.py and invitations.py."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...domain.administration import invitations, staff
from ...domain.administration.invitations import Grant
from ...domain.administration.structure import departments_in_service
from ...domain.permissions import Action
from ...extensions import db
from ...forms.admin import NO_CHOICE, GrantRoleForm, InviteForm, OfficialDetailsForm
from ...models import Invitation, Membership, Role, User
from ..pagination import paginate
from ..tenancy import make_tenant_blueprint, require, require_member

bp = make_tenant_blueprint("admin_staff", __name__, "/admin/staff")


@bp.before_request
@login_required
def admins_only():
    require_member()
    require(Action.MANAGE_STAFF)


def _person_or_404(user_id: int) -> User:
    return staff.person_in(g.akimat, user_id) or abort(404)


def _invitation_or_404(invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.akimat_id != g.akimat.id:
        abort(404)
    return invitation


@bp.get("/")
def index():
    page = paginate(staff.people_of(g.akimat))
    return render_template(
        "admin/staff.html",
        page=page,
        invitations=staff.open_invitations(g.akimat),
        departments={d.id: d for d in g.akimat.departments},  # retired ones too: their people are listed
    )


def _departments():
    return {d.id: d for d in departments_in_service(g.akimat.id)}


def _grants(roles: list[str], department_id: int | None) -> list[Grant]:
    department = department_id if department_id not in (None, NO_CHOICE) else None
    return [Grant(Role(r), department if r == Role.EXECUTOR.value else None) for r in roles]


@bp.route("/invite", methods=["GET", "POST"])
def invite():
    form = InviteForm(departments=_departments().values())
    if form.validate_on_submit():
        try:
            invitations.invite(
                g.akimat,
                form.email.data,
                form.full_name.data,
                _grants(form.roles.data, form.department.data),
                current_user,
            )
        except invitations.InvitationError as error:
            db.session.rollback()
            target = getattr(form, error.field, form.roles)
            target.errors = [*target.errors, error.message]
        else:
            db.session.commit()
            flash(_("The invitation was sent to %(email)s.", email=form.email.data.lower()), "success")
            return redirect(url_for(".index"))
    return render_template("admin/invite.html", form=form), 422 if form.is_submitted() else 200


def _on_invitation(invitation_id: int, change, done: str):
    invitation = _invitation_or_404(invitation_id)  # CSRFProtect has checked the token
    try:
        change(invitation, current_user)
    except invitations.InvitationError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for(".index"))


@bp.post("/invitations/<int:invitation_id>/resend")
def resend(invitation_id):
    return _on_invitation(invitation_id, invitations.resend, _("A new link was sent; the old one no longer works."))


@bp.post("/invitations/<int:invitation_id>/revoke")
def revoke(invitation_id):
    return _on_invitation(invitation_id, invitations.revoke, _("The invitation was revoked: its link no longer works."))


def _render_person(user: User, form: GrantRoleForm, status: int = 200, details_form: OfficialDetailsForm | None = None):
    return render_template(
        "admin/person.html",
        person=user,
        memberships=user.memberships_in(g.akimat),
        form=form,
        details_form=details_form or OfficialDetailsForm(position=user.position, work_phone=user.work_phone),
        may_reset=staff.may_reset_second_factor(current_user, user),
    ), status


@bp.get("/<int:user_id>")
def person(user_id):
    user = _person_or_404(user_id)
    return _render_person(user, GrantRoleForm(departments=_departments().values()))


def _change(user: User, action, done: str):
    try:
        action()
    except staff.StaffRuleError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for(".person", user_id=user.id))


@bp.post("/<int:user_id>/roles")
def grant_role(user_id):
    user = _person_or_404(user_id)
    form = GrantRoleForm(departments=_departments().values())
    if not form.validate_on_submit():
        return _render_person(user, form, 422)
    [grant] = _grants([form.role.data], form.department.data)
    return _change(user, lambda: staff.grant_role(user, g.akimat, grant, current_user), _("The role was given."))


@bp.post("/<int:user_id>/roles/<int:membership_id>/withdraw")
def withdraw_role(user_id, membership_id):
    user = _person_or_404(user_id)
    membership = next((m for m in user.memberships_in(g.akimat) if m.id == membership_id), None) or abort(404)
    assert isinstance(membership, Membership)
    return _change(user, lambda: staff.withdraw_role(membership, current_user), _("The role was taken away."))


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id):
    user = _person_or_404(user_id)
    return _change(
        user,
        lambda: staff.deactivate(user, current_user),
        _("The account was deactivated: it cannot sign in, and its open sessions have ended."),
    )


@bp.post("/<int:user_id>/reactivate")
def reactivate(user_id):
    user = _person_or_404(user_id)
    return _change(user, lambda: staff.reactivate(user, g.akimat, current_user), _("The account can sign in again."))


@bp.post("/<int:user_id>/reset-second-factor")
def reset_second_factor(user_id):
    user = _person_or_404(user_id)
    return _change(
        user,
        lambda: staff.reset_second_factor(user, current_user, g.akimat),
        _("The second factor was reset: the person's sessions ended, and they set it up again at the next sign-in."),
    )


@bp.post("/<int:user_id>/details")
def official_details(user_id):
    """The person's position and work phone, which the answers they write and sign carry."""
    user = _person_or_404(user_id)
    form = OfficialDetailsForm()
    if not form.validate_on_submit():
        return _render_person(user, GrantRoleForm(departments=_departments().values()), 422, details_form=form)
    return _change(
        user,
        lambda: staff.set_official_details(
            user, g.akimat, form.position.data or "", form.work_phone.data or "", current_user
        ),
        _("The position and work phone were saved."),
    )
