"""flask commands of the worker: `flask worker`, and the outbox's `send`, `status` and `requeue`
(these replace the first versions in the `outbox` group of cli.py, which register_cli creates first)."""

import click
from flask import Flask
from sqlalchemy import func, select, update

from ..extensions import db


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def register(app: Flask) -> None:
    outbox = app.cli.commands.get("outbox")
    if outbox is None:

        @app.cli.group()
        def outbox():
            """Deliver notifications."""

    @outbox.command("send")
    @click.option("--limit", default=200, show_default=True)
    def outbox_send(limit):
        """Send pending email and SMS that are due, once (the worker does this continuously)."""
        from ..delivery import deliver_due, requeue_expired

        requeue_expired()
        outcome = deliver_due(limit=limit)
        click.echo(
            f"sent {outcome['sent']}, to retry {outcome['retry']} (uncertain {outcome['uncertain']}), "
            f"held {outcome['held']}, failed {outcome['failed']}"
        )

    @outbox.command("status")
    def outbox_status():
        """Pending / sending / uncertain / held / failed / sent, the oldest pending age, the workers."""
        from ..delivery import summary
        from ..models import WorkerHeartbeat
        from ..models._common import utcnow

        now = utcnow()
        counts = summary(now)
        click.echo(f"pending: {counts['pending']}")
        click.echo(f"sending: {counts['sending']}")
        click.echo(f"uncertain: {counts['uncertain']} (to be resent with the same Message-ID)")
        click.echo(f"held: {counts['held']} (no SMS gateway configured)")
        click.echo(f"failed: {counts['failed']}")
        click.echo(f"sent: {counts['sent']} ({counts['sent_after_uncertain']} after an uncertain try)")
        click.echo(f"oldest pending: {_age(counts['oldest_pending_seconds'])}")
        beats = db.session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.beat_at.desc())).all()
        for row in beats:
            age = _age((now - row.beat_at).total_seconds())
            click.echo(f"worker {row.worker_id} on {row.host}: last beat {age} ago")
        if not beats:
            click.echo("no worker running (start one: flask worker)")

    @outbox.command("requeue")
    @click.option("--held", is_flag=True, help="Also put held SMS back (after configuring SMS_GATEWAY).")
    @click.option("--failed", is_flag=True, help="Also retry messages given up after the last try.")
    def outbox_requeue(held, failed):
        """Put back the messages of workers that stopped mid-send (their lease lapsed); with --held or
        --failed, those too, with their tries reset. A running worker does the first by itself."""
        from ..delivery import requeue_expired
        from ..models import DeliveryStatus, OutboxMessage
        from ..models._common import utcnow

        outcome = requeue_expired()
        click.echo(
            f"requeued {outcome['uncertain'] + outcome['requeued']} of stopped workers "
            f"({outcome['uncertain']} uncertain)"
        )
        statuses = [s for s, wanted in ((DeliveryStatus.HELD, held), (DeliveryStatus.FAILED, failed)) if wanted]
        if statuses:
            count = db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status.in_(statuses))
                .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=utcnow())
                .execution_options(synchronize_session=False)
            ).rowcount
            db.session.commit()
            click.echo(f"requeued {count} {' and '.join(s.value for s in statuses)}")

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="One pass (due jobs, then the outbox until nothing is due), then exit.")
    @click.option("--jobs/--no-jobs", default=True, show_default=True, help="Run the daily jobs.")
    @click.option("--outbox/--no-outbox", "deliver", default=True, show_default=True, help="Deliver the outbox.")
    def worker(once, jobs, deliver):
        """Deliver the outbox continuously and run the daily jobs on schedule (SIGTERM stops it cleanly)."""
        import logging

        from ..worker import serve

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        serve(app, once=once, jobs=jobs, outbox=deliver)

    @app.cli.group("jobs")
    def jobs_group():
        """The worker's daily jobs."""

    @jobs_group.command("list")
    def jobs_list():
        """What the schedule runs when, and each job's last runs."""
        from ..jobs import JOBS
        from ..models import Akimat, JobRun
        from ..worker import job_time

        for job in sorted(JOBS, key=job_time):
            click.echo(f"{job_time(job):%H:%M} local, working days: {job.name} — {job.what}")
        latest = db.session.execute(
            select(JobRun.job, Akimat.slug, func.max(JobRun.day)).join(Akimat).group_by(JobRun.job, Akimat.slug)
        ).all()
        for name, slug, day in sorted(latest):
            click.echo(f"  {slug}\t{name}\tlast run for {day}")

    @jobs_group.command("run")
    def jobs_run():
        """Run now the jobs whose time has come and that no worker ran yet (the worker does this itself)."""
        from ..worker import run_due_jobs

        for name, slug, day, result in run_due_jobs():
            click.echo(f"{slug}\t{name}\t{day}\t{result}")
