"""Demo data: Astana and Almaty with their real departments, one user per role, letters in
every state. Letters go through the lifecycle, so their journals are real."""

import random
from datetime import UTC, date, datetime, time, timedelta

from .domain import lifecycle
from .domain.identity import iin_check_digit
from .extensions import db
from .models import Akimat, AnswerTemplate, Category, Decision, Department, LetterKind, Membership, Role, User

DEMO_PASSWORD = "Reception-demo-2026"
# Administrators must use a second factor. The demo's admins share this published key, so that
# anyone trying the demo can produce codes; real accounts enrol their own at /account/two-factor.
DEMO_TOTP_SECRET = "DEMOAKIMATRECEPTIONADMINTWOSIXAA"

AKIMATS = [
    {
        "slug": "astana",
        "prefix": "AST",
        "names": ("Астана қаласының әкімдігі", "Акимат города Астаны", "Akimat of Astana"),
        "departments": [
            (
                "Тұрғын үй-коммуналдық шаруашылығы басқармасы",
                "Управление жилищно-коммунального хозяйства",
                "Department of Housing and Utilities",
            ),
            (
                "Жолаушылар көлігі және автомобиль жолдары басқармасы",
                "Управление пассажирского транспорта и автомобильных дорог",
                "Department of Passenger Transport and Roads",
            ),
            ("Білім басқармасы", "Управление образования", "Department of Education"),
            ("Денсаулық сақтау басқармасы", "Управление здравоохранения", "Department of Health"),
            (
                "Экология және қоршаған орта басқармасы",
                "Управление экологии и окружающей среды",
                "Department of Ecology and Environment",
            ),
            (
                "Жұмыспен қамту және әлеуметтік бағдарламалар басқармасы",
                "Управление занятости и социальных программ",
                "Department of Employment and Social Programmes",
            ),
            (
                "Сәулет, қала құрылысы және жер қатынастары басқармасы",
                "Управление архитектуры, градостроительства и земельных отношений",
                "Department of Architecture, Urban Planning and Land Relations",
            ),
        ],
    },
    {
        "slug": "almaty",
        "prefix": "ALA",
        "names": ("Алматы қаласының әкімдігі", "Акимат города Алматы", "Akimat of Almaty"),
        "departments": [
            (
                "Энергетика және сумен жабдықтау басқармасы",
                "Управление энергетики и водоснабжения",
                "Department of Energy and Water Supply",
            ),
            ("Мобильділік басқармасы", "Управление мобильности", "Department of Mobility"),
            ("Білім басқармасы", "Управление образования", "Department of Education"),
            (
                "Қоғамдық денсаулық басқармасы",
                "Управление общественного здравоохранения",
                "Department of Public Health",
            ),
            (
                "Экология және қоршаған орта басқармасы",
                "Управление экологии и окружающей среды",
                "Department of Ecology and Environment",
            ),
            (
                "Жұмыспен қамту және әлеуметтік бағдарламалар басқармасы",
                "Управление занятости и социальных программ",
                "Department of Employment and Social Programmes",
            ),
            (
                "Қалалық жоспарлау және урбанистика басқармасы",
                "Управление городского планирования и урбанистики",
                "Department of Urban Planning",
            ),
        ],
    },
]

# code, (kk, ru, en), index of the default department (None: the registrar decides)
CATEGORIES = [
    (
        "utilities",
        (
            "Коммуналдық қызметтер: жылу, су, жарық",
            "Коммунальные услуги: тепло, вода, свет",
            "Utilities: heating, water, electricity",
        ),
        0,
    ),
    ("roads", ("Жолдар және қоғамдық көлік", "Дороги и общественный транспорт", "Roads and public transport"), 1),
    (
        "education",
        (
            "Білім беру, мектептер мен балабақшалар",
            "Образование, школы и детские сады",
            "Education, schools and kindergartens",
        ),
        2,
    ),
    ("health", ("Денсаулық сақтау", "Здравоохранение", "Health care"), 3),
    ("ecology", ("Экология және көркейту", "Экология и благоустройство", "Environment and public spaces"), 4),
    ("social", ("Әлеуметтік көмек және жұмыспен қамту", "Социальная помощь и занятость", "Social support and jobs"), 5),
    ("land", ("Жер және құрылыс", "Земля и строительство", "Land and construction"), 6),
    ("other", ("Басқа сұрақ", "Другой вопрос", "Other question"), None),
]

