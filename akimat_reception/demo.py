"""Demo data: Astana and Almaty with their real departments, one user per role, letters in
every state. Letters go through the lifecycle, so their journals are real."""
import random
from datetime import date, datetime, time, timedelta, timezone

from .domain import lifecycle
from .domain.identity import iin_check_digit
from .extensions import db
from .models import Akimat, Category, Decision, Department, LetterKind, Membership, Role, User

DEMO_PASSWORD = "Reception-demo-2026"

AKIMATS = [
    {
        "slug": "astana", "prefix": "AST",
        "names": ("Астана қаласының әкімдігі", "Акимат города Астаны", "Akimat of Astana"),
        "departments": [
            ("Тұрғын үй-коммуналдық шаруашылығы басқармасы", "Управление жилищно-коммунального хозяйства",
             "Department of Housing and Utilities"),
            ("Жолаушылар көлігі және автомобиль жолдары басқармасы",
             "Управление пассажирского транспорта и автомобильных дорог",
             "Department of Passenger Transport and Roads"),
            ("Білім басқармасы", "Управление образования", "Department of Education"),
            ("Денсаулық сақтау басқармасы", "Управление здравоохранения", "Department of Health"),
            ("Экология және қоршаған орта басқармасы", "Управление экологии и окружающей среды",
             "Department of Ecology and Environment"),
            ("Жұмыспен қамту және әлеуметтік бағдарламалар басқармасы",
             "Управление занятости и социальных программ", "Department of Employment and Social Programmes"),
            ("Сәулет, қала құрылысы және жер қатынастары басқармасы",
             "Управление архитектуры, градостроительства и земельных отношений",
             "Department of Architecture, Urban Planning and Land Relations"),
        ],
    },
    {
        "slug": "almaty", "prefix": "ALA",
        "names": ("Алматы қаласының әкімдігі", "Акимат города Алматы", "Akimat of Almaty"),
        "departments": [
            ("Энергетика және сумен жабдықтау басқармасы", "Управление энергетики и водоснабжения",
             "Department of Energy and Water Supply"),
            ("Мобильділік басқармасы", "Управление мобильности", "Department of Mobility"),
            ("Білім басқармасы", "Управление образования", "Department of Education"),
            ("Қоғамдық денсаулық басқармасы", "Управление общественного здравоохранения",
             "Department of Public Health"),
            ("Экология және қоршаған орта басқармасы", "Управление экологии и окружающей среды",
             "Department of Ecology and Environment"),
            ("Жұмыспен қамту және әлеуметтік бағдарламалар басқармасы",
             "Управление занятости и социальных программ", "Department of Employment and Social Programmes"),
            ("Қалалық жоспарлау және урбанистика басқармасы", "Управление городского планирования и урбанистики",
             "Department of Urban Planning"),
        ],
    },
]

# code, (kk, ru, en), index of the default department (None: the registrar decides)
CATEGORIES = [
    ("utilities", ("Коммуналдық қызметтер: жылу, су, жарық", "Коммунальные услуги: тепло, вода, свет",
                   "Utilities: heating, water, electricity"), 0),
    ("roads", ("Жолдар және қоғамдық көлік", "Дороги и общественный транспорт", "Roads and public transport"), 1),
    ("education", ("Білім беру, мектептер мен балабақшалар", "Образование, школы и детские сады",
                   "Education, schools and kindergartens"), 2),
    ("health", ("Денсаулық сақтау", "Здравоохранение", "Health care"), 3),
    ("ecology", ("Экология және көркейту", "Экология и благоустройство", "Environment and public spaces"), 4),
    ("social", ("Әлеуметтік көмек және жұмыспен қамту", "Социальная помощь и занятость", "Social support and jobs"), 5),
    ("land", ("Жер және құрылыс", "Земля и строительство", "Land and construction"), 6),
    ("other", ("Басқа сұрақ", "Другой вопрос", "Other question"), None),
]

