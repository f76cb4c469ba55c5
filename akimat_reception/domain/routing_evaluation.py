"""How well the department classifier routes the letters that matter: by language and by case
(the resident's category right, "other", wrong), never only on the easy letters.

Two measurements:
- `time_split`: on the akimat's own history, learned from the older four fifths and scored on the
  newest fifth, as the model will be used; stored with each trained model and shown to staff.
- `on_labelled_set`: on a labelled set of letters written for the purpose (tests/data/routing_eval.csv),
  most filed under "other" or a wrong category, with hard cases; labels are the codes of the
  categories whose default department should answer."""

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .routing import CONFIDENT, TOP, Example, fit, rank

LANGUAGES = ("kk", "ru", "en")
CASES = ("right", "other", "wrong")
HARD = ("other", "wrong")  # the letters the category alone would route wrongly or not at all


@dataclass
class Score:
    letters: int = 0
    first: int = 0  # the model's first choice was the right department
    in_top: int = 0  # the right department was among the first TOP
    confident: int = 0  # first choice at or above the threshold (offered as the suggestion)
    confident_right: int = 0

    def add(self, first: bool, in_top: bool, confident: bool) -> None:
        self.letters += 1
        self.first += first
        self.in_top += in_top
        self.confident += confident
        self.confident_right += confident and first

    @property
    def accuracy(self) -> float | None:
        return self.first / self.letters if self.letters else None

    @property
    def top_accuracy(self) -> float | None:
        return self.in_top / self.letters if self.letters else None

    @property
    def precision(self) -> float | None:
        """Of the suggestions offered as confident, the share that was right."""
        return self.confident_right / self.confident if self.confident else None

    @property
    def recall(self) -> float | None:
        """The share of letters that got a confident suggestion."""
        return self.confident / self.letters if self.letters else None


