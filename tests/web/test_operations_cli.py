"""Commands the operator runs: journal verify, digest, reminders, calendar."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, text

from akimat_reception.extensions import db
from akimat_reception.models import CalendarOverride, OutboxMessage
from tests import factories
from tests.conftest import server_transaction


def _tamper(sql):
    with server_transaction() as conn:  # the app's own role may not switch the triggers off
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(sql))


def test_journal_verify_is_clean_then_names_the_tampered_letter(app, runner):
    with app.app_context():
        letter, _ = factories.letter("almaty")
        number, letter_id = letter.number, letter.id
    runner.invoke(args=["journal", "integrate"])  # the worker's turn: no entry of earlier tests waits past the delay
    clean = runner.invoke(args=["journal", "verify", "--akimat", "almaty"])
    assert clean.exit_code == 0 and " 0 breaks" in clean.output
    with app.app_context():
        _tamper(f"UPDATE letter SET status = 'answered' WHERE id = {letter_id}")
    broken = runner.invoke(args=["journal", "verify", "--akimat", "almaty", "--full"])
    assert broken.exit_code == 1
    assert f"BREAK {number}" in broken.output and "status is answered, journal says registered" in broken.output
    with app.app_context():
        _tamper(f"UPDATE letter SET status = 'registered' WHERE id = {letter_id}")


def test_digest_is_queued_for_the_akim_with_overdue_counts(app, runner):
    with app.app_context():
        # The oldest overdue letter of the akimat (the digest lists the oldest first, and other tests write
        # overdue letters of their own).
        old, _ = factories.letter(received_at=datetime.now(UTC) - timedelta(days=3000))
        number = old.number
    result = runner.invoke(args=["digest"])
    assert result.exit_code == 0 and "queued" in result.output
    with app.app_context():
        digest = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "digest", OutboxMessage.recipient == "akim@astana.demo.kz")
            .order_by(OutboxMessage.id.desc())
        ).first()
        assert digest is not None and number in digest.body_text


def test_reminders_are_queued_once_per_state(app, runner):
    with app.app_context():
        letter, _ = factories.routed_letter(received_at=datetime.now(UTC) - timedelta(days=40))
        letter_id = letter.id

    def reminders():
        with app.app_context():
            return db.session.scalars(
                select(OutboxMessage.recipient).where(
                    OutboxMessage.letter_id == letter_id, OutboxMessage.kind == "reminder_overdue"
                )
            ).all()

    assert runner.invoke(args=["deadlines", "remind"]).exit_code == 0
    assert reminders() == ["executor@astana.demo.kz"]
    runner.invoke(args=["deadlines", "remind"])
    assert reminders() == ["executor@astana.demo.kz"]  # not again


def test_calendar_set_makes_a_saturday_a_working_day_for_the_installation(app, runner):
    saturday = date(2027, 1, 9)
    result = runner.invoke(args=["calendar", "set", saturday.isoformat(), "--working", "--note", "Перенос"])
    assert result.exit_code == 0
    with app.app_context():
        from akimat_reception.domain.calendar import calendar_for

        assert calendar_for(factories.akimat().id).is_working_day(saturday)
        db.session.execute(CalendarOverride.__table__.delete())
        db.session.commit()
