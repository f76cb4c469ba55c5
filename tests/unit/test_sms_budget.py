"""Every SMS a resident can receive fits the budget of domain/sms.py (3 segments: 201 Cyrillic
characters, 459 Latin), in kk, ru and en, with the longest registration number, the longest
status it can be sent with, a long akimat address and slug in the link and long free texts; and
it still says what happened. The link's token opens the letter until the code is reissued."""

from datetime import date
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from akimat_reception.domain import sms
from akimat_reception.domain.letter_links import letter_for_token, new_link_token
from akimat_reception.domain.lifecycle.codes import VIA_CONTACT, reissue_code
from akimat_reception.domain.notifications import (
    ACCESS_CODE_MARK,
    LINK_TOKEN_MARK,
    as_delivered,
    pack_secrets,
    reveal,
)
from akimat_reception.domain.resident_messages import RESIDENT_KINDS, resident_message
from akimat_reception.extensions import db
from akimat_reception.models import Decision, LetterStatus
from tests import factories

LONGEST_NUMBER = "ABCDEFGH-2026-999999"  # an 8-letter prefix, the most the platform allows
LONG_BASE_URL = "https://qabyldau.akimat.gov.kz"
LONG_SLUG = "zhetysu-oblysy"  # with the base: sms.LINK_ALLOWANCE
LONG_TEXT = "Требуется заключение экспертной комиссии и выезд специалистов на место, " * 6
LANGUAGES = ("kk", "ru", "en")

# The statuses a letter is in when each message goes out (a new code: at any time).
SENT_IN = {
    "receipt": [LetterStatus.REGISTERED],
    "forwarded": [LetterStatus.FORWARDED],
    "transferred": [LetterStatus.FORWARDED],
    "extended": [LetterStatus.ASSIGNED, LetterStatus.IN_CONTROL, LetterStatus.DISPUTED],
    "hearing_notice": [LetterStatus.ASSIGNED],
    "answer_sent": [LetterStatus.ANSWERED],
    "upheld": [LetterStatus.ANSWERED],
    "code_reissued": list(LetterStatus),
}
EXTRA = {"forwarded": {"reason": LONG_TEXT}, "transferred": {"reason": LONG_TEXT}, "extended": {"reason": LONG_TEXT}}
EXTRA |= {"hearing_notice": {"grounds": LONG_TEXT}, "upheld": {"comment": LONG_TEXT}}


@pytest.fixture
def received(app_context):
    """A real letter another akimat registered: where a transferred letter lives on."""
    letter, _ = factories.letter("almaty", email="moved@example.kz")
    return letter


def _letter(language, status, decision, transferred_to_id=None):
    akimat = SimpleNamespace(slug=LONG_SLUG, name_in=lambda _lang: "Акимат области Жетісу " * 4)
    author = SimpleNamespace(full_name="Сейтқалиева Дана Ерланқызы", position=LONG_TEXT, work_phone="+77172123456")
    answer = SimpleNamespace(
        decision=decision,
        body=LONG_TEXT,
        reasons=LONG_TEXT,
        legal_basis="",
        appeal_procedure="",
        author=author,
        signed_by=None,
        outgoing_number=None,
    )
    return SimpleNamespace(
        number=LONGEST_NUMBER,
        anonymous=False,
        department_id=None,
        akimat=akimat,
        language=language,
        status=status,
        deadline=date(2026, 12, 30),
        original_deadline=date(2026, 12, 15),
        hearing_until=date(2026, 12, 24),
        forwarded_to=LONG_TEXT,
        transferred_to_id=transferred_to_id,
        sent_answer=answer,
    )


def _cases():
    for kind in [*RESIDENT_KINDS, "transferred"]:
        for language in LANGUAGES:
            yield kind, language


@pytest.mark.parametrize(("kind", "language"), list(_cases()))
def test_every_sms_fits_three_segments_and_still_says_what_happened(app, received, monkeypatch, kind, language):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", LONG_BASE_URL)
    decisions = list(Decision) if kind == "answer_sent" else [Decision.SATISFIED]
    for status in SENT_IN[kind]:
        for decision in decisions:
            transferred = received.id if kind == "transferred" else None
            letter = _letter(language, status, decision, transferred)
            with force_locale(language):
                message = resident_message(
                    "forwarded" if kind == "transferred" else kind, letter, **EXTRA.get(kind, {})
                )
            delivered = as_delivered(message.sms)
            assert sms.segments(delivered) <= sms.MAX_SEGMENTS, (status, decision, sms.units(delivered), delivered)
            assert LONGEST_NUMBER in message.sms
            assert message.sms.endswith(f"{LONG_BASE_URL}/{LONG_SLUG}/l/{LINK_TOKEN_MARK}") or kind == "transferred"
            if kind == "receipt" or kind == "code_reissued":
                assert ACCESS_CODE_MARK in message.sms
            if kind == "extended":  # the original date, the new one and the start of the reason
                assert "15.12" in message.sms or "12/15" in message.sms, message.sms
                assert "Требуется заключение" in message.sms
            if kind == "transferred":
                assert received.number in message.sms and f"/{received.akimat.slug}/l/" in message.sms


def test_the_link_of_the_test_is_as_long_as_the_budget_allows():
    assert len(LONG_BASE_URL) + len(LONG_SLUG) >= sms.LINK_ALLOWANCE - 1


def test_the_budget_counts_as_the_operator_does():
    assert sms.segments("а" * 70) == 1 and sms.segments("а" * 71) == 2 and sms.segments("а" * 201) == 3
    assert sms.segments("a" * 160) == 1 and sms.segments("a" * 459) == 3 and sms.segments("a" * 460) == 4
    assert sms.units("[x]") == 5  # GSM-7's extension characters count two
    assert sms.encoding("Letter AST-2026-000001") == "gsm7" and sms.encoding("Хат") == "ucs2"


def test_a_long_free_text_is_shortened_to_fit_and_marked():
    text = sms.fit(lambda reason: f"Срок продлён. Причина: {reason}.", LONG_TEXT)
    assert sms.fits(text) and text.endswith("....") and "Требуется заключение" in text


def test_code_and_link_token_travel_together_and_are_put_in_at_delivery():
    packed = pack_secrets("ABCD-EFGH-JKMN-PQRS", "tok_en-16chars00")
    text = f"Code {ACCESS_CODE_MARK}, link https://x/l/{LINK_TOKEN_MARK}"
    assert reveal(text, packed) == "Code ABCD-EFGH-JKMN-PQRS, link https://x/l/tok_en-16chars00"
    assert reveal(f"https://x/reset/{ACCESS_CODE_MARK}", "plain-token") == "https://x/reset/plain-token"
    assert len(packed) <= 64  # OutboxMessage.secret


def test_a_link_token_opens_the_letter_until_the_code_is_reissued(app_context):
    letter, _ = factories.letter(phone="+77015550101")
    token = new_link_token(letter)
    db.session.commit()
    assert letter_for_token(token) is letter
    reissue_code(letter, VIA_CONTACT)
    assert letter_for_token(token) is None
    newer = new_link_token(letter)
    db.session.commit()
    assert letter_for_token(newer) is letter
    assert letter_for_token("not-a-token") is None and letter_for_token("x" * 200) is None