LETTERS = [
    (
        "utilities",
        "ru",
        LetterKind.COMPLAINT,
        "Нет отопления в доме",
        "Третью неделю в квартирах нашего подъезда батареи холодные. Обращались в КСК, ответа нет. "
        "Просим принять меры до наступления морозов.",
        "КСК «Жилстрой-Сервис»",
        "Восстановить отопление и сделать перерасчёт.",
    ),
    (
        "roads",
        "kk",
        LetterKind.APPLICATION,
        "Аялдамадағы жол шұңқыры",
        "Аялдама жанындағы жолда үлкен шұңқыр пайда болды, көліктер мен жаяу жүргіншілерге қауіпті. "
        "Жөндеу жұмыстарын жүргізуді сұраймын.",
        None,
        None,
    ),
    (
        "education",
        "ru",
        LetterKind.REQUEST,
        "Очередь в детский сад",
        "Прошу сообщить, каким номером в очереди в детский сад стоит мой сын и когда ожидается место "
        "в саду нашего микрорайона.",
        None,
        None,
    ),
    (
        "ecology",
        "en",
        LetterKind.PROPOSAL,
        "Trees along the new boulevard",
        "I propose planting shade trees along the new boulevard near our school: in summer the walk "
        "is very hot for children. Residents are ready to help water them.",
        None,
        None,
    ),
    (
        "health",
        "kk",
        LetterKind.COMPLAINT,
        "Емханаға жазылу мүмкін емес",
        "Екі аптадан бері учаскелік дәрігерге жазыла алмаймын: телефон жауап бермейді, онлайн жазылу жұмыс істемейді.",
        "№ 5 қалалық емхана",
        "Дәрігерге жазылуды қамтамасыз етуді сұраймын.",
    ),
    (
        "social",
        "ru",
        LetterKind.APPLICATION,
        "Материальная помощь многодетной семье",
        "Я мать четверых детей, муж потерял работу. Прошу рассмотреть возможность оказания "
        "единовременной материальной помощи.",
        None,
        None,
    ),
    (
        "land",
        "ru",
        LetterKind.RESPONSE,
        "Отзыв на проект детальной планировки",
        "По проекту детальной планировки нашего района: просим сохранить сквер у дома 12 и не размещать там парковку.",
        None,
        None,
    ),
    (
        "utilities",
        "en",
        LetterKind.APPLICATION,
        "Street lights off in our yard",
        "The street lights in the yard of our building have not worked for a month. "
        "It is dark and unsafe in the evening. Please repair them.",
        None,
        None,
    ),
    (
        "other",
        "kk",
        LetterKind.PROPOSAL,
        "Ауладағы балалар алаңы",
        "Ауламызда балалар алаңы жоқ. Бос жерге балалар алаңын салуды ұсынамыз, тұрғындар қолдайды.",
        None,
        None,
    ),
]

PEOPLE = [
    ("Ахметов", "Ерлан", "Серикович"),
    ("Жұмабаева", "Айгерім", None),
    ("Ким", "Елена", "Викторовна"),
    ("Смагулов", "Нурлан", "Маратович"),
    ("Иванова", "Ольга", "Петровна"),
    ("Сейтқали", "Дәурен", None),
    ("Омарова", "Гүлнар", "Бекболатқызы"),
    ("Нұрланұлы", "Асхат", None),
]

ANSWERS = {
    "ru": "Ваше обращение рассмотрено. Работы выполнены подрядной организацией, результат проверен на месте "
    "специалистом управления. Если проблема повторится, сообщите по телефону диспетчерской службы.",
    "kk": "Өтінішіңіз қаралды. Жұмыстар мердігер ұйыммен орындалды, нәтижесін басқарма маманы орнында "
    "тексерді. Мәселе қайталанса, диспетчерлік қызметке телефон арқылы хабарлаңыз.",
    "en": "Your letter has been considered. The contractor has done the work, and a specialist of the department "
    "checked the result on site. If the problem returns, please call the dispatch service.",
}

