"""flask akimat import / export, as an operator runs them."""

import uuid

from sqlalchemy import func, select

from akimat_reception.demo.structure import create_demo_akimat
from akimat_reception.extensions import db
from akimat_reception.models import Department, Invitation, OutboxMessage
from tests import factories


def _akimat(app) -> str:
    unique = uuid.uuid4().hex[:8]
    with app.app_context():
        create_demo_akimat(
            {"slug": f"c-{unique}", "prefix": factories.number_prefix(), "names": ("Сынақ", "Проба", "Trial")}
        )
        db.session.commit()
    return f"c-{unique}"


def _write(path, sheets: dict[str, str]):
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for sheet, text in sheets.items():
            archive.writestr(f"{sheet}.csv", ("\ufeff" + text).encode("utf-8"))
    return path


DEPARTMENTS = "code,name_kk,name_ru,name_en,retired\nHOUSING,Тұрғын үй бөлімі,Отдел ЖКХ,Housing,\n"


def test_export_then_import_of_the_same_file_changes_nothing(app, runner, tmp_path):
    slug = _akimat(app)
    staff = f"email,full_name,roles,department\nexe-{slug}@example.kz,Бекзат Тұрсынов,executor,HOUSING\n"
    first = runner.invoke(
        args=["akimat", "import", slug, str(_write(tmp_path / "in.zip", {"departments": DEPARTMENTS, "staff": staff}))]
    )
    assert first.exit_code == 0 and "Imported: created 2, updated 0, unchanged 0." in first.output
    for name in ("out.xlsx", "out.zip"):
        target = tmp_path / name
        exported = runner.invoke(args=["akimat", "export", slug, str(target)])
        assert exported.exit_code == 0 and "1 departments" in exported.output and target.stat().st_size > 0
        again = runner.invoke(args=["akimat", "import", slug, str(target)])
        assert again.exit_code == 0 and "Imported: created 0, updated 0, unchanged 2." in again.output, again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Department.akimat == factories.akimat(slug))) == 1


def test_a_bad_file_exits_1_listing_every_problem_and_changes_nothing(app, runner, tmp_path):
    slug = _akimat(app)
    staff = "email,full_name,roles,department\nnobody,Ким,registrar,\nx@example.kz,Ким,executor,ROADS\n"
    path = _write(tmp_path / "bad.zip", {"departments": DEPARTMENTS, "staff": staff})
    result = runner.invoke(args=["akimat", "import", slug, str(path)])
    assert result.exit_code == 1
    assert "staff, line 2" in result.output and "staff, line 3" in result.output and "ROADS" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Department.akimat == factories.akimat(slug))) == 0


def test_dry_run_changes_nothing_and_send_invitations_queues_them(app, runner, tmp_path):
    slug = _akimat(app)
    email = f"reg-{slug}@example.kz"
    staff = f"email,full_name,roles,department\n{email},Әлия Тоқтарова,registrar,\n"
    path = _write(tmp_path / "structure.zip", {"departments": DEPARTMENTS, "staff": staff})
    dry = runner.invoke(args=["akimat", "import", slug, str(path), "--dry-run"])
    assert dry.exit_code == 0 and "departments, line 2: created HOUSING" in dry.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Invitation.email == email)) == 0
    result = runner.invoke(args=["akimat", "import", slug, str(path), "--send-invitations"])
    assert result.exit_code == 0 and "Invitations queued: 1." in result.output
    with app.app_context():
        [message] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)).all()
        assert message.kind == "staff_invitation"
    again = runner.invoke(args=["akimat", "import", slug, str(path), "--send-invitations"])
    assert again.exit_code == 0 and "Invitations queued: 0." in again.output  # never twice


def test_an_unknown_akimat_is_a_clear_error(runner, tmp_path):
    path = _write(tmp_path / "x.zip", {"departments": DEPARTMENTS})
    result = runner.invoke(args=["akimat", "import", "no-such-akimat", str(path)])
    assert result.exit_code != 0 and "no akimat 'no-such-akimat'" in result.output
