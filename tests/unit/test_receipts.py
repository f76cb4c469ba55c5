"""A resident's receipt from the sealed record: what it carries verifies with nothing but the pure
merkle and note modules (as the offline verifier does), before integration it promises no proof,
and a letter rewritten behind the application's back shows in its receipt instead of being hidden."""

import json

import pytest
from flask_babel import force_locale
from sqlalchemy import event as sa_event
from sqlalchemy import select

from akimat_reception.domain.events import PUBLIC_KINDS
from akimat_reception.domain.record import merkle, receipts, step
from akimat_reception.domain.record.note import Verifier, open_checkpoint
from akimat_reception.extensions import db
from akimat_reception.models import Channel, OutboxMessage
from tests import factories
from tests.unit.test_lifecycle import tamper


@pytest.fixture(autouse=True)
def _context(app_context):
    with force_locale("en"):
        yield


def _verified_entries(receipt: dict) -> list[str]:
    """The kinds of the entries that verify as the offline page checks them; AssertionError otherwise."""
    verifier = Verifier.decode(receipt["key"])
    checkpoint = open_checkpoint(receipt["checkpoint"], verifier, origin=receipt["origin"])
    kinds = []
    for entry in receipt["entries"]:
        leaf = merkle.leaf_hash(bytes.fromhex(entry["nonce"]) + entry["content"].encode())
        assert leaf.hex() == entry["leaf_hash"], entry["kind"]
        proof = [bytes.fromhex(p) for p in entry["proof"]]
        merkle.verify_inclusion(entry["log_index"], checkpoint.size, leaf, proof, checkpoint.root)
        kinds.append(entry["kind"])
    return kinds


def test_an_integrated_letters_receipt_verifies_with_the_key_the_checkpoint_and_the_proofs():
    letter, _ = factories.answered_letter()
    step.run()
    receipt = json.loads(json.dumps(receipts.receipt_for(letter)))  # as the resident downloads it
    assert receipt["format"] == "akimat-reception-receipt/1"
    assert receipt["number"] == letter.number and receipt["origin"].endswith("/astana")
    kinds = _verified_entries(receipt)
    assert kinds[:2] == ["submitted", "registered"] and "answer_sent" in kinds
    assert set(kinds) <= {k.value for k in PUBLIC_KINDS}, "staff-only steps stay out of the resident's receipt"
    assert "draft_submitted" not in kinds
    submitted = json.loads(receipt["entries"][0]["content"])
    assert submitted["letter_content"]["subject"] == letter.subject
    sent = next(e for e in receipt["entries"] if e["kind"] == "answer_sent")
    assert json.loads(sent["content"])["answer"]["body"] == letter.sent_answer.body
    assert not any("mismatch" in e for e in receipt["entries"])


def test_a_receipt_before_integration_has_no_proof_but_its_content_already_matches():
    step.run()  # whatever earlier tests left waiting
    letter, _ = factories.letter()
    receipt = receipts.receipt_for(letter)
    assert receipt["entries"], "the letter's entries are written with the letter"
    for entry in receipt["entries"]:
        assert entry["log_index"] is None and entry["proof"] is None
        leaf = merkle.leaf_hash(bytes.fromhex(entry["nonce"]) + entry["content"].encode())
        assert leaf.hex() == entry["leaf_hash"]
    summary = receipts.summary(letter)
    assert summary.leaf_hash == receipt["entries"][0]["leaf_hash"] and not summary.integrated
    step.run()
    assert receipts.summary(letter).integrated


def test_a_letter_rewritten_by_raw_sql_is_flagged_in_its_receipt_and_no_longer_verifies():
    letter, _ = factories.letter()
    step.run()
    tamper(f"UPDATE letter SET subject = 'Nothing to see here' WHERE id = {letter.id}")
    receipt = receipts.receipt_for(db.session.get(type(letter), letter.id))
    submitted = receipt["entries"][0]
    assert submitted["kind"] == "submitted"
    assert submitted["mismatch"] == receipts.CHANGED_ROW
    assert json.loads(submitted["content"])["letter_content"]["subject"] == "Nothing to see here"
    leaf = merkle.leaf_hash(bytes.fromhex(submitted["nonce"]) + submitted["content"].encode())
    assert leaf.hex() != submitted["leaf_hash"], "the rewritten text cannot pass for what was sealed"
    assert "mismatch" not in receipt["entries"][1], "the untouched registration still matches"


def test_a_deleted_event_is_shown_as_missing_rather_than_left_out():
    letter, _ = factories.routed_letter()
    step.run()
    before = receipts.receipt_for(letter)
    assigned = [e for e in before["entries"] if e["kind"] == "assigned"]
    assert assigned
    tamper(f"DELETE FROM event WHERE letter_id = {letter.id} AND kind = 'assigned'")
    after = receipts.receipt_for(letter)
    assert len(after["entries"]) == len(before["entries"])
    missing = [e for e in after["entries"] if e.get("mismatch") == receipts.MISSING_ROW]
    assert [e["leaf_hash"] for e in missing] == [e["leaf_hash"] for e in assigned]
    assert missing[0]["content"] is None


def _queries(fn) -> int:
    count = 0

    def counted(*args):
        nonlocal count
        count += 1

    sa_event.listen(db.engine, "before_cursor_execute", counted)
    try:
        fn()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", counted)
    return count


def test_the_receipt_costs_the_same_number_of_queries_for_a_short_and_a_long_history():
    short, _ = factories.letter()
    long, _ = factories.answered_letter()
    step.run()
    db.session.expire_all()
    short = db.session.get(type(short), short.id)
    long = db.session.get(type(long), long.id)
    assert len(receipts.receipt_for(long)["entries"]) > len(receipts.receipt_for(short)["entries"])
    db.session.expire_all()
    short = db.session.get(type(short), short.id)
    long = db.session.get(type(long), long.id)
    assert _queries(lambda: receipts.receipt_for(short)) == _queries(lambda: receipts.receipt_for(long))


def test_the_registration_email_carries_the_leaf_hash_and_the_checkpoint_and_the_sms_does_not():
    step.run()  # a checkpoint exists before the letter
    letter, _ = factories.letter(phone="+77011234567")
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.letter_id == letter.id)).all()
    email = next(m for m in messages if m.channel is Channel.EMAIL)
    sms = next(m for m in messages if m.channel is Channel.SMS)
    leaf = receipts.summary(letter).leaf_hash
    assert leaf and leaf in email.body_text and leaf in email.body_html
    checkpoint = receipts.summary(letter).checkpoint_note
    assert checkpoint.split("\n")[2] in email.body_text, "the signed root the resident keeps a copy of"
    assert leaf not in sms.body_text


def test_an_event_whose_payload_is_no_longer_json_is_reported_in_the_receipt_not_a_crash():
    if db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL's json column refuses text that is not JSON, even to its owner")
    letter, _ = factories.letter()
    tamper(f"UPDATE event SET payload = 'not json {{' WHERE letter_id = {letter.id} AND kind = 'registered'")
    receipt = receipts.receipt_for(letter)
    registered = next(e for e in receipt["entries"] if e["kind"] == "registered")
    assert registered["mismatch"] == receipts.UNREADABLE_ROW and registered["content"] is None
    assert "mismatch" not in receipt["entries"][0]
