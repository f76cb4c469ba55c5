"""The plan of one letter's life: what happens to it, in order, as the lifecycle's verbs would do it.

Each step is the event's builder from domain/events.py, made as the verb makes it, so the payload
the bulk writer seals is the one the lifecycle would have sealed (rows.py replays the builders for
the letter row's state)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from ...domain import anonymous, events
from ...domain.events import EventKind
from ...domain.lifecycle import DISPUTING_RATING
from ...domain.lifecycle.anonymous import FORWARD_REASON as ANONYMOUS_FORWARD_REASON
from ...models import Decision
from .. import content
from .tenant import CRON_HOUR, DAY, HOUR, NEVER, Clock, Tenant

STUCK_WINDOW_DAYS = 60  # a forgotten letter is one of the last two months nobody answered

# How often things happen to a letter.
P_ANONYMOUS = 0.03  # written without a name and address (domain/anonymous.py)
P_FORWARDED = 0.03
P_STUCK = 0.04  # of letters of the last STUCK_WINDOW_DAYS: routed, then forgotten (overdue)
P_TRANSFERRED = 0.08
P_PING_PONG = 0.15  # of the transferred: moved a second time
P_INSTRUCTION = 0.03
P_EXTENSION = 0.03
P_EXTENSION_APPROVED = 0.8
P_RETURNED = 0.10
P_RATED = 0.45
P_DISPUTED_UNRATED = 0.03
P_POSITION = 0.3
DECISIONS = [
    (Decision.SATISFIED, 45),
    (Decision.PARTLY_SATISFIED, 15),
    (Decision.EXPLAINED, 30),
    (Decision.WITHOUT_CONSIDERATION, 5),
    (Decision.REFUSED, 5),
]
SCORES = [(5, 40), (4, 25), (3, 15), (2, 10), (1, 10)]

LOW_RATING_COMMENTS = ["Ничего не изменилось", "Ответ не по существу", "Жұмыс жасалмады", ""]
RATING_COMMENTS = ["Спасибо, вопрос решён", "Рахмет!", "Thank you", ""]
GROUNDS = "Испрашиваемый земельный участок находится в зоне общего пользования согласно генеральному плану."
REFUSAL = {
    "reasons": "Участок расположен в зоне общего пользования; предоставление в частную собственность не допускается.",
    "legal_basis": "Земельный кодекс Республики Казахстан, статья 107; АППК, статья 73.",
    "appeal_procedure": "Решение может быть обжаловано вышестоящему органу или в суд в порядке, "
    "установленном АППК Республики Казахстан.",
}
WITHOUT_CONSIDERATION = {
    "reasons": "Обращение не содержит сведений, позволяющих рассмотреть его по существу.",
    "legal_basis": "АППК Республики Казахстан, статья 89.",
    "appeal_procedure": "Вы вправе обратиться повторно или обжаловать решение в вышестоящий орган либо в суд.",
}


# The answer an event names, before it has a row: rows.py puts in the id of the letter's latest answer
# (the draft just submitted, returned or sent; the sent answer a resident disputes).
THE_ANSWER = 0


@dataclass(frozen=True)
class DraftText:
    """What a draft answer says besides its decision (the event seals only the decision)."""

    body: str
    grounds: dict = field(default_factory=dict)  # reasons, legal_basis, appeal_procedure


@dataclass
class Step:
    us: int
    event: events.Payload
    actor_id: int | None
    role: str
    draft: DraftText | None = None  # for DRAFT_SUBMITTED: the answer's row

    @property
    def kind(self) -> EventKind:
        return self.event.KIND


def _weighted(rng: random.Random, choices):
    total = sum(w for _, w in choices)
    x = rng.random() * total
    for value, w in choices:
        x -= w
        if x < 0:
            return value
    return choices[-1][0]


def _hours(rng: random.Random, low: float, high: float) -> int:
    return int(rng.uniform(low, high) * HOUR)


def plan_letter(
    tenant: Tenant,
    clk: Clock,
    rng: random.Random,
    received_us: int,
    kind,
    language: str,
    deadline: date,
    forward_by: date,
    department_id: int | None,
    now_us: int,
    *,
    number: str,
    subject: str,
) -> list[Step]:
    """What happens to one letter, in order, as the lifecycle's verbs would do it (cut at `now`
    by the caller)."""
    steps: list[Step] = []
    last = [received_us]

    def when(us: int) -> int:
        return max(us, last[0] + 1_000_000)  # one second after the previous step at least

    def add(us: int, event: events.Payload, actor_id, role, draft: DraftText | None = None) -> int:
        us = when(us)
        last[0] = us
        steps.append(Step(us, event, actor_id, role, draft))
        return us

    steps.append(Step(received_us, events.Submitted(kind=kind.value, subject=subject), None, "resident"))
    registered = events.Registered(number=number, deadline=deadline, forward_by=forward_by)
    steps.append(Step(received_us, registered, None, "system"))
    received_on = clk.day(received_us)
    unresolved: list[tuple[int, int]] = []  # intervals in which the daily reminder job sees the letter

    if rng.random() < P_FORWARDED:
        done = when(received_us + _hours(rng, 1, 70))
        forwarded = events.Forwarded(
            to="Министерство труда и социальной защиты населения РК",
            reason="Вопрос вне компетенции акимата",
            on_time=clk.day(done) <= forward_by,
        )
        add(done, forwarded, tenant.registrar, "registrar")
        _plan_reminders(steps, clk, deadline, [(received_us, done)])
        return steps

    department = department_id or tenant.departments[rng.randrange(len(tenant.departments))][0]
    assigned = events.Assigned(department_id=department, department=tenant.department_name(department))
    add(received_us + _hours(rng, 0.5, 30), assigned, tenant.registrar, "registrar")
    if rng.random() < P_TRANSFERRED:
        for _ in range(2 if rng.random() < P_PING_PONG else 1):
            other = department
            while other == department and len(tenant.departments) > 1:
                other = tenant.departments[rng.randrange(len(tenant.departments))][0]
            transferred = events.Transferred(
                department_id=other,
                department=tenant.department_name(other),
                from_department_id=department,
                reason="Вопрос в ведении другого управления",
            )
            add(last[0] + _hours(rng, 2, 40), transferred, tenant.registrar, "registrar")
            department = other
    executor = tenant.executors[department]
    if rng.random() < P_INSTRUCTION:
        instruction = events.Instruction(text="Взять на личный контроль, доложить о результатах")
        add(last[0] + _hours(rng, 1, 24), instruction, tenant.akim, "akim")
    if rng.random() < P_EXTENSION:
        requested = clk.plus_working_days(deadline, 10)
        request = events.ExtensionRequested(
            deadline=requested, reason="Требуется обследование сетей подрядной организацией"
        )
        asked = add(last[0] + _hours(rng, 24, 96), request, executor, "executor")
        decided_us = asked + _hours(rng, 3, 30)
        if rng.random() < P_EXTENSION_APPROVED:
            extended = events.Extended(
                deadline=requested, previous_deadline=deadline, reason="Срок продлён для обследования"
            )
            add(decided_us, extended, tenant.akim, "akim")
            deadline = requested
        else:
            add(decided_us, events.ExtensionRefused(reason="Оснований для продления нет"), tenant.akim, "akim")

    if received_us > now_us - STUCK_WINDOW_DAYS * DAY and rng.random() < P_STUCK:
        _plan_reminders(steps, clk, deadline, [(received_us, NEVER)])
        return steps

    # The answer: most within the term, a few late.
    late = rng.random()
    working_days = rng.randrange(3, 15) if late < 0.85 else (15 if late < 0.95 else rng.randrange(16, 26))
    answer_day = clk.plus_working_days(received_on, working_days)
    if deadline > clk.deadline(kind, received_on):  # extended: used some of the extra time
        answer_day = clk.plus_working_days(answer_day, rng.randrange(0, 8))
    answer_us = clk.office_time(answer_day, rng)
    decision = _weighted(rng, DECISIONS)
    if decision.needs_grounds and language != "ru":  # the demo's grounds are written in Russian
        decision = Decision.EXPLAINED
    draft_from = 0
    if decision is Decision.REFUSED:  # the right to be heard comes first (APPK art. 73)
        notified = when(last[0] + _hours(rng, 4, 48))
        until = clk.hearing_until(clk.day(notified))
        add(notified, events.HearingNotice(grounds=GROUNDS, until=until), executor, "executor")
        if rng.random() < P_POSITION:
            position = events.PositionStated(
                text="Прошу учесть, что участок используется моей семьёй более двадцати лет."
            )
            add(notified + _hours(rng, 2, 40), position, None, "resident")
        draft_from = clk.at(until, 9)  # the refusal waits until the resident could be heard
        answer_us = max(answer_us, clk.at(until, 12) + _hours(rng, 1, 30))
    grounds = (
        REFUSAL
        if decision is Decision.REFUSED
        else (WITHOUT_CONSIDERATION if decision is Decision.WITHOUT_CONSIDERATION else {})
    )
    if rng.random() < P_RETURNED:
        first = add(
            max(last[0] + HOUR, answer_us - _hours(rng, 60, 90)),
            events.DraftSubmitted(answer_id=THE_ANSWER, decision=Decision.EXPLAINED.value),
            executor,
            "executor",
            DraftText(content.PROMISE[language]),
        )
        returned = events.Returned(
            answer_id=THE_ANSWER,
            comment="Ответ не по существу: укажите сроки и ответственных",
            department_id=department,
        )
        add(first + _hours(rng, 2, 20), returned, tenant.controller, "controller")
    add(
        max(last[0] + HOUR, draft_from, answer_us - _hours(rng, 2, 20)),
        events.DraftSubmitted(answer_id=THE_ANSWER, decision=decision.value),
        executor,
        "executor",
        DraftText(f"{number}. {content.ANSWERS[language]}", grounds),
    )
    sent = events.AnswerSent(answer_id=THE_ANSWER, decision=decision.value)
    answered = add(answer_us, sent, tenant.controller, "controller")
    unresolved.append((received_us, answered))

    closes = clk.closes_at(answered)
    rated = False
    disputed_us = None
    if rng.random() < P_RATED:
        rated_us = answered + _hours(rng, 2, 120)
        if rated_us < closes:
            score = _weighted(rng, SCORES)
            comment = rng.choice(LOW_RATING_COMMENTS if score <= 2 else RATING_COMMENTS)
            add(rated_us, events.Rated(rating=score, comment=comment or None), None, "resident")
            rated = True
            if score <= DISPUTING_RATING:  # a poor rating reopens the letter to control
                disputed_us = add(rated_us, events.Disputed(answer_id=THE_ANSWER, text=comment), None, "resident")
    elif rng.random() < P_DISPUTED_UNRATED:
        candidate = answered + _hours(rng, 2, 150)
        if candidate < closes:
            disputed = events.Disputed(
                answer_id=THE_ANSWER, text="Ответ не решает проблему: батареи по-прежнему холодные."
            )
            disputed_us = add(candidate, disputed, None, "resident")
    if disputed_us is not None:
        upheld = add(
            disputed_us + _hours(rng, 20, 120),
            events.Upheld(comment="Ответ дан по существу; работы подтверждены актом обследования."),
            tenant.controller,
            "controller",
        )
        unresolved.append((disputed_us, upheld))
        closes = max(closes, clk.cron_after(upheld + 1))
    add(closes, events.Closed(rated=rated), None, "system")
    _plan_reminders(steps, clk, deadline, unresolved)
    return steps


def plan_anonymous(
    tenant: Tenant,
    clk: Clock,
    rng: random.Random,
    received_us: int,
    kind,
    deadline: date,
    forward_by: date,
    reports_crime: bool,
    now_us: int,
    *,
    number: str,
    subject: str,
) -> tuple[list[Step], date]:
    """An anonymous letter's life, as lifecycle.assess_anonymous leads it: registered, assessed by the
    registrar within the day; not considered, or forwarded at once (its term to forward becomes that
    day). Returns the steps and the letter's term to forward."""
    submitted = events.Submitted(kind=kind.value, subject=subject, anonymous=True)
    steps = [Step(received_us, submitted, None, "resident")]
    registered = events.Registered(number=number, deadline=deadline, forward_by=forward_by)
    steps.append(Step(received_us, registered, None, "system"))
    assessed_us = received_us + _hours(rng, 0.5, 20)
    note = "Сведения о возможном преступлении" if reports_crime else "Сведений о преступлении или угрозе нет"
    assessed = events.AnonymousAssessed(reports_crime=reports_crime, note=note)
    steps.append(Step(assessed_us, assessed, tenant.registrar, "registrar"))
    if not reports_crime or assessed_us > now_us:
        return steps, forward_by
    same_day = clk.day(assessed_us)
    forwarded = events.Forwarded(
        to=anonymous.DEFAULT_FORWARD_TO,
        reason=f"{ANONYMOUS_FORWARD_REASON}: {note}",
        on_time=True,
    )
    steps.append(Step(assessed_us + 1_000_000, forwarded, tenant.registrar, "registrar"))
    return steps, same_day


def _plan_reminders(steps: list[Step], clk: Clock, deadline: date, intervals: list[tuple[int, int]]) -> None:
    """The daily job's reminders (lifecycle.remind_deadlines): once due soon and once overdue while
    the letter is unresolved; routing and extensions come before them, so nothing resets the mark."""
    reminded = None
    added = []
    for start, end in intervals:
        first = clk.day(clk.cron_after(start))
        soon = max(first, clk.due_soon_from(deadline))
        if soon <= deadline and reminded != "due_soon":
            us = clk.at(soon, CRON_HOUR)
            if us < end:
                added.append(Step(us, events.ReminderDueSoon(deadline=deadline), None, "system"))
                reminded = "due_soon"
        overdue = max(first, deadline + timedelta(days=1))
        us = clk.at(overdue, CRON_HOUR)
        if us < end and reminded != "overdue":
            added.append(Step(us, events.ReminderOverdue(deadline=deadline), None, "system"))
            reminded = "overdue"
    if added:
        steps.extend(added)
        steps.sort(key=lambda s: s.us)
