"""The akimat's administrator exports its structure (departments, categories, staff, phone lines)
as a file and imports it back: the file is checked and previewed, applied only when the
administrator confirms, and the invitations it prepares go out only on a second confirmation.

Between the preview and the confirmation the file waits in the attachments' storage (shared by
every host, like the attachments), under a random name that only the confirming form carries."""

import secrets
import time
from pathlib import Path

from flask import Response, abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...domain.administration import structure_file, structure_import
from ...domain.administration.structure_export import export_structure
from ...domain.permissions import Action
from ...forms.structure import SendInvitationsForm, StructureConfirmForm, StructureUploadForm
from ..tenancy import make_tenant_blueprint, require, require_member

bp = make_tenant_blueprint("admin_structure_file", __name__, "/admin/structure")
KEEP_SECONDS = 24 * 3600  # an upload not confirmed within a day is dropped


@bp.before_request
@login_required
def admins_only():
    require_member()
    require(Action.MANAGE_STRUCTURE)


def _waiting_dir() -> Path:
    configured = current_app.config.get("ATTACHMENTS_DIR")
    root = Path(configured) if configured else Path(current_app.instance_path) / "attachments"
    return root / "structure-imports"


def _waiting_path(upload: str) -> Path:
    return _waiting_dir() / f"{g.akimat.id}-{upload}"


def _keep(raw: bytes) -> str:
    folder = _waiting_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():  # forgotten previews
        if old.stat().st_mtime < time.time() - KEEP_SECONDS:
            old.unlink(missing_ok=True)
    upload = secrets.token_hex(16)
    _waiting_path(upload).write_bytes(raw)
    return upload


def _index(form=None, status=200):
    pending = structure_import.unsent_invitations(g.akimat)
    return render_template(
        "admin/structure.html",
        form=form or StructureUploadForm(),
        pending=pending,
        send_form=SendInvitationsForm(),
    ), status


@bp.get("")
def index():
    return _index()


@bp.get("/export.xlsx")
def export_xlsx():
    return _download(
        structure_file.write_workbook(export_structure(g.akimat)),
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.get("/export.zip")
def export_zip():
    return _download(structure_file.write_zip(export_structure(g.akimat)), "zip", "application/zip")


def _download(body: bytes, extension: str, mimetype: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{g.akimat.slug}-structure.{extension}"'},
    )


@bp.post("/preview")
def preview():
    form = StructureUploadForm()
    if not form.validate_on_submit():
        return _index(form, 422)
    raw, filename = form.file.data.read(), form.file.data.filename or ""
    plan = structure_import.check_structure(g.akimat, structure_file.read_structure(raw, filename))
    if plan.problems:
        form.file.errors.append(_("Nothing was imported: correct the file and send it again."))
        return render_template("admin/structure_preview.html", form=form, plan=plan, filename=filename), 422
    confirm = StructureConfirmForm(upload=_keep(raw), filename=filename)
    return render_template(
        "admin/structure_preview.html",
        form=form,
        plan=plan,
        confirm=confirm,
        filename=filename,
        summary=structure_import.summary(plan),
    )


@bp.post("/import")
def confirm_import():
    form = StructureConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    path = _waiting_path(form.upload.data)
    if not path.exists():
        flash(_("That file is no longer waiting: send it again."), "error")
        return redirect(url_for(".index"))
    # Checked again: the akimat may have changed since the preview.
    plan = structure_import.check_structure(
        g.akimat, structure_file.read_structure(path.read_bytes(), form.filename.data)
    )
    if plan.problems:
        upload = StructureUploadForm()
        upload.file.errors.append(_("Nothing was imported: correct the file and send it again."))
        return render_template("admin/structure_preview.html", form=upload, plan=plan, filename=form.filename.data), 422
    structure_import.apply_structure(g.akimat, plan, current_user)
    path.unlink(missing_ok=True)
    flash(_("Imported: %(summary)s.", summary=structure_import.summary(plan)), "success")
    return redirect(url_for(".index"))


@bp.post("/invitations")
def send_invitations():
    require(Action.MANAGE_STAFF)
    if not SendInvitationsForm().validate_on_submit():
        abort(400)
    sent = structure_import.send_invitations(g.akimat, current_user)
    flash(_("Invitations sent: %(count)s.", count=sent), "success")
    return redirect(url_for(".index"))
