"""The worker's schedule in the akimat's time, on working days, caught up after downtime; the
outbox's operator commands; the log-only SMS gateway holding SMS instead of pretending; /healthz."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, update

from akimat_reception import create_app
from akimat_reception.domain.calendar import KAZAKHSTAN
from akimat_reception.domain.notifications import ACCESS_CODE_MARK, secret_values
from akimat_reception.extensions import db
from akimat_reception.jobs import JOBS
from akimat_reception.models import Akimat, DeliveryStatus, JobRun, OutboxMessage, WorkerHeartbeat
from akimat_reception.models._common import utcnow
from akimat_reception.worker import beat, due_day, run_due_jobs
from tests import factories, worker_harness
from tests.smtp import drain

template, fresh = worker_harness.template, worker_harness.fresh  # the fixtures: a fresh database per test
ALMATY = ZoneInfo("Asia/Almaty")


def almaty(*args) -> datetime:
    return datetime(*args, tzinfo=ALMATY).astimezone(UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (almaty(2026, 4, 30, 7, 59), date(2026, 4, 29)),  # Thursday before 08:00: Wednesday's run is the due one
        (almaty(2026, 4, 30, 8, 0), date(2026, 4, 30)),  # Thursday at 08:00 Almaty (03:00 UTC)
        (almaty(2026, 5, 1, 9, 0), date(2026, 4, 30)),  # 1 May, Unity Day: no run of its own
        (almaty(2026, 5, 2, 9, 0), date(2026, 4, 30)),  # Saturday
        (almaty(2026, 5, 4, 3, 0), date(2026, 4, 30)),  # back on Monday night: Thursday's run, if missed
        (almaty(2026, 5, 4, 8, 0), date(2026, 5, 4)),
    ],
)
def test_the_digest_is_due_at_eight_in_almaty_on_working_days(moment, expected):
    assert due_day(time(8, 0), moment, "Asia/Almaty", KAZAKHSTAN) == expected


def test_a_missed_day_runs_when_the_worker_comes_back_once_and_never_on_a_day_off(fresh):
    app, _ = fresh
    with app.app_context():
        akimats = db.session.scalar(select(db.func.count()).select_from(Akimat))

        def digests():
            return db.session.scalar(select(db.func.count()).where(OutboxMessage.kind == "digest"))

        ran = run_due_jobs(now=almaty(2026, 4, 28, 8, 5))  # Tuesday
        assert {(job, day) for job, _slug, day, _result in ran} == {(j.name, date(2026, 4, 28)) for j in JOBS}
        assert len(ran) == len(JOBS) * akimats
        after_tuesday = digests()
        assert after_tuesday > 0
        assert run_due_jobs(now=almaty(2026, 4, 28, 9, 0)) == []  # once a day

        # Down on Wednesday and Thursday; Friday 1 May is a holiday. Back on Saturday:
        ran = run_due_jobs(now=almaty(2026, 5, 2, 12, 0))
        assert {(job, day) for job, _s, day, _r in ran} == {(j.name, date(2026, 4, 30)) for j in JOBS}
        assert digests() == 2 * after_tuesday  # Thursday's, once: not one per missed day, none for the day off
        assert run_due_jobs(now=almaty(2026, 5, 3, 18, 0)) == []  # Sunday: nothing new
        assert {(job, day) for job, _s, day, _r in run_due_jobs(now=almaty(2026, 5, 4, 3, 0))} == {
            ("routing_train", date(2026, 5, 4))  # 02:00 has passed; the morning jobs wait for their hour
        }
        assert {job for job, _s, day, _r in run_due_jobs(now=almaty(2026, 5, 4, 8, 0))} == {
            j.name for j in JOBS if j.name != "routing_train"
        }


def test_a_job_another_host_holds_is_not_run_here(fresh):
    app, _ = fresh
    with app.app_context():
        moment = almaty(2026, 4, 28, 8, 5)
        for akimat in db.session.scalars(select(Akimat)):
            db.session.add(
                JobRun(
                    job="digest",
                    akimat_id=akimat.id,
                    day=date(2026, 4, 28),
                    worker="other-host:1:abc",
                    started_at=moment,
                    lease_until=moment + timedelta(hours=1),
                )
            )
        db.session.commit()
        ran = run_due_jobs(now=moment)
        assert "digest" not in {job for job, *_ in ran}
        assert not db.session.scalar(select(db.func.count()).where(OutboxMessage.kind == "digest"))
        # The other host died mid-run: once its lease lapses, this worker takes the run over.
        ran = run_due_jobs(now=moment + timedelta(hours=2))
        assert {job for job, *_ in ran} == {"digest"}


def test_a_failed_job_is_retried_later_not_at_once(fresh, monkeypatch):
    from akimat_reception import jobs

    app, _ = fresh
    broken = jobs.Job("digest", time(8, 0), lambda akimat, now: 1 / 0, "always fails")
    monkeypatch.setattr(jobs, "JOBS", (broken,))
    monkeypatch.setattr("akimat_reception.worker.JOBS", (broken,))
    with app.app_context():
        moment = almaty(2026, 4, 28, 8, 5)
        assert all("failed" in result for *_, result in run_due_jobs(now=moment))
        row = db.session.scalars(select(JobRun)).first()
        assert row.status == "failed" and "ZeroDivisionError" in row.result
        assert run_due_jobs(now=moment + timedelta(minutes=1)) == []
        monkeypatch.setattr("akimat_reception.worker.JOBS", JOBS[-1:])  # repaired
        ran = run_due_jobs(now=moment + timedelta(minutes=15))
        assert {job for job, *_ in ran} == {"digest"} and all("failed" not in r for *_, r in ran)


def test_the_log_only_sms_gateway_holds_sms_visibly_until_a_gateway_is_configured(fresh, runner_for):
    app, _ = fresh
    runner = runner_for(app)
    with app.app_context():
        letter, code = factories.letter(email=None, phone="+77015550042")
        drain()
        [sms] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.letter_id == letter.id)).all()
        assert sms.status is DeliveryStatus.HELD and "SMS_GATEWAY" in sms.last_error
        assert secret_values(sms.secret)[ACCESS_CODE_MARK] == code  # not erased: it was never delivered
    status = runner.invoke(args=["outbox", "status"]).output
    assert "held: 1" in status

    app.config["SMS_GATEWAY"] = "akimat_reception.delivery:DevelopmentSmsSink"
    assert "requeued 1 held" in runner.invoke(args=["outbox", "requeue", "--held"]).output
    with app.app_context():
        drain()
        sms = db.session.scalars(select(OutboxMessage).where(OutboxMessage.letter_id == letter.id)).one()
        assert sms.status is DeliveryStatus.SENT and sms.secret is None


def test_outbox_status_and_requeue_bring_back_a_dead_workers_claim(fresh, runner_for):
    from akimat_reception.delivery import claim

    app, _ = fresh
    runner = runner_for(app)
    with app.app_context():
        for _ in range(3):
            factories.letter(email="stranded@example.kz", phone=None)
        claimed = claim(utcnow(), 100, "dead-host:1:x")  # a worker claimed them all, then died
        n = len(claimed)
        assert n >= 3
        db.session.execute(update(OutboxMessage).values(lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    status = runner.invoke(args=["outbox", "status"]).output
    for line in ("pending: 0", f"sending: {n}", "uncertain: 0", "failed: 0", "oldest pending:", "no worker running"):
        assert line in status, status
    assert f"requeued {n} of stopped workers (1 uncertain)" in runner.invoke(args=["outbox", "requeue"]).output
    status = runner.invoke(args=["outbox", "status"]).output
    assert f"pending: {n}" in status and "uncertain: 1" in status


@pytest.fixture
def runner_for():
    return lambda app: app.test_cli_runner()


# --- /healthz ------------------------------------------------------------------------------------

REMOTE = {"REMOTE_ADDR": "203.0.113.7"}


def test_healthz_tells_anyone_only_that_it_is_alive(client):
    response = client.get("/healthz", environ_base=REMOTE)
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok\n"
    assert response.mimetype == "text/plain" and "no-store" in response.headers["Cache-Control"]
    # Through a proxy on this host every visitor would look local: a forwarded request is not.
    forwarded = client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"})
    assert forwarded.get_data(as_text=True) == "ok\n"


def test_healthz_details_for_localhost_and_the_monitoring_token(app, client, monkeypatch):
    with app.app_context():
        beat("healthz-test-worker", utcnow())
    try:
        local = client.get("/healthz")  # the test client's address is 127.0.0.1
        body = local.get_json()
        assert local.status_code == 200 and body["database"]["ok"] is True
        assert body["worker"]["running"] >= 1 and body["worker"]["heartbeat_age_seconds"] < 60
        assert {"pending", "sending", "uncertain", "held", "failed", "oldest_pending_seconds"} <= set(body["outbox"])

        monkeypatch.setitem(app.config, "HEALTHZ_TOKEN", "monitoring-token-1234")
        good = client.get("/healthz", environ_base=REMOTE, headers={"Authorization": "Bearer monitoring-token-1234"})
        assert good.get_json()["database"]["ok"] is True
        wrong = client.get("/healthz", environ_base=REMOTE, headers={"Authorization": "Bearer guess"})
        assert wrong.get_data(as_text=True) == "ok\n"
    finally:
        with app.app_context():
            db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == "healthz-test-worker"))
            db.session.commit()


def test_healthz_says_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"]["ok"] is False
    assert app.test_client().get("/healthz", environ_base=REMOTE).status_code == 200  # still alive
