"""Checkpoints leave the installation: mailed to an email witness at most once a period, and pushed
to another installation, which keeps them only while the log grows honestly (C2SP tlog-witness).

The other installation is a real second app — its own SQLite database, its own signing key and
origin, RECORD_WITNESS_FOR = the first's public key — served by werkzeug on 127.0.0.1 in a thread,
so the push goes over real HTTP."""

import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from werkzeug.serving import make_server

from akimat_reception import create_app
from akimat_reception.domain.record import keys, log, merkle, note, step
from akimat_reception.domain.record.witness_protocol import PATH, AddCheckpoint
from akimat_reception.extensions import db
from akimat_reception.models import RecordLog, SignedCheckpoint, WitnessedCheckpoint, WitnessState
from akimat_reception.models._common import utcnow
from tests import factories
from tests.conftest import BACKENDS, _postgres_database, make_test_app, server_transaction
from tests.smtp import drain

ASTANA = "akimat-reception.local/astana"


@dataclass
class Installation:
    app: object
    url: str
    verifier: note.Verifier

    def held(self, origin=ASTANA) -> list[tuple[int, str]]:
        with self.app.app_context():
            rows = db.session.execute(
                select(WitnessedCheckpoint.size, WitnessedCheckpoint.root)
                .where(WitnessedCheckpoint.origin == origin)
                .order_by(WitnessedCheckpoint.size)
            ).all()
            db.session.remove()
            return [tuple(row) for row in rows]


