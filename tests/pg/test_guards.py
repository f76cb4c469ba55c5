"""What only PostgreSQL shows: the database itself refuses to rewrite history, whatever client
connects, and takes registration numbers under a row lock."""
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from akimat_reception.extensions import db
from tests import factories


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL triggers: runs when TEST_DATABASE_URL names a PostgreSQL server")
    yield


def _raw(app, sql):
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(sql))


@pytest.mark.parametrize("sql", [
    "UPDATE event SET payload = '{{}}' WHERE letter_id = {id}",
    "DELETE FROM event WHERE letter_id = {id}",
    "UPDATE letter SET body = 'rewritten' WHERE id = {id}",
    "UPDATE letter SET iin = '900101300017' WHERE id = {id}",
    "DELETE FROM letter WHERE id = {id}",
])
def test_trigger_refuses_rewriting_a_letter_or_its_journal(app, sql):
    with app.app_context():
        letter, _ = factories.letter()
        letter_id = letter.id
    with pytest.raises(DBAPIError, match="append-only|cannot be changed|never deleted"):
        _raw(app, sql.format(id=letter_id))


def test_trigger_lets_the_state_columns_change(app):
    with app.app_context():
        letter, _ = factories.letter()
        letter_id = letter.id
    _raw(app, f"UPDATE letter SET department_id = NULL, transfer_count = 0 WHERE id = {letter_id}")


def test_concurrent_submissions_get_unique_gap_free_numbers(app):
    from akimat_reception.domain import lifecycle
    from akimat_reception.models import Letter

    numbers, errors = [], []

    def submit():
        try:
            with app.app_context():
                letter, _ = factories.letter("almaty", subject="Одновременно")
                numbers.append(letter.seq)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(numbers)) == 20
    assert sorted(numbers) == list(range(min(numbers), min(numbers) + 20))
