"""`flask worker`: one long-running process per host that delivers the outbox continuously
(akimat_reception/delivery/) and runs the daily jobs (akimat_reception/jobs.py) on schedule.

**The scheduler is this loop over the `job_run` table, not APScheduler.** An installation is a few
hosts sharing one PostgreSQL database, and what must hold is "each job once per akimat and working
day, across every host, and caught up after downtime". APScheduler 3.x runs a job in every
process that schedules it — sharing a job store between schedulers is unsupported — so it would
still need the unique row below to keep two hosts from both sending the digest, and its
"misfire grace time" catch-up forgets a day missed by more than the grace. The row alone does
the whole job in a few dozen lines, with no new dependency and nothing to configure: the state
is in the database the site already backs up.

- **Once across all hosts.** Before a job runs, the worker inserts its row (job, akimat, local
  day); the unique constraint lets exactly one insert through, and only that worker runs the job.
  A row whose worker died (lease past) or whose run failed (up to 3 tries, 10 minutes apart) is
  taken over with a conditional UPDATE, which again only one worker wins.
- **When.** Each job has a local time (`jobs.JOBS`, overridable with `WORKER_JOB_TIMES`) in the
  akimat's time zone (Asia/Almaty by default) and runs on the akimat's working days only
  (domain/calendar.py, with its overrides). The run due now is the one for the latest working day
  whose time has come.
- **Catch-up.** A worker that comes back after downtime finds that day's row missing and runs the
  job at once. Days missed before it are not run one by one: every job works from the current
  state, so one run catches them all up (and the akim gets one digest, not one per missed day).
- **Heartbeat.** Each worker keeps a `worker_heartbeat` row (id, host, pid, last beat) fresh;
  /healthz reports the newest beat's age.
"""

import logging
import os
import signal
import socket
import threading
import time as clock
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from . import delivery
from .domain.calendar import WorkingCalendar, calendar_for
from .domain.record import step as record_step
from .extensions import db
from .jobs import JOBS, Job
from .models import Akimat, JobRun, WorkerHeartbeat
from .models._common import utcnow

log = logging.getLogger(__name__)

JOB_LEASE = timedelta(hours=1)  # a job running longer than this is presumed dead and run again
JOB_TRIES = 3
JOB_RETRY_AFTER = timedelta(minutes=10)
LOOKBACK_DAYS = 14  # the longest run of days off (New Year, Nauryz) with a margin
BEAT_EVERY = 5.0  # seconds
JOBS_EVERY = 30.0  # seconds between looks at the schedule
IDLE_CLOSE = 60.0  # seconds an idle SMTP connection is kept open


def job_time(job: Job) -> time:
    configured = (current_app.config.get("WORKER_JOB_TIMES") or {}).get(job.name)
    return time.fromisoformat(configured) if configured else job.at


def due_day(job_at: time, now: datetime, zone: str, calendar: WorkingCalendar) -> date | None:
    """The latest working day, in the akimat's time zone, whose run time has come."""
    local = now.astimezone(ZoneInfo(zone))
    day = local.date() if local.time() >= job_at else local.date() - timedelta(days=1)
    for _ in range(LOOKBACK_DAYS):
        if calendar.is_working_day(day):
            return day
        day -= timedelta(days=1)
    return None