PROMISE = {
    "ru": "Ваше обращение принято в работу. Вопрос будет рассмотрен в установленные законодательством сроки.",
    "kk": "Өтінішіңіз жұмысқа алынды. Мәселе заңнамада белгіленген мерзімде қаралады, күтуіңізді сұраймыз.",
    "en": "Your letter has been taken into work. The question will be considered within the terms set by law.",
}

TEMPLATES = [
    (
        "ru",
        "Отопление: перерасчёт",
        "Перерасчёт платы за отопление производится поставщиком услуги за период "
        "ненадлежащего оказания услуги на основании акта, составленного с участием представителя КСК.",
    ),
    (
        "kk",
        "Жылу: қайта есептеу",
        "Жылу төлемін қайта есептеуді қызмет көрсетуші КСК өкілінің қатысуымен "
        "жасалған акт негізінде қызмет тиісті көрсетілмеген кезең үшін жүргізеді.",
    ),
    (
        "en",
        "Heating: recalculation",
        "The supplier recalculates the heating charge for the period the service was "
        "not properly provided, on the basis of a report signed with a representative of the housing cooperative.",
    ),
]


def _demo_iin(rng: random.Random) -> str:
    while True:
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(16000))
        first = f"{born:%y%m%d}{rng.choice('3456')}{rng.randrange(10000):04d}"
        digit = iin_check_digit(first)
        if digit is not None:
            return first + str(digit)


def _create_akimat(spec) -> Akimat:
    kk, ru, en = spec["names"]
    akimat = Akimat(
        slug=spec["slug"],
        number_prefix=spec["prefix"],
        name_kk=kk,
        name_ru=ru,
        name_en=en,
        default_language="ru",
        timezone="Asia/Almaty",
    )
    db.session.add(akimat)
    departments = [Department(akimat=akimat, name_kk=k, name_ru=r, name_en=e) for k, r, e in spec["departments"]]
    db.session.add_all(departments)
    for code, (k, r, e), dep in CATEGORIES:
        db.session.add(
            Category(
                akimat=akimat,
                code=code,
                name_kk=k,
                name_ru=r,
                name_en=e,
                default_department=departments[dep] if dep is not None else None,
            )
        )
    return akimat


STAFF_NAMES = {
    "astana": {
        Role.REGISTRAR: "Айгерім Сапарова",
        Role.EXECUTOR: "Бекзат Тұрсынов",
        Role.CONTROLLER: "Марина Ли",
        Role.AKIM: "Қайрат Әбенов",
        Role.ADMIN: "Тимур Жақсылықов",
    },
    "almaty": {
        Role.REGISTRAR: "Дана Нұрпейісова",
        Role.EXECUTOR: "Руслан Оспанов",
        Role.CONTROLLER: "Ирина Пак",
        Role.AKIM: "Ерболат Мұқанов",
        Role.ADMIN: "Арман Садықов",
    },
}


def create_staff(akimat: Akimat, password: str = DEMO_PASSWORD) -> dict[Role, User]:
    staff = {}
    first_department = akimat.departments[0]
    for role in Role:
        user = User(email=f"{role.value}@{akimat.slug}.demo.kz", full_name=STAFF_NAMES[akimat.slug][role])
        user.set_password(password)
        if role is Role.ADMIN:
            user.totp_secret = DEMO_TOTP_SECRET
        db.session.add(user)
        db.session.add(
            Membership(
                user=user, akimat=akimat, role=role, department=first_department if role is Role.EXECUTOR else None
            )
        )
        staff[role] = user
    return staff


EXECUTOR_NAMES = ["Дина Әлиева", "Сергей Пак", "Мадина Ержанова", "Алмас Қуанышев", "Жанар Омарова", "Виктор Цой"]


