"""The department classifier measured where it matters: on hand-written letters filed under "other"
or a wrong category, by language; its suggestion, the registrar's corrections, and retraining."""

from pathlib import Path

import pytest
from flask import render_template
from flask_babel import force_locale
from sqlalchemy import func, select

from akimat_reception.domain import lifecycle, routing, routing_evaluation
from akimat_reception.extensions import db
from akimat_reception.models import Role, RoutingModel
from tests import factories

EVAL_SET = Path(__file__).resolve().parent.parent / "data" / "routing_eval.csv"


@pytest.fixture(scope="module")
def scored():
    """The model trained on the demo's training letters, scored on the labelled set (a few seconds)."""
    return routing_evaluation.on_corpus(routing_evaluation.load_labelled(EVAL_SET))


def test_labelled_set_has_several_hundred_hard_letters_in_each_language():
    letters = routing_evaluation.load_labelled(EVAL_SET)
    assert len(letters) >= 300
    for language in ("kk", "ru", "en"):
        mine = [x for x in letters if x.language == language]
        assert len(mine) >= 90 and sum(x.case != "right" for x in mine) >= 80
    tags = {tag for x in letters for tag in x.tags.split(",") if tag}
    assert {"two_topics", "misleading", "mixed"} <= tags


def test_first_choice_is_right_for_85_percent_and_80_percent_of_misfiled_letters_in_kk_and_ru(scored):
    measurement, _curve, _best = scored
    assert measurement.overall.accuracy >= 0.85
    for language in ("kk", "ru"):
        assert measurement.group(f"{language} hard").letters >= 80
        assert measurement.group(f"{language} hard").accuracy >= 0.80, language


def test_top_three_contain_the_right_department_for_95_percent(scored):
    measurement, _curve, _best = scored
    assert measurement.overall.top_accuracy >= 0.95


def test_threshold_in_the_code_keeps_precision_at_90_percent(scored):
    measurement, _curve, best = scored
    assert measurement.overall.precision >= 0.90
    assert best is not None and best <= routing.CONFIDENT  # the lowest threshold keeping 90 % is not above the code's
    assert measurement.overall.recall >= 0.90


@pytest.fixture
def context(app_context):
    """Models trained here are removed afterwards: other tests expect the demo akimats untrained."""
    before = db.session.scalar(select(func.max(RoutingModel.id))) or 0
    with force_locale("en"):
        yield
    db.session.execute(RoutingModel.__table__.delete().where(RoutingModel.id > before))
    db.session.commit()
    routing._cache.clear()


def _answered(slug, category, department, subject, body):
    letter, _ = factories.letter(slug, category=category, subject=subject, body=body, email=None)
    lifecycle.assign(letter, department, factories.staff(Role.REGISTRAR, slug))
    _ensure_executor(slug, department)
    factories.answer(letter)
    return letter


def _ensure_executor(slug, department):
    from akimat_reception.models import Membership

    akimat = factories.akimat(slug)
    executor = factories.staff(Role.EXECUTOR, slug)
    if department.id not in executor.departments_in(akimat):
        db.session.add(Membership(user=executor, akimat=akimat, role=Role.EXECUTOR, department=department))
        db.session.commit()


TOPICS = [
    (0, "utilities", "Холодные батареи", "Батареи холодные, нет горячей воды, котельная не работает."),
    (2, "education", "Школа и учитель", "В школе не хватает учителей, класс переполнен, нет учебников."),
    (3, "health", "Запись к врачу", "В поликлинике невозможно записаться к терапевту, регистратура молчит."),
]


def _history(slug="almaty", each=10):
    akimat = factories.akimat(slug)
    for i in range(each):
        for index, category, subject, body in TOPICS:
            _answered(slug, category, akimat.departments[index], f"{subject} {i}", body)
    return akimat


def test_registrar_correction_is_a_label_even_before_the_answer(context):
    akimat = factories.akimat("almaty")
    letter, _ = factories.letter("almaty", category="health", subject="Школа", body="В классе 40 детей.")
    lifecycle.assign(letter, akimat.departments[3], factories.staff(Role.REGISTRAR, "almaty"))
    lifecycle.assign(letter, akimat.departments[2], factories.staff(Role.REGISTRAR, "almaty"), reason="Не наш вопрос")
    examples = [e for _at, e in routing.history(akimat.id) if e.text.startswith("Школа\n")]
    assert [(e.label, e.case) for e in examples] == [(akimat.departments[2].id, "wrong")]


def test_unsure_model_shows_top_three_with_the_category_default_marked(context, monkeypatch):
    akimat = _history()
    assert routing.train(akimat.id) is not None
    monkeypatch.setattr(routing, "CONFIDENT", 1.01)  # as if the model were unsure of every letter
    letter, _ = factories.letter(
        "almaty", category="ecology", subject="Холодно дома", body="Батареи холодные, котельная молчит."
    )
    suggestion = routing.suggest_department(letter)
    assert suggestion.source == "unsure" and suggestion.department is None
    assert suggestion.top[0].department == akimat.departments[0] and suggestion.top[0].confidence > 0.5
    assert len(suggestion.top) == 4  # the model's three, then the category's default it did not rank there
    assert suggestion.top[-1].department == letter.category.default_department and suggestion.top[-1].category_default
    html = render_template("office/_routing_suggestion.html", suggestion=suggestion)
    assert "<script" not in html and html.count("<li>") == 4
    assert akimat.departments[0].name_en in html and "the category's default" in html
    assert "not sure" in html and "newest letters" in html


def test_confident_model_preselects_its_choice_whatever_the_category(context):
    akimat = _history()
    routing.train(akimat.id)
    letter, _ = factories.letter(
        "almaty", category="health", subject="Учитель", body="В школе нет учителя и учебников."
    )
    suggestion = routing.suggest_department(letter)
    assert suggestion.source == "model" and suggestion.department == akimat.departments[2]
    assert suggestion.confidence >= routing.CONFIDENT
    assert any(c.category_default and c.department == akimat.departments[3] for c in suggestion.top)


def test_retraining_keeps_the_newest_three_models(context):
    akimat = _history()
    ids = [routing.train(akimat.id).id for _ in range(5)]
    kept = db.session.scalars(select(RoutingModel.id).where(RoutingModel.akimat_id == akimat.id)).all()
    assert sorted(kept) == ids[-3:]


def test_trained_model_carries_its_time_split_measurement(context):
    akimat = _history()
    record = routing.train(akimat.id)
    measured = routing_evaluation.Measurement.from_dict(routing.current_model(akimat.id)["measured"])
    assert measured.overall.letters >= 5 and record.holdout_accuracy == measured.overall.accuracy
    assert measured.overall.accuracy >= 0.8
