"""The audit of the sealed record (`flask journal verify`), tried as an insider with database rights
would: raw SQL around the ORM with the guarding triggers off (PostgreSQL: as the server's
superuser, session_replication_role = replica). Every change must be reported with the letter's
number, an intact log with 0 breaks, and no malformed row may crash the audit.

Each test has an akimat of its own, so that one test's tampering is not another's finding."""

import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, inspect, select, text

from akimat_reception.demo.bulk import create_akimat
from akimat_reception.domain import journal
from akimat_reception.domain.record import content as sealed
from akimat_reception.domain.record import log, merkle, tiles
from akimat_reception.extensions import db
from akimat_reception.models import (
    Answer,
    Event,
    JournalCheck,
    Letter,
    LetterCounter,
    LogEntry,
    PersonalDataAccess,
    RecordLog,
    Role,
    SignedCheckpoint,
)
from tests import factories
from tests.conftest import server_transaction

INDICES = itertools.count(700)  # generated akimats district-N of this file only


@pytest.fixture
def ctx(app_context):
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.fixture
def slug(ctx):
    akimat = create_akimat(next(INDICES), datetime.now(UTC))
    return akimat.slug


def tamper(sql: str, **params) -> None:
    """Plain SQL around the ORM, with the triggers off on PostgreSQL (superuser only)."""
    db.session.commit()
    with server_transaction() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(sql), params)
    db.session.expire_all()


def verify(runner, slug, *args):
    db.session.commit()  # the command's own session must not wait for ours
    result = runner.invoke(args=["journal", "verify", "--akimat", slug, *args])
    db.session.expire_all()
    return result


def integrate():
    db.session.commit()
    log.integrate_all()


def letters(slug, n=1, answered=False):
    made = []
    for _ in range(n):
        letter, _ = factories.routed_letter(slug)
        if answered:
            factories.answer(letter)
        made.append(letter)
    return made


def log_of(slug) -> RecordLog:
    return log.log_of(factories.akimat(slug).id)


def delete_letter(letter_id: int, entries: bool = True) -> None:
    """The letter and every row that names it (its journal, answers, files ...), and its entries,
    with the foreign keys unchecked as the owner can have them (SQLite: the pragma; PostgreSQL: the
    replica role skips the constraints' triggers)."""
    tables = [t for t in inspect(db.engine).get_table_names() if t not in ("letter", "log_entry")]
    statements = [
        f"DELETE FROM {table} WHERE letter_id = :id"
        for table in tables
        if "letter_id" in {c["name"] for c in inspect(db.engine).get_columns(table)}
    ]
    if entries:
        statements.append("DELETE FROM log_entry WHERE letter_id = :id")
    statements.append("DELETE FROM letter WHERE id = :id")
    if db.engine.dialect.name != "sqlite":
        for statement in statements:
            tamper(statement, id=letter_id)
        return
    db.session.commit()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or it does nothing
        conn.commit()
        for statement in statements:
            conn.execute(text(statement), {"id": letter_id})
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.commit()
    db.session.expire_all()


def test_an_intact_log_reports_0_breaks_and_the_full_audit_records_verified_size_full_and_seconds(runner, slug):
    letters(slug, 2, answered=True)
    integrate()
    letters(slug, 1)  # written, not yet integrated: within the maximum delay
    result = verify(runner, slug, "--full")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(", 0 breaks") and "Full audit took" in result.output
    record_log = log_of(slug)
    check = journal.last_check(factories.akimat(slug).id)
    assert check.full and check.seconds is not None and check.verified_size == record_log.size > 0
    assert check.letters == 3 and check.breaks == []
    signed = db.session.scalar(
        select(SignedCheckpoint).where(
            SignedCheckpoint.log_id == record_log.id, SignedCheckpoint.size == check.verified_size
        )
    )
    assert signed is not None and signed.root == record_log.root


