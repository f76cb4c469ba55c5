"""The answer rules at drafting time and at control: one function (quality.review) says which
rules a wording breaks and which of them block; the draft and the approval both obey it."""

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from akimat_reception.domain import lifecycle, quality
from akimat_reception.extensions import db
from akimat_reception.models import Answer, AnswerStatus, Decision, LetterStatus, Role
from tests import factories

NOW = datetime.now(UTC)
GROUNDS = {"reasons": "Участок не выделяется", "legal_basis": "Земельный кодекс, ст. 43", "appeal_procedure": "В суд"}


@pytest.fixture(autouse=True)
def _context(app_context):
    with force_locale("en"):
        yield


def _review(letter, decision=Decision.SATISFIED, body=None, **grounds):
    wording = quality.Wording(decision, body or factories.ANSWER_TEXT[letter.language], **grounds)
    return [(str(f.message), f.field, f.blocks) for f in quality.review(wording, letter, NOW)]


def test_a_full_answer_in_the_letters_language_breaks_no_rule():
    letter, _ = factories.routed_letter(language="kk")
    assert _review(letter) == []


def test_the_wrong_language_blocks_and_stands_by_the_answer():
    letter, _ = factories.routed_letter(language="kk")
    assert _review(letter, body=factories.ANSWER_TEXT["ru"]) == [
        ("The answer must be written in the language of the letter.", "body", True)
    ]


def test_a_refusal_without_its_legal_basis_blocks_by_that_field():
    letter, _ = factories.routed_letter()
    grounds = {**GROUNDS, "legal_basis": ""}
    [(message, field, blocks)] = _review(letter, Decision.WITHOUT_CONSIDERATION, **grounds)
    assert (field, blocks) == ("legal_basis", True) and "legal basis" in message


def test_a_curt_answer_and_a_copied_one_only_warn():
    first, _ = factories.routed_letter()
    copied = factories.ANSWER_TEXT["ru"] + " Заявка 901."
    factories.answer(first, body=copied)
    second, _ = factories.routed_letter()
    assert [(f, b) for _, f, b in _review(second, body=f"Меры по {second.number} приняты.")] == [("body", False)]
    [(message, _, blocks)] = _review(second, body=copied)
    assert "word for word" in message and blocks is False


def test_a_draft_in_another_language_is_refused_and_not_saved():
    letter, _ = factories.routed_letter(language="kk")
    with pytest.raises(lifecycle.DraftRefused) as refused:
        lifecycle.submit_draft(letter, factories.staff(Role.EXECUTOR), Decision.SATISFIED, factories.ANSWER_TEXT["ru"])
    db.session.rollback()
    assert [f.field for f in refused.value.findings] == ["body"]
    assert letter.answers == [] and letter.status is LetterStatus.ASSIGNED


def test_a_curt_draft_is_saved_with_its_warning_and_control_approves_it_only_knowingly():
    letter, _ = factories.routed_letter()
    draft = lifecycle.submit_draft(
        letter, factories.staff(Role.EXECUTOR), Decision.SATISFIED, f"Справка {letter.number} выдана."
    )
    assert letter.status is LetterStatus.IN_CONTROL
    assert ["too short" in str(f.message) for f in lifecycle.warnings_for(draft)] == [True]
    controller = factories.staff(Role.CONTROLLER)
    with pytest.raises(lifecycle.QualityProblems) as refused:
        lifecycle.approve_draft(letter, controller)
    db.session.rollback()
    assert refused.value.only_warnings is True
    lifecycle.approve_draft(letter, controller, despite_warnings=True)
    assert letter.status is LetterStatus.ANSWERED and draft.status is AnswerStatus.SENT


def test_control_refuses_a_blocking_rule_even_when_told_to_approve_despite_warnings():
    """A draft saved before the rule (inserted as it was then) meets the same rule at control."""
    letter, _ = factories.routed_letter(language="kk")
    executor = factories.staff(Role.EXECUTOR)
    db.session.add(
        Answer(
            letter=letter,
            author_id=executor.id,
            department_id=letter.department_id,
            decision=Decision.SATISFIED,
            body=factories.ANSWER_TEXT["ru"],
            status=AnswerStatus.SUBMITTED,
            language="kk",
            body_fingerprint=quality.fingerprint(factories.ANSWER_TEXT["ru"]),
        )
    )
    letter.status = LetterStatus.IN_CONTROL
    db.session.commit()
    with pytest.raises(lifecycle.QualityProblems) as refused:
        lifecycle.approve_draft(letter, factories.staff(Role.CONTROLLER), despite_warnings=True)
    db.session.rollback()
    assert refused.value.only_warnings is False
    assert [str(p) for p in refused.value.problems] == ["The answer must be written in the language of the letter."]


def test_control_and_the_draft_read_the_same_rules():
    """What review() calls blocking is exactly what stops the draft; the rest is what control
    is warned of: a wording with one rule of each kind shows both."""
    letter, _ = factories.routed_letter(language="kk")
    findings = quality.review(quality.Wording(Decision.REFUSED, "Бас тартылды."), letter, NOW)
    assert [(f.field, f.blocks) for f in findings] == [("reasons", True), ("body", False)]
    with pytest.raises(lifecycle.DraftRefused) as refused:
        lifecycle.submit_draft(letter, factories.staff(Role.EXECUTOR), Decision.REFUSED, "Бас тартылды.")
    db.session.rollback()
    assert [f.field for f in refused.value.findings] == ["reasons"]