LETTERS = [
    ("utilities", "ru", LetterKind.COMPLAINT, "Нет отопления в доме",
     "Третью неделю в квартирах нашего подъезда батареи холодные. Обращались в КСК, ответа нет. "
     "Просим принять меры до наступления морозов.", "КСК «Жилстрой-Сервис»", "Восстановить отопление и сделать перерасчёт."),
    ("roads", "kk", LetterKind.APPLICATION, "Аялдамадағы жол шұңқыры",
     "Аялдама жанындағы жолда үлкен шұңқыр пайда болды, көліктер мен жаяу жүргіншілерге қауіпті. "
     "Жөндеу жұмыстарын жүргізуді сұраймын.", None, None),
    ("education", "ru", LetterKind.REQUEST, "Очередь в детский сад",
     "Прошу сообщить, каким номером в очереди в детский сад стоит мой сын и когда ожидается место "
     "в саду нашего микрорайона.", None, None),
    ("ecology", "en", LetterKind.PROPOSAL, "Trees along the new boulevard",
     "I propose planting shade trees along the new boulevard near our school: in summer the walk "
     "is very hot for children. Residents are ready to help water them.", None, None),
    ("health", "kk", LetterKind.COMPLAINT, "Емханаға жазылу мүмкін емес",
     "Екі аптадан бері учаскелік дәрігерге жазыла алмаймын: телефон жауап бермейді, "
     "онлайн жазылу жұмыс істемейді.", "№ 5 қалалық емхана", "Дәрігерге жазылуды қамтамасыз етуді сұраймын."),
    ("social", "ru", LetterKind.APPLICATION, "Материальная помощь многодетной семье",
     "Я мать четверых детей, муж потерял работу. Прошу рассмотреть возможность оказания "
     "единовременной материальной помощи.", None, None),
    ("land", "ru", LetterKind.RESPONSE, "Отзыв на проект детальной планировки",
     "По проекту детальной планировки нашего района: просим сохранить сквер у дома 12 и не "
     "размещать там парковку.", None, None),
    ("utilities", "en", LetterKind.APPLICATION, "Street lights off in our yard",
     "The street lights in the yard of our building have not worked for a month. "
     "It is dark and unsafe in the evening. Please repair them.", None, None),
    ("other", "kk", LetterKind.PROPOSAL, "Ауладағы балалар алаңы",
     "Ауламызда балалар алаңы жоқ. Бос жерге балалар алаңын салуды ұсынамыз, тұрғындар қолдайды.", None, None),
]

PEOPLE = [
    ("Ахметов", "Ерлан", "Серикович"), ("Жұмабаева", "Айгерім", None), ("Ким", "Елена", "Викторовна"),
    ("Смагулов", "Нурлан", "Маратович"), ("Иванова", "Ольга", "Петровна"), ("Сейтқали", "Дәурен", None),
    ("Омарова", "Гүлнар", "Бекболатқызы"), ("Нұрланұлы", "Асхат", None),
]

ANSWERS = {
    "ru": "Ваше обращение рассмотрено. Работы выполнены подрядной организацией, результат проверен на месте.",
    "kk": "Өтінішіңіз қаралды. Жұмыстар мердігер ұйыммен орындалды, нәтижесі орнында тексерілді.",
    "en": "Your letter has been considered. The contractor has done the work and we checked it on site.",
}


def _demo_iin(rng: random.Random) -> str:
    while True:
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(16000))
        first = f"{born:%y%m%d}{rng.choice('3456')}{rng.randrange(10000):04d}"
        digit = iin_check_digit(first)
        if digit is not None:
            return first + str(digit)


def _create_akimat(spec) -> Akimat:
    kk, ru, en = spec["names"]
    akimat = Akimat(slug=spec["slug"], number_prefix=spec["prefix"], name_kk=kk, name_ru=ru, name_en=en,
                    default_language="ru", timezone="Asia/Almaty")
    db.session.add(akimat)
    departments = [Department(akimat=akimat, name_kk=k, name_ru=r, name_en=e) for k, r, e in spec["departments"]]
    db.session.add_all(departments)
    for code, (k, r, e), dep in CATEGORIES:
        db.session.add(Category(akimat=akimat, code=code, name_kk=k, name_ru=r, name_en=e,
                                default_department=departments[dep] if dep is not None else None))
    return akimat