@pytest.mark.parametrize(
    "column, value",
    [("subject", "Другая тема"), ("body", "Совсем другой текст"), ("email", "someone@else.kz")],
)
def test_a_residents_words_rewritten_subject_body_email_are_reported_with_the_letters_number(
    runner, slug, column, value
):
    letter, other = letters(slug, 2)
    integrate()
    tamper(f"UPDATE letter SET {column} = :v WHERE id = :id", v=value, id=letter.id)
    result = verify(runner, slug, "--full")
    assert result.exit_code == 1
    assert f"BREAK {letter.number} event -: content of {letter.number} changed: submitted" in result.output
    assert other.number not in result.output


def test_a_sent_answers_body_and_decision_rewritten_are_reported_with_the_letters_number(runner, slug):
    (letter,) = letters(slug, 1, answered=True)
    integrate()
    answer_id = db.session.scalar(select(Answer.id).where(Answer.letter_id == letter.id))
    tamper("UPDATE answer SET body = 'Отказать.', decision = 'rejected' WHERE id = :id", id=answer_id)
    result = verify(runner, slug, "--full")
    assert result.exit_code == 1
    assert f"content of {letter.number} changed: answer_sent" in result.output


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE letter SET received_at = '2020-01-01 00:00:00' WHERE id = :id",
        "UPDATE letter SET original_deadline = '2030-01-01' WHERE id = :id",
    ],
    ids=["received_at", "original_deadline"],
)
def test_received_at_and_original_deadline_moved_are_reported_with_the_letters_number(runner, slug, sql):
    (letter,) = letters(slug, 1)
    integrate()
    tamper(sql, id=letter.id)
    result = verify(runner, slug, "--full")
    assert result.exit_code == 1 and f"content of {letter.number} changed: submitted" in result.output


def test_a_whole_letter_deleted_with_its_events_attachments_and_log_entries_is_reported(runner, slug):
    first, gone, last = letters(slug, 3)
    integrate()
    number = gone.number
    delete_letter(gone.id)
    result = verify(runner, slug, "--full")
    assert result.exit_code == 1
    assert f"BREAK {number} event -: letter {number} is missing" in result.output
    assert f"missing (after {first.number}, before {last.number})" in result.output, result.output
    assert "cannot be recomputed" in result.output and "stored checkpoint" in result.output


def test_the_newest_letters_cut_off_are_detected_against_a_checkpoint(runner, slug, tmp_path):
    kept, *cut = letters(slug, 3)
    integrate()
    record_log = log_of(slug)
    witness = tmp_path / "checkpoint"
    witness.write_text(log.latest_checkpoint(record_log.id).note, encoding="utf-8")
    before = record_log.size
    akimat_id = factories.akimat(slug).id
    for letter in cut:
        delete_letter(letter.id)
    tamper("UPDATE letter_counter SET last_seq = last_seq - 2 WHERE akimat_id = :a", a=akimat_id)
    _reseal_tree(record_log.id)  # record_log and tree_node rewound to the entries left; checkpoints deleted
    result = verify(runner, slug, "--full")
    assert result.exit_code == 0, "with the database's own checkpoints gone, only a witness can tell"
    result = verify(runner, slug, "--full", "--checkpoint", str(witness))
    assert result.exit_code == 1
    left = db.session.scalar(select(RecordLog.size).where(RecordLog.id == record_log.id))
    assert f"the log has shrunk: checkpoint file {witness} has {before} entries, {left} are left" in result.output
    assert f"({before - left} missing); the newest letter left is {kept.number}" in result.output
    assert db.session.get(LetterCounter, (akimat_id, kept.year)).last_seq == kept.seq


