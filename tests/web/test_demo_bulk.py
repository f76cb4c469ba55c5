"""The bulk demo (`flask demo --bulk`) writes rows the application accepts as genuine: the journal
verifies, numbers and counters agree, deadlines come from the calendar, answered letters have their
answers, the daily jobs find nothing left undone, and the site serves the letters.

Each backend gets a database of its own: the bulk demo loads into an empty installation."""

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from akimat_reception import create_app
from akimat_reception.demo.bulk import demo_access_code
from akimat_reception.domain import deadlines, events, journal, lifecycle
from akimat_reception.domain.access_codes import access_code_matches
from akimat_reception.domain.calendar import calendar_for, local_day
from akimat_reception.domain.record import content as sealed
from akimat_reception.domain.record import keys, merkle, note
from akimat_reception.domain.record import log as record_log
from akimat_reception.extensions import db
from akimat_reception.models import (
    AdminEvent,
    Akimat,
    Answer,
    AnswerStatus,
    Attachment,
    Category,
    Event,
    Letter,
    LetterCounter,
    LetterStatus,
    LogEntry,
    OutboxMessage,
    PersonalDataAccess,
    PhoneCheck,
    RecordLog,
)
from tests import factories
from tests.conftest import BACKENDS, RECORD_KEY_FILE, _postgres_database, login, post_form

ALMATY = ZoneInfo("Asia/Almaty")
# A minute after the daily jobs' 08:00 run on a working day: they have done today's work.
NOW = datetime(2026, 3, 11, 8, 1, tzinfo=ALMATY).astimezone(UTC)
SEED = 11
LETTERS = 700


@pytest.fixture(scope="module", params=BACKENDS)
def bulk_app(request, tmp_path_factory):
    database = None
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("bulk") / "bulk.sqlite3")
    else:
        database = _postgres_database()
        url = next(database)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test",
            "RECORD_SIGNING_KEY_FILE": RECORD_KEY_FILE,
            "RECORD_PUBLISH_DIR": str(tmp_path_factory.mktemp("bulk-record")),  # its own database, its own files
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        from akimat_reception.demo.bulk import load_bulk

        upgrade()
        load_bulk(LETTERS, 3, seed=SEED, now=NOW, span_days=90)
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()
    if database is not None:
        next(database, None)


@pytest.fixture
def ctx(bulk_app):
    with bulk_app.app_context():
        yield
        db.session.remove()


