"""`flask worker`, run as a real process against a real SMTP server (aiosmtpd), on SQLite and
PostgreSQL: killed with SIGKILL while the server holds a message before or after DATA, it loses
nothing and repeats only the message whose outcome was uncertain, with the same Message-ID; two
workers send each message once; a daily job runs once with two workers; a backlog drains when
SMTP comes back."""

import time
import uuid

import pytest
from sqlalchemy import select

from akimat_reception.extensions import db
from akimat_reception.jobs import JOBS
from akimat_reception.models import Akimat, Channel, DeliveryStatus, JobRun, Membership, OutboxMessage, Role
from tests import worker_harness
from tests.worker_harness import Sink, WorkerProcess, wait_until

template, fresh = worker_harness.template, worker_harness.fresh  # the fixtures: a fresh database per test


@pytest.fixture
def sink():
    server = Sink().start()
    yield server
    server.stop()


@pytest.fixture
def workers(fresh, sink, tmp_path):
    """Starts workers on the test's database; stops (or has killed) them all at the end."""
    app, url = fresh
    started = []

    def start(*args, port=None, **env):
        worker = WorkerProcess(url, port or sink.port, tmp_path, *args, **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.stop()


def queue(app, recipients):
    with app.app_context():
        akimat = db.session.scalar(select(Akimat).where(Akimat.slug == "astana"))
        for recipient in recipients:
            db.session.add(
                OutboxMessage(
                    akimat_id=akimat.id,
                    kind="test",
                    channel=Channel.EMAIL,
                    recipient=recipient,
                    language="ru",
                    subject=f"Test {recipient}",
                    body_text="Проверка доставки.\n",
                )
            )
        db.session.commit()
        db.session.remove()


def rows(app):
    with app.app_context():
        found = {m.recipient: m for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))}
        db.session.expunge_all()
        db.session.remove()
    return found


def all_sent(app, recipients):
    found = rows(app)
    return all(found[r].status is DeliveryStatus.SENT for r in recipients) and found


def addresses(n, tag):
    run = uuid.uuid4().hex[:6]
    return [f"{tag}{i}-{run}@example.kz" for i in range(n)]


def test_worker_killed_before_data_loses_nothing_and_sends_each_message_once(fresh, sink, workers):
    app, _ = fresh
    first, second = recipients = addresses(2, "before")
    queue(app, recipients)
    sink.inbox.hold_before.add(first)
    doomed = workers("--no-jobs")
    wait_until(sink.inbox.held.is_set, what="the sink to hold the first message", workers=[doomed])
    doomed.kill()
    stranded = rows(app)
    assert {stranded[r].status for r in recipients} == {DeliveryStatus.SENDING}  # held by a dead claim

    sink.inbox.let_go()
    rescuer = workers("--no-jobs")
    found = wait_until(lambda: all_sent(app, recipients), what="both messages sent", workers=[rescuer])
    assert [len(sink.inbox.to(r)) for r in recipients] == [1, 1]  # DATA never began: nothing is repeated
    # The one in flight cannot be told from an accepted one, so it counts as uncertain; the other was untried.
    assert (found[first].uncertain, found[second].uncertain) == (1, 0)
    assert sink.inbox.to(first)[0]["Message-ID"].strip() == found[first].message_id


def test_worker_killed_after_data_repeats_only_that_message_with_the_same_message_id(fresh, sink, workers):
    app, _ = fresh
    confirmed, in_flight, untried = recipients = addresses(3, "after")
    queue(app, recipients)
    sink.inbox.hold_after.add(in_flight)
    doomed = workers("--no-jobs")
    wait_until(sink.inbox.held.is_set, what="the sink to hold the second message after DATA", workers=[doomed])
    doomed.kill()  # the server has the message; the worker never heard "250" nor committed
    assert rows(app)[confirmed].status is DeliveryStatus.SENT

    sink.inbox.let_go()
    rescuer = workers("--no-jobs")
    found = wait_until(lambda: all_sent(app, recipients), what="all three sent", workers=[rescuer])
    assert [len(sink.inbox.to(r)) for r in recipients] == [1, 2, 1]
    copies = {m["Message-ID"].strip() for m in sink.inbox.to(in_flight)}
    assert copies == {found[in_flight].message_id}  # the resident's mail client shows one message
    assert [found[r].uncertain for r in recipients] == [0, 1, 0]
    rescuer.stop()
    assert len(sink.inbox.messages) == 4  # and nothing more after the rescuer has gone through the outbox