def test_personal_data_access_rows_deleted_are_reported_with_and_without_their_entries(runner, slug):
    (letter,) = letters(slug, 1)
    integrate()
    reader = factories.staff(Role.EXECUTOR, slug)
    for _ in range(2):
        db.session.add(
            PersonalDataAccess(
                akimat_id=letter.akimat_id, letter_id=letter.id, user_id=reader.id, role="executor", path="/x"
            )
        )
        db.session.commit()
    factories.answer(letter)  # the letter goes on after it was read
    integrate()
    first, second = db.session.scalars(
        select(PersonalDataAccess.id).where(PersonalDataAccess.letter_id == letter.id).order_by(PersonalDataAccess.id)
    ).all()
    tamper("DELETE FROM personal_data_access WHERE id = :id", id=first)  # its entry stays
    tamper("DELETE FROM personal_data_access WHERE id = :id", id=second)
    tamper("DELETE FROM log_entry WHERE source = 'access' AND source_id = :id", id=second)  # and its entry
    result = verify(runner, slug, "--full")
    assert result.exit_code == 1
    assert f"access {first} of {letter.number} is gone" in result.output
    assert "entry" in result.output and "missing" in result.output
    assert f"letters {letter.number}" in result.output, "the range of the checkpoint that differs names the letter"


def _reseal_tree(log_id: int) -> None:
    """What a database owner with the code can redo: the tree from the entries as they now are."""
    rows = db.session.execute(
        select(LogEntry.id, LogEntry.commitment).where(LogEntry.log_id == log_id).order_by(LogEntry.log_index)
    ).all()
    compact: merkle.Compact = []
    nodes = []

    def keep(height, index, value):
        if height % log.TILE_HEIGHT == 0:
            nodes.append((height, index, value.hex()))

    for n, (entry_id, commitment) in enumerate(rows):
        merkle.append(compact, bytes.fromhex(commitment), keep)
        tamper("UPDATE log_entry SET log_index = :n WHERE id = :id", n=n, id=entry_id)
    tamper("DELETE FROM tree_node WHERE log_id = :l", l=log_id)
    for height, index, value in nodes:
        tamper(
            "INSERT INTO tree_node (log_id, height, index, hash) VALUES (:l, :h, :i, :v)",
            l=log_id,
            h=height,
            i=index,
            v=value,
        )
    import json

    tamper(
        "UPDATE record_log SET size = :s, root = :r, compact = :c WHERE id = :l",
        s=len(rows),
        r=merkle.compact_root(compact).hex(),
        c=json.dumps([[h, v.hex()] for h, v in compact]),
        l=log_id,
    )
    tamper("DELETE FROM signed_checkpoint WHERE log_id = :l", l=log_id)


def _reseal_letter(letter_id: int, seq: int, payload: dict) -> None:
    """An event rewritten, the letter's hash chain recomputed from it on, and each entry's
    commitment recomputed with its stored nonce."""
    import json

    events = list(db.session.scalars(select(Event).where(Event.letter_id == letter_id).order_by(Event.seq)))
    prev = journal.GENESIS
    for event in events:
        event_payload = payload if event.seq == seq else event.payload
        digest = journal.content_hash(
            letter_id=event.letter_id,
            seq=event.seq,
            kind=event.kind,
            actor_id=event.actor_id,
            actor_role=event.actor_role,
            created_at=event.created_at,
            payload=event_payload,
            prev_hash=prev,
        )
        tamper(
            "UPDATE event SET payload = :p, prev_hash = :prev, hash = :h WHERE id = :id",
            p=json.dumps(event_payload, ensure_ascii=False),
            prev=prev,
            h=digest,
            id=event.id,
        )
        prev = digest
    tamper("UPDATE letter SET journal_head = :h WHERE id = :id", h=prev, id=letter_id)
    letter = db.session.get(Letter, letter_id)
    for event in db.session.scalars(select(Event).where(Event.letter_id == letter_id)):
        entry = db.session.scalar(select(LogEntry).where(LogEntry.source == "event", LogEntry.source_id == event.id))
        answer = db.session.get(Answer, event.payload.get("answer_id")) if event.kind == "answer_sent" else None
        commitment = sealed.commitment(entry.nonce, sealed.event_content(event, letter, answer))
        tamper("UPDATE log_entry SET commitment = :c WHERE id = :id", c=commitment, id=entry.id)