@dataclass
class Measurement:
    """Scores by group: "all", each language, each case, "hard" (other + wrong), "<language> hard"."""

    scores: dict[str, Score] = field(default_factory=dict)
    threshold: float = CONFIDENT

    @property
    def overall(self) -> Score:
        return self.scores.get("all", Score())

    def group(self, name: str) -> Score:
        return self.scores.get(name, Score())

    def as_dict(self) -> dict:
        return {"threshold": self.threshold, "scores": {k: vars(v) for k, v in self.scores.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> "Measurement":
        return cls({k: Score(**v) for k, v in data["scores"].items()}, data.get("threshold", CONFIDENT))


def _groups(example: Example) -> Iterable[str]:
    yield "all"
    if example.language:
        yield example.language
    if example.case:
        yield example.case
        if example.case in HARD:
            yield "hard"
            if example.language:
                yield f"{example.language} hard"


def measure(
    ranked: Sequence[Sequence[tuple[object, float]]], examples: Sequence[Example], threshold: float = CONFIDENT
):
    measurement = Measurement(threshold=threshold)
    for candidates, example in zip(ranked, examples, strict=True):
        labels = [label for label, _p in candidates]
        first = bool(labels) and labels[0] == example.label
        confident = bool(candidates) and candidates[0][1] >= threshold
        for name in _groups(example):
            measurement.scores.setdefault(name, Score()).add(first, example.label in labels[:TOP], confident)
    return measurement


def threshold_curve(ranked, examples, thresholds=(0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9)):
    """(threshold, precision, recall) of the confident suggestion: how CONFIDENT was chosen."""
    return [
        (t, measure(ranked, examples, t).overall.precision, measure(ranked, examples, t).overall.recall)
        for t in thresholds
    ]


def best_threshold(ranked, examples, minimum_precision: float = 0.9) -> float | None:
    """The threshold with the highest recall at which precision is at least `minimum_precision`."""
    tops = sorted({round(c[0][1], 3) for c in ranked if c})
    for t in tops:  # ascending: the first that reaches the precision has the highest recall
        precision = measure(ranked, examples, t).overall.precision
        if precision is not None and precision >= minimum_precision:
            return t
    return None


def time_split(examples: Sequence[Example], newest: float = 0.2) -> Measurement | None:
    """Learns from the older letters and scores on the newest share (`examples` oldest first)."""
    cut = int(len(examples) * (1 - newest))
    older, newer = examples[:cut], examples[cut:]
    model = fit(older)
    if model is None or not newer:
        return None
    return measure(rank(model, newer), newer)


# The labelled evaluation set -------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledLetter:
    language: str
    filed_category: str
    department: str  # the code of the category whose default department should answer
    tags: str  # "two_topics", "misleading", "mixed" (Kazakh with Russian words) or ""
    subject: str
    body: str

    @property
    def case(self) -> str:
        if self.filed_category == "other":
            return "other"
        return "right" if self.filed_category == self.department else "wrong"


def load_labelled(path: str | Path) -> list[LabelledLetter]:
    with open(path, encoding="utf-8", newline="") as f:
        return [LabelledLetter(**row) for row in csv.DictReader(f)]


def labelled_examples(letters: Sequence[LabelledLetter], label_of: Callable[[str], object] = str) -> list[Example]:
    return [
        Example(f"{x.subject}\n{x.body}", x.filed_category, label_of(x.department), x.language, x.case) for x in letters
    ]


def on_labelled_set(model, letters: Sequence[LabelledLetter], label_of: Callable[[str], object] = str):
    """Scores a fitted model on the labelled letters; `label_of` maps a department code to the
    model's label (for an akimat's model: the id of the default department of that category)."""
    examples = labelled_examples(letters, label_of)
    ranked = rank(model, examples)
    return measure(ranked, examples), threshold_curve(ranked, examples), best_threshold(ranked, examples)


def on_corpus(letters: Sequence[LabelledLetter]):
    """The model trained on the demo's training letters (akimat_reception.routing_corpus), scored
    on the labelled letters: the measurement behind CONFIDENT and CATEGORY_WEIGHT."""
    from ..routing_corpus import training_letters

    model = fit([Example(f"{x.subject}\n{x.body}", x.filed_category, x.department) for x in training_letters()])
    return on_labelled_set(model, letters)


def for_akimat(akimat, letters: Sequence[LabelledLetter]):
    """The akimat's current model on the labelled letters, or None when it has no model or lacks
    the demo's categories."""
    from .routing import current_model

    bundle = current_model(akimat.id)
    defaults = {c.code: c.default_department_id for c in akimat.categories if c.default_department_id}
    if bundle is None or any(x.department not in defaults for x in letters):
        return None
    return on_labelled_set(bundle["pipeline"], letters, defaults.__getitem__)


def report(measurement: Measurement) -> list[str]:
    """Lines for the command: first choice, top three and the confident suggestion, by group."""

    def line(name: str, label: str) -> str | None:
        s = measurement.scores.get(name)
        if not s or not s.letters:
            return None
        precision = f"{s.precision:.1%}" if s.precision is not None else "n/a"
        return (
            f"  {label:<26} {s.letters:>4} letters: first choice right {s.accuracy:6.1%}, "
            f"in top {TOP} {s.top_accuracy:6.1%}; confident (>= {measurement.threshold:.2f}) for {s.recall:6.1%}, "
            f"right when confident {precision}"
        )

    names = [("all", "all letters")]
    names += [(c, f"category {c}") for c in CASES]
    names += [("hard", "category other or wrong")]
    for language in LANGUAGES:
        names += [(language, f"{language}"), (f"{language} hard", f"{language}, other or wrong")]
    return [text for text in (line(n, label) for n, label in names) if text]


# What `flask routing evaluate` prints -------------------------------------------------------------


def akimat_lines(akimat) -> list[str]:
    """The journal's ping-pong share and the newest model's time-split measurement, by group."""
    from .routing import evaluate

    result = evaluate(akimat.id)
    share = f"{result.share:.1%}" if result.share is not None else "n/a"
    lines = [
        f"{akimat.slug}: first department final for {result.first_department_final} of "
        f"{result.letters} answered letters ({share})"
    ]
    if result.measured is None:
        lines.append("  no classifier measured (fewer than 20 letters with a known department, or none trained)")
    else:
        lines.append(f"  classifier trained on {result.samples} letters; on the newest fifth, learned from the older:")
        lines += report(Measurement.from_dict(result.measured))
    return lines


def labelled_lines(path: str | Path, akimat=None) -> list[str]:
    """The labelled set scored by the akimat's model, or (akimat None) by a model trained on the
    demo's training letters; with the precision and recall of each threshold."""
    letters = load_labelled(path)
    scored = on_corpus(letters) if akimat is None else for_akimat(akimat, letters)
    source = "the demo's training letters" if akimat is None else f"{akimat.slug}'s current model"
    if scored is None:
        return [f"{path}: {source} cannot be scored (no model, or not the demo's categories)"]
    measurement, curve, best = scored
    lines = [f"{path}: {len(letters)} labelled letters, {source}:", *report(measurement)]
    lines.append("  threshold: " + "; ".join(f"{t:.2f} precision {p:.1%} recall {r:.1%}" for t, p, r in curve if p))
    lines.append(f"  highest recall at >= 90% precision: threshold {best}" if best else "  no threshold reaches 90%")
    return lines
