"""Settings from the environment."""

import pytest

from akimat_reception import create_app


@pytest.fixture(autouse=True)
def real_secret_key(monkeypatch):
    """These apps are built as in production, which refuses to start without a real key."""
    monkeypatch.setenv("SECRET_KEY", "a-real-key-for-these-tests-only-4f1c9e2a7b")


@pytest.mark.parametrize(
    "given, used",
    [
        ("postgresql://postgres@db:5432/reception", "postgresql+psycopg://postgres@db:5432/reception"),
        ("postgres://postgres@db:5432/reception", "postgresql+psycopg://postgres@db:5432/reception"),
        ("postgresql+psycopg://postgres@db/reception", "postgresql+psycopg://postgres@db/reception"),
    ],
)
def test_database_url_is_used_through_psycopg_3(monkeypatch, given, used):
    monkeypatch.setenv("DATABASE_URL", given)
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == used


def test_without_database_url_the_site_uses_sqlite_in_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/akimat_reception.sqlite3")