def _publish_tiles(log_id: int, folder) -> None:
    """The level-0 tiles of the log as the publisher writes them (common.md's shared format)."""
    leaves = [
        bytes.fromhex(c)
        for c in db.session.scalars(
            select(LogEntry.commitment)
            .where(LogEntry.log_id == log_id, LogEntry.log_index.is_not(None))
            .order_by(LogEntry.log_index)
        )
    ]
    for n, width in tiles.level0_tiles(len(leaves)):
        path = folder / tiles.tile_path(0, n, width)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(tiles.tile_bytes(leaves[n * 256 : n * 256 + width]))


def test_an_event_rewritten_and_the_whole_thing_resealed_is_detected_against_a_witness_checkpoint(
    app, runner, slug, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "RECORD_PUBLISH_DIR", str(tmp_path / "published"))
    earlier = letters(slug, 2)
    integrate()
    record_log = log_of(slug)
    older = tmp_path / "older"
    older.write_text(log.latest_checkpoint(record_log.id).note, encoding="utf-8")
    (letter,) = letters(slug, 1)
    integrate()
    newer = tmp_path / "newer"
    newer.write_text(log.latest_checkpoint(record_log.id).note, encoding="utf-8")
    registered = db.session.scalar(select(Event).where(Event.letter_id == letter.id, Event.kind == "assigned"))
    payload = {**registered.payload, "department_id": factories.akimat(slug).departments[-1].id}

    _reseal_letter(letter.id, registered.seq, payload)
    _reseal_tree(record_log.id)
    result = verify(runner, slug, "--full", "--checkpoint", str(older), "--checkpoint", str(newer))
    assert result.exit_code == 1, result.output
    assert f"differs from checkpoint file {newer}" in result.output
    assert f"letters {letter.number}" in result.output, "narrowed to the entries between the two checkpoints"
    assert all(e.number not in result.output for e in earlier)


def test_a_resealed_entry_is_named_exactly_when_published_tiles_exist(app, runner, slug, tmp_path, monkeypatch):
    published = tmp_path / "published"
    monkeypatch.setitem(app.config, "RECORD_PUBLISH_DIR", str(published))
    first, letter, last = letters(slug, 3)
    integrate()
    record_log = log_of(slug)
    witness = tmp_path / "witness"
    witness.write_text(log.latest_checkpoint(record_log.id).note, encoding="utf-8")
    _publish_tiles(record_log.id, published / slug)
    submitted = db.session.scalar(select(Event).where(Event.letter_id == letter.id, Event.seq == 1))
    _reseal_letter(letter.id, 1, {**submitted.payload, "subject": "Переписано"})
    _reseal_tree(record_log.id)
    result = verify(runner, slug, "--full", "--checkpoint", str(witness))
    assert result.exit_code == 1
    resealed = [line for line in result.output.splitlines() if "re-sealed" in line]
    assert resealed and all(line.startswith(f"BREAK {letter.number} ") for line in resealed), result.output
    assert first.number not in "".join(resealed) and last.number not in "".join(resealed)


