"""A department's canned paragraphs in each language, kept by its executors."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ...domain.permissions import Action
from ...extensions import db
from ...forms.office import AnswerTemplateForm
from ...models import AnswerTemplate, Department
from ..tenancy import make_tenant_blueprint, require, require_member

bp = make_tenant_blueprint("answer_templates", __name__, "/office/templates")


@bp.before_request
@login_required
def executors_only():
    require_member()
    require(Action.MANAGE_TEMPLATES)


def _my_departments():
    ids = current_user.departments_in(g.akimat)
    return db.session.scalars(select(Department).where(Department.id.in_(ids)).order_by(Department.id)).all()


def _template_or_404(template_id: int) -> AnswerTemplate:
    template = db.session.get(AnswerTemplate, template_id)
    if (
        template is None
        or template.akimat_id != g.akimat.id
        or template.department_id not in current_user.departments_in(g.akimat)
    ):
        abort(404)
    return template


@bp.get("/")
def index():
    templates = db.session.scalars(
        select(AnswerTemplate)
        .where(
            AnswerTemplate.akimat_id == g.akimat.id,
            AnswerTemplate.department_id.in_(current_user.departments_in(g.akimat)),
        )
        .order_by(AnswerTemplate.language, AnswerTemplate.title)
        .limit(500)
    ).all()
    return render_template("office/templates.html", templates=templates)


@bp.route("/new", methods=["GET", "POST"])
def new():
    return _edit(AnswerTemplate(akimat_id=g.akimat.id), is_new=True)


@bp.route("/<int:template_id>", methods=["GET", "POST"])
def edit(template_id):
    return _edit(_template_or_404(template_id), is_new=False)


def _edit(template: AnswerTemplate, is_new: bool):
    departments = _my_departments()
    form = AnswerTemplateForm(
        obj=None if is_new else template, departments=departments, department=template.department_id
    )
    if form.validate_on_submit():
        if form.department.data not in {d.id for d in departments}:
            abort(403)
        template.department_id, template.language = form.department.data, form.language.data
        template.title, template.body = form.title.data, form.body.data
        db.session.add(template)
        db.session.commit()
        flash(_("The paragraph was saved."), "success")
        return redirect(url_for(".index"))
    return render_template(
        "office/template_form.html", form=form, is_new=is_new, template=template
    ), 422 if form.is_submitted() else 200