def create_department_executors(akimat: Akimat, password: str = DEMO_PASSWORD) -> dict[int, User]:
    """Every department has its executor, as in a real akimat: executor@ for the first,
    executor2@ ... executor7@ for the others."""
    db.session.flush()  # the departments' ids
    executors = {}
    for index, department in enumerate(akimat.departments[1:], start=2):
        user = User(email=f"executor{index}@{akimat.slug}.demo.kz", full_name=EXECUTOR_NAMES[(index - 2) % 6])
        user.set_password(password)
        db.session.add(user)
        db.session.add(Membership(user=user, akimat=akimat, role=Role.EXECUTOR, department=department))
        executors[department.id] = user
    return executors


def load_demo(
    letters_per_akimat: int = 48, seed: int = 2026, now: datetime | None = None, history_per_cell: int | None = None
) -> None:
    """`history_per_cell`: past letters per department and language that teach the classifier
    (routing_corpus.record_history); by default 5 (105 per akimat) when the demo writes letters at all."""
    from . import routing_corpus
    from .domain import routing

    if history_per_cell is None:
        history_per_cell = 5 if letters_per_akimat else 0

    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    for spec in AKIMATS:
        akimat = _create_akimat(spec)
        staff = create_staff(akimat)
        others = create_department_executors(akimat)
        staff["executors"] = {akimat.departments[0].id: staff[Role.EXECUTOR], **others}
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
        demo_phones(akimat, staff, now)
        routing.train(akimat.id, now=now)  # from the demo's own answered letters, when there are enough


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
                lifecycle.calendar_for(akimat.id).add_working_days(letter.deadline, 10),
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


# The contact directory: (department index, number, (kk, ru, en) purpose, languages, days, opens, closes, story).
# A story is how the demo's staff and residents treated the line: ("answered", 5) an answered check
# call 5 days ago; ("failed", 40, 2, "no_answer") answered 40 days ago, then unanswered 2 days ago;
# ("reported", 20, 3) answered 20 days ago, then reported dead by 3 residents; ("never",) never called.
PHONES = {
    "astana": [
        (
            0,
            "+7 7172 55 01 09",
            (
                "ТКШ бірыңғай диспетчерлік қызметі: жылу, су, жарық апаттары",
                "Единая диспетчерская служба ЖКХ: аварии тепла, воды, света",
                "Utilities emergency dispatch: heating, water, electricity",
            ),
            "kk,ru",
            "daily",
            None,
            None,
            ("answered", 4),
        ),
        (
            0,
            "+7 7172 55 66 77",
            ("Басқарма қабылдау бөлмесі", "Приёмная управления", "Reception of the department"),
            "kk,ru",
            "working",
            time(9),
            time(18, 30),
            ("failed", 38, 2, "no_answer"),
        ),
        (
            1,
            "+7 7172 27 39 12",
            (
                "Қоғамдық көлік жөніндегі жедел желі",
                "Горячая линия по общественному транспорту",
                "Public transport hotline",
            ),
            "kk,ru,en",
            "daily",
            time(7),
            time(23),
            ("answered", 12),
        ),
        (
            2,
            "+7 7172 55 33 44",
            ("Балабақшаға кезек", "Очередь в детские сады", "Kindergarten waiting list"),
            "kk,ru",
            "working",
            time(9),
            time(18),
            ("answered", 41),
        ),
        (
            2,
            "+7 7172 55 33 40",
            ("Басқарма қабылдау бөлмесі", "Приёмная управления", "Reception of the department"),
            "kk,ru",
            "working",
            time(9),
            time(18),
            ("never",),
        ),
        (
            3,
            "+7 800 080 7777",
            (
                "Емханаға жазылу байланыс орталығы (тегін)",
                "Колл-центр записи в поликлиники (бесплатно)",
                "Clinic appointments call centre (free)",
            ),
            "kk,ru,en",
            "daily",
            time(8),
            time(20),
            ("answered", 3),
        ),
        (
            5,
            "+7 7172 74 26 55",
            ("Атаулы әлеуметтік көмек", "Адресная социальная помощь", "Targeted social assistance"),
            "kk,ru",
            "working",
            time(9),
            time(18),
            ("reported", 20, 3),
        ),
        (
            6,
            "+7 7172 55 22 10",
            ("Жер учаскелері мен рұқсаттар", "Земельные участки и разрешения", "Land plots and permits"),
            "kk,ru",
            "working",
            time(9),
            time(18),
            ("answered", 25),
        ),
    ],
    "almaty": [
        (
            0,
            "+7 727 274 66 66",
            ("Сумен жабдықтау апаттық қызметі", "Аварийная служба водоснабжения", "Water supply emergency service"),
            "kk,ru",
            "daily",
            None,
            None,
            ("answered", 2),
        ),
        (
            0,
            "+7 727 271 66 01",
            ("Басқарма қабылдау бөлмесі", "Приёмная управления", "Reception of the department"),
            "kk,ru",
            "working",
            time(9),
            time(18),
            ("failed", 45, 1, "wrong_number"),
        ),
        (
            1,
            "+7 727 300 11 11",
            (
                "Қоғамдық көлік және Онай картасы",
                "Общественный транспорт и карта «Онай»",
                "Public transport and the Onay card",
            ),
            "kk,ru,en",
            "daily",
            time(6),
            time(0),
            ("answered", 8),
        ),
        (
            2,
            "+7 727 271 65 10",
            ("Мектептер мен балабақшалар", "Школы и детские сады", "Schools and kindergartens"),
            "kk,ru",
            "working",
            time(9),
            time(18),
            ("answered", 35),
        ),
        (
            3,
            "+7 727 300 03 03",
            ("Емханалар жөніндегі жедел желі", "Горячая линия по поликлиникам", "Clinics hotline"),
            "kk,ru",
            "working",
            time(8),
            time(20),
            ("reported", 10, 3),
        ),
        (
            4,
            "+7 727 271 64 30",
            ("Ағаш кесу және көгалдандыру", "Вырубка деревьев и озеленение", "Tree felling and greenery"),
            "kk,ru",
            "working",
            time(9),
            time(18),
            ("answered", 15),
        ),
        (
            5,
            "+7 727 271 67 20",
            ("Жұмыспен қамту орталығы", "Центр занятости", "Employment centre"),
            "kk,ru",
            "working",
            time(9),
            time(18),
            ("never",),
        ),
    ],
}


