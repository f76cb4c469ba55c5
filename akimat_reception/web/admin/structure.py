"""The akimat's administrator keeps its structure: departments and categories (list, add, edit,
retire). The rules are in domain/administration/structure.py."""

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ...domain.administration import structure
from ...domain.permissions import Action
from ...extensions import db
from ...forms.admin import NO_CHOICE, CategoryForm, DepartmentForm
from ...models import Category, Department
from ..tenancy import make_tenant_blueprint, require, require_member

bp = make_tenant_blueprint("admin_structure", __name__, "/admin")


@bp.before_request
@login_required
def admins_only():
    require_member()
    require(Action.MANAGE_STRUCTURE)


def _all(model):
    return db.session.scalars(
        select(model).where(model.akimat_id == g.akimat.id).order_by(model.retired_at.is_not(None), model.id)
    ).all()


def _own_or_404(model, row_id: int):
    row = db.session.get(model, row_id)
    if row is None or row.akimat_id != g.akimat.id:
        abort(404)
    return row


def _fail(form, error: structure.StructureError) -> None:
    db.session.rollback()
    target = getattr(form, error.field, None) or form.code
    target.errors = [*target.errors, error.message]


# Departments --------------------------------------------------------------------------------------


@bp.get("/departments")
def departments():
    return render_template("admin/departments.html", departments=_all(Department))


def _department_data(form: DepartmentForm) -> structure.DepartmentData:
    head = form.head.data if form.head.data not in (None, NO_CHOICE) else None
    return structure.DepartmentData(form.code.data, form.name_kk.data, form.name_ru.data, form.name_en.data, head)


def _department_form(department: Department | None):
    form = DepartmentForm(executors=structure.executors_of(department) if department else ())
    if department is not None and not form.is_submitted():
        form.code.data, form.head.data = department.code, department.head_id or NO_CHOICE
        form.name_kk.data, form.name_ru.data, form.name_en.data = (
            department.name_kk,
            department.name_ru,
            department.name_en,
        )
    if form.validate_on_submit():
        try:
            if department is None:
                structure.add_department(g.akimat, _department_data(form), current_user)
            else:
                structure.update_department(department, _department_data(form), current_user)
        except structure.StructureError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("The department was saved."), "success")
            return redirect(url_for(".departments"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/department_form.html", form=form, department=department), status


@bp.route("/departments/new", methods=["GET", "POST"])
def new_department():
    return _department_form(None)


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def edit_department(department_id):
    department = _own_or_404(Department, department_id)
    if department.retired_at is not None:
        abort(404)
    return _department_form(department)


@bp.post("/departments/<int:department_id>/retire")
def retire_department(department_id):
    department = _own_or_404(Department, department_id)  # CSRFProtect has checked the token
    try:
        structure.retire_department(department, current_user)
    except structure.StructureError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The department was retired: no new letters or executors go to it; its letters stay."), "success")
    return redirect(url_for(".departments"))


# Categories ---------------------------------------------------------------------------------------


@bp.get("/categories")
def categories():
    return render_template("admin/categories.html", categories=_all(Category))


def _category_data(form: CategoryForm) -> structure.CategoryData:
    default = form.default_department.data if form.default_department.data not in (None, NO_CHOICE) else None
    return structure.CategoryData(form.code.data, form.name_kk.data, form.name_ru.data, form.name_en.data, default)


def _category_form(category: Category | None):
    form = CategoryForm(departments=structure.departments_in_service(g.akimat.id))
    if category is not None and not form.is_submitted():
        form.code.data = category.code
        form.default_department.data = category.default_department_id or NO_CHOICE
        form.name_kk.data, form.name_ru.data, form.name_en.data = category.name_kk, category.name_ru, category.name_en
    if form.validate_on_submit():
        try:
            if category is None:
                structure.add_category(g.akimat, _category_data(form), current_user)
            else:
                structure.update_category(category, _category_data(form), current_user)
        except structure.StructureError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("The category was saved."), "success")
            return redirect(url_for(".categories"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/category_form.html", form=form, category=category), status


@bp.route("/categories/new", methods=["GET", "POST"])
def new_category():
    return _category_form(None)


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def edit_category(category_id):
    category = _own_or_404(Category, category_id)
    if category.retired_at is not None:
        abort(404)
    return _category_form(category)


@bp.post("/categories/<int:category_id>/retire")
def retire_category(category_id):
    category = _own_or_404(Category, category_id)  # CSRFProtect has checked the token
    try:
        structure.retire_category(category, current_user)
    except structure.StructureError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("The category was retired: the letter form no longer offers it; its letters keep it."), "success")
    return redirect(url_for(".categories"))
