"""The flask commands an operator uses."""

import html

import pytest
from babel.support import Translations
from sqlalchemy import select

from akimat_reception.demo import DEMO_PASSWORD
from akimat_reception.domain.passwords import MINIMUM_LENGTH
from akimat_reception.extensions import db
from akimat_reception.models import Membership, Role, User
from tests.conftest import PROJECT_ROOT, login, post_form


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


def _create_controller(runner, email, password):
    return runner.invoke(
        args=[
            "create-user",
            "--email",
            email,
            "--name",
            "Ержан Сапаров",
            "--akimat",
            "astana",
            "--role",
            "controller",
            "--password",
            password,
        ]
    )


def _user(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


TOO_SHORT = ("Use at least %(count)s characters.", {"count": MINIMUM_LENGTH})
GUESSABLE = ("This password is too easy to guess: it is common or follows a pattern. Use a few unrelated words.", {})


@pytest.mark.parametrize(
    "password, reason",
    [
        ("ten-chars1", TOO_SHORT),  # the command used to accept 10 characters
        ("password12345", GUESSABLE),
        ("qwertyuiop123", GUESSABLE),
    ],
)
def test_create_user_refuses_a_weak_password_with_the_reason_the_web_gives(app, runner, password, reason):
    result = _create_controller(runner, "weak.password@astana.kz", password)
    assert result.exit_code == 2
    msgid, values = reason
    language = app.config["BABEL_DEFAULT_LOCALE"]  # a command has no browser: the installation's language
    expected = Translations.load(str(PROJECT_ROOT / "translations"), [language]).gettext(msgid) % values
    assert expected != msgid % values  # translated, not the English source
    assert f"Error: Invalid value for password: {expected}" in result.output
    assert _user(app, "weak.password@astana.kz") is None
    # The web's password form refuses the same password with the same words.
    client = app.test_client()
    login(client, "controller")
    form = {"current_password": DEMO_PASSWORD, "new_password": password, "repeat_password": password}
    page = post_form(client, "/account/password", form, headers={"Accept-Language": language})
    assert page.status_code == 422 and html.escape(expected) in page.get_data(as_text=True)


def test_create_user_accepts_a_strong_password_and_it_signs_in(app, runner):
    result = _create_controller(runner, "strong.password@astana.kz", "steppe-falcon-violet-kumis")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "strong.password@astana.kz: controller of astana"
    response = post_form(
        app.test_client(), "/login", {"email": "strong.password@astana.kz", "password": "steppe-falcon-violet-kumis"}
    )
    assert response.status_code == 302 and response.headers["Location"].startswith("/astana/office/")


def test_create_user_twice_with_the_same_role_keeps_one_role(app, runner):
    for _ in range(2):
        assert _create_controller(runner, "twice@astana.kz", "kumis under a blue yurt").exit_code == 0
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "twice@astana.kz"))
        assert [m.role for m in db.session.scalars(select(Membership).where(Membership.user_id == user.id))] == [
            Role.CONTROLLER
        ]
