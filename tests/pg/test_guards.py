"""What only PostgreSQL shows: the database itself refuses to rewrite history, whatever client
connects, and takes registration numbers under a row lock."""

import re
import threading
import time

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


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE event SET payload = '{{}}' WHERE letter_id = {id}",
        "DELETE FROM event WHERE letter_id = {id}",
        "UPDATE letter SET body = 'rewritten' WHERE id = {id}",
        "UPDATE letter SET iin = '900101300017' WHERE id = {id}",
        "UPDATE letter SET cosignatories = '[\"Ким Елена\"]' WHERE id = {id}",  # a json column
        "DELETE FROM letter WHERE id = {id}",
    ],
)
def test_trigger_refuses_rewriting_a_letter_or_its_journal(app, sql):
    with app.app_context():
        letter, _ = factories.letter()
        letter_id = letter.id
    with pytest.raises(DBAPIError, match="append-only|cannot be changed|never deleted"):
        _raw(app, sql.format(id=letter_id))


@pytest.mark.parametrize(
    "assignment",
    [
        "channel = 'paper'",
        "sender_reference = 'ВХ-123'",
        "anonymous = NOT anonymous",
        "organisation_name = 'ТОО «Переписано»'",
        "organisation_bin = '123456789012'",
        "signatory_position = 'директор'",
        """cosignatories = '[{"name": "Кто-то ещё", "address": "Астана"}]'""",
        "counts_from = DATE '2020-01-01'",
        "registered_by_id = (SELECT min(id) FROM user_account)",
        "original_deadline = original_deadline + 30",
        "received_at = received_at - INTERVAL '1 day'",
        "number = number || 'X'",
    ],
)
def test_trigger_refuses_changing_how_a_letter_arrived_and_who_sent_it(app, assignment):
    """The columns issue 14 added (channel, the sender's reference, anonymity, the organisation,
    co-signatories, the day it counts from, the registrar) and the dates: as frozen as the text."""
    with app.app_context():
        letter, _ = factories.letter()
        letter_id = letter.id
    with pytest.raises(DBAPIError, match="the content of a submitted letter cannot be changed"):
        _raw(app, f"UPDATE letter SET {assignment} WHERE id = {letter_id}")


@pytest.fixture
def sent_answer_id(app):
    with app.app_context():
        letter, _ = factories.answered_letter()
        answer = letter.answers[-1]
        assert answer.sent_at is not None
        return answer.id


@pytest.mark.parametrize(
    "assignment",
    [
        "controlled_by_id = author_id",
        "controlled_by_id = NULL",
        "signed_by_id = author_id",
        "outgoing_number = 'ИСХ-000'",
        "department_id = NULL",
        "language = 'kk'",
        "body = 'rewritten'",
        "decision = 'refused'",
        "sent_at = sent_at - INTERVAL '1 day'",
    ],
)
def test_trigger_refuses_changing_a_sent_answer_or_who_approved_and_signed_it(app, sent_answer_id, assignment):
    with pytest.raises(DBAPIError, match="a sent answer cannot be changed"):
        _raw(app, f"UPDATE answer SET {assignment} WHERE id = {sent_answer_id}")


def test_trigger_lets_a_sent_answer_be_rated(app, sent_answer_id):
    _raw(app, f"UPDATE answer SET rating = 4, rating_comment = 'спасибо' WHERE id = {sent_answer_id}")


def test_trigger_lets_the_state_columns_change(app):
    with app.app_context():
        letter, _ = factories.letter()
        letter_id = letter.id
    _raw(app, f"UPDATE letter SET department_id = NULL, transfer_count = 0 WHERE id = {letter_id}")


SUBMITTERS = 50


def test_fifty_residents_submitting_at_once_all_get_receipts_with_gap_free_numbers(app):
    """50 threads, each a browser of its own (a test client with its session and real CSRF token),
    post the letter form of one akimat at the same moment: every one gets a receipt, the numbers
    are unique and follow the akimat's last number without a gap, and no letter is lost."""
    from sqlalchemy import func, select

    from akimat_reception.models import Letter
    from tests.conftest import post_form

    with app.app_context():
        tenant = factories.akimat("almaty")
        category_id, prefix = tenant.categories[0].id, tenant.number_prefix
        before = db.session.scalar(select(func.count()).select_from(Letter).where(Letter.akimat_id == tenant.id))
        last_seq = dict(
            db.session.execute(
                select(Letter.year, func.max(Letter.seq)).where(Letter.akimat_id == tenant.id).group_by(Letter.year)
            ).all()
        )
        db.session.remove()

    start = threading.Barrier(SUBMITTERS)
    receipts, errors, windows = {}, [], []

    def resident(i):
        client = app.test_client()
        try:
            client.get("/almaty/")  # a visitor with a session, as a browser arrives
            start.wait(timeout=60)
            began = time.perf_counter()
            response = post_form(
                client,
                "/almaty/letters/new",
                {
                    "kind": "application",
                    "category": category_id,
                    "subject": f"Одновременно {i}",
                    "body": f"Письмо номер {i}, отправленное одновременно с остальными.",
                    "surname": "Жители",
                    "given_name": f"Житель {i}",
                    "address": f"Алматы, ул. Абая, {i}",
                    "email": f"resident{i}@example.kz",
                    "language": "ru",
                },
                environ_base={"REMOTE_ADDR": f"10.50.{i}.1"},
            )  # 50 residents, 50 connections
            windows.append((began, time.perf_counter()))
            assert response.status_code == 302, response.get_data(as_text=True)[:300]
            receipt = client.get(response.headers["Location"])
            assert receipt.status_code == 200
            receipts[i] = (response.headers["Location"], receipt.get_data(as_text=True))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append((i, error))

    threads = [threading.Thread(target=resident, args=(i,)) for i in range(SUBMITTERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:3]
    assert len(receipts) == SUBMITTERS

    # They really overlapped: at some moment most submissions were in flight together.
    in_flight = max(sum(1 for b, e in windows if b <= moment < e) for moment, _ in windows)
    assert in_flight >= 10, in_flight

    numbers = []
    for location, html in receipts.values():
        number = re.search(rf"/almaty/letters/({prefix}-\d{{4}}-\d{{6}})/receipt$", location).group(1)
        assert number in html  # the receipt shows the number it was given
        numbers.append(number)
    assert len(set(numbers)) == SUBMITTERS
    [year] = {int(n.split("-")[1]) for n in numbers}
    seqs = sorted(int(n.split("-")[2]) for n in numbers)
    first = last_seq.get(year, 0) + 1
    assert seqs == list(range(first, first + SUBMITTERS)), "a number was skipped or taken twice"

    with app.app_context():
        after = db.session.scalar(select(func.count()).select_from(Letter).where(Letter.akimat_id == tenant.id))
        stored = set(db.session.scalars(select(Letter.number).where(Letter.number.in_(numbers))))
        db.session.remove()
    assert after == before + SUBMITTERS and stored == set(numbers)
