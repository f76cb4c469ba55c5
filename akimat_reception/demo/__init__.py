"""Demo data: Astana and Almaty with their real departments, one user per role, letters in
every state. Letters go through the lifecycle, so their journals are real.

The package: content.py the texts, structure.py the akimats and their structure (loaded through
the structure import, as an administrator's file would be), staff.py the staff's names and the
demo's password, phones.py the contact directory (its lines come in with the structure; the check
calls and reports are written here); bulk/ the large demo (`flask demo --bulk`), written through the same event
builders (domain/events.py) as the lifecycle."""

import random
from datetime import UTC, datetime, time, timedelta

from ..domain import lifecycle
from ..domain.calendar import calendar_for
from ..extensions import db
from ..models import AnswerTemplate, Decision, Role
from .content import (
    AKIMATS,
    ANONYMOUS_LETTERS,
    ANSWERS,
    LETTERS,
    PEOPLE,
    PROMISE,
    REGIONAL_AKIMATS,
    TEMPLATES,
    _demo_iin,
)
from .phones import demo_phones
from .staff import DEMO_PASSWORD, DEMO_TOTP_SECRET, create_platform_admin
from .structure import city_tables, create_demo_akimat, import_demo_structure, regional_tables

__all__ = ["DEMO_PASSWORD", "DEMO_TOTP_SECRET", "load_demo"]


def load_demo(
    letters_per_akimat: int = 48, seed: int = 2026, now: datetime | None = None, history_per_cell: int | None = None
) -> None:
    """`history_per_cell`: past letters per department and language that teach the classifier
    (routing_corpus.record_history); by default 5 (105 per akimat) when the demo writes letters at all."""
    from .. import routing_corpus
    from ..domain import routing

    if history_per_cell is None:
        history_per_cell = 5 if letters_per_akimat else 0
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    create_platform_admin()
    for spec in AKIMATS:
        akimat = create_demo_akimat(spec)
        people = import_demo_structure(akimat, city_tables(spec))
        staff = {role: people[f"{role.value}@{akimat.slug}.demo.kz"] for role in Role}
        staff["executors"] = {
            department.id: people[f"executor{n}@{akimat.slug}.demo.kz"] if n > 1 else staff[Role.EXECUTOR]
            for n, department in enumerate(akimat.departments, start=1)
        }
        db.session.add_all(
            AnswerTemplate(akimat=akimat, department=akimat.departments[0], language=language, title=title, body=body)
            for language, title, body in TEMPLATES
        )
        db.session.commit()
        categories = {c.code: c for c in akimat.categories}
        if history_per_cell:
            routing_corpus.record_history(akimat, staff, history_per_cell, seed, now)
        for i in range(letters_per_akimat):
            _demo_letter(akimat, staff, categories, i, rng, now)
        if letters_per_akimat:
            _demo_anonymous_letters(akimat, staff[Role.REGISTRAR], categories, now)
        demo_phones(akimat, staff, now)
        routing.train(akimat.id, now=now)  # from the demo's own answered letters, when there are enough
    created: dict[str, object] = {}
    for spec in REGIONAL_AKIMATS:
        akimat = create_demo_akimat(spec, parent=created.get(spec["parent"]))
        import_demo_structure(akimat, regional_tables(spec))
        created[spec["slug"]] = akimat


