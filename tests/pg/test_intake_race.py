"""Two clerks entering the same letter at one moment (PostgreSQL): both pass the look-up before
either has committed, and the database's unique constraint on the sender's number decides. The one
that loses is told which letter is already registered, as if it had looked a second later."""

import re
import threading

import pytest
from sqlalchemy import func, select

from akimat_reception.extensions import db
from akimat_reception.models import Category, Letter
from tests import factories
from tests.conftest import csrf_token, login

CLERKS = 6
FORM = "/astana/office/letters/new"


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("concurrent transactions: runs when TEST_DATABASE_URL names a PostgreSQL server")
    yield


def test_clerks_entering_the_same_e_otinish_letter_at_once_register_it_once(app):
    reference = f"ЖТ-{factories.number_prefix()}"
    with app.app_context():
        category_id = db.session.scalar(select(Category.id).where(Category.code == "utilities").limit(1))
    clients = []
    for _ in range(CLERKS):
        client = app.test_client()
        login(client, "registrar")
        clients.append((client, csrf_token(client, FORM)))
    start = threading.Barrier(CLERKS)
    responses, errors = {}, []

    def clerk(i):
        client, token = clients[i]
        try:
            start.wait(timeout=60)
            responses[i] = client.post(
                FORM,
                data={
                    "csrf_token": token,
                    "channel": "e_otinish",
                    "sender_reference": reference,
                    "kind": "application",
                    "category": category_id,
                    "subject": "Ремонт подъезда",
                    "body": "Прошу отремонтировать подъезд дома 3 по улице Абая.",
                    "sender_type": "person",
                    "surname": "Ким",
                    "given_name": "Елена",
                    "address": "Астана, Абая 3",
                    "language": "ru",
                },
                headers={"Accept-Language": "en"},
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append((i, error))

    threads = [threading.Thread(target=clerk, args=(i,)) for i in range(CLERKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]

    registered = [r for r in responses.values() if r.status_code == 302]
    refused = [r for r in responses.values() if r.status_code == 422]
    assert (len(registered), len(refused)) == (1, CLERKS - 1)
    number = registered[0].headers["Location"].split("/")[-2]
    for response in refused:
        assert re.search(rf"This number is already registered: letter {number}\b", response.get_data(as_text=True))
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Letter).where(Letter.sender_reference == reference))
        assert count == 1