def serve_witness(tmp_path, witnessed_vkey: str, delay: float = 0):
    """Another installation that witnesses the logs of the key `witnessed_vkey`, served over HTTP
    (each answer `delay` seconds late)."""
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "other",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "witness.sqlite3"),
            "RECORD_SIGNING_KEY_FILE": str(tmp_path / "witness.key"),
            "RECORD_ORIGIN": "witness.example.kz",
            "RECORD_WITNESS_FOR": witnessed_vkey,
        }
    )
    with other.app_context():
        upgrade()
        verifier = keys.verifier()
        db.session.remove()

    def slow(environ, start_response):
        time.sleep(delay)
        return other(environ, start_response)

    server = make_server("127.0.0.1", 0, slow if delay else other, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, Installation(other, f"http://127.0.0.1:{server.server_port}", verifier)


@pytest.fixture
def witness(first_installation, tmp_path, monkeypatch):
    """A second installation witnessing the first's key; the first pushes to it (RECORD_WITNESSES).
    The first is an installation of its own: the session's app holds a log for every akimat earlier
    tests made, and which of them a turn reaches is not what these tests are about."""
    app = first_installation
    with app.app_context():
        vkey = keys.verifier().encode()
    server, installation = serve_witness(tmp_path, vkey)
    monkeypatch.setitem(app.config, "RECORD_WITNESSES", installation.url)
    yield installation
    server.shutdown()
    with installation.app.app_context():
        db.engine.dispose()


def astana_log() -> RecordLog:
    return db.session.scalar(select(RecordLog).where(RecordLog.origin == ASTANA))


def state_of(witness_name: str, log_id: int) -> WitnessState:
    db.session.expire_all()
    return db.session.scalar(
        select(WitnessState).where(WitnessState.witness == witness_name, WitnessState.log_id == log_id)
    )


def newest_note(log_id: int) -> str:
    return log.latest_checkpoint(log_id).note


# --- another installation as the witness --------------------------------------------------------


def test_the_witness_keeps_each_checkpoint_as_the_log_grows_and_the_first_keeps_its_cosignature(
    first_installation, witness
):
    app = first_installation
    with app.app_context():
        factories.letter()
        step.run()
        astana = astana_log()
        first_size = astana.size
        state = state_of(witness.url, astana.id)
        assert (state.acked_size, state.last_error) == (first_size, None)
        # The cosignature is the witness's own signature over the very checkpoint the first signed.
        cosigned = newest_note(astana.id) + state.cosignature
        assert note.open_checkpoint(cosigned, witness.verifier, ASTANA).size == first_size
        assert witness.held() == [(first_size, astana.root)]

        factories.letter()  # the log grows: pushed again, with a consistency proof from first_size
        step.run()
        astana = astana_log()
        assert astana.size > first_size
        assert state_of(witness.url, astana.id).acked_size == astana.size
        assert witness.held()[-1] == (astana.size, astana.root)
        assert len(witness.held()) == 2
        db.session.remove()


def test_a_witness_that_holds_another_size_answers_409_and_the_first_catches_up(first_installation, witness):
    app = first_installation
    with app.app_context():
        factories.letter()
        step.run()
        astana = astana_log()
        held_size = astana.size
        # The first forgets what the witness acknowledged (a database restored from a backup).
        state = state_of(witness.url, astana.id)
        state.acked_size, state.cosignature = 0, None
        db.session.commit()
        factories.letter()
        step.run()  # old 0 is not what the witness holds: 409 with its size
        state = state_of(witness.url, astana.id)
        assert (state.acked_size, state.cosignature) == (held_size, None)
        assert state.last_error == f"the witness holds size {held_size}"
        step.run()  # the next turn pushes from the witness's size, and it is accepted
        astana = astana_log()
        state = state_of(witness.url, astana.id)
        assert (state.acked_size, state.last_error) == (astana.size, None)
        assert note.open_checkpoint(newest_note(astana.id) + state.cosignature, witness.verifier).size == astana.size
        assert witness.held()[-1] == (astana.size, astana.root)
        db.session.remove()


def test_a_witness_that_does_not_know_the_key_refuses_with_403(app, tmp_path, monkeypatch):
    server, stranger = serve_witness(tmp_path, note.Signer.generate("someone.else").verifier.encode())
    monkeypatch.setitem(app.config, "RECORD_WITNESSES", stranger.url)
    try:
        with app.app_context():
            factories.letter()
            step.run()
            state = state_of(stranger.url, astana_log().id)
            assert (state.acked_size, state.cosignature) == (0, None)
            assert state.last_error.startswith("HTTP 403") and state.attempts == 1
            db.session.remove()
        assert stranger.held() == []
    finally:
        server.shutdown()


def test_an_unreachable_witness_costs_one_short_try_and_is_retried_later(app, monkeypatch):
    from tests.smtp import free_port

    url = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    monkeypatch.setitem(app.config, "RECORD_WITNESSES", url)
    monkeypatch.setitem(app.config, "RECORD_WITNESS_TIMEOUT", 1)
    with app.app_context():
        factories.letter()
        now = utcnow()
        step.run(now)
        astana = astana_log()
        state = state_of(url, astana.id)
        assert state.last_error.startswith("unreachable") and state.attempts == 1
        tried = db.session.scalar(select(func.count()).where(WitnessState.witness == url, WitnessState.attempts > 0))
        assert tried == 1, "one failed connection per witness and turn, not one per log"
        step.run(now + timedelta(seconds=1))  # within the back-off: not tried again
        assert state_of(url, astana.id).attempts == 1
        step.run(now + timedelta(seconds=3))
        assert state_of(url, astana.id).attempts == 2
        db.session.remove()
    shown = app.test_cli_runner().invoke(args=["journal", "witness-status"]).output
    line = next(line for line in shown.splitlines() if line.startswith(f"{url} {ASTANA}:"))
    assert "acked 0 of" in line and "attempts 2" in line and "last error: unreachable" in line


def test_a_slow_witness_gets_a_bounded_share_of_each_turn_and_the_rest_next_turn(
    first_installation, tmp_path, monkeypatch
):
    # An installation of its own: the session's app holds a log for every akimat earlier tests made,
    # and a witness answering in 1.5 s would take minutes over them.
    app = first_installation
    with app.app_context():
        vkey = keys.verifier().encode()
    server, slow = serve_witness(tmp_path, vkey, delay=1.5)
    monkeypatch.setitem(app.config, "RECORD_WITNESSES", slow.url)
    monkeypatch.setitem(app.config, "RECORD_WITNESS_TIMEOUT", 2)  # a turn gives it 4 s: three answers
    try:
        with app.app_context():
            factories.letter()
            started = time.monotonic()
            step.run()
            assert time.monotonic() - started < 6
            logs = db.session.scalar(
                select(func.count(func.distinct(SignedCheckpoint.log_id))).where(SignedCheckpoint.size > 0)
            )
            assert logs > 3
            cosigned = select(func.count()).where(
                WitnessState.witness == slow.url, WitnessState.cosignature.is_not(None)
            )
            assert db.session.scalar(cosigned) == 3
            for _ in range(logs):
                if db.session.scalar(cosigned) == logs:
                    break
                step.run()
            assert db.session.scalar(cosigned) == logs
            db.session.remove()
    finally:
        server.shutdown()


# --- a rewritten log ------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def first_installation(request, tmp_path_factory):
    """A first installation of its own, for rewriting its log with raw SQL without spoiling the
    session's app (whose log other tests verify)."""
    if request.param == "sqlite":
        app = make_test_app("sqlite:///" + str(tmp_path_factory.mktemp("first") / "first.sqlite3"))
        yield app
        return
    database = _postgres_database()
    app = make_test_app(next(database))
    yield app
    with app.app_context():
        db.engine.dispose()
    next(database, None)


def rewrite_history(log_id: int) -> None:
    """What an insider with the database does: change an entry's commitment, throw the tree and its
    checkpoints away and let the worker rebuild it, as if the history had always been so."""
    with server_transaction() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(
            text("UPDATE log_entry SET commitment = :forged WHERE log_id = :log AND log_index = 0"),
            {"forged": "ab" * 32, "log": log_id},
        )
        conn.execute(text("DELETE FROM tree_node WHERE log_id = :log"), {"log": log_id})
        conn.execute(text("DELETE FROM signed_checkpoint WHERE log_id = :log"), {"log": log_id})
        conn.execute(text("UPDATE log_entry SET log_index = NULL WHERE log_id = :log"), {"log": log_id})
        conn.execute(
            text("UPDATE record_log SET size = 0, compact = '[]', root = :empty WHERE id = :log"),
            {"empty": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "log": log_id},
        )
    db.session.expire_all()


def test_a_rewritten_log_is_refused_by_its_witness_with_422(first_installation, tmp_path, caplog):
    first = first_installation
    with first.app_context():
        vkey = keys.verifier().encode()
    server, other = serve_witness(tmp_path, vkey)
    first.config["RECORD_WITNESSES"] = other.url
    logging.getLogger().addHandler(caplog.handler)  # the migration's fileConfig took the root's handlers
    caplog.set_level(logging.ERROR)
    try:
        with first.app_context():
            factories.letter()
            factories.letter()
            step.run()
            astana = astana_log()
            honest = (astana.size, astana.root)
            assert other.held() == [honest]

            rewrite_history(astana.id)
            factories.letter()
            step.run()  # rebuilt from the forged leaf, signed, pushed: the proof cannot hold
            astana = astana_log()
            assert astana.size > honest[0]
            assert log.root_at(astana.id, honest[0]).hex() != honest[1], "the history before was rewritten"
            state = state_of(other.url, astana.id)
            assert state.acked_size == honest[0], "the witness never acknowledged the rewritten log"
            assert state.last_error.startswith("HTTP 422") and "forked or rewritten" in state.last_error
            db.session.remove()
        assert other.held() == [honest], "the refused checkpoint is not kept"
        refused = [r for r in caplog.records if r.levelno == logging.ERROR and "REFUSED" in r.getMessage()]
        assert {r.name for r in refused} >= {
            "akimat_reception.domain.record.witnessed",  # the witness tells its operator
            "akimat_reception.domain.record.witnesses",  # and so does the log's own worker
        }
    finally:
        logging.getLogger().removeHandler(caplog.handler)
        server.shutdown()
        with other.app.app_context():
            db.engine.dispose()


# --- email witnesses -------------------------------------------------------------------------------

CHECKPOINT_IN_MAIL = re.compile(r"(akimat-reception\.local/astana\n\d+\n[A-Za-z0-9+/=]+\n\n(?:\u2014 \S+ \S+\n)+)")


def _mailed_checkpoints(smtp, address) -> list[note.Checkpoint]:
    found = []
    for message in smtp.inbox.to(address):
        # Mail travels with CRLF line ends; a mail client saves the text with the note's own LF.
        body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        match = CHECKPOINT_IN_MAIL.search(body)
        if match:
            found.append(note.open_checkpoint(match.group(1), keys.verifier(), ASTANA))
    return found


def test_an_email_witness_gets_the_newest_checkpoint_at_most_once_a_period(app, smtp, monkeypatch):
    address = f"witness-{uuid.uuid4().hex[:8]}@example.org"
    monkeypatch.setitem(app.config, "RECORD_WITNESSES", address)
    monkeypatch.setitem(app.config, "RECORD_WITNESS_EMAIL_MINUTES", 60)
    with app.app_context():
        now = utcnow()
        factories.letter()
        step.run(now)
        drain()
        first = _mailed_checkpoints(smtp, address)
        assert [c.size for c in first] == [astana_log().size], "the checkpoint verifies with the installation's key"
        message = next(m for m in smtp.inbox.to(address) if ASTANA in m["Subject"])
        assert "http://127.0.0.1:5000/record" in message.get_body(("plain",)).get_content()

        factories.letter()  # a new checkpoint ten minutes later: not mailed, the period is not over
        step.run(now + timedelta(minutes=10))
        drain()
        assert len(_mailed_checkpoints(smtp, address)) == 1

        factories.letter()
        step.run(now + timedelta(minutes=61))  # the next period: the newest checkpoint, once
        drain()
        sizes = [c.size for c in _mailed_checkpoints(smtp, address)]
        assert sizes == [first[0].size, astana_log().size] and sizes[1] > sizes[0]
        state = state_of(address, astana_log().id)
        assert state.acked_size == sizes[1]
        db.session.remove()


# --- the endpoint, as another installation's worker calls it --------------------------------------


class OtherLog:
    """Another installation's log, in memory: its key, its leaves, its signed checkpoints."""

    def __init__(self, name=None):
        self.signer = note.Signer.generate(name or f"other-{uuid.uuid4().hex[:8]}.example.kz")
        self.origin = f"{self.signer.name}/town"
        self.leaves = [merkle.leaf_hash(uuid.uuid4().bytes) for _ in range(20)]

    def checkpoint(self, size, leaves=None):
        root = merkle.root_of((leaves or self.leaves)[:size])
        return note.signed_checkpoint(note.Checkpoint(self.origin, size, root), self.signer)

    def request(self, old, new, leaves=None):
        proof = merkle.consistency_proof(merkle.memory_reader(leaves or self.leaves), old, new)
        return AddCheckpoint(old, tuple(proof), self.checkpoint(new, leaves)).encode()


@pytest.fixture
def other_log(app, monkeypatch):
    other = OtherLog()
    monkeypatch.setitem(app.config, "RECORD_WITNESS_FOR", other.signer.verifier.encode())
    return other


def add(client, body):
    return client.post(PATH, data=body, content_type="text/plain")


def test_the_witness_signs_what_extends_the_log_and_answers_409_with_the_size_it_holds(app, client, other_log):
    first = add(client, other_log.request(0, 3))
    assert first.status_code == 200
    with app.app_context():
        ours = keys.verifier()
    text = note.Checkpoint(other_log.origin, 3, merkle.root_of(other_log.leaves[:3])).text()
    assert note.open_note(text + "\n" + first.get_data(as_text=True), ours) == text

    again = add(client, other_log.request(0, 5))  # the pusher forgot: the witness says what it holds
    assert (again.status_code, again.get_data(as_text=True)) == (409, "3\n")
    assert again.content_type == "text/x.tlog.size"

    assert add(client, other_log.request(3, 7)).status_code == 200
    assert add(client, other_log.request(7, 7)).status_code == 200, "the same checkpoint again: signed again"
    with app.app_context():
        held = db.session.scalars(
            select(WitnessedCheckpoint.size).where(WitnessedCheckpoint.origin == other_log.origin)
        ).all()
        assert sorted(held) == [3, 7]
    page = client.get("/record/witnessed").get_data(as_text=True)
    assert other_log.origin in page and other_log.checkpoint(7).split("\n")[2] in page


def test_a_forked_log_is_refused_with_422_and_not_kept(app, client, other_log):
    assert add(client, other_log.request(0, 4)).status_code == 200
    forked = other_log.leaves[:2] + [merkle.leaf_hash(b"rewritten")] + other_log.leaves[3:]
    refused = add(client, other_log.request(4, 9, leaves=forked))
    assert refused.status_code == 422 and "forked or rewritten" in refused.get_data(as_text=True)
    other_root = add(client, AddCheckpoint(4, (), other_log.checkpoint(4, leaves=forked)).encode())
    assert other_root.status_code == 422, "two roots for one size"
    with app.app_context():
        assert db.session.scalars(
            select(WitnessedCheckpoint.size).where(WitnessedCheckpoint.origin == other_log.origin)
        ).all() == [4]


def test_a_checkpoint_of_a_key_not_witnessed_or_of_another_installations_log_is_refused_with_403(client, other_log):
    stranger = OtherLog()
    assert add(client, stranger.request(0, 3)).status_code == 403
    impostor = OtherLog(name=other_log.signer.name)  # the same name, another key
    assert add(client, impostor.request(0, 3)).status_code == 403
    # The witnessed key signing a log under another name: one installation cannot speak for another's.
    foreign = note.signed_checkpoint(note.Checkpoint("someone.else/town", 1, other_log.leaves[0]), other_log.signer)
    assert add(client, AddCheckpoint(0, (), foreign).encode()).status_code == 403


@pytest.mark.parametrize(
    "body",
    [b"", b"old x\n\nnote", b"old 1\n", b"new 1\n\n" + b"x", b"old 1\nnot-base64!\n\nx\n", b"\xff\xfe", b"old 01\n\nx"],
)
def test_a_malformed_request_is_answered_400(client, other_log, body):
    assert add(client, body).status_code == 400


def test_a_request_too_long_is_refused_and_the_endpoint_is_rate_limited(app, client, other_log, monkeypatch):
    assert add(client, b"old 0\n" + b"A" * 70_000).status_code == 413
    monkeypatch.setitem(app.config, "RECORD_WITNESS_RATE_LIMIT", "2 per minute")
    statuses = [add(client, other_log.request(0, 1)).status_code for _ in range(3)]
    assert statuses == [200, 409, 429]


def test_only_addresses_and_https_or_local_urls_are_witnesses(app, monkeypatch):
    from akimat_reception.domain.record import witnesses

    listed = "a@example.kz, https://w.example.kz http://127.0.0.1:8000 http://w.example.kz file:///etc a@example.kz"
    monkeypatch.setitem(app.config, "RECORD_WITNESSES", listed)
    with app.app_context():
        assert witnesses.configured() == ["a@example.kz", "https://w.example.kz", "http://127.0.0.1:8000"]


def test_the_witnessed_page_lists_the_newest_checkpoint_of_each_log_page_by_page(app, client, monkeypatch):
    logs = [OtherLog() for _ in range(3)]
    monkeypatch.setitem(app.config, "RECORD_WITNESS_FOR", " ".join(o.signer.verifier.encode() for o in logs))
    for other in logs:
        assert add(client, other.request(0, 2)).status_code == 200
        assert add(client, other.request(2, 5)).status_code == 200
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    shown, page = [], 1
    while True:
        html = client.get("/record/witnessed", query_string={"page": page}).get_data(as_text=True)
        shown += re.findall(r'<pre class="note-text">([^\n]+)\n(\d+)\n', html)
        if 'rel="next"' not in html:
            break
        page += 1
    ours = sorted((o.origin, "5") for o in logs)
    assert [s for s in shown if s[0] in {o.origin for o in logs}] == ours, "each log once, at its newest size"
