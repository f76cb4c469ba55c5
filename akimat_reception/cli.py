"""flask commands: init-db, demo, create-user, translate."""

import subprocess
import sys

import click
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from .config import PROJECT_ROOT
from .extensions import db
from .models import Akimat, Department, Membership, Role, User


def akimats_named(slug: str | None = None) -> list[Akimat]:
    """Every akimat, or the one whose slug an operator typed (a clear error when there is none)."""
    stmt = select(Akimat).order_by(Akimat.id)
    if slug:
        stmt = stmt.where(Akimat.slug == slug)
    found = list(db.session.scalars(stmt))
    if slug and not found:
        raise click.BadParameter(f"no akimat '{slug}'", param_hint="--akimat")
    return found


def register_cli(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db():
        """Create or upgrade the schema through the migrations."""
        upgrade()
        click.echo("Database is at the newest revision.")

    @app.cli.command("demo")
    @click.option(
        "--letters",
        default=48,
        show_default=True,
        help=f"Letters per akimat; with --bulk (or over {BULK_THRESHOLD}), letters in all akimats together.",
    )
    @click.option(
        "--akimats",
        default=2,
        show_default=True,
        type=click.IntRange(min=1),
        help="Akimats: Astana, Almaty, then generated cities and districts (implies --bulk if not 2).",
    )
    @click.option(
        "--bulk/--no-bulk",
        default=None,
        help="Write rows in bulk (COPY/executemany) instead of through the lifecycle: for large N.",
    )
    @click.option(
        "--seed", default=2026, show_default=True, help="Random seed; the bulk demo's access codes derive from it."
    )
    @click.option(
        "--days",
        default=3 * 365,
        show_default=True,
        type=click.IntRange(min=1),
        help="Bulk: letters arrive over the last DAYS days.",
    )
    def demo(letters, akimats, bulk, seed, days):
        """Load the demo akimats (Astana, Almaty), staff and letters, once."""
        if db.session.scalar(select(Akimat).limit(1)) is not None:
            click.echo("Demo data is already loaded; nothing to do.")
            return
        if bulk is None:
            bulk = letters > BULK_THRESHOLD or akimats != 2
        if not bulk:
            if akimats != 2:
                raise click.BadParameter(
                    "the small demo has Astana and Almaty only; add --bulk", param_hint="--akimats"
                )
            from .demo import load_demo

            load_demo(letters_per_akimat=letters, seed=seed)
            click.echo(f"Loaded the demo: 2 akimats, {letters} letters each. Password: {DEMO_PASSWORD_HINT}")
            return
        from .demo_bulk import load_bulk

        report = load_bulk(letters, akimats, seed=seed, span_days=days, progress=click.echo)
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(report.statuses.items()))
        click.echo(
            f"Loaded the bulk demo in {report.seconds:.0f} s: {report.akimats} akimats, {report.letters} letters "
            f"({statuses}), {report.events} events, {report.answers} answers. Password: {DEMO_PASSWORD_HINT}"
        )

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", "full_name", required=True)
    @click.option("--akimat", "slug", required=True, help="Slug of the akimat, e.g. astana.")
    @click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
    @click.option("--department", "department_id", type=int, help="Department id, for an executor.")
    @click.password_option()
    def create_user(email, full_name, slug, role, department_id, password):
        """Create a staff account with a role in an akimat (or add the role to an existing one)."""
        [akimat] = akimats_named(slug)
        role = Role(role)
        if role is Role.EXECUTOR:
            department = db.session.get(Department, department_id) if department_id else None
            if department is None or department.akimat_id != akimat.id:
                raise click.BadParameter("an executor needs a department of this akimat", param_hint="--department")
        elif department_id:
            raise click.BadParameter("only an executor belongs to a department", param_hint="--department")
        if len(password) < 10:
            raise click.BadParameter("use at least 10 characters", param_hint="password")
        user = db.session.scalar(select(User).where(User.email == email.lower()))
        if user is None:
            user = User(email=email.lower(), full_name=full_name)
            db.session.add(user)
        user.set_password(password)
        db.session.add(
            Membership(
                user=user, akimat=akimat, role=role, department_id=department_id if role is Role.EXECUTOR else None
            )
        )
        db.session.commit()
        click.echo(f"{email}: {role.value} of {akimat.slug}")

    @app.cli.group()
    def outbox():
        """Deliver notifications."""

    @outbox.command("send")
    @click.option("--limit", default=200, show_default=True)
    def outbox_send(limit):
        """Send pending email and SMS that are due; failures are retried later with back-off."""
        from .delivery import deliver_due

        outcome = deliver_due(limit=limit)
        click.echo(f"sent {outcome['sent']}, to retry {outcome['retry']}, failed {outcome['failed']}")

    @outbox.command("status")
    def outbox_status():
        """Count messages by status."""
        from sqlalchemy import func

        from .models import OutboxMessage

        for status, count in db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status).order_by(OutboxMessage.status)
        ):
            click.echo(f"{status.value}: {count}")

    @app.cli.group()
    def journal():
        """The letters' journals."""

    @journal.command("verify")
    @click.option("--akimat", "slug", help="Only this akimat (its slug).")
    def journal_verify(slug):
        """Check every hash chain and that each letter row agrees with its journal; exit 1 on a break.
        Each akimat's check is recorded: the oversight page of a large akimat shows the last one."""
        from .domain.journal import check_akimat

        akimat_ids = [akimat.id for akimat in akimats_named(slug)]
        letters = events = breaks = 0
        for akimat_id in akimat_ids:
            _check, report = check_akimat(akimat_id)
            for b in report.breaks:
                click.echo(f"BREAK {b.number} event {b.seq if b.seq is not None else '-'}: {b.problem}")
            letters, events, breaks = letters + report.letters, events + report.events, breaks + len(report.breaks)
        click.echo(f"{letters} letters, {events} events, {breaks} breaks")
        if breaks:
            sys.exit(1)

    @app.cli.command("digest")
    def digest():
        """Queue each akim's daily summary email (run it once a day, e.g. from cron at 08:00)."""
        from .domain.digest import queue_digest

        total = sum(queue_digest(a) for a in akimats_named())
        click.echo(f"queued {total} digests")

    @app.cli.group()
    def deadlines():
        """Deadline reminders."""

    @deadlines.command("remind")
    def deadlines_remind():
        """Queue a reminder for each letter that became due soon or overdue (run it daily)."""
        from .domain.lifecycle import remind_deadlines

        total = sum(remind_deadlines(a) for a in akimats_named())
        click.echo(f"reminded about {total} letters")

    @app.cli.group()
    def calendar():
        """The working calendar: days declared otherwise than the national holidays."""

    @calendar.command("set")
    @click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
    @click.option("--working/--day-off", required=True, help="A transferred working day, or an extra day off.")
    @click.option("--akimat", "slug", help="Only for this akimat; without it, the whole installation.")
    @click.option("--note", default="")
    def calendar_set(day, working, slug, note):
        """Declare DAY (YYYY-MM-DD) a working day or a day off."""
        from .models import CalendarOverride

        akimat_id = akimats_named(slug)[0].id if slug else None
        row = db.session.scalar(
            select(CalendarOverride).where(
                CalendarOverride.akimat_id.is_(None) if akimat_id is None else CalendarOverride.akimat_id == akimat_id,
                CalendarOverride.day == day.date(),
            )
        )
        if row is None:
            row = CalendarOverride(akimat_id=akimat_id, day=day.date(), is_working_day=working)
            db.session.add(row)
        row.is_working_day, row.note = working, note
        db.session.commit()
        click.echo(f"{day.date()}: {'working day' if working else 'day off'} ({slug or 'installation'})")

    @app.cli.group()
    def routing():
        """The department classifier."""

    @routing.command("train")
    @click.option("--akimat", "slug", help="Only this akimat.")
    def routing_train(slug):
        """Retrain each akimat's classifier on its answered letters (run it nightly)."""
        from .domain.routing import MINIMUM_SAMPLES, train

        for akimat in akimats_named(slug):
            model = train(akimat.id)
            if model is None:
                click.echo(
                    f"{akimat.slug}: fewer than {MINIMUM_SAMPLES} answered letters in 2+ departments; "
                    "suggestions stay with the category's department"
                )
            else:
                accuracy = f"{model.holdout_accuracy:.1%}" if model.holdout_accuracy is not None else "n/a"
                click.echo(f"{akimat.slug}: trained on {model.samples} letters, held-out accuracy {accuracy}")

    @routing.command("evaluate")
    @click.option("--akimat", "slug", help="Only this akimat.")
    def routing_evaluate(slug):
        """The share of answered letters whose first department was final."""
        from .domain.routing import evaluate

        for akimat in akimats_named(slug):
            result = evaluate(akimat.id)
            share = f"{result.share:.1%}" if result.share is not None else "n/a"
            model = (
                f"; classifier held-out accuracy {result.holdout_accuracy:.1%} on {result.samples} letters"
                if result.holdout_accuracy is not None
                else "; no classifier trained"
            )
            click.echo(
                f"{akimat.slug}: first department final for {result.first_department_final} of "
                f"{result.letters} answered letters ({share}){model}"
            )

    @app.cli.group()
    def letters():
        """Housekeeping of letters."""

    @letters.command("close")
    def letters_close():
        """Close answered letters whose 10 working days to rate or dispute have passed (run daily)."""
        from .domain.lifecycle import close_answered

        total = sum(close_answered(a) for a in akimats_named())
        click.echo(f"closed {total} letters")

    @app.cli.group()
    def ratings():
        """The departments' answer counts (ratings, disputes, returns)."""

    @ratings.command("rebuild")
    @click.option("--akimat", "slug", help="Only this akimat.")
    def ratings_rebuild(slug):
        """Recount each department's answer counts from its answers (the lifecycle keeps them as it goes)."""
        from .domain.ratings import from_answers, rebuild_department_stats

        for akimat in akimats_named(slug):
            rebuild_department_stats(akimat.id)
            db.session.commit()
            sent = sum(row.answers for row in from_answers(akimat.id))
            click.echo(f"{akimat.slug}: counts rebuilt from {sent} sent answers")

    @app.cli.group()
    def phones():
        """The phone directory: lines due for a check call."""

    @phones.command("due")
    @click.option("--akimat", "slug", help="Only this akimat (its slug).")
    def phones_due(slug):
        """List the lines due for a check call (not verified, reported, or about to go stale), oldest first."""
        from .domain import phones as directory
        from .domain.calendar import calendar_for

        total = 0
        for akimat in akimats_named(slug):
            due = [(line, state) for line, state in directory.directory(akimat, calendar_for(akimat.id)) if state.due]
            due.sort(key=lambda e: (e[0].last_checked_at is not None, e[0].last_checked_at or e[0].created_at, e[0].id))
            for line, state in due:
                answered = state.answered_on.isoformat() if state.answered_on else "never"
                click.echo(
                    f"{akimat.slug}\t{line.e164}\t{state.status.value}\treports {state.reports}\t"
                    f"answered {answered}\t{line.department.name_ru} — {line.purpose_ru}"
                )
            total += len(due)
        click.echo(f"{total} lines due for a check")

    @app.cli.command("backup")
    @click.option(
        "--output",
        type=click.Path(dir_okay=False, writable=True),
        help="Where to write it; default instance/backups/akimat_reception-<UTC time>.sqlite3 or .dump.",
    )
    def backup_command(output):
        """A consistent backup of the database while the site runs (SQLite backup API, or pg_dump)."""
        from pathlib import Path

        from .backup import BackupError, backup, backup_files, default_path

        url = db.engine.url  # as Flask-SQLAlchemy resolved it: a relative SQLite path made absolute
        target = Path(output) if output else default_path(app.instance_path, url)
        try:
            written = backup(url, target)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Backup written to {written} ({written.stat().st_size} bytes)")
        attachments = app.config.get("ATTACHMENTS_DIR") or Path(app.instance_path) / "attachments"
        files = backup_files(Path(attachments), written)
        if files:
            click.echo(f"Residents' files written to {files} ({files.stat().st_size} bytes)")

    @app.cli.group()
    def translate():
        """Translation commands for translators."""

    @translate.command("update")
    def translate_update():
        """Extract messages and merge them into every language's catalogue."""
        _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output", "-o", "messages.pot", ".")
        _pybabel("update", "-i", "messages.pot", "-d", "translations", "--no-fuzzy-matching", "--ignore-obsolete")
        _fill_source_language(PROJECT_ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po")

    @translate.command("compile")
    def translate_compile():
        """Compile the catalogues to .mo files."""
        _pybabel("compile", "-d", "translations")

    __import__(f"{__package__}.cli_worker", fromlist=["register"]).register(app)  # the worker's commands


DEMO_PASSWORD_HINT = "Reception-demo-2026"
BULK_THRESHOLD = 1000  # letters: above this, `flask demo` writes in bulk


def _fill_source_language(po_path) -> None:
    """English is the language of the msgids: its catalogue repeats them, so that it is complete."""
    from babel.messages.pofile import read_po, write_po

    with open(po_path, "rb") as f:
        catalog = read_po(f, locale="en")
    for message in catalog:
        if message.id and not (message.string if isinstance(message.string, str) else any(message.string)):
            message.string = message.id  # a plural's (singular, plural) fits English's two forms
    with open(po_path, "wb") as f:
        write_po(f, catalog, omit_header=False, sort_output=True, no_location=True)


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=PROJECT_ROOT, check=True)