def _demo_letter(akimat, staff, categories, i, rng, now):
    code, language, kind, subject, body, disputed, request = LETTERS[i % len(LETTERS)]
    surname, given_name, patronymic = PEOPLE[i % len(PEOPLE)]
    stage = i % 4  # 0 registered, 1 with a department, 2 answered, 3 answered and rated
    days_ago = rng.randrange(8, 40) if stage >= 2 else rng.randrange(1, 40)  # answers are in the past
    received = datetime.combine(now.date() - timedelta(days=days_ago), time(4 + rng.randrange(8)), tzinfo=UTC)
    letter, _code = lifecycle.submit(
        akimat,
        lifecycle.Submission(
            kind=kind,
            category=categories[code],
            language=language,
            subject=subject,
            body=body,
            surname=surname,
            given_name=given_name,
            patronymic=patronymic,
            iin=_demo_iin(rng) if i % 5 else None,
            address=f"{akimat.name_ru}, ул. Демонстрационная, {i + 1}",
            email=f"resident{i % len(PEOPLE) + 1}@example.kz" if i % 3 else None,
            phone=f"+7701234{5600 + i % len(PEOPLE):04d}" if i % 3 != 1 else None,
            disputed_party=disputed,
            complaint_request=request,
            submission_token=f"demo-{akimat.slug}-{i}",
        ),
        now=received,
    )
    if stage == 0:
        if i % 12 == 4:  # now and then a letter outside the akimat's competence
            lifecycle.forward(
                letter,
                "Министерство труда и социальной защиты населения РК",
                "Вопрос пенсионных выплат вне компетенции акимата",
                staff[Role.REGISTRAR],
                now=received + timedelta(hours=20),
            )
        return
    # Routing as it happens: the category's department first; now and then the registrar finds
    # the letter belongs elsewhere and moves it, with a reason (the ping-pong the akim watches).
    departments = akimat.departments
    first_choice = letter.category.default_department or departments[i % len(departments)]
    registrar, controller = staff[Role.REGISTRAR], staff[Role.CONTROLLER]
    lifecycle.assign(letter, first_choice, registrar, now=received + timedelta(hours=3))
    if stage >= 2 and i % 7 == 3:
        elsewhere = departments[(departments.index(first_choice) + 1) % len(departments)]
        lifecycle.assign(
            letter, elsewhere, registrar, reason="Вопрос в ведении другого управления", now=received + timedelta(days=1)
        )
    executor = staff["executors"][letter.department_id]
    if stage == 1:
        executor_letter = letter.department_id == akimat.departments[0].id
        if executor_letter and i % 8 == 1:
            lifecycle.request_extension(
                letter,
                calendar_for(akimat.id).add_working_days(letter.deadline, 10),
                "Требуется обследование сетей подрядной организацией",
                executor,
                now=min(received + timedelta(days=7), now),
            )
        elif i % 8 == 5:
            lifecycle.instruct(
                letter,
                "Взять на личный контроль, доложить о результатах",
                staff[Role.AKIM],
                now=received + timedelta(days=1),
            )
        return
    if i % 6 == 2:  # control returns a first draft that only promises
        lifecycle.submit_draft(
            letter, executor, Decision.EXPLAINED, PROMISE[language], now=received + timedelta(days=3)
        )
        lifecycle.return_draft(
            letter, "Ответ не по существу: укажите сроки и ответственных", controller, now=received + timedelta(days=4)
        )
    lifecycle.submit_draft(
        letter,
        executor,
        Decision.SATISFIED if i % 3 else Decision.EXPLAINED,
        f"{letter.number}. {ANSWERS[language]}",
        now=received + timedelta(days=5),
    )
    lifecycle.approve_draft(letter, controller, now=received + timedelta(days=5, hours=2))
    if stage == 3:
        score = 5 - (i % 5)  # now and then a 1 or 2: the letter goes back to control
        lifecycle.rate(letter, score, "" if score > 2 else "Ничего не изменилось", now=received + timedelta(days=6))
    lifecycle.close_answered(akimat, now=now)


def _demo_anonymous_letters(akimat, registrar, categories, now):
    """One anonymous letter of each fate (domain/anonymous.py): one reporting a crime, forwarded the
    day it was assessed; one not considered; the newest still waiting for the registrar."""
    chosen = [ANONYMOUS_LETTERS[0], ANONYMOUS_LETTERS[2], ANONYMOUS_LETTERS[4]]  # a crime, then two that are not
    for n, (code, language, kind, subject, body, reports_crime) in enumerate(chosen):
        received = now - timedelta(days=6 - 3 * n, hours=2)
        letter, _code = lifecycle.submit(
            akimat,
            lifecycle.Submission(
                kind=kind,
                category=categories[code],
                language=language,
                subject=subject,
                body=body,
                surname="",
                given_name="",
                address="",
                anonymous=True,
                submission_token=f"demo-{akimat.slug}-anonymous-{n}",
            ),
            now=received,
        )
        if n < 2:
            note = "Сведения о возможном преступлении" if reports_crime else "Сведений о преступлении или угрозе нет"
            lifecycle.assess_anonymous(letter, registrar, reports_crime, note, now=received + timedelta(hours=1))
