"""Control's rules for an answer, repeat letters, the routing classifier and its evaluation."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from akimat_reception.domain import lifecycle, quality, routing
from akimat_reception.extensions import db
from akimat_reception.models import Decision, LetterStatus, Role, RoutingModel
from tests import factories


@pytest.fixture(autouse=True)
def _context(app_context):
    with force_locale("en"):
        yield


@pytest.mark.parametrize(
    "text, language",
    [
        ("Өтінішіңіз қаралды. Жұмыстар мердігер ұйыммен орындалды, нәтижесі орнында тексерілді.", "kk"),
        ("Ваше обращение рассмотрено. Работы выполнены подрядной организацией в срок.", "ru"),
        ("Your letter has been considered and the contractor has done the work.", "en"),
        (
            "Ответ: улица Әйтеке би, дом 5 — работы выполнены подрядной организацией в срок.",
            "ru",
        ),  # a name is not Kazakh text
        ("OK", None),
    ],
)
def test_language_of_an_answer_is_told_by_its_alphabet(text, language):
    assert quality.language_of(text) == language


def test_fingerprint_ignores_spacing_case_and_punctuation():
    assert quality.fingerprint("Работы  выполнены.") == quality.fingerprint("работы выполнены")
    assert quality.fingerprint("Работы выполнены") != quality.fingerprint("Работы не выполнены")


def _problems(letter, decision=Decision.SATISFIED, body=None, **grounds):
    lifecycle.submit_draft(
        letter, factories.staff(Role.EXECUTOR), decision, body or factories.ANSWER_TEXT[letter.language], **grounds
    )
    with pytest.raises(lifecycle.QualityProblems) as raised:
        lifecycle.approve_draft(letter, factories.staff(Role.CONTROLLER))
    db.session.rollback()
    return [str(p) for p in raised.value.problems]


def test_an_answer_in_another_language_is_refused_already_as_a_draft():
    """Control's rule, met at drafting time (tests/unit/test_answer_rules.py: control too)."""
    letter, _ = factories.routed_letter(language="kk")
    with pytest.raises(lifecycle.DraftRefused) as raised:
        lifecycle.submit_draft(letter, factories.staff(Role.EXECUTOR), Decision.SATISFIED, factories.ANSWER_TEXT["ru"])
    assert [str(f.message) for f in raised.value.findings] == [
        "The answer must be written in the language of the letter."
    ]


def test_control_refuses_a_curt_answer():
    letter, _ = factories.routed_letter()
    problems = _problems(letter, body="Рассмотрено, меры приняты.")
    assert any("too short" in p for p in problems)


def test_control_refuses_the_same_answer_sent_this_week_to_another_letter():
    first, _ = factories.routed_letter()
    text = factories.ANSWER_TEXT["ru"] + " Номер заявки 777."
    factories.answer(first, body=text)
    second, _ = factories.routed_letter()
    assert any("word for word" in p for p in _problems(second, body=text.upper()))


def test_same_answer_to_a_letter_a_month_later_is_allowed():
    first, _ = factories.routed_letter()
    text = factories.ANSWER_TEXT["ru"] + " Номер заявки 778."
    factories.answer(first, body=text, now=datetime.now(UTC) - timedelta(days=30))
    second, _ = factories.routed_letter()
    factories.answer(second, body=text)
    assert second.status is LetterStatus.ANSWERED


def test_returned_draft_goes_back_to_the_department_with_the_comment():
    letter, _ = factories.routed_letter()
    lifecycle.submit_draft(letter, factories.staff(Role.EXECUTOR), Decision.EXPLAINED, factories.ANSWER_TEXT["ru"])
    lifecycle.return_draft(letter, "Укажите сроки", factories.staff(Role.CONTROLLER))
    assert letter.status is LetterStatus.ASSIGNED
    assert letter.returned_drafts[0].control_comment == "Укажите сроки"
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.return_draft(letter, "x", factories.staff(Role.EXECUTOR))


def test_poor_rating_reopens_the_letter_to_control_and_a_new_answer_can_be_rated_again():
    letter, _ = factories.answered_letter()
    lifecycle.rate(letter, 2, "Ничего не сделано")
    assert letter.status is LetterStatus.DISPUTED and letter.sent_answer.disputed
    lifecycle.return_draft(letter, "Проверить на месте", factories.staff(Role.CONTROLLER))
    factories.answer(letter, body=factories.ANSWER_TEXT["ru"] + " Повторная проверка проведена 25 ноября.")
    lifecycle.rate(letter, 5)
    assert [a.rating for a in letter.answers] == [2, 5]
    assert lifecycle.journal.verify_letter(letter, lifecycle.journal.events_of(letter)) == []


def test_explicit_dispute_and_control_upholds_the_answer():
    letter, _ = factories.answered_letter(email="dispute@example.kz")
    lifecycle.dispute(letter, "Ответ не отвечает на мой вопрос")
    lifecycle.uphold_answer(letter, "Ответ дан по существу, срок ремонта указан", factories.staff(Role.CONTROLLER))
    assert letter.status is LetterStatus.ANSWERED
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.dispute(letter, "Ещё раз")  # one dispute per answer