def test_a_payload_that_is_not_json_or_json_null_and_an_unknown_kind_are_breaks_not_a_crash(runner, slug):
    broken, unknown = letters(slug, 2)
    integrate()
    with server_transaction() as conn:  # the stored payload, put back for the tests after this one
        payload = conn.execute(
            text("SELECT CAST(payload AS TEXT) FROM event WHERE letter_id = :id AND seq = 2"), {"id": broken.id}
        ).scalar()
    kind = db.session.scalar(select(Event.kind).where(Event.letter_id == unknown.id, Event.seq == 2))
    if db.engine.dialect.name == "postgresql":
        tamper("UPDATE event SET payload = 'null' WHERE letter_id = :id AND seq = 2", id=broken.id)
    else:
        tamper("UPDATE event SET payload = '{not json' WHERE letter_id = :id AND seq = 2", id=broken.id)
    tamper("UPDATE event SET kind = 'teleported' WHERE letter_id = :id AND seq = 2", id=unknown.id)
    result = verify(runner, slug, "--full")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"BREAK {broken.number} event 2: payload is" in result.output
    assert f"BREAK {unknown.number} event 2: unknown event kind 'teleported'" in result.output
    assert f"content of {unknown.number} changed" in result.output
    tamper("UPDATE event SET payload = :p WHERE letter_id = :id AND seq = 2", p=payload, id=broken.id)
    tamper("UPDATE event SET kind = :k WHERE letter_id = :id AND seq = 2", k=kind, id=unknown.id)
    assert verify(runner, slug, "--full").exit_code == 0


def test_a_missing_entry_is_not_in_the_record_and_a_late_one_not_integrated_in_time(app, runner, slug, monkeypatch):
    unsealed, late = letters(slug, 2)
    event_id = db.session.scalar(select(Event.id).where(Event.letter_id == unsealed.id, Event.seq == 2))
    tamper("DELETE FROM log_entry WHERE source = 'event' AND source_id = :id", id=event_id)
    monkeypatch.setitem(app.config, "RECORD_MAX_DELAY", 0)
    result = verify(runner, slug)
    assert result.exit_code == 1
    assert f"BREAK {unsealed.number} event -: event {event_id} is not in the record" in result.output
    assert f"BREAK {late.number} event -: event" in result.output and "not integrated in time" in result.output


def test_incremental_verify_checks_what_changed_since_the_last_check(runner, slug):
    old, kept = letters(slug, 2)
    integrate()
    assert verify(runner, slug, "--full").exit_code == 0
    akimat_id = factories.akimat(slug).id
    full = journal.last_check(akimat_id)
    (new,) = letters(slug, 1)
    integrate()
    result = verify(runner, slug)
    assert result.exit_code == 0, result.output
    assert f"size {log_of(slug).size} verified from size {full.verified_size}" in result.output
    check = journal.last_check(akimat_id)
    assert not check.full and check.letters == 1 and check.verified_size == log_of(slug).size

    tamper("UPDATE letter SET subject = 'Иначе' WHERE id = :id", id=old.id)
    assert verify(runner, slug).exit_code == 0, "an unchanged letter waits for the full audit"
    full_result = verify(runner, slug, "--full")
    assert full_result.exit_code == 1 and old.number in full_result.output

    tamper("UPDATE letter SET subject = :s WHERE id = :id", s=old.subject, id=old.id)
    assert verify(runner, slug, "--full").exit_code == 0
    first = db.session.scalar(
        select(LogEntry).where(LogEntry.letter_id == kept.id).order_by(LogEntry.log_index).limit(1)
    )
    tamper("UPDATE log_entry SET commitment = :c WHERE id = :id", c="00" * 32, id=first.id)
    result = verify(runner, slug)
    assert result.exit_code == 1, (
        "the tree resumed from the stored entries no longer gives the checkpoint verified last"
    )
    assert "verified by the last check" in result.output or "differs" in result.output
    tamper("UPDATE log_entry SET commitment = :c WHERE id = :id", c=first.commitment, id=first.id)


def test_exit_code_1_and_every_break_listed(runner, slug):
    a, b, c = letters(slug, 3)
    integrate()
    tamper("UPDATE letter SET subject = 'x' WHERE id = :id", id=a.id)
    tamper("UPDATE letter SET email = 'x@y.kz' WHERE id = :id", id=b.id)
    tamper("UPDATE letter SET status = 'answered' WHERE id = :id", id=c.id)
    result = verify(runner, slug, "--full")
    assert result.exit_code == 1
    breaks = [line for line in result.output.splitlines() if line.startswith("BREAK ")]
    assert {a.number, b.number, c.number} <= {line.split()[1] for line in breaks}
    assert result.output.strip().endswith(f", {len(breaks)} breaks")
    check = db.session.scalar(select(JournalCheck).order_by(JournalCheck.id.desc()).limit(1))
    assert len(check.breaks) == len(breaks)


