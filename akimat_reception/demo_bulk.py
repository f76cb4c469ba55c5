"""Demo data at scale: K akimats and N letters (a million in minutes), written with bulk inserts —
COPY on PostgreSQL, executemany on SQLite — instead of one transaction per change.

Every row is one the application would have written itself, so the site, `flask journal verify`
and the daily jobs accept it as genuine:
- numbers gap-free per akimat and year, in order of receipt, with their LetterCounter;
- deadlines and forwarding terms from the working calendar (domain.deadlines, cached per day);
- access codes stored as their hash (the demo's codes can be recomputed: `demo_access_code`);
- each letter's life planned as the lifecycle would live it (registered, routed, moved, extended,
  refused after a hearing, drafted, returned, answered, rated, disputed, upheld, closed, reminded),
  cut at `now`: what has not happened yet is not written, so recent letters are still open and a
  few forgotten ones are overdue;
- the journal hash-chained by domain.journal.content_hash, the newest hash in letter.journal_head,
  and the letter row equal to the replay of its journal;
- answers for answered letters, requests for more time, the personal-data log of recent letters;
- no outbox rows: the notifications of old letters were delivered long ago.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time as clock
from bisect import bisect_right
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from itertools import accumulate
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text

from . import demo
from .domain import deadlines, quality
from .domain.access_codes import ACCESS_CODE_ALPHABET, ACCESS_CODE_LENGTH, hash_access_code
from .domain.calendar import WorkingCalendar, calendar_for
from .domain.journal import GENESIS, content_hash
from .domain.ratings import rebuild_department_stats
from .extensions import db
from .models import (
    Akimat,
    Answer,
    AnswerStatus,
    AnswerTemplate,
    Decision,
    Event,
    ExtensionRequest,
    ExtensionStatus,
    Letter,
    LetterCounter,
    LetterStatus,
    Membership,
    PersonalDataAccess,
    Role,
    User,
)

# The cities of Kazakhstan after Astana and Almaty; further akimats are numbered districts.
CITIES = [
    ("shymkent", "SHY", "Шымкент", "Шымкент", "Shymkent"),
    ("karaganda", "KRG", "Қарағанды", "Караганда", "Karaganda"),
    ("aktobe", "AKT", "Ақтөбе", "Актобе", "Aktobe"),
    ("taraz", "TRZ", "Тараз", "Тараз", "Taraz"),
    ("pavlodar", "PVL", "Павлодар", "Павлодар", "Pavlodar"),
    ("oskemen", "OSK", "Өскемен", "Усть-Каменогорск", "Oskemen"),
    ("semey", "SEM", "Семей", "Семей", "Semey"),
    ("kostanay", "KST", "Қостанай", "Костанай", "Kostanay"),
    ("kyzylorda", "KZO", "Қызылорда", "Кызылорда", "Kyzylorda"),
    ("atyrau", "ATR", "Атырау", "Атырау", "Atyrau"),
    ("oral", "URA", "Орал", "Уральск", "Oral"),
    ("petropavl", "PTR", "Петропавл", "Петропавловск", "Petropavl"),
    ("aktau", "AKU", "Ақтау", "Актау", "Aktau"),
    ("turkistan", "TRK", "Түркістан", "Туркестан", "Turkistan"),
    ("kokshetau", "KOK", "Көкшетау", "Кокшетау", "Kokshetau"),
    ("taldykorgan", "TDK", "Талдықорған", "Талдыкорган", "Taldykorgan"),
    ("konaev", "KNV", "Қонаев", "Конаев", "Konaev"),
    ("zhezkazgan", "ZHZ", "Жезқазған", "Жезказган", "Zhezkazgan"),
]

STAFF_POOL = [
    "Әсел Бекова",
    "Нұржан Әлиев",
    "Ольга Ким",
    "Серік Омаров",
    "Гаухар Исаева",
    "Данияр Сұлтанов",
    "Светлана Попова",
    "Ержан Қасымов",
    "Мадина Ахметова",
    "Алексей Тен",
    "Жанар Сейітова",
    "Бауыржан Нұрланов",
]

STREETS = [
    "ул. Абая",
    "пр. Республики",
    "ул. Кенесары",
    "ул. Сейфуллина",
    "мкр. Самал",
    "ул. Достык",
    "пр. Туран",
    "ул. Толе би",
    "мкр. Жетысу",
    "ул. Ауэзова",
    "ул. Пушкина",
    "пр. Назарбаева",
]

SPAN_DAYS = 3 * 365  # letters arrive over the last three years
CRON_HOUR = 8  # the daily jobs (reminders, closing) run at 08:00 in the akimat's time
BATCH = 5000  # letters written per transaction
STUCK_WINDOW_DAYS = 60  # a forgotten letter is one of the last two months nobody answered

# How often things happen to a letter.
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

UTC = UTC
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_NAIVE = datetime(1970, 1, 1)
HOUR = 3_600_000_000
DAY = 24 * HOUR
NEVER = 1 << 62


def demo_access_code(number: str, seed: int = 2026) -> str:
    """The access code of a bulk demo letter: derived from its number and the seed, so that a
    benchmark can track any letter. Only for demo databases: real codes are random."""
    digest = hmac.new(f"akimat-demo-{seed}".encode(), number.encode(), hashlib.sha256).digest()
    raw = "".join(ACCESS_CODE_ALPHABET[b % len(ACCESS_CODE_ALPHABET)] for b in digest[:ACCESS_CODE_LENGTH])
    return "-".join(raw[i : i + 4] for i in range(0, ACCESS_CODE_LENGTH, 4))


# --- akimats, departments, staff ----------------------------------------------------------------------


def generated_spec(index: int) -> dict:
    """The akimat number `index` (0 and 1 are the demo's Astana and Almaty)."""
    if index < 2:
        return demo.AKIMATS[index]
    if index - 2 < len(CITIES):
        slug, prefix, kk, ru, en = CITIES[index - 2]
        names = (f"{kk} қаласының әкімдігі", f"Акимат города {ru}", f"Akimat of {en}")
    else:
        n = index - 2 - len(CITIES) + 1
        code = "".join(chr(ord("A") + (n - 1) // 26**k % 26) for k in (2, 1, 0))  # 1 -> AAA, 2 -> AAB ...
        slug, prefix = f"district-{n}", f"D{code}"  # letters only, like the cities' prefixes
        names = (f"{n}-аудан әкімдігі", f"Акимат района № {n}", f"Akimat of District {n}")
    return {"slug": slug, "prefix": prefix, "names": names, "departments": demo.AKIMATS[0]["departments"]}


def create_akimat(index: int, now: datetime, password_hash: str | None = None) -> Akimat:
    """An akimat with its departments, categories, one user per role and an executor per department
    (emails role@slug.demo.kz, executor2@… for the second department, …), like the demo's."""
    spec = generated_spec(index)
    akimat = demo._create_akimat(spec)
    if spec["slug"] in demo.STAFF_NAMES:
        staff = demo.create_staff(akimat)
        password_hash = staff[Role.REGISTRAR].password_hash
    else:
        password_hash = password_hash or _demo_password_hash()
        for n, role in enumerate(Role):
            user = User(
                email=f"{role.value}@{spec['slug']}.demo.kz",
                full_name=STAFF_POOL[(index + n) % len(STAFF_POOL)],
                password_hash=password_hash,
                totp_secret=demo.DEMO_TOTP_SECRET if role is Role.ADMIN else None,
            )
            db.session.add(user)
            db.session.add(
                Membership(
                    user=user,
                    akimat=akimat,
                    role=role,
                    department=akimat.departments[0] if role is Role.EXECUTOR else None,
                )
            )
    for n, department in enumerate(akimat.departments[1:], start=2):
        user = User(
            email=f"executor{n}@{spec['slug']}.demo.kz",
            full_name=STAFF_POOL[(index + 5 + n) % len(STAFF_POOL)],
            password_hash=password_hash,
        )
        db.session.add(user)
        db.session.add(Membership(user=user, akimat=akimat, role=Role.EXECUTOR, department=department))
    db.session.add_all(
        AnswerTemplate(akimat=akimat, department=akimat.departments[0], language=language, title=title, body=body)
        for language, title, body in demo.TEMPLATES
    )
    db.session.commit()
    if spec["slug"] in demo.PHONES:
        demo.demo_phones(akimat, {Role.REGISTRAR: _member(akimat, Role.REGISTRAR)}, now)
    return akimat


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    user = User(email="", full_name="")
    user.set_password(demo.DEMO_PASSWORD)
    return user.password_hash


def _member(akimat: Akimat, role: Role, department_id: int | None = None) -> User:
    stmt = select(User).join(Membership).where(Membership.akimat_id == akimat.id, Membership.role == role)
    if department_id is not None:
        stmt = stmt.where(Membership.department_id == department_id)
    return db.session.scalars(stmt.order_by(User.id).limit(1)).one()


# --- the plan of one letter's life --------------------------------------------------------------------


@dataclass
class Tenant:
    """What the generator needs of an akimat, read once."""

    id: int
    slug: str
    prefix: str
    name_ru: str
    departments: list[tuple[int, str]]  # (id, name in Russian)
    categories: dict[str, tuple[int, int | None]]  # code -> (id, default department id)
    registrar: int
    controller: int
    akim: int
    executors: dict[int, int]  # department id -> user id
    calendar: WorkingCalendar
    weight: float
    tz: ZoneInfo

    @classmethod
    def of(cls, akimat: Akimat, weight: float) -> Tenant:
        departments = [(d.id, d.name_ru) for d in akimat.departments]
        executors = {}
        for department_id, _name in departments:
            user = db.session.scalars(
                select(User)
                .join(Membership)
                .where(
                    Membership.akimat_id == akimat.id,
                    Membership.role == Role.EXECUTOR,
                    Membership.department_id == department_id,
                )
                .order_by(User.id)
                .limit(1)
            ).first()
            if user is not None:
                executors[department_id] = user.id
        fallback = next(iter(executors.values()), None) or _member(akimat, Role.EXECUTOR).id
        return cls(
            id=akimat.id,
            slug=akimat.slug,
            prefix=akimat.number_prefix,
            name_ru=akimat.name_ru,
            departments=departments,
            categories={c.code: (c.id, c.default_department_id) for c in akimat.categories},
            registrar=_member(akimat, Role.REGISTRAR).id,
            controller=_member(akimat, Role.CONTROLLER).id,
            akim=_member(akimat, Role.AKIM).id,
            executors={d: executors.get(d, fallback) for d, _ in departments},
            calendar=calendar_for(akimat.id),
            weight=weight,
            tz=ZoneInfo(akimat.timezone),
        )


class Clock:
    """Days and instants of one akimat's calendar, cached: a million letters share a thousand days."""

    def __init__(self, tenant: Tenant):
        self.tenant = tenant
        self.calendar = tenant.calendar
        terms = deadlines.current_terms()
        self._soon = terms.due_soon_working_days - 1
        self._rating_days = terms.rating_working_days

    def day(self, us: int) -> date:
        return self._day(us // HOUR)

    @cache  # noqa: B019 - a Clock lives for one bulk run, its caches with it
    def _day(self, hour: int) -> date:  # Kazakhstan's offsets are whole hours
        return (EPOCH + timedelta(microseconds=hour * HOUR)).astimezone(self.tenant.tz).date()

    @cache  # noqa: B019 - a Clock lives for one bulk run, its caches with it
    def at(self, day: date, hour: int) -> int:
        """The instant of a local hour on a day, in microseconds since the epoch."""
        local = datetime.combine(day, time(hour), tzinfo=self.tenant.tz)
        return (local - EPOCH) // timedelta(microseconds=1)

    @cache  # noqa: B019 - a Clock lives for one bulk run, its caches with it
    def plus_working_days(self, day: date, count: int) -> date:
        return self.calendar.add_working_days(day, count)

    @cache  # noqa: B019 - a Clock lives for one bulk run, its caches with it
    def deadline(self, kind, received_on: date) -> date:
        return deadlines.deadline_for(kind, received_on, self.calendar)

    @cache  # noqa: B019 - a Clock lives for one bulk run, its caches with it
    def forward_by(self, received_on: date) -> date:
        return deadlines.forward_by(received_on, self.calendar)

    @cache  # noqa: B019 - a Clock lives for one bulk run, its caches with it
    def hearing_until(self, notified_on: date) -> date:
        return deadlines.refusal_possible_from(notified_on, self.calendar)

    @cache  # noqa: B019 - a Clock lives for one bulk run, its caches with it
    def due_soon_from(self, deadline: date) -> date:
        """The first day on which a letter with this deadline shows as due soon."""
        day = deadline
        while self.calendar.add_working_days(day - timedelta(days=1), self._soon) >= deadline:
            day -= timedelta(days=1)
        return day

    def cron_after(self, us: int) -> int:
        """The first run of the daily jobs at or after an instant."""
        day = self.day(us)
        run = self.at(day, CRON_HOUR)
        return run if run >= us else self.at(day + timedelta(days=1), CRON_HOUR)

    def closes_at(self, answered_us: int) -> int:
        """When `flask letters close` closes an answered letter: the run on the day its time to rate
        or dispute has passed."""
        return self.at(self.plus_working_days(self.day(answered_us), self._rating_days), CRON_HOUR)

    def office_time(self, day: date, rng: random.Random) -> int:
        return self.at(day, rng.randrange(9, 18)) + rng.randrange(HOUR)


@dataclass
class Step:
    us: int
    kind: str
    actor_id: int | None
    role: str
    data: dict = field(default_factory=dict)


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
) -> list[Step]:
    """What happens to one letter, in order, as the lifecycle's verbs would do it (cut at `now`
    by the caller). `data` holds what the payloads need besides answer ids."""
    steps: list[Step] = []
    last = [received_us]

    def add(us: int, kind_: str, actor_id, role, **data) -> int:
        us = max(us, last[0] + 1_000_000)  # one second after the previous step at least
        last[0] = us
        steps.append(Step(us, kind_, actor_id, role, data))
        return us

    steps.append(Step(received_us, "submitted", None, "resident"))
    steps.append(Step(received_us, "registered", None, "system"))
    received_on = clk.day(received_us)
    unresolved: list[tuple[int, int]] = []  # intervals in which the daily reminder job sees the letter

    if rng.random() < P_FORWARDED:
        done = add(
            received_us + _hours(rng, 1, 70),
            "forwarded",
            tenant.registrar,
            "registrar",
            to="Министерство труда и социальной защиты населения РК",
            reason="Вопрос вне компетенции акимата",
            on_time=None,
        )
        steps[-1].data["on_time"] = clk.day(done) <= forward_by
        _plan_reminders(steps, clk, deadline, [(received_us, done)])
        return steps

    department = department_id or tenant.departments[rng.randrange(len(tenant.departments))][0]
    add(received_us + _hours(rng, 0.5, 30), "assigned", tenant.registrar, "registrar", department_id=department)
    if rng.random() < P_TRANSFERRED:
        for _ in range(2 if rng.random() < P_PING_PONG else 1):
            other = department
            while other == department and len(tenant.departments) > 1:
                other = tenant.departments[rng.randrange(len(tenant.departments))][0]
            add(
                last[0] + _hours(rng, 2, 40),
                "transferred",
                tenant.registrar,
                "registrar",
                department_id=other,
                from_department_id=department,
                reason="Вопрос в ведении другого управления",
            )
            department = other
    executor = tenant.executors[department]
    if rng.random() < P_INSTRUCTION:
        add(
            last[0] + _hours(rng, 1, 24),
            "instruction",
            tenant.akim,
            "akim",
            text="Взять на личный контроль, доложить о результатах",
        )
    if rng.random() < P_EXTENSION:
        requested = clk.plus_working_days(deadline, 10)
        asked = add(
            last[0] + _hours(rng, 24, 96),
            "extension_requested",
            executor,
            "executor",
            deadline=requested,
            reason="Требуется обследование сетей подрядной организацией",
        )
        decided_us = asked + _hours(rng, 3, 30)
        if rng.random() < P_EXTENSION_APPROVED:
            add(
                decided_us,
                "extended",
                tenant.akim,
                "akim",
                deadline=requested,
                previous_deadline=deadline,
                reason="Срок продлён для обследования",
                requested_at=asked,
            )
            deadline = requested
        else:
            add(
                decided_us,
                "extension_refused",
                tenant.akim,
                "akim",
                reason="Оснований для продления нет",
                requested_at=asked,
                requested=requested,
            )

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
        notified = add(last[0] + _hours(rng, 4, 48), "hearing_notice", executor, "executor", grounds=GROUNDS)
        until = clk.hearing_until(clk.day(notified))
        steps[-1].data["until"] = until
        if rng.random() < P_POSITION:
            add(
                notified + _hours(rng, 2, 40),
                "position_stated",
                None,
                "resident",
                text="Прошу учесть, что участок используется моей семьёй более двадцати лет.",
            )
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
            "draft_submitted",
            executor,
            "executor",
            decision=Decision.EXPLAINED,
            promise=True,
            department_id=department,
        )
        add(
            first + _hours(rng, 2, 20),
            "returned",
            tenant.controller,
            "controller",
            comment="Ответ не по существу: укажите сроки и ответственных",
            department_id=department,
        )
    add(
        max(last[0] + HOUR, draft_from, answer_us - _hours(rng, 2, 20)),
        "draft_submitted",
        executor,
        "executor",
        decision=decision,
        grounds=grounds,
        department_id=department,
    )
    answered = add(answer_us, "answer_sent", tenant.controller, "controller")
    unresolved.append((received_us, answered))

    closes = clk.closes_at(answered)
    rated = False
    disputed_us = None
    if rng.random() < P_RATED:
        rated_us = answered + _hours(rng, 2, 120)
        if rated_us < closes:
            score = _weighted(rng, SCORES)
            comment = rng.choice(LOW_RATING_COMMENTS if score <= 2 else RATING_COMMENTS)
            add(rated_us, "rated", None, "resident", rating=score, comment=comment or None)
            rated = True
            if score <= 2:  # a poor rating reopens the letter to control
                disputed_us = add(rated_us, "disputed", None, "resident", text=comment)
    elif rng.random() < P_DISPUTED_UNRATED:
        candidate = answered + _hours(rng, 2, 150)
        if candidate < closes:
            disputed_us = add(
                candidate, "disputed", None, "resident", text="Ответ не решает проблему: батареи по-прежнему холодные."
            )
    if disputed_us is not None:
        upheld = add(
            disputed_us + _hours(rng, 20, 120),
            "upheld",
            tenant.controller,
            "controller",
            comment="Ответ дан по существу; работы подтверждены актом обследования.",
        )
        unresolved.append((disputed_us, upheld))
        closes = max(closes, clk.cron_after(upheld + 1))
    add(closes, "closed", None, "system", rated=rated)
    _plan_reminders(steps, clk, deadline, unresolved)
    return steps


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
                added.append(Step(us, "reminder_due_soon", None, "system", {"deadline": deadline}))
                reminded = "due_soon"
        overdue = max(first, deadline + timedelta(days=1))
        us = clk.at(overdue, CRON_HOUR)
        if us < end and reminded != "overdue":
            added.append(Step(us, "reminder_overdue", None, "system", {"deadline": deadline}))
            reminded = "overdue"
    if added:
        steps.extend(added)
        steps.sort(key=lambda s: s.us)


# --- rows ---------------------------------------------------------------------------------------------


class Writer:
    """Rows straight to the database: COPY on PostgreSQL, executemany on SQLite. Values are given
    as the ORM would bind them (timestamps in UTC microseconds, dates, dicts for JSON)."""

    def __init__(self):
        self.connection = db.session.connection()
        self.dialect = self.connection.dialect.name
        self.raw = self.connection.connection.dbapi_connection
        self.rows: dict[str, list[tuple]] = {}
        self.columns: dict[str, list[str]] = {}
        self.postgres = self.dialect == "postgresql"

    def ts(self, us: int | None):
        if us is None:
            return None
        if self.postgres:
            return EPOCH + timedelta(microseconds=us)
        return (EPOCH_NAIVE + timedelta(microseconds=us)).isoformat(sep=" ", timespec="microseconds")

    def day(self, value: date | None):
        return value if value is None or self.postgres else value.isoformat()

    def json(self, value: dict) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def flag(self, value: bool):
        return value if self.postgres else int(value)

    def add(self, table: str, columns: list[str], row: tuple) -> None:
        self.columns.setdefault(table, columns)
        self.rows.setdefault(table, []).append(row)

    def flush(self, order: Iterable[str]) -> None:
        for table in order:
            rows = self.rows.pop(table, None)
            if not rows:
                continue
            columns = self.columns[table]
            names = ", ".join(columns)
            if self.postgres:
                with self.raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(columns))
                self.raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


LETTER_COLUMNS = [
    "id",
    "akimat_id",
    "number",
    "year",
    "seq",
    "submission_token",
    "access_code_hash",
    "kind",
    "category_id",
    "language",
    "subject",
    "body",
    "disputed_party",
    "complaint_request",
    "surname",
    "given_name",
    "patronymic",
    "iin",
    "address",
    "email",
    "phone",
    "status",
    "department_id",
    "received_at",
    "deadline",
    "original_deadline",
    "forward_by",
    "transfer_count",
    "journal_head",
    "reminded",
    "hearing_notified_on",
    "hearing_until",
    "forwarded_to",
    "repeat_of_id",
    "transferred_to_id",
    "transferred_from_id",
    "answered_at",
    "rating",
    "rating_comment",
]
EVENT_COLUMNS = [
    "id",
    "akimat_id",
    "letter_id",
    "seq",
    "kind",
    "actor_id",
    "actor_role",
    "created_at",
    "payload",
    "prev_hash",
    "hash",
]
ANSWER_COLUMNS = [
    "id",
    "letter_id",
    "author_id",
    "department_id",
    "status",
    "language",
    "body_fingerprint",
    "control_comment",
    "controlled_by_id",
    "rating",
    "rating_comment",
    "disputed",
    "decision",
    "body",
    "reasons",
    "legal_basis",
    "appeal_procedure",
    "created_at",
    "sent_at",
]
EXTENSION_COLUMNS = [
    "id",
    "letter_id",
    "requested_by_id",
    "requested_deadline",
    "reason",
    "status",
    "requested_at",
    "decided_by_id",
    "decision_reason",
    "decided_at",
]
ACCESS_COLUMNS = ["id", "akimat_id", "letter_id", "user_id", "role", "accessed_at", "path"]
TABLE_ORDER = ("letter", "answer", "extension_request", "event", "personal_data_access")
MODELS = {
    "letter": (Letter, LETTER_COLUMNS),
    "event": (Event, EVENT_COLUMNS),
    "answer": (Answer, ANSWER_COLUMNS),
    "extension_request": (ExtensionRequest, EXTENSION_COLUMNS),
    "personal_data_access": (PersonalDataAccess, ACCESS_COLUMNS),
}


def _check_columns() -> None:
    """A column added to a model after this generator was written must not be silently left out."""
    for table, (model, columns) in MODELS.items():
        missing = [
            c.name
            for c in model.__table__.columns
            if c.name not in columns and not c.nullable and c.server_default is None
        ]
        if missing:
            raise RuntimeError(f"demo_bulk does not fill {table}.{missing}: teach it these columns")


class Ids:
    def __init__(self):
        self.next = {
            table: (db.session.scalar(select(func.max(model.id))) or 0) + 1
            for table, (model, _columns) in MODELS.items()
        }

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


ACCESS_LOG_DAYS = 90  # the personal-data log is written for letters opened in the last three months


def write_letter(
    w: Writer,
    ids: Ids,
    tenant: Tenant,
    clk: Clock,
    rng: random.Random,
    received_us: int,
    year: int,
    seq: int,
    now_us: int,
    seed: int,
) -> str:
    """Plans one letter's life, cuts it at now, and adds its rows. Returns its status."""
    template = demo.LETTERS[rng.randrange(len(demo.LETTERS))]
    code, language, kind, subject, body, disputed_party, complaint_request = template
    category_id, default_department = tenant.categories[code]
    surname, given_name, patronymic = demo.PEOPLE[rng.randrange(len(demo.PEOPLE))]
    received_on = clk.day(received_us)
    number = f"{tenant.prefix}-{year}-{seq:06d}"
    deadline = original_deadline = clk.deadline(kind, received_on)
    forward_by = clk.forward_by(received_on)
    letter_id = ids.take("letter")
    contact = rng.random()
    email = f"resident{rng.randrange(1, 10**6)}@example.kz" if contact < 0.7 else None
    phone = f"+7701{rng.randrange(10**7):07d}" if contact > 0.5 or email is None else None
    iin = demo._demo_iin(rng) if rng.random() < 0.8 else None

    steps = [
        s
        for s in plan_letter(
            tenant, clk, rng, received_us, kind, language, deadline, forward_by, default_department, now_us
        )
        if s.us <= now_us
    ]

    status, department_id, rating, rating_comment, transfer_count = LetterStatus.REGISTERED, None, None, None, 0
    reminded = hearing_on = hearing_until = forwarded_to = answered_at = None
    answers: list[list] = []  # mutable rows, in ANSWER_COLUMNS order
    draft = sent = pending = None
    prev_hash = GENESIS
    events = []
    opened_by: list[tuple[int, str, int]] = []
    for seq_no, step in enumerate(steps, start=1):
        d = step.data
        if step.kind == "submitted":
            payload = {"kind": kind.value, "subject": subject, "repeat_of": None, "files": []}
        elif step.kind == "registered":
            payload = {"number": number, "deadline": deadline.isoformat(), "forward_by": forward_by.isoformat()}
        elif step.kind == "assigned":
            department_id, status, reminded = d["department_id"], LetterStatus.ASSIGNED, None
            payload = {"department_id": department_id, "department": _department_name(tenant, department_id)}
            opened_by.append((step.us - 5 * 60_000_000, "registrar", tenant.registrar))
        elif step.kind == "transferred":
            department_id, status, reminded = d["department_id"], LetterStatus.ASSIGNED, None
            transfer_count += 1
            payload = {
                "department_id": department_id,
                "department": _department_name(tenant, department_id),
                "from_department_id": d["from_department_id"],
                "reason": d["reason"],
            }
        elif step.kind == "forwarded":
            status, forwarded_to = LetterStatus.FORWARDED, d["to"]
            payload = {"to": d["to"], "reason": d["reason"], "on_time": d["on_time"]}
            opened_by.append((step.us - 5 * 60_000_000, "registrar", tenant.registrar))
        elif step.kind == "instruction":
            payload = {"text": d["text"]}
        elif step.kind == "extension_requested":
            payload = {"deadline": d["deadline"].isoformat(), "reason": d["reason"]}
            pending = (ids.take("extension_request"), step)
        elif step.kind in ("extended", "extension_refused"):
            request_id, asked = pending
            approved = step.kind == "extended"
            w.add(
                "extension_request",
                EXTENSION_COLUMNS,
                (
                    request_id,
                    letter_id,
                    asked.actor_id,
                    w.day(asked.data["deadline"]),
                    asked.data["reason"],
                    (ExtensionStatus.APPROVED if approved else ExtensionStatus.REJECTED).value,
                    w.ts(asked.us),
                    step.actor_id,
                    d["reason"],
                    w.ts(step.us),
                ),
            )
            pending = None
            if approved:
                deadline, reminded = d["deadline"], None
                payload = {
                    "deadline": deadline.isoformat(),
                    "previous_deadline": d["previous_deadline"].isoformat(),
                    "reason": d["reason"],
                }
            else:
                payload = {"reason": d["reason"]}
        elif step.kind == "hearing_notice":
            hearing_on, hearing_until = clk.day(step.us), d["until"]
            payload = {"grounds": d["grounds"], "until": hearing_until.isoformat()}
        elif step.kind == "position_stated":
            payload = {"text": d["text"]}
        elif step.kind == "draft_submitted":
            decision = d["decision"]
            text_ = demo.PROMISE[language] if d.get("promise") else f"{number}. {demo.ANSWERS[language]}"
            grounds = d.get("grounds") or {}
            draft = [
                ids.take("answer"),
                letter_id,
                step.actor_id,
                d["department_id"],
                AnswerStatus.SUBMITTED.value,
                language,
                quality.fingerprint(text_),
                None,
                None,
                None,
                None,
                w.flag(False),
                decision.value,
                text_,
                grounds.get("reasons"),
                grounds.get("legal_basis"),
                grounds.get("appeal_procedure"),
                w.ts(step.us),
                None,
            ]
            answers.append(draft)
            status = LetterStatus.IN_CONTROL
            payload = {"answer_id": draft[0], "decision": decision.value}
            opened_by.append((step.us - HOUR, "executor", step.actor_id))
        elif step.kind == "returned":
            draft[4], draft[7], draft[8] = AnswerStatus.RETURNED.value, d["comment"], step.actor_id
            status = LetterStatus.ASSIGNED
            payload = {"answer_id": draft[0], "comment": d["comment"], "department_id": d["department_id"]}
            draft = None
        elif step.kind == "answer_sent":
            draft[4], draft[8], draft[18] = AnswerStatus.SENT.value, step.actor_id, w.ts(step.us)
            sent, draft = draft, None
            status, answered_at, rating, rating_comment = LetterStatus.ANSWERED, step.us, None, None
            payload = {"answer_id": sent[0], "decision": sent[12]}
        elif step.kind == "rated":
            rating, rating_comment = d["rating"], d["comment"]
            sent[9], sent[10] = rating, rating_comment
            payload = {"rating": rating, "comment": rating_comment}
        elif step.kind == "disputed":
            sent[11] = w.flag(True)
            status = LetterStatus.DISPUTED
            payload = {"answer_id": sent[0], "text": d["text"]}
        elif step.kind == "upheld":
            status = LetterStatus.ANSWERED
            payload = {"comment": d["comment"]}
        elif step.kind == "closed":
            status = LetterStatus.CLOSED
            payload = {"rated": d["rated"]}
        elif step.kind in ("reminder_due_soon", "reminder_overdue"):
            reminded = step.kind.removeprefix("reminder_")
            payload = {"deadline": d["deadline"].isoformat()}
        else:  # pragma: no cover - a step kind without its payload is a bug of this module
            raise ValueError(step.kind)
        digest = content_hash(
            letter_id=letter_id,
            seq=seq_no,
            kind=step.kind,
            actor_id=step.actor_id,
            actor_role=step.role,
            created_at=EPOCH + timedelta(microseconds=step.us),
            payload=payload,
            prev_hash=prev_hash,
        )
        events.append(
            (
                ids.take("event"),
                tenant.id,
                letter_id,
                seq_no,
                step.kind,
                step.actor_id,
                step.role,
                w.ts(step.us),
                w.json(payload),
                prev_hash,
                digest,
            )
        )
        prev_hash = digest
    if pending is not None:  # the akim has not decided yet
        request_id, asked = pending
        w.add(
            "extension_request",
            EXTENSION_COLUMNS,
            (
                request_id,
                letter_id,
                asked.actor_id,
                w.day(asked.data["deadline"]),
                asked.data["reason"],
                ExtensionStatus.PENDING.value,
                w.ts(asked.us),
                None,
                None,
                None,
            ),
        )

    code_hash = hash_access_code(number, demo_access_code(number, seed))
    is_complaint = kind.value == "complaint"
    w.add(
        "letter",
        LETTER_COLUMNS,
        (
            letter_id,
            tenant.id,
            number,
            year,
            seq,
            f"bulk-{number}",
            code_hash,
            kind.value,
            category_id,
            language,
            subject,
            body,
            disputed_party if is_complaint else None,
            complaint_request if is_complaint else None,
            surname,
            given_name,
            patronymic,
            iin,
            f"{tenant.name_ru}, {STREETS[rng.randrange(len(STREETS))]}, {rng.randrange(1, 200)}",
            email,
            phone,
            status.value,
            department_id,
            w.ts(received_us),
            w.day(deadline),
            w.day(original_deadline),
            w.day(forward_by),
            transfer_count,
            prev_hash,
            reminded,
            w.day(hearing_on),
            w.day(hearing_until),
            forwarded_to,
            None,
            None,
            None,
            w.ts(answered_at),
            rating,
            rating_comment,
        ),
    )
    for row in answers:
        w.add("answer", ANSWER_COLUMNS, tuple(row))
    for row in events:
        w.add("event", EVENT_COLUMNS, row)
    if received_us > now_us - ACCESS_LOG_DAYS * DAY:
        path = f"/{tenant.slug}/office/letters/{number}"
        for us, role, user_id in opened_by:
            w.add(
                "personal_data_access",
                ACCESS_COLUMNS,
                (ids.take("personal_data_access"), tenant.id, letter_id, user_id, role, w.ts(us), path),
            )
    return status.value


def _department_name(tenant: Tenant, department_id: int) -> str:
    for d, name in tenant.departments:
        if d == department_id:
            return name
    raise KeyError(department_id)


# --- the whole load -----------------------------------------------------------------------------------


@dataclass
class Report:
    akimats: int = 0
    letters: int = 0
    events: int = 0
    answers: int = 0
    seconds: float = 0.0
    statuses: dict = field(default_factory=dict)


def add_letters(
    akimats: list[Akimat],
    letters: int,
    *,
    seed: int = 2026,
    now: datetime | None = None,
    span_days: int = SPAN_DAYS,
    weights: list[float] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Adds `letters` letters in all to existing akimats, received over the last `span_days` days
    (the first two akimats, the big cities, get three times the share of the others), numbered on
    from the akimats' counters."""
    _check_columns()
    started = clock.monotonic()
    now = now or datetime.now(UTC)
    now_us = (now - EPOCH) // timedelta(microseconds=1)
    rng = random.Random(seed)
    weights = weights or [3.0 if i < 2 else 1.0 for i in range(len(akimats))]
    tenants = [Tenant.of(a, w) for a, w in zip(akimats, weights, strict=False)]
    clocks = [Clock(t) for t in tenants]
    report = Report(akimats=len(tenants))

    # When each letter arrives, and where: one sortable integer per letter.
    total = sum(weights)
    cumulative = list(accumulate(w_ / total for w_ in weights))
    span_us = span_days * DAY
    latest = now_us - 60_000_000
    width = len(tenants).bit_length() + 1
    arrivals = []
    for _ in range(letters):
        index = min(bisect_right(cumulative, rng.random()), len(tenants) - 1)
        us = latest - int(rng.random() ** 1.15 * span_us)  # a little busier lately
        local_time = (us + 5 * HOUR) % DAY
        if rng.random() < 0.7 and not 8 * HOUR <= local_time < 22 * HOUR:  # mostly written in the daytime
            us += 8 * HOUR - local_time + rng.randrange(14 * HOUR)
            if us > latest:
                us -= DAY
        arrivals.append((us << width) | index)
    arrivals.sort()

    counters = {
        (t.id, row.year): row.last_seq
        for t in tenants
        for row in db.session.scalars(select(LetterCounter).where(LetterCounter.akimat_id == t.id))
    }
    ids = Ids()
    writer = Writer()
    if writer.dialect == "sqlite":  # a crash mid-load leaves a demo to reload, not data to save
        synchronous = writer.raw.execute("PRAGMA synchronous").fetchone()[0]
        writer.raw.execute("PRAGMA synchronous=OFF")
    mask = (1 << width) - 1
    for n, packed in enumerate(arrivals, start=1):
        index, us = packed & mask, packed >> width
        tenant, clk = tenants[index], clocks[index]
        year = clk.day(us).year
        seq = counters.get((tenant.id, year), 0) + 1
        counters[(tenant.id, year)] = seq
        status = write_letter(writer, ids, tenant, clk, rng, us, year, seq, now_us, seed)
        report.statuses[status] = report.statuses.get(status, 0) + 1
        if n % BATCH == 0 or n == letters:
            report.events += len(writer.rows.get("event", ()))
            report.answers += len(writer.rows.get("answer", ()))
            writer.flush(TABLE_ORDER)
            db.session.commit()
            writer = Writer()
            if progress and (n % (BATCH * 20) == 0 or n == letters):
                progress(f"{n} letters ({clock.monotonic() - started:.0f} s)")
    if writer.dialect == "sqlite":
        writer.raw.execute(f"PRAGMA synchronous={synchronous}")
    _save_counters(counters)
    for tenant in tenants:  # the departments' answer counts, as the lifecycle keeps them
        rebuild_department_stats(tenant.id)
    db.session.commit()
    _continue_sequences()
    report.letters = letters
    report.seconds = clock.monotonic() - started
    return report


def _save_counters(counters: dict) -> None:
    for (akimat_id, year), last_seq in counters.items():
        row = db.session.get(LetterCounter, (akimat_id, year))
        if row is None:
            db.session.add(LetterCounter(akimat_id=akimat_id, year=year, last_seq=last_seq))
        else:
            row.last_seq = last_seq


def _continue_sequences() -> None:
    """Rows were written with explicit ids: PostgreSQL's sequences must continue after them."""
    if db.session.connection().dialect.name != "postgresql":
        return
    for table in MODELS:
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        )
    db.session.commit()


def finish(progress: Callable[[str], None] | None = None) -> None:
    """Fresh statistics for the planner (and PostgreSQL's visibility map, for index-only scans)."""
    dialect = db.session.connection().dialect.name
    db.session.commit()
    if dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    if progress:
        progress("statistics updated")


@contextmanager
def _indexes_built_after(tables: Iterable[str]):
    """Drops the tables' secondary indexes (not their unique constraints) for the load and builds
    them again after it, whatever happens: one sort per index instead of a million insertions."""
    indexes = [index for name in tables for index in db.metadata.tables[name].indexes if not index.unique]
    bind = db.session.connection()
    for index in indexes:
        index.drop(bind)
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        bind = db.session.connection()
        if bind.dialect.name == "postgresql":
            bind.execute(text("SET maintenance_work_mem = '256MB'"))
        for index in indexes:
            index.create(bind)
        db.session.commit()


def load_bulk(
    letters: int,
    akimats: int = 2,
    *,
    seed: int = 2026,
    now: datetime | None = None,
    span_days: int = SPAN_DAYS,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """The large demo: Astana, Almaty and `akimats - 2` generated akimats with staff and phone
    directories, and `letters` letters in all, received over the last `span_days` days, written in bulk
    into an installation without letters yet."""
    if akimats < 1:
        raise ValueError("at least one akimat")
    if db.session.scalar(select(Letter.id).limit(1)) is not None:
        raise RuntimeError("the bulk demo loads into an installation without letters")
    now = now or datetime.now(UTC)
    started = clock.monotonic()
    created = [create_akimat(i, now) for i in range(akimats)]
    with _indexes_built_after(MODELS):
        report = add_letters(created, letters, seed=seed, now=now, span_days=span_days, progress=progress)
        if progress:
            progress(f"{letters} letters written in {clock.monotonic() - started:.0f} s; building the indexes")
    finish(progress)
    report.seconds = clock.monotonic() - started
    return report
