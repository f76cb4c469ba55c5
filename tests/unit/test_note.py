"""Signed notes and checkpoints (domain/record/note.py) against the test vectors of Go's
golang.org/x/mod/sumdb/note (note_test.go: TestNewVerifier, TestNewSigner, TestSign, TestOpen),
the reference implementation of C2SP signed-note: the same keys, the same signature, byte for byte."""

import base64

import pytest

from akimat_reception.domain.record import note

# golang.org/x/mod sumdb/note/note_test.go
PETER_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VERIFIER = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"


def test_go_verifier_key_decodes_and_encodes_back():
    verifier = note.Verifier.decode(PETER_VERIFIER)
    assert verifier.name == "PeterNeumann"
    assert verifier.id.hex() == "c74f20a3"
    assert verifier.encode() == PETER_VERIFIER


def test_go_signer_key_decodes_to_the_same_verifier_and_encodes_back():
    signer = note.Signer.decode(PETER_SIGNER)
    assert signer.verifier == note.Verifier.decode(PETER_VERIFIER)
    assert signer.encode() == PETER_SIGNER


def _manglings(key: str):
    """As TestNewVerifier and TestNewSigner: every proper substring, and every character moved by one."""
    for i in range(len(key) + 1):
        for j in range(i + 1, len(key) + 1):
            if (i, j) != (0, len(key)):
                yield key[i:j]
    for i in range(len(key)):
        yield key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :]


def test_every_mangled_verifier_key_is_refused():
    accepted = []
    for mangled in _manglings(PETER_VERIFIER):
        try:
            note.Verifier.decode(mangled)
            accepted.append(mangled)
        except note.NoteError:
            pass
    assert accepted == []


def test_every_mangled_signer_key_is_refused():
    accepted = []
    for mangled in _manglings(PETER_SIGNER):
        try:
            note.Signer.decode(mangled)
            accepted.append(mangled)
        except note.NoteError:
            pass
    assert accepted == []


@pytest.mark.parametrize(
    "key",
    [
        # wrong length key, with adjusted key hash; unknown algorithm, with adjusted key hash (TestNewVerifier)
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_verifier_keys_of_wrong_length_or_algorithm_are_refused(key):
    with pytest.raises(note.NoteError):
        note.Verifier.decode(key)


def test_signing_gives_gos_signature_byte_for_byte():
    signed = note.sign(TEXT, note.Signer.decode(PETER_SIGNER))
    assert signed == TEXT + "\n" + PETER_SIG


def test_gos_note_opens_with_either_of_its_signers():
    signed = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert note.open_note(signed, note.Verifier.decode(PETER_VERIFIER)) == TEXT
    assert note.open_note(signed, note.Verifier.decode(ENOCH_VERIFIER)) == TEXT
    text, signatures = note.split(signed)
    assert text == TEXT
    assert [(s.name, s.key_id.hex()) for s in signatures] == [("PeterNeumann", "c74f20a3"), ("EnochRoot", "af0cfe78")]


def test_a_note_without_the_verifiers_signature_is_refused():
    with pytest.raises(note.NoteError, match="not signed by EnochRoot"):
        note.open_note(TEXT + "\n" + PETER_SIG, note.Verifier.decode(ENOCH_VERIFIER))


@pytest.mark.parametrize(
    "signed",
    [
        # TestOpen's "invalid encoded message syntax" (the 0xff byte is the verifier's UTF-8 check)
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Bad Name")[:-1],
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        # too many signatures; an invalid signature
        TEXT + "\n" + PETER_SIG * 101,
        TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:],
        # and ours: a carriage return, a name with "+", a signature cut short
        TEXT.replace("\n", "\r\n", 1) + "\n" + PETER_SIG,
        TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Peter+Neumann"),
        TEXT + "\n" + "— PeterNeumann x08g\n",
    ],
    ids=lambda s: repr(s[-24:]),
)
def test_malformed_notes_are_refused(signed):
    with pytest.raises(note.NoteError):
        note.open_note(signed, note.Verifier.decode(PETER_VERIFIER))


def test_a_signature_with_a_wrong_name_or_key_id_is_refused():
    peter = note.Verifier.decode(PETER_VERIFIER)
    misnamed = PETER_SIG.replace("PeterNeumann", "CarmenSandiego")
    wrong_id = PETER_SIG.replace("x08g", "xxxx")
    for signature in (misnamed, wrong_id):
        with pytest.raises(note.NoteError):
            note.open_note(TEXT + "\n" + signature, peter)


def test_altered_text_is_refused():
    altered = TEXT.replace("answer", "solution") + "\n" + PETER_SIG
    with pytest.raises(note.NoteError, match="does not verify"):
        note.open_note(altered, note.Verifier.decode(PETER_VERIFIER))


def test_a_note_signed_here_verifies_and_a_witness_cosigns_it():
    signer, witness = note.Signer.generate("akimat-reception.local"), note.Signer.generate("witness.example")
    signed = note.sign("akimat-reception.local/astana\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", signer)
    cosigned = note.cosign(signed, witness)
    for verifier in (signer.verifier, witness.verifier):
        assert note.open_checkpoint(cosigned, verifier).size == 0
    assert note.Verifier.decode(signer.verifier.encode()) == signer.verifier
    assert note.Signer.decode(signer.encode()).verifier == signer.verifier


def test_a_note_signed_by_another_key_of_the_same_name_is_refused():
    mine, impostor = note.Signer.generate("akimat-reception.local"), note.Signer.generate("akimat-reception.local")
    with pytest.raises(note.NoteError, match="not signed by"):
        note.open_note(note.sign(TEXT, impostor), mine.verifier)


def test_text_that_a_note_cannot_carry_is_not_signed():
    signer = note.Signer.decode(PETER_SIGNER)
    for text in ("abc", "a\n\nb\n", "tab\there\n"):
        with pytest.raises(note.NoteError):
            note.sign(text, signer)


# --- checkpoints (c2sp.org/tlog-checkpoint) -------------------------------------------------------

ROOT = bytes(range(32))


def test_checkpoint_text_round_trips_with_extensions():
    checkpoint = note.Checkpoint("example.com/log", 1234, ROOT, ("ext line",))
    text = checkpoint.text()
    assert text == f"example.com/log\n1234\n{base64.b64encode(ROOT).decode()}\next line\n"
    assert note.Checkpoint.parse(text) == checkpoint


@pytest.mark.parametrize(
    "text",
    [
        "example.com/log\n1234\n",  # no root
        f"example.com/log\n-1\n{base64.b64encode(ROOT).decode()}\n",
        f"example.com/log\n0012\n{base64.b64encode(ROOT).decode()}\n",
        f"example.com/log\n12\n{base64.b64encode(ROOT[:31]).decode()}\n",
        "example.com/log\n12\nnot base64!\n",
        f"\n12\n{base64.b64encode(ROOT).decode()}\n",
        f"example.com/log\n12\n{base64.b64encode(ROOT).decode()}",  # no final newline
    ],
)
def test_malformed_checkpoints_are_refused(text):
    with pytest.raises(note.NoteError):
        note.Checkpoint.parse(text)


def test_a_signed_checkpoint_of_another_origin_is_refused():
    signer = note.Signer.generate("akimat-reception.local")
    signed = note.signed_checkpoint(note.Checkpoint("akimat-reception.local/almaty", 3, ROOT), signer)
    assert note.open_checkpoint(signed, signer.verifier).origin == "akimat-reception.local/almaty"
    with pytest.raises(note.NoteError, match="not of akimat-reception.local/astana"):
        note.open_checkpoint(signed, signer.verifier, "akimat-reception.local/astana")