def test_journal_verify_finds_no_break_in_a_bulk_database(bulk_app):
    result = bulk_app.test_cli_runner().invoke(args=["journal", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{LETTERS} letters" in result.output and result.output.strip().endswith(", 0 breaks")


# --- the sealed record: the bulk rows are in it as the application's own would be -----------------
# (before the tests below that write or tamper: these read the database as the load left it)

SEALED = {
    "event": Event,
    "attachment": Attachment,
    "access": PersonalDataAccess,
    "admin": AdminEvent,
    "phone_check": PhoneCheck,
}


def test_every_sealed_row_of_a_bulk_database_has_its_entry_in_its_akimats_log(ctx):
    logs = {log.id: log.akimat_id for log in db.session.scalars(select(RecordLog))}
    written = db.session.execute(select(LogEntry.source, LogEntry.source_id, LogEntry.log_id))
    entries = Counter((source, source_id, logs[log_id]) for source, source_id, log_id in written)
    rows = 0
    for source, model in SEALED.items():
        for row_id, akimat_id in db.session.execute(select(model.id, model.akimat_id)):
            assert entries[(source, row_id, akimat_id)] == 1, (source, row_id)
            rows += 1
    assert rows == sum(entries.values()) and rows > LETTERS * 5
    assert db.session.scalar(select(func.count()).select_from(PersonalDataAccess)) > 0


def test_each_bulk_log_is_integrated_and_its_signed_checkpoint_verifies(ctx):
    verifier = keys.verifier()
    for log in db.session.scalars(select(RecordLog).where(RecordLog.akimat_id.is_not(None))):
        placed = db.session.execute(
            select(LogEntry.log_index, LogEntry.commitment).where(LogEntry.log_id == log.id).order_by(LogEntry.id)
        ).all()
        assert [index for index, _ in placed] == list(range(len(placed))) == list(range(log.size))
        root = merkle.root_of([bytes.fromhex(c) for _, c in placed])
        assert log.root == root.hex()
        assert record_log.root_at(log.id, log.size) == root  # from the stored subtrees (heights 8, 16)
        signed = record_log.latest_checkpoint(log.id)
        checkpoint = note.open_checkpoint(signed.note, verifier, log.origin)
        assert (checkpoint.size, checkpoint.root) == (log.size, root)
        for index in (0, log.size // 3, log.size - 1):
            leaf = bytes.fromhex(placed[index][1])
            merkle.verify_inclusion(index, log.size, leaf, record_log.inclusion(log.id, index, log.size), root)


def test_a_bulk_entry_commits_to_what_the_audit_recomputes_from_the_rows(ctx):
    """Every event (each submitted letter's words, each sent answer) and every access, read back
    through the ORM, gives the commitment the generator stored."""
    entries = db.session.scalars(select(LogEntry).where(LogEntry.source.in_(["event", "access"]))).all()
    letters = {letter.id: letter for letter in db.session.scalars(select(Letter))}
    events = {e.id: e for e in db.session.scalars(select(Event))}
    accesses = {a.id: a for a in db.session.scalars(select(PersonalDataAccess))}
    kinds = Counter()
    for entry in entries:
        row = events[entry.source_id] if entry.source == "event" else accesses[entry.source_id]
        source, content = record_log.content_of(db.session, row, letters[row.letter_id])
        assert source.value == entry.source
        assert sealed.commitment(entry.nonce, content) == entry.commitment, (entry.source, entry.source_id)
        assert entry.letter_number == letters[row.letter_id].number
        kinds[getattr(row, "kind", "access")] += 1
    assert kinds["submitted"] == LETTERS and kinds["answer_sent"] > 0 and kinds["access"] > 0


def test_bulk_demo_makes_akimats_beyond_astana_and_almaty(ctx):
    slugs = db.session.scalars(select(Akimat.slug).order_by(Akimat.id)).all()
    prefixes = db.session.scalars(select(Akimat.number_prefix).order_by(Akimat.id)).all()
    assert slugs == ["astana", "almaty", "shymkent"] and prefixes == ["AST", "ALA", "SHY"]
    per_akimat = dict(db.session.execute(select(Letter.akimat_id, func.count()).group_by(Letter.akimat_id)).all())
    assert len(per_akimat) == 3 and sum(per_akimat.values()) == LETTERS


def test_numbers_are_gap_free_per_akimat_and_year_and_agree_with_the_counters(ctx):
    seqs = defaultdict(list)
    for akimat_id, year, seq, number, received_at, prefix in db.session.execute(
        select(Letter.akimat_id, Letter.year, Letter.seq, Letter.number, Letter.received_at, Akimat.number_prefix)
        .join(Akimat)
        .order_by(Letter.id)
    ):
        assert number == f"{prefix}-{year}-{seq:06d}"
        assert received_at.astimezone(ALMATY).year == year
        seqs[(akimat_id, year)].append(seq)
    counters = {(c.akimat_id, c.year): c.last_seq for c in db.session.scalars(select(LetterCounter))}
    assert set(counters) == set(seqs)
    for key, numbers in seqs.items():
        assert numbers == list(range(1, len(numbers) + 1)), "issued in order of receipt, without gaps"
        assert counters[key] == len(numbers)


def test_deadlines_come_from_the_working_calendar(ctx):
    calendar = calendar_for(None)
    for letter in db.session.scalars(select(Letter)):
        received_on = local_day(letter.akimat, letter.received_at)
        assert letter.original_deadline == deadlines.deadline_for(letter.kind, received_on, calendar)
        if letter.anonymous and letter.status is LetterStatus.FORWARDED:  # forwarded the day it was assessed
            assert letter.forward_by == local_day(letter.akimat, journal.events_of(letter)[-1].created_at)
        else:
            assert letter.forward_by == deadlines.forward_by(received_on, calendar)
        assert letter.deadline >= letter.original_deadline


def test_statuses_are_a_realistic_mix_with_some_overdue(ctx):
    statuses = Counter(db.session.scalars(select(Letter.status)))
    assert set(statuses) == set(LetterStatus), statuses
    assert statuses[LetterStatus.CLOSED] > statuses[LetterStatus.ASSIGNED] > statuses[LetterStatus.DISPUTED]
    today = NOW.astimezone(ALMATY).date()
    overdue = db.session.scalar(
        select(func.count()).where(Letter.status.in_(LetterStatus.unresolved()), Letter.deadline < today)
    )
    assert 0 < overdue < statuses[LetterStatus.ASSIGNED]


def test_answered_letters_have_their_sent_answer(ctx):
    for letter in db.session.scalars(
        select(Letter).where(Letter.status.in_((LetterStatus.ANSWERED, LetterStatus.CLOSED, LetterStatus.DISPUTED)))
    ):
        answer = letter.sent_answer
        assert answer is not None and answer.sent_at == letter.answered_at
        assert answer.department_id == letter.department_id and answer.language == letter.language
        assert answer.rating == letter.rating
        assert answer.disputed or letter.status is not LetterStatus.DISPUTED
    for letter in db.session.scalars(select(Letter).where(Letter.status == LetterStatus.IN_CONTROL)):
        assert letter.draft is not None and letter.sent_answer is None
    refused = db.session.scalars(
        select(Answer).where(Answer.decision == "refused", Answer.status == AnswerStatus.SENT)
    ).all()
    for answer in refused:  # the right to be heard came first
        assert answer.letter.hearing_until is not None
        assert answer.reasons and answer.legal_basis and answer.appeal_procedure


def test_no_outbox_rows_for_old_letters(ctx):
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_daily_jobs_find_nothing_left_undone(ctx):
    """Reminders and closing were planned as the daily run at 08:00 would have done them."""
    for akimat in db.session.scalars(select(Akimat)).all():
        assert lifecycle.remind_deadlines(akimat, now=NOW) == 0
        assert lifecycle.close_answered(akimat, now=NOW) == 0


def test_bulk_rows_have_valid_ids_for_new_rows(ctx):
    """New rows written by the application after a bulk load get fresh ids (PostgreSQL's sequences)."""
    from tests import factories

    before = db.session.scalar(select(func.max(Letter.id)))
    created, _code = factories.letter("shymkent", subject="After the bulk load")
    assert created.id > before
    assert db.session.scalar(select(func.max(Event.id))) == db.session.scalar(
        select(func.max(Event.id)).where(Event.letter_id == created.id)
    )


def test_the_site_serves_bulk_letters(bulk_app):
    client = bulk_app.test_client()
    with bulk_app.app_context():
        letter = db.session.scalars(
            select(Letter)
            .join(Akimat)
            .where(Akimat.slug == "shymkent", Letter.status == LetterStatus.CLOSED)
            .order_by(Letter.id.desc())
            .limit(1)
        ).one()
        number = letter.number
        assert access_code_matches(letter, demo_access_code(number, SEED))
    response = post_form(client, "/shymkent/track", {"number": number, "code": demo_access_code(number, SEED)})
    assert response.status_code == 302
    assert client.get(f"/shymkent/track/{number}").status_code == 200
    login(client, "akim", "shymkent")
    assert client.get("/shymkent/akim/").status_code == 200
    html = client.get(f"/shymkent/office/letters/{number}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "hash chain is intact" in html and number in html
    with bulk_app.app_context():
        opened = db.session.scalar(select(func.count()).select_from(PersonalDataAccess))
        assert opened > 1


def test_journal_verify_still_finds_a_break_in_a_bulk_database(bulk_app):
    """The check is not fooled by the bulk path: a row changed behind the journal's back shows."""
    from sqlalchemy import text

    with bulk_app.app_context():
        letter = db.session.scalars(
            select(Letter).where(Letter.status == LetterStatus.CLOSED).order_by(Letter.id).limit(1)
        ).one()
        number, rating = letter.number, letter.rating
        db.session.execute(
            text("UPDATE letter SET rating = :r WHERE id = :id"), {"r": 5 if rating != 5 else 4, "id": letter.id}
        )
        db.session.commit()
    try:
        result = bulk_app.test_cli_runner().invoke(args=["journal", "verify", "--full"])  # a letter unchanged since
        assert result.exit_code == 1 and f"BREAK {number}" in result.output
    finally:
        with bulk_app.app_context():
            db.session.execute(text("UPDATE letter SET rating = :r WHERE number = :n"), {"r": rating, "n": number})
            db.session.commit()


def test_bulk_letters_of_every_status_replay_and_verify(ctx):
    """Each bulk letter's journal is sealed and replays to its row, whatever the letter went through;
    every payload is exactly what its kind's builder (domain/events.py) reads back and writes."""
    seen = set()
    for letter in db.session.scalars(select(Letter).where(Letter.submission_token.like("bulk-%"))):
        stored = journal.events_of(letter)
        assert journal.verify_letter(letter, stored) == [], letter.number
        state = journal.replay(stored)
        row = (letter.status, letter.department_id, letter.deadline, letter.rating, letter.transfer_count)
        assert (state.status, state.department_id, state.deadline, state.rating, state.transfer_count) == row
        for event in stored:
            builder = events.parse(event.kind, event.payload)
            assert builder.to_payload() == event.payload, (letter.number, event.kind)
        seen.add(letter.status)
    assert seen == set(LetterStatus)


def _through_the_web(bulk_app) -> str:
    """A Shymkent letter written, routed, answered, approved and rated on the site's pages."""
    resident, staff = bulk_app.test_client(), {}
    with bulk_app.app_context():
        category = db.session.scalar(
            select(Category.id).join(Akimat).where(Akimat.slug == "shymkent", Category.code == "roads")
        )
        department = factories.akimat("shymkent").departments[0].id
    sent = post_form(
        resident,
        "/shymkent/letters/new",
        {
            "kind": "application",
            "category": category,
            "subject": "Яма на остановке",
            "body": "У остановки на проспекте большая яма, опасно для машин и пешеходов. Прошу отремонтировать.",
            "surname": "Ахметов",
            "given_name": "Ерлан",
            "patronymic": "",
            "iin": "900101300017",
            "address": "Шымкент, ул. Байтурсынова, 5",
            "email": "erlan@example.kz",
            "phone": "",
            "language": "ru",
        },
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)[:500]
    receipt = resident.get(sent.headers["Location"]).get_data(as_text=True)
    number = re.search(r"SHY-\d{4}-\d{6}", receipt).group(0)
    code = re.search(r"([2-9A-Z]{4}-){3}[2-9A-Z]{4}", receipt).group(0)
    page = f"/shymkent/office/letters/{number}"
    for role in ("registrar", "executor", "controller"):
        staff[role] = bulk_app.test_client()
        login(staff[role], role, "shymkent")
    routed = post_form(staff["registrar"], f"{page}/assign", {"department": department}, form_url=page)
    body = "Яма у остановки заделана асфальтом 3 марта, работу проверил на месте специалист управления."
    drafted = post_form(staff["executor"], f"{page}/answer", {"decision": "satisfied", "body": body}, form_url=page)
    approved = post_form(staff["controller"], f"{page}/control", {"verdict": "approve"}, form_url=page)
    assert [routed.status_code, drafted.status_code, approved.status_code] == [302, 302, 302]
    assert post_form(resident, "/shymkent/track", {"number": number, "code": code}).status_code == 302
    track = f"/shymkent/track/{number}"
    rated = post_form(resident, f"{track}/rating", {"score": "4", "comment": "Спасибо"}, form_url=track)
    assert rated.status_code == 302
    return number


def test_a_bulk_letter_has_the_journal_of_one_written_through_the_web(bulk_app):
    """Routed, answered, approved and rated: the bulk generator and the site write the same events,
    with the same payload keys, and each journal replays to its own letter row."""
    number = _through_the_web(bulk_app)
    with bulk_app.app_context():
        web = db.session.scalar(select(Letter).where(Letter.number == number))
        web_events = journal.events_of(web)
        kinds = [e.kind for e in web_events]
        assert kinds == ["submitted", "registered", "assigned", "draft_submitted", "answer_sent", "rated"]
        bulk = None
        for candidate in db.session.scalars(
            select(Letter)
            .where(Letter.status == LetterStatus.ANSWERED, Letter.rating.is_not(None), Letter.transfer_count == 0)
            .order_by(Letter.id)
        ):
            if candidate.id != web.id and [e.kind for e in journal.events_of(candidate)] == kinds:
                bulk = candidate
                break
        assert bulk is not None, "the bulk demo wrote a letter that went through the same steps"
        bulk_events = journal.events_of(bulk)
        assert [set(e.payload) for e in bulk_events] == [set(e.payload) for e in web_events]
        for letter, stored in ((web, web_events), (bulk, bulk_events)):
            assert journal.verify_letter(letter, stored) == []
            state = journal.replay(stored)
            assert state == events.Replayed(
                letter.status, letter.department_id, letter.deadline, letter.rating, letter.transfer_count
            )
            assert state.status is LetterStatus.ANSWERED and state.rating is not None
