"""Which department should answer a letter: learned from the akimat's own past routing, with the
category's default department when the classifier is unsure or not trained yet."""

import io
import random
from dataclasses import dataclass
from datetime import datetime

import joblib
from sqlalchemy import func, select

from ..extensions import db
from ..models import Department, Event, Letter, LetterStatus, RoutingModel
from ..models._common import utcnow

CONFIDENT = 0.55  # below this the category's default department is suggested instead
MINIMUM_SAMPLES = 20  # too few decisions teach nothing
RESOLVED = (LetterStatus.ANSWERED, LetterStatus.CLOSED, LetterStatus.DISPUTED)


@dataclass(frozen=True)
class Suggestion:
    department: Department | None
    confidence: float | None  # None: the category's default, no model behind it
    source: str  # "model" or "category"


def _text(letter: Letter) -> str:
    return f"{letter.category.code} {letter.subject} {letter.body}"


def _training_rows(akimat_id: int) -> list[tuple[str, int]]:
    """Answered letters and the department that finally answered them."""
    letters = db.session.scalars(
        select(Letter)
        .where(Letter.akimat_id == akimat_id, Letter.status.in_(RESOLVED), Letter.department_id.is_not(None))
        .order_by(Letter.id)
    ).all()
    return [(_text(letter), letter.department_id) for letter in letters if letter.department_id is not None]


def _pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    # Character n-grams cope with Kazakh and Russian endings without a stemmer for each language.
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=1),
        LogisticRegression(max_iter=1000, C=5.0),
    )


def train(akimat_id: int, now: datetime | None = None) -> RoutingModel | None:
    """Fits the classifier on the akimat's history, keeping a fifth aside to measure it."""
    rows = _training_rows(akimat_id)
    if len(rows) < MINIMUM_SAMPLES or len({d for _t, d in rows}) < 2:
        return None
    shuffled = rows[:]
    random.Random(akimat_id).shuffle(shuffled)
    cut = max(1, len(shuffled) // 5)
    holdout, fit_rows = shuffled[:cut], shuffled[cut:]
    model = _pipeline()
    accuracy = None
    if len({d for _t, d in fit_rows}) >= 2:
        model.fit([t for t, _d in fit_rows], [d for _t, d in fit_rows])
        accuracy = float(model.score([t for t, _d in holdout], [d for _t, d in holdout]))
    model.fit([t for t, _d in rows], [d for _t, d in rows])  # the served model learns from everything
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    record = RoutingModel(
        akimat_id=akimat_id,
        trained_at=now or utcnow(),
        samples=len(rows),
        holdout_accuracy=accuracy,
        blob=buffer.getvalue(),
    )
    db.session.add(record)
    db.session.commit()
    _cache.pop(akimat_id, None)
    return record


_cache: dict[int, tuple[int, object]] = {}


def _current_model(akimat_id: int):
    latest = db.session.scalar(select(func.max(RoutingModel.id)).where(RoutingModel.akimat_id == akimat_id))
    if latest is None:
        return None
    cached = _cache.get(akimat_id)
    if cached and cached[0] == latest:
        return cached[1]
    # The blob was written by train() above into our own database, never taken from outside.
    model = joblib.load(io.BytesIO(db.session.get_one(RoutingModel, latest).blob))
    _cache[akimat_id] = (latest, model)
    return model


def suggest_department(letter: Letter) -> Suggestion:
    model = _current_model(letter.akimat_id)
    if model is not None:
        probabilities = model.predict_proba([_text(letter)])[0]
        best = int(probabilities.argmax())
        department = db.session.get(Department, int(model.classes_[best]))
        if probabilities[best] >= CONFIDENT and department is not None and department.akimat_id == letter.akimat_id:
            return Suggestion(department, float(probabilities[best]), "model")
    return Suggestion(letter.category.default_department, None, "category")


@dataclass(frozen=True)
class Evaluation:
    letters: int
    first_department_final: int
    holdout_accuracy: float | None
    samples: int | None

    @property
    def share(self) -> float | None:
        return self.first_department_final / self.letters if self.letters else None


def evaluate(akimat_id: int) -> Evaluation:
    """The share of answered letters whose first department was the one that answered: the
    "ping-pong" the residents complain of, measured on the journal."""
    first = (
        select(Event.letter_id, func.min(Event.seq).label("seq"))
        .where(Event.akimat_id == akimat_id, Event.kind == "assigned")
        .group_by(Event.letter_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Event.payload, Letter.department_id)
        .join(first, (first.c.letter_id == Event.letter_id) & (first.c.seq == Event.seq))
        .join(Letter, Letter.id == Event.letter_id)
        .where(Letter.status.in_(RESOLVED))
    ).all()
    final = sum(1 for payload, department_id in rows if payload.get("department_id") == department_id)
    latest = db.session.scalar(
        select(RoutingModel).where(RoutingModel.akimat_id == akimat_id).order_by(RoutingModel.id.desc()).limit(1)
    )
    return Evaluation(len(rows), final, latest.holdout_accuracy if latest else None, latest.samples if latest else None)
