"""Anonymous letters (domain/anonymous.py): registered and seen by the akim, not considered unless
they report a crime or a threat to public safety, which the registrar decides and which forwards
the letter the same working day to the configured body; the rule is configurable."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import current_app

from akimat_reception.domain import deadlines, journal, lifecycle
from akimat_reception.domain.calendar import local_day
from akimat_reception.domain.lifecycle import LetterAction as A
from akimat_reception.extensions import db
from akimat_reception.labels import KIND_HINTS, KIND_LABELS
from akimat_reception.models import Letter, LetterKind, LetterStatus, Role
from tests import factories

# A Wednesday in Astana, mid-morning: 10:00 local.
WEDNESDAY = datetime(2026, 11, 4, 5, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _context(app_context):
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.fixture
def forward_body(monkeypatch):
    body = "Департамент полиции города Астаны"
    monkeypatch.setitem(current_app.config, "ANONYMOUS_FORWARD_TO", body)
    return body


def _registrar():
    return factories.staff(Role.REGISTRAR)


def test_an_anonymous_letter_is_registered_with_a_number_and_reaches_the_akims_unresolved_list():
    letter, code = factories.anonymous_letter(received_at=WEDNESDAY)
    assert letter.anonymous and letter.resident_name == "" and letter.address == ""
    assert letter.number.startswith("AST-") and code
    assert letter.status is LetterStatus.REGISTERED and letter.status in LetterStatus.unresolved()
    kinds = [e.kind for e in journal.events_of(letter)]
    assert kinds == ["submitted", "registered"]
    assert journal.events_of(letter)[0].payload["anonymous"] is True


def test_reporting_no_crime_leaves_it_not_considered_and_out_of_the_unresolved_list():
    letter, _ = factories.anonymous_letter(received_at=WEDNESDAY)
    lifecycle.assess_anonymous(
        letter, _registrar(), False, "Жалоба на уборку подъезда", now=WEDNESDAY + timedelta(hours=1)
    )
    assert letter.status is LetterStatus.NOT_CONSIDERED
    assert letter.status not in LetterStatus.unresolved()
    stored = journal.events_of(letter)
    assert stored[-1].kind == "anonymous_assessed" and stored[-1].payload == {
        "reports_crime": False,
        "note": "Жалоба на уборку подъезда",
    }
    assert journal.replay(stored).status is LetterStatus.NOT_CONSIDERED
    assert journal.verify_letter(letter, stored) == []


def test_a_crime_is_forwarded_the_same_working_day_to_the_configured_body(forward_body):
    letter, _ = factories.anonymous_letter(received_at=WEDNESDAY)
    assert letter.forward_by > local_day(letter.akimat, WEDNESDAY)  # three working days, ordinarily
    assessed_at = WEDNESDAY + timedelta(hours=2)
    lifecycle.assess_anonymous(letter, _registrar(), True, "Сообщает о продаже наркотиков", now=assessed_at)
    assert letter.status is LetterStatus.FORWARDED
    assert letter.forwarded_to == forward_body
    assert letter.forward_by == local_day(letter.akimat, assessed_at)  # the same working day
    stored = journal.events_of(letter)
    assert [e.kind for e in stored[-2:]] == ["anonymous_assessed", "forwarded"]
    assert stored[-1].payload["to"] == forward_body and stored[-1].payload["on_time"] is True
    assert "Сообщает о продаже наркотиков" in stored[-1].payload["reason"]
    assert journal.replay(stored).status is LetterStatus.FORWARDED


def test_the_akimats_own_body_overrides_the_installations(forward_body):
    letter, _ = factories.anonymous_letter()
    letter.akimat.anonymous_forward_to = "Департамент полиции Есильского района"
    db.session.commit()
    try:
        lifecycle.assess_anonymous(letter, _registrar(), True, "Угроза взрыва")
        assert letter.forwarded_to == "Департамент полиции Есильского района"
    finally:
        letter.akimat.anonymous_forward_to = None
        db.session.commit()


def test_routing_waits_for_the_assessment():
    letter, _ = factories.anonymous_letter()
    registrar = _registrar()
    assert lifecycle.allowed_actions(registrar, letter, datetime.now(UTC)) == {A.ASSESS_ANONYMOUS}
    with pytest.raises(lifecycle.LifecycleError, match="assessed first"):
        lifecycle.assign(letter, letter.akimat.departments[0], registrar)
    with pytest.raises(lifecycle.LifecycleError, match="assessed first"):
        lifecycle.forward(letter, "Министерство", "Вне компетенции", registrar)
    db.session.rollback()
    assert db.session.get(Letter, letter.id).status is LetterStatus.REGISTERED


@pytest.mark.parametrize("role", [Role.EXECUTOR, Role.CONTROLLER, Role.AKIM, Role.ADMIN])
def test_only_a_registrar_assesses(role):
    letter, _ = factories.anonymous_letter()
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.assess_anonymous(letter, factories.staff(role), True, "Угроза")
    db.session.rollback()
    assert db.session.get(Letter, letter.id).status is LetterStatus.REGISTERED


def test_a_registrar_of_another_akimat_may_not_assess():
    letter, _ = factories.anonymous_letter("astana")
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.assess_anonymous(letter, factories.staff(Role.REGISTRAR, "almaty"), False)
    db.session.rollback()


def test_a_signed_letter_or_an_assessed_one_cannot_be_assessed():
    signed, _ = factories.letter()
    with pytest.raises(lifecycle.LifecycleError, match="Only a registered anonymous letter"):
        lifecycle.assess_anonymous(signed, _registrar(), False)
    db.session.rollback()
    letter, _ = factories.anonymous_letter()
    lifecycle.assess_anonymous(letter, _registrar(), False)
    with pytest.raises(lifecycle.LifecycleError, match="Only a registered anonymous letter"):
        lifecycle.assess_anonymous(letter, _registrar(), True, "Передумал")
    db.session.rollback()
    assert [e.kind for e in journal.events_of(letter)].count("anonymous_assessed") == 1


def test_with_consider_all_an_anonymous_letter_is_routed_like_any_other(monkeypatch):
    monkeypatch.setitem(current_app.config, "ANONYMOUS_LETTERS", "consider_all")
    letter, _ = factories.anonymous_letter()
    registrar = _registrar()
    actions = lifecycle.allowed_actions(registrar, letter, datetime.now(UTC))
    assert A.ASSESS_ANONYMOUS not in actions and A.ASSIGN in actions
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.assess_anonymous(letter, registrar, False)
    db.session.rollback()
    lifecycle.assign(letter, letter.akimat.departments[0], registrar)
    assert letter.status is LetterStatus.ASSIGNED


def test_a_mistyped_rule_falls_back_to_the_earlier_rule(monkeypatch):
    from akimat_reception.domain import anonymous

    monkeypatch.setitem(current_app.config, "ANONYMOUS_LETTERS", "consider-all")
    assert anonymous.current_rule() is anonymous.AnonymousRule.THREATS_ONLY


def test_every_kind_the_code_names_has_a_label_a_one_sentence_hint_and_the_general_term():
    assert LetterKind.MESSAGE in KIND_LABELS
    for kind in LetterKind:
        hint = str(KIND_HINTS[kind])
        assert hint.endswith(".") and hint.count(".") == 1, hint
        received = local_day(factories.akimat(), WEDNESDAY)
        assert deadlines.deadline_for(kind, received) == deadlines.deadline_for(LetterKind.APPLICATION, received)


def test_the_rule_is_cited_as_the_portals_earlier_rule():
    from akimat_reception.domain import anonymous

    assert "12 January 2007" in anonymous.LEGAL_BASIS and "APPK is silent" in anonymous.LEGAL_BASIS
    assert "earlier rule" in anonymous.__doc__


def test_figures_of_departments_leave_an_answered_anonymous_letter_out(monkeypatch):
    """Under "consider_all" an anonymous letter may be answered: its answer is in no department's
    counts, kept (record) or rebuilt from the answers."""
    from akimat_reception.domain import ratings

    monkeypatch.setitem(current_app.config, "ANONYMOUS_LETTERS", "consider_all")
    akimat = factories.akimat()
    department = akimat.departments[0]

    def counts():
        row = next(r for r in ratings.department_ratings(akimat.id) if r.department.id == department.id)
        return row.answers, row.rated

    def rebuilt():
        built = next(r for r in ratings.from_answers(akimat.id) if r.department.id == department.id)
        return built.answers, built.rated

    # Each compared with itself before: earlier tests of the session may leave the two apart (a
    # rating rewritten behind the lifecycle, as the record's tests do on purpose).
    before, rebuilt_before = counts(), rebuilt()
    letter, _ = factories.anonymous_letter()
    lifecycle.assign(letter, department, _registrar())
    factories.answer(letter)
    lifecycle.rate(letter, 5)
    assert counts() == before
    assert rebuilt() == rebuilt_before
    signed, _ = factories.routed_letter()
    factories.answer(signed)
    assert counts() == (before[0] + 1, before[1])  # a signed one counts, as ever
    ratings.rebuild_department_stats(akimat.id)
    db.session.commit()
    assert counts() == (rebuilt_before[0] + 1, rebuilt_before[1])  # rebuilt from the answers: still without it


def test_check_config_reports_a_mistyped_rule():
    from akimat_reception import config_check

    assert config_check._anonymous({"ANONYMOUS_LETTERS": "threats_only"}) == []
    assert config_check._anonymous({"ANONYMOUS_LETTERS": "consider_all"}) == []
    (problem,) = config_check._anonymous({"ANONYMOUS_LETTERS": "consider-all"})
    assert problem.setting == "ANONYMOUS_LETTERS" and "threats_only" in problem.fix