def demo_phones(akimat: Akimat, staff: dict, now: datetime) -> None:
    """The akimat's lines, some verified, some stale, some failing, through the domain's verbs."""
    from .domain import phones
    from .domain.identity import normalize_phone
    from .models import CheckResult, LineDays

    caller = staff[Role.REGISTRAR]

    def office_hours(days_ago, hour=5, minute=30):  # 10:30 in Astana and Almaty: staff call in the morning
        return datetime.combine(now.date() - timedelta(days=days_ago), time(hour, minute), tzinfo=UTC)

    for index, number, (kk, ru, en), languages, days, opens, closes, story in PHONES.get(akimat.slug, []):
        line = phones.add_line(
            akimat,
            phones.LineData(
                department=akimat.departments[index],
                e164=normalize_phone(number),
                purpose_kk=kk,
                purpose_ru=ru,
                purpose_en=en,
                languages=languages.split(","),
                days=LineDays(days),
                opens_at=opens,
                closes_at=closes,
            ),
            actor=None,
            now=now - timedelta(days=60),
        )
        kind, *args = story
        if kind == "never":
            continue
        answered_at = office_hours(args[0])
        phones.record_check(line, caller, CheckResult.ANSWERED, "", now=answered_at)
        if kind == "failed":
            phones.record_check(
                line,
                caller,
                CheckResult(args[2]),
                "Гудки, трубку не берут" if args[2] == "no_answer" else "Номер не обслуживается",
                now=office_hours(args[1], 4, 15),
            )
        elif kind == "reported":
            for i in range(args[1]):
                phones.report_dead(
                    line,
                    f"demo-resident-{i}",
                    "Звоню с утра, никто не отвечает" if i == 0 else "",
                    now=answered_at + timedelta(days=i + 1, hours=3 * i),
                )