STAFF_NAMES = {
    "astana": {Role.REGISTRAR: "Айгерім Сапарова", Role.EXECUTOR: "Бекзат Тұрсынов", Role.CONTROLLER: "Марина Ли",
               Role.AKIM: "Қайрат Әбенов", Role.ADMIN: "Тимур Жақсылықов"},
    "almaty": {Role.REGISTRAR: "Дана Нұрпейісова", Role.EXECUTOR: "Руслан Оспанов", Role.CONTROLLER: "Ирина Пак",
               Role.AKIM: "Ерболат Мұқанов", Role.ADMIN: "Арман Садықов"},
}


def create_staff(akimat: Akimat, password: str = DEMO_PASSWORD) -> dict[Role, User]:
    staff = {}
    first_department = akimat.departments[0]
    for role in Role:
        user = User(email=f"{role.value}@{akimat.slug}.demo.kz", full_name=STAFF_NAMES[akimat.slug][role])
        user.set_password(password)
        db.session.add(user)
        db.session.add(Membership(user=user, akimat=akimat, role=role,
                                  department=first_department if role is Role.EXECUTOR else None))
        staff[role] = user
    return staff


def load_demo(letters_per_akimat: int = 30, seed: int = 2026, now: datetime | None = None) -> None:
    rng = random.Random(seed)
    now = now or datetime.now(timezone.utc)
    for spec in AKIMATS:
        akimat = _create_akimat(spec)
        staff = create_staff(akimat)
        db.session.commit()
        categories = {c.code: c for c in akimat.categories}
        for i in range(letters_per_akimat):
            _demo_letter(akimat, staff, categories, i, rng, now)


def _demo_letter(akimat, staff, categories, i, rng, now):
    code, language, kind, subject, body, disputed, request = LETTERS[i % len(LETTERS)]
    surname, given_name, patronymic = PEOPLE[i % len(PEOPLE)]
    stage = i % 4  # 0 registered, 1 with a department, 2 answered, 3 answered and rated
    days_ago = rng.randrange(8, 40) if stage >= 2 else rng.randrange(1, 40)  # answers are in the past
    received = datetime.combine(now.date() - timedelta(days=days_ago), time(4 + rng.randrange(8)),
                                tzinfo=timezone.utc)
    letter, _code = lifecycle.submit(akimat, lifecycle.Submission(
        kind=kind, category=categories[code], language=language, subject=subject, body=body,
        surname=surname, given_name=given_name, patronymic=patronymic,
        iin=_demo_iin(rng) if i % 5 else None, address=f"{akimat.name_ru}, ул. Демонстрационная, {i + 1}",
        email=f"resident{i + 1}@example.kz" if i % 3 else None, phone="+77012345678" if i % 3 != 1 else None,
        disputed_party=disputed, complaint_request=request, submission_token=f"demo-{akimat.slug}-{i}",
    ), now=received)
    if stage == 0:
        if i % 12 == 4:  # now and then a letter outside the akimat's competence
            lifecycle.forward(letter, "Министерство труда и социальной защиты населения РК",
                              "Вопрос пенсионных выплат вне компетенции акимата", staff[Role.REGISTRAR],
                              now=received + timedelta(hours=20))
        return
    # The demo executor works in the first department: route there so they have work to do.
    department = akimat.departments[0] if i % 2 else (letter.category.default_department or akimat.departments[0])
    if stage >= 2:
        department = akimat.departments[0]
    lifecycle.assign(letter, department, staff[Role.REGISTRAR], now=received + timedelta(hours=3))
    if stage == 1:
        executor, akim = staff[Role.EXECUTOR], staff[Role.AKIM]
        if letter.department_id == akimat.departments[0].id and i % 8 == 1:
            lifecycle.request_extension(letter, lifecycle.calendar_for(akimat.id).add_working_days(letter.deadline, 10),
                                        "Требуется обследование сетей подрядной организацией", executor,
                                        now=min(received + timedelta(days=7), now))
        elif i % 8 == 5:
            lifecycle.instruct(letter, "Взять на личный контроль, доложить о результатах", akim,
                               now=received + timedelta(days=1))
        return
    lifecycle.send_answer(letter, staff[Role.EXECUTOR], Decision.SATISFIED if i % 3 else Decision.EXPLAINED,
                          ANSWERS[language], now=received + timedelta(days=5))
    if stage == 3:
        lifecycle.rate(letter, 5 - (i % 3), "", now=received + timedelta(days=6))
