"""The flask commands an operator uses."""

from sqlalchemy import select

from akimat_reception.extensions import db
from akimat_reception.models import Role, User


def test_demo_is_loaded_only_once(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0 and "already loaded" in result.output


def test_create_user_makes_an_account_that_can_sign_in(app, runner):
    with app.app_context():
        from tests import factories

        department = factories.akimat().departments[1].id
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "New.Executor@Astana.kz",
            "--name",
            "Асель Жанова",
            "--akimat",
            "astana",
            "--role",
            "executor",
            "--department",
            str(department),
            "--password",
            "a-long-password-1",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.executor@astana.kz"))
        assert [(m.role, m.department_id) for m in user.memberships] == [(Role.EXECUTOR, department)]
    client = app.test_client()
    from tests.conftest import post_form

    response = post_form(client, "/login", {"email": "new.executor@astana.kz", "password": "a-long-password-1"})
    assert response.headers["Location"] == "/astana/office/"


def test_create_user_refuses_an_executor_without_a_department(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "x@astana.kz",
            "--name",
            "X",
            "--akimat",
            "astana",
            "--role",
            "executor",
            "--password",
            "a-long-password-1",
        ]
    )
    assert result.exit_code != 0 and "needs a department" in result.output


def test_create_user_refuses_an_unknown_akimat(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "y@kz.kz",
            "--name",
            "Y",
            "--akimat",
            "atlantis",
            "--role",
            "akim",
            "--password",
            "a-long-password-1",
        ]
    )
    assert result.exit_code != 0 and "no akimat" in result.output
