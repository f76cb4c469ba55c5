"""The add-checkpoint request of C2SP tlog-witness, written by the pushing worker and read by the
witness: the same words both ways, and nothing else accepted."""

import base64

import pytest

from akimat_reception.domain.record import merkle, note
from akimat_reception.domain.record.witness_protocol import AddCheckpoint, RequestError, parse_size

SIGNER = note.Signer.generate("example.kz")
NOTE = note.signed_checkpoint(note.Checkpoint("example.kz/town", 5, merkle.leaf_hash(b"x")), SIGNER)


def test_the_request_is_old_size_proof_lines_a_blank_line_and_the_note():
    proof = (merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b"))
    body = AddCheckpoint(3, proof, NOTE).encode()
    lines = body.decode().split("\n")
    assert lines[:4] == ["old 3", base64.b64encode(proof[0]).decode(), base64.b64encode(proof[1]).decode(), ""]
    assert body.decode().endswith(NOTE)
    assert AddCheckpoint.parse(body) == AddCheckpoint(3, proof, NOTE)


def test_a_first_push_has_no_proof():
    assert AddCheckpoint.parse(b"old 0\n\n" + NOTE.encode()) == AddCheckpoint(0, (), NOTE)


@pytest.mark.parametrize(
    "body",
    [
        b"old 3\n" + NOTE.encode(),  # no blank line before the note
        b"old -1\n\n" + NOTE.encode(),
        b"old 007\n\n" + NOTE.encode(),
        b"old 3\n" + base64.b64encode(b"short") + b"\n\n" + NOTE.encode(),
        b"old 3\n" + (base64.b64encode(bytes(32)) + b"\n") * 65 + b"\n" + NOTE.encode(),
        b"old 3\n\n",
    ],
)
def test_anything_else_is_refused(body):
    with pytest.raises(RequestError):
        AddCheckpoint.parse(body)


def test_a_409_body_is_the_size_the_witness_holds():
    assert parse_size(b"17\n") == 17
    with pytest.raises(note.NoteError):
        parse_size(b"seventeen\n")