def _attach(letter, folder, content: bytes):
    import hashlib
    import secrets

    from akimat_reception.models import Attachment

    storage_name = secrets.token_hex(24)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / storage_name).write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    attachment = Attachment(
        akimat_id=letter.akimat_id,
        letter_id=letter.id,
        original_name="scan.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=digest,
        original_sha256=digest,
        storage_name=storage_name,
    )
    db.session.add(attachment)
    db.session.commit()  # sealed in this commit, as every attachment is
    return folder / storage_name, attachment.id


def test_stored_files_are_rehashed_in_full_or_by_a_random_sample(app, runner, slug, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "files"))
    (letter,) = letters(slug, 1)
    path, attachment_id = _attach(letter, tmp_path / "files", b"%PDF-1.4 scan of the letter")
    integrate()
    result = verify(runner, slug, "--full", "--files", "all")
    assert result.exit_code == 0 and ", 1 files" in result.output, result.output
    path.write_bytes(b"%PDF-1.4 another scan")
    for files in ("all", "sample 1"):
        result = verify(runner, slug, "--files", files)
        assert result.exit_code == 1
        assert (
            f"BREAK {letter.number} event -: file of attachment {attachment_id} differs from its hash" in result.output
        )
    path.unlink()
    result = verify(runner, slug, "--full")  # the full audit samples 20 files unless told
    assert result.exit_code == 1 and f"file of attachment {attachment_id} cannot be read" in result.output


def test_seal_existing_seals_the_rows_written_before_the_record_once(runner, slug):
    (letter,) = letters(slug, 1)
    tamper("DELETE FROM log_entry WHERE letter_id = :id", id=letter.id)  # as rows written before the upgrade
    result = verify(runner, slug, "--full")
    assert result.exit_code == 1 and f"BREAK {letter.number} event -: event" in result.output
    assert "is not in the record" in result.output
    db.session.commit()
    sealed_now = runner.invoke(args=["journal", "seal-existing"])
    assert sealed_now.exit_code == 0 and "event: " in sealed_now.output
    assert int(sealed_now.output.split("event: ")[1].split()[0]) >= 3
    again = runner.invoke(args=["journal", "seal-existing"])
    assert again.exit_code == 0 and all(line.endswith(": 0 rows sealed") for line in again.output.splitlines())
    integrate()
    result = verify(runner, slug, "--full")
    assert result.exit_code == 0, result.output


def test_one_batch_of_entries_costs_a_constant_number_of_queries(slug):
    from sqlalchemy import event as sa_event

    from akimat_reception.domain.record import audit_rows, audit_tree

    made = letters(slug, 6, answered=True)
    integrate()
    record_log = log_of(slug)

    def queries(entry_count):
        entries = next(audit_tree.integrated_entries(record_log.id, 0, entry_count, lambda *a: None))
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            audit_rows.check_entries(entries, lambda *a, **k: None, datetime.now(UTC), 60)
            audit_rows.check_letters(sorted({e.letter_id for e in entries if e.letter_id}), lambda *a, **k: None)
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    assert len(made) == 6 and queries(8) == queries(40)


def test_the_audit_reads_one_consistent_read_only_snapshot(slug):
    """PostgreSQL: REPEATABLE READ, READ ONLY, and a letter submitted meanwhile stays unseen.
    SQLite: one read transaction (without WAL, writers wait for it to end: run the audit off-peak)."""
    from akimat_reception.domain.record.audit import snapshot

    with snapshot():
        connection = db.session.connection()
        if db.engine.dialect.name != "postgresql":
            db.session.scalar(select(func.count()).select_from(Letter))
            assert connection.connection.dbapi_connection.in_transaction, "one read transaction, not one per query"
            return
        assert connection.exec_driver_sql("SHOW transaction_isolation").scalar() == "repeatable read"
        assert connection.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"
        before = db.session.scalar(select(func.count()).select_from(Letter))
        _submit_elsewhere(slug)
        assert db.session.scalar(select(func.count()).select_from(Letter)) == before
    assert db.session.scalar(select(func.count()).select_from(Letter)) == before + 1