def test_answered_letter_closes_after_ten_working_days():
    received = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
    letter, _ = factories.routed_letter(received_at=received)
    factories.answer(letter, now=datetime(2026, 10, 5, 6, 0, tzinfo=UTC))  # Monday
    lifecycle.close_answered(letter.akimat, now=datetime(2026, 10, 16, 6, 0, tzinfo=UTC))  # 9 wd
    assert letter.status is LetterStatus.ANSWERED
    lifecycle.close_answered(letter.akimat, now=datetime(2026, 10, 19, 6, 0, tzinfo=UTC))  # 10 wd
    assert letter.status is LetterStatus.CLOSED
    assert lifecycle.journal.events_of(letter)[-1].kind == "closed"


def test_same_person_on_a_similar_subject_within_90_days_is_linked():
    first, _ = factories.letter(
        iin="900101300017",
        email=None,
        subject="Нет отопления в доме 12",
        body="Батареи холодные в квартире, просим восстановить отопление.",
    )
    repeat, _ = factories.letter(
        iin="900101300017",
        email=None,
        subject="Снова нет отопления в доме 12",
        body="Повторно обращаюсь: отопление так и не восстановлено.",
    )
    other_topic, _ = factories.letter(
        iin="900101300017",
        email=None,
        category="education",
        subject="Очередь в детский сад",
        body="Прошу сообщить номер в очереди.",
    )
    stranger, _ = factories.letter(
        iin="880216450019",
        email=None,
        subject="Нет отопления в доме 12",
        body="Батареи холодные в квартире, просим восстановить отопление.",
    )
    assert repeat.repeat_of_id == first.id
    assert other_topic.repeat_of_id is None and stranger.repeat_of_id is None


def test_transfer_to_another_akimat_is_recorded_in_both_and_registered_anew():
    letter, _ = factories.letter("astana", email="move@example.kz")
    received = lifecycle.transfer_to_akimat(
        letter, factories.akimat("almaty"), "Адрес заявителя в Алматы", factories.staff(Role.REGISTRAR)
    )
    assert letter.status is LetterStatus.FORWARDED and received.number.startswith("ALA-")
    assert received.transferred_from_id == letter.id and letter.transferred_to_id == received.id
    assert lifecycle.journal.events_of(letter)[-1].payload["to_number"] == received.number
    assert lifecycle.journal.events_of(received)[-1].payload["from_number"] == letter.number
    for each in (letter, received):
        assert lifecycle.journal.verify_letter(each, lifecycle.journal.events_of(each)) == []


def _history(slug, count):
    """Answered letters whose words point to their department, as a city's history would."""
    from akimat_reception.models import Membership

    akimat = factories.akimat(slug)
    heating, schools = akimat.departments[0], akimat.departments[2]
    executor = factories.staff(Role.EXECUTOR, slug)
    if schools.id not in executor.departments_in(akimat):  # the demo executor answers for both here
        db.session.add(Membership(user=executor, akimat=akimat, role=Role.EXECUTOR, department=schools))
        db.session.commit()
    for i in range(count):
        about_heating = i % 2 == 0
        letter, _ = factories.letter(
            slug,
            category="other",
            email=None,
            subject="Отопление и горячая вода" if about_heating else "Школа и учитель",
            body=(
                "Батареи холодные, нет горячей воды, котельная не работает."
                if about_heating
                else "В школе не хватает учителей, класс переполнен, нет учебников."
            ),
        )
        lifecycle.assign(letter, heating if about_heating else schools, factories.staff(Role.REGISTRAR, slug))
        factories.answer(letter)
    return heating, schools


def test_classifier_learns_from_past_routing_and_suggests_with_confidence():
    heating, schools = _history("almaty", 30)
    model = routing.train(factories.akimat("almaty").id)
    assert model.samples >= 30 and model.holdout_accuracy >= 0.8
    letter, _ = factories.letter(
        "almaty", category="other", subject="Холодные батареи", body="Уже неделю холодные батареи, котельная молчит."
    )
    suggestion = routing.suggest_department(letter)
    assert suggestion.source == "model" and suggestion.department == heating and suggestion.confidence >= 0.55


def test_without_a_model_the_category_default_is_suggested():
    letter, _ = factories.letter("astana", category="health")
    db.session.execute(RoutingModel.__table__.delete().where(RoutingModel.akimat_id == letter.akimat_id))
    db.session.commit()
    suggestion = routing.suggest_department(letter)
    assert suggestion.source == "category" and suggestion.department == letter.category.default_department


def test_evaluation_counts_letters_whose_first_department_was_final():
    before = routing.evaluate(factories.akimat().id)
    straight, _ = factories.answered_letter()
    moved, _ = factories.letter()
    lifecycle.assign(moved, factories.akimat().departments[3], factories.staff(Role.REGISTRAR))
    lifecycle.assign(moved, factories.akimat().departments[0], factories.staff(Role.REGISTRAR), reason="Не наш")
    factories.answer(moved)
    after = routing.evaluate(factories.akimat().id)
    assert after.letters == before.letters + 2
    assert after.first_department_final == before.first_department_final + 1