def test_smtp_timeout_after_data_is_retried_with_the_same_message_id(fresh, sink, monkeypatch):
    """In-process: the server stores the message and then keeps silent past MAIL_TIMEOUT."""
    from datetime import timedelta

    from akimat_reception.delivery import deliver_due
    from akimat_reception.models._common import utcnow

    app, _ = fresh
    slow, next_one = recipients = addresses(2, "timeout")
    queue(app, recipients)
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": sink.port, "MAIL_TIMEOUT": 1.0}.items():
        monkeypatch.setitem(app.config, key, value)
    sink.inbox.hold_after.add(slow)
    with app.app_context():
        outcome = deliver_due()
        sink.inbox.let_go()
        assert (outcome["uncertain"], outcome["sent"]) == (1, 1)
        retried = rows(app)[slow]
        assert retried.status is DeliveryStatus.PENDING and retried.uncertain == 1
        assert "uncertain" in retried.last_error

        assert deliver_due(now=utcnow() + timedelta(minutes=2))["sent"] == 1
        assert not sum(deliver_due(now=utcnow() + timedelta(days=1)).values())  # a confirmed send is final
    found = rows(app)
    assert [len(sink.inbox.to(r)) for r in recipients] == [2, 1]
    assert {m["Message-ID"].strip() for m in sink.inbox.to(slow)} == {found[slow].message_id}
    assert found[slow].status is DeliveryStatus.SENT and found[slow].uncertain == 1


def test_two_workers_in_parallel_send_each_message_once(fresh, sink, workers):
    app, _ = fresh
    recipients = addresses(40, "parallel")
    queue(app, recipients)
    sink.inbox.hold_all_before = True  # until both workers hold a claim of their own
    # A lease and a timeout longer than the wait for the second worker to start: no claim lapses here,
    # and each held session is a different worker's.
    pair = [workers("--no-jobs", OUTBOX_BATCH="3", OUTBOX_LEASE_SECONDS="120", MAIL_TIMEOUT="120") for _ in range(2)]
    wait_until(lambda: sink.inbox.waiting >= 2, what="both workers sending at once", workers=pair)
    sink.inbox.let_go()
    found = wait_until(lambda: all_sent(app, recipients), what="all forty sent", workers=pair)
    ids = [m["Message-ID"].strip() for m in sink.inbox.messages]
    assert len(ids) == len(set(ids)) == 40
    assert set(ids) == {found[r].message_id for r in recipients}
    assert len({found[r].claimed_by.split("/")[0] for r in recipients}) == 2  # both did their share


def test_a_daily_job_runs_once_with_two_workers(fresh, sink, workers):
    app, _ = fresh
    with app.app_context():
        akims = db.session.scalars(select(Membership.user_id).where(Membership.role == Role.AKIM).distinct()).all()
        akimats = db.session.scalar(select(db.func.count()).select_from(Akimat))
    pair = [workers(), workers()]

    def all_done():
        with app.app_context():
            done = db.session.scalars(select(JobRun).where(JobRun.status == "done")).all()
            db.session.remove()
        return len(done) == len(JOBS) * akimats and done

    done = wait_until(all_done, what="every job done for every akimat", workers=pair)
    digests = lambda: [m for m in sink.inbox.messages if "summary" in m["Subject"] or "сводка" in m["Subject"]]  # noqa: E731
    wait_until(lambda: len(digests()) >= len(akims), what="the digests delivered", workers=pair)
    for worker in pair:
        worker.stop()
    assert len({(r.job, r.akimat_id) for r in done}) == len(done)  # one run per job and akimat
    with app.app_context():
        queued = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest")).all()
        runs = db.session.scalars(select(JobRun)).all()
    assert len(queued) == len(akims) and len(digests()) == len(akims)  # one digest each, not one per worker
    assert len(runs) == len(JOBS) * akimats


def test_a_backlog_drains_once_smtp_comes_back(fresh, workers):
    app, _ = fresh
    recipients = addresses(30, "backlog")
    queue(app, recipients)
    down = Sink()  # its port, with nothing listening yet
    worker = workers("--no-jobs", port=down.port)
    wait_until(
        lambda: all(m.attempts >= 1 and m.status is DeliveryStatus.PENDING for m in rows(app).values()),
        what="every message turned away once",
        workers=[worker],
    )
    assert all("SMTP unreachable" in m.last_error for m in rows(app).values())
    down.start()
    try:
        back = time.monotonic()
        wait_until(lambda: all_sent(app, recipients), timeout=30, what="the backlog drained", workers=[worker])
        drained_in = time.monotonic() - back
        assert sorted(m["To"] for m in down.inbox.messages) == sorted(recipients)  # each once
        assert drained_in < 15  # the probe found the server back: no one waited out their back-off
    finally:
        down.stop()