def _submit_elsewhere(slug) -> None:
    """A letter submitted by another connection while the snapshot is open."""
    import threading

    from flask import current_app

    app = current_app._get_current_object()

    def submit():
        with app.app_context():
            letters(slug, 1)
            db.session.remove()

    worker = threading.Thread(target=submit)
    worker.start()
    worker.join(30)


def test_a_checkpoint_whose_signature_does_not_verify_is_a_break(runner, slug, tmp_path):
    letters(slug, 1)
    integrate()
    record_log = log_of(slug)
    latest = log.latest_checkpoint(record_log.id)
    text_part, signature = latest.note.split("\n\n", 1)
    origin, size, _root = text_part.split("\n")
    forged = f"{origin}\n{size}\n{'A' * 43}=\n\n{signature}"  # another root under the old signature
    tamper("UPDATE signed_checkpoint SET note = :n WHERE id = :id", n=forged, id=latest.id)
    witness = tmp_path / "forged"
    witness.write_text(forged, encoding="utf-8")
    result = verify(runner, slug, "--full", "--checkpoint", str(witness))
    assert result.exit_code == 1
    assert f"stored checkpoint {size}: the signature does not verify" in result.output
    assert f"checkpoint file {witness}: the signature does not verify" in result.output
    tamper("UPDATE signed_checkpoint SET note = :n WHERE id = :id", n=latest.note, id=latest.id)


def test_numbers_that_entries_mention_but_whose_letter_is_gone_are_named(runner, slug):
    kept, gone = letters(slug, 2)
    integrate()
    number = gone.number
    delete_letter(gone.id, entries=False)
    result = verify(runner, slug, "--full")
    assert result.exit_code == 1
    assert f"BREAK {number} event -: letter {number} is gone (" in result.output
    assert f"of {number} is gone" in result.output and f"letter {number} is missing" in result.output
    assert kept.number not in result.output


def test_a_bad_date_makes_its_row_a_break_and_the_rest_of_the_batch_is_still_checked(runner, slug):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL's columns are typed: a date that is no date cannot be stored")
    bad_event, bad_letter, fine = letters(slug, 3)
    integrate()
    numbers = {"event": bad_event.number, "letter": bad_letter.number, "fine": fine.number}
    ids = (bad_event.id, bad_letter.id)
    with server_transaction() as conn:  # the stored text, to put back for the tests after this one
        created = conn.execute(text("SELECT created_at FROM event WHERE letter_id = :id AND seq = 2"), {"id": ids[0]})
        created = created.scalar()
        received = conn.execute(text("SELECT received_at FROM letter WHERE id = :id"), {"id": ids[1]}).scalar()
    tamper("UPDATE event SET created_at = 'yesterday' WHERE letter_id = :id AND seq = 2", id=ids[0])
    tamper("UPDATE letter SET received_at = 'last week' WHERE id = :id", id=ids[1])
    result = verify(runner, slug, "--full")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"BREAK {numbers['event']} event" in result.output and "row cannot be read" in result.output
    assert f"BREAK {numbers['letter']} event -: the letter's row cannot be read" in result.output
    assert numbers["fine"] not in result.output
    db.session.expunge_all()  # the session must not load the bad rows again
    tamper("UPDATE event SET created_at = :v WHERE letter_id = :id AND seq = 2", v=created, id=ids[0])
    tamper("UPDATE letter SET received_at = :v WHERE id = :id", v=received, id=ids[1])
    assert verify(runner, slug, "--full").exit_code == 0
