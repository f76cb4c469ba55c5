"""The departments' answer counts are kept by the lifecycle as answers are sent, rated, disputed
and returned: the ratings pages read them instead of aggregating every answer, and they always
equal what the answers themselves say."""

from sqlalchemy import text

from akimat_reception.domain import lifecycle
from akimat_reception.domain.ratings import department_ratings, from_answers
from akimat_reception.extensions import db
from akimat_reception.models import Decision, Role
from tests import factories


def _numbers(rows):
    return [
        (
            r.department.id,
            r.answers,
            r.rated,
            round(r.average, 9) if r.average is not None else None,
            r.disputed,
            r.returned,
        )
        for r in rows
    ]


def _agree(akimat_id):
    kept, counted = _numbers(department_ratings(akimat_id)), _numbers(from_answers(akimat_id))
    assert kept == counted
    return kept


def test_kept_counts_equal_the_answers_after_every_kind_of_change(app):
    with app.app_context():
        akimat_id = factories.akimat("almaty").id
        before = {row[0]: row for row in _agree(akimat_id)}
        controller, executor = factories.staff(Role.CONTROLLER, "almaty"), factories.staff(Role.EXECUTOR, "almaty")

        rated, _ = factories.answered_letter("almaty")
        lifecycle.rate(rated, 4, "Спасибо")
        poorly, _ = factories.answered_letter("almaty")
        lifecycle.rate(poorly, 2, "Ничего не изменилось")  # a poor rating disputes the answer
        disputed, _ = factories.answered_letter("almaty")
        lifecycle.dispute(disputed, "Ответ не по существу")
        lifecycle.uphold_answer(disputed, "Работы подтверждены актом", controller)
        lifecycle.rate(disputed, 1, "Всё равно плохо")  # disputed again: the answer counts once
        returned, _ = factories.routed_letter("almaty")
        lifecycle.submit_draft(
            returned, executor, Decision.EXPLAINED, f"{returned.number}. {factories.ANSWER_TEXT['ru']}"
        )
        lifecycle.return_draft(returned, "Укажите сроки", controller)

        after = {row[0]: row for row in _agree(akimat_id)}
        department = rated.department_id
        assert after[department][1] - before[department][1] == 3  # sent
        assert after[department][2] - before[department][2] == 3  # rated: 4, 2 and 1
        assert after[department][4] - before[department][4] == 2  # disputed: two answers
        assert after[department][5] - before[department][5] == 1  # returned
        db.session.remove()


def test_ratings_rebuild_recounts_from_the_answers(app, runner):
    with app.app_context():
        akimat_id = factories.akimat("almaty").id
        factories.answered_letter("almaty")
        db.session.execute(
            text("UPDATE department_answer_stats SET sent = sent + 100 WHERE akimat_id = :a"), {"a": akimat_id}
        )
        db.session.commit()
        assert _numbers(department_ratings(akimat_id)) != _numbers(from_answers(akimat_id))
        db.session.remove()
    result = runner.invoke(args=["ratings", "rebuild", "--akimat", "almaty"])
    assert result.exit_code == 0 and "almaty: counts rebuilt" in result.output
    with app.app_context():
        _agree(akimat_id)
        db.session.remove()