def _take(job: Job, akimat_id: int, day: date, now: datetime, worker_id: str, existing: JobRun | None) -> bool:
    """Inserts the job-run row, or takes over a dead or failed one; True if this worker is to run it."""
    if existing is None:
        db.session.add(
            JobRun(
                job=job.name,
                akimat_id=akimat_id,
                day=day,
                worker=worker_id,
                started_at=now,
                lease_until=now + JOB_LEASE,
            )
        )
        try:
            db.session.commit()
            return True
        except IntegrityError:  # another worker inserted it first: it runs the job
            db.session.rollback()
            return False
    taken = db.session.execute(
        update(JobRun)
        .where(
            JobRun.id == existing.id,
            JobRun.attempts == existing.attempts,
            or_(
                (JobRun.status == "running") & (JobRun.lease_until < now),
                (JobRun.status == "failed")
                & (JobRun.attempts < JOB_TRIES)
                & (JobRun.finished_at < now - JOB_RETRY_AFTER),
            ),
        )
        .values(
            status="running",
            worker=worker_id,
            attempts=JobRun.attempts + 1,
            started_at=now,
            lease_until=now + JOB_LEASE,
            finished_at=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(taken)


def _finish(job: Job, akimat_id: int, day: date, status: str, result: str, finished_at: datetime) -> None:
    db.session.execute(
        update(JobRun)
        .where(JobRun.job == job.name, JobRun.akimat_id == akimat_id, JobRun.day == day)
        .values(status=status, result=result[:2000], finished_at=finished_at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def run_due_jobs(now: datetime | None = None, worker_id: str = "cli") -> list[tuple[str, str, date, str]]:
    """Runs every job whose time has come and whose row for its day no worker holds. Returns
    (job, akimat slug, day, result) for the runs this worker made."""
    now = now or utcnow()
    akimats = [(a.id, a.slug, a.timezone) for a in db.session.scalars(select(Akimat).order_by(Akimat.id))]
    since = (now - timedelta(days=LOOKBACK_DAYS + 1)).date()
    rows = {(r.job, r.akimat_id, r.day): r for r in db.session.scalars(select(JobRun).where(JobRun.day >= since))}
    db.session.expunge_all()
    ran = []
    for akimat_id, slug, zone in akimats:
        calendar = calendar_for(akimat_id)
        for job in JOBS:
            day = due_day(job_time(job), now, zone, calendar)
            existing = rows.get((job.name, akimat_id, day))
            if day is None or (existing is not None and existing.status == "done"):
                continue
            if not _take(job, akimat_id, day, now, worker_id, existing):
                continue
            began = clock.monotonic()
            try:
                result = job.run(db.session.get(Akimat, akimat_id), now)
            except Exception as error:  # recorded and retried later; the other jobs still run
                db.session.rollback()
                log.exception("job %s for %s on %s failed", job.name, slug, day)
                finished = now + timedelta(seconds=clock.monotonic() - began)
                _finish(job, akimat_id, day, "failed", f"{type(error).__name__}: {error}", finished)
                ran.append((job.name, slug, day, f"failed: {error}"))
                continue
            _finish(job, akimat_id, day, "done", result, now + timedelta(seconds=clock.monotonic() - began))
            log.info("job %s for %s on %s: %s", job.name, slug, day, result)
            ran.append((job.name, slug, day, result))
    return ran


def beat(worker_id: str, started_at: datetime) -> None:
    now = utcnow()
    updated = db.session.execute(
        update(WorkerHeartbeat)
        .where(WorkerHeartbeat.worker_id == worker_id)
        .values(beat_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not updated:
        host = socket.gethostname()
        db.session.add(
            WorkerHeartbeat(worker_id=worker_id, host=host, pid=os.getpid(), started_at=started_at, beat_at=now)
        )
        db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.beat_at < now - timedelta(days=1)))
    db.session.commit()


class Worker:
    def __init__(self, app: Flask, jobs: bool = True, outbox: bool = True):
        self.app, self.jobs, self.outbox = app, jobs, outbox
        self.id = delivery.worker_identity()
        self.stopping = threading.Event()

    def stop(self, *_args) -> None:
        self.stopping.set()

    def run(self, once: bool = False) -> None:
        config = self.app.config
        poll, probe_every = config["WORKER_POLL_SECONDS"], config["OUTBOX_PROBE_SECONDS"]
        mailer = delivery.Mailer(config)
        started = utcnow()
        last_beat = last_jobs = last_probe = last_record = -1e9
        last_sent = clock.monotonic()
        log.info("worker %s started (jobs %s, outbox %s)", self.id, self.jobs, self.outbox)
        try:
            while not self.stopping.is_set():
                busy = False
                try:
                    tick = clock.monotonic()
                    if tick - last_beat >= BEAT_EVERY:
                        beat(self.id, started)
                        last_beat = tick
                    if self.jobs and tick - last_jobs >= JOBS_EVERY:
                        run_due_jobs(worker_id=self.id)
                        last_jobs = clock.monotonic()
                    if self.jobs and tick - last_record >= config["RECORD_INTEGRATE_EVERY"]:
                        last_record = clock.monotonic()
                        try:
                            record_step.run()
                        except Exception:  # no key, a witness down: the outbox must still go out
                            log.exception("record step")
                            db.session.rollback()
                    if self.outbox:
                        delivery.requeue_expired(worker_id=self.id)
                        if tick - last_probe >= probe_every and delivery.waiting_for_smtp():
                            last_probe = tick
                            if mailer.probe():
                                log.info("SMTP is back: %s messages due now", delivery.wake_after_outage())
                        outcome = delivery.deliver_due(limit=config["OUTBOX_BATCH"], mailer=mailer, worker_id=self.id)
                        busy = sum(outcome.values()) > 0
                        if outcome["sent"]:
                            last_sent = clock.monotonic()
                        elif clock.monotonic() - last_sent > IDLE_CLOSE:
                            mailer.close()
                except Exception:  # the database or the network failed: log, wait, go on
                    log.exception("worker loop")
                    db.session.rollback()
                    mailer.close()
                finally:
                    db.session.remove()
                if once:
                    if busy:
                        continue
                    break
                if not busy:
                    self.stopping.wait(poll)
        finally:
            mailer.close()
            try:
                db.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == self.id))
                db.session.commit()
            except Exception:
                db.session.rollback()
            db.session.remove()
            log.info("worker %s stopped", self.id)


def serve(app: Flask, once: bool = False, jobs: bool = True, outbox: bool = True) -> None:
    worker = Worker(app, jobs=jobs, outbox=outbox)
    if not once:
        signal.signal(signal.SIGTERM, worker.stop)
        signal.signal(signal.SIGINT, worker.stop)
    worker.run(once=once)
