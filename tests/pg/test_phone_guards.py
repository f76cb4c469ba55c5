"""PostgreSQL itself refuses to rewrite a phone line's check calls, whatever client connects."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from akimat_reception.domain import phones
from akimat_reception.extensions import db
from akimat_reception.models import CheckResult, Role
from tests import factories


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL triggers: runs when TEST_DATABASE_URL names a PostgreSQL server")
    yield


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE phone_check SET result = 'answered', note = 'rewritten' WHERE line_id = {id}",
        "DELETE FROM phone_check WHERE line_id = {id}",
    ],
)
def test_database_refuses_rewriting_or_deleting_a_check_call(app, sql):
    with app.app_context():
        line = factories.phone_line()
        phones.record_check(line, factories.staff(Role.REGISTRAR), CheckResult.NO_ANSWER, "Гудки")
        line_id = line.id
    with pytest.raises(DBAPIError, match="append-only"), app.app_context(), db.engine.begin() as conn:
        conn.execute(text(sql.format(id=line_id)))
