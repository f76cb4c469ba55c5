"""The demo's texts: the akimats and their departments, the topics, the residents' letters and the
answers, in Kazakh, Russian and English."""

import random
from datetime import date, timedelta

from ..domain.identity import iin_check_digit
from ..models import LetterKind

AKIMATS = [
    {
        "slug": "astana",
        "prefix": "AST",
        "names": ("Астана қаласының әкімдігі", "Акимат города Астаны", "Akimat of Astana"),
        "aliases": [
            "Нур-Султан",
            "Нұр-Сұлтан",
            "Nur-Sultan",
            "Ақмола",
            "Акмола",
            "Akmola",
            "Целиноград",
            "Tselinograd",
        ],
        "department_codes": ["HOUSING", "TRANSPORT", "EDUCATION", "HEALTH", "ECOLOGY", "EMPLOYMENT", "ARCHITECTURE"],
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
        "aliases": ["Алма-Ата", "Alma-Ata", "Верный"],
        "department_codes": ["ENERGY", "MOBILITY", "EDUCATION", "HEALTH", "ECOLOGY", "EMPLOYMENT", "PLANNING"],
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

# The hierarchy beyond the two cities of republican significance: a region and a city of regional
# significance under it, each with a small structure of its own and no letters.
REGIONAL_AKIMATS = [
    {
        "slug": "east-kazakhstan",
        "prefix": "VKO",
        "kind": "region",
        "parent": None,
        "names": (
            "Шығыс Қазақстан облысының әкімдігі",
            "Акимат Восточно-Казахстанской области",
            "Akimat of East Kazakhstan Region",
        ),
        "aliases": ["Шығыс Қазақстан облысы", "Восточно-Казахстанская область", "East Kazakhstan Region", "ВКО"],
        "departments": [
            (
                "AGRICULTURE",
                "Ауыл шаруашылығы басқармасы",
                "Управление сельского хозяйства",
                "Department of Agriculture",
            ),
            (
                "ROADS",
                "Жолаушылар көлігі және автомобиль жолдары басқармасы",
                "Управление пассажирского транспорта и автомобильных дорог",
                "Department of Passenger Transport and Roads",
            ),
            ("HEALTH", "Денсаулық сақтау басқармасы", "Управление здравоохранения", "Department of Health"),
        ],
        "categories": [("agriculture", "AGRICULTURE"), ("roads", "ROADS"), ("health", "HEALTH"), ("other", None)],
        "staff": [("admin", "Нұрлан Бейсенов"), ("registrar", "Әлия Тоқтарова"), ("akim", "Серік Әлімбеков")],
    },
    {
        "slug": "oskemen",
        "prefix": "UKG",
        "kind": "regional_city",
        "parent": "east-kazakhstan",
        "names": ("Өскемен қаласының әкімдігі", "Акимат города Усть-Каменогорска", "Akimat of Ust-Kamenogorsk"),
        "aliases": ["Өскемен", "Усть-Каменогорск", "Ust-Kamenogorsk", "Öskemen", "Oskemen", "Уст-Каменогорск"],
        "departments": [
            (
                "HOUSING",
                "Тұрғын үй-коммуналдық шаруашылығы бөлімі",
                "Отдел жилищно-коммунального хозяйства",
                "Housing and Utilities Office",
            ),
            ("EDUCATION", "Білім бөлімі", "Отдел образования", "Education Office"),
            (
                "ECOLOGY",
                "Экология және көркейту бөлімі",
                "Отдел экологии и благоустройства",
                "Ecology and Public Spaces Office",
            ),
        ],
        "categories": [("utilities", "HOUSING"), ("education", "EDUCATION"), ("ecology", "ECOLOGY"), ("other", None)],
        "staff": [("admin", "Ғалым Жұмабеков"), ("registrar", "Ирина Шевченко")],
    },
]

AGRICULTURE = ("Ауыл шаруашылығы және жер", "Сельское хозяйство и земля", "Agriculture and land")

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

# Anonymous letters (domain/anonymous.py): no name, no address. The last field: does it report a
# crime or a threat to public safety (then it is forwarded the same day), or not (not considered)?
ANONYMOUS_LETTERS = [
    (
        "other",
        "ru",
        LetterKind.MESSAGE,
        "Продажа наркотиков во дворе",
        "Каждый вечер у гаражей за домом 14 молодые люди продают что-то похожее на наркотики. Боюсь называть себя.",
        True,
    ),
    (
        "roads",
        "kk",
        LetterKind.MESSAGE,
        "Көпірдің тірегі құлауға жақын",
        "Өзен үстіндегі жаяу жүргіншілер көпірінің тірегі жарылып кетті, адамдар әлі де жүріп жатыр. "
        "Апат болуы мүмкін.",
        True,
    ),
    (
        "utilities",
        "ru",
        LetterKind.COMPLAINT,
        "Плохо убирают подъезд",
        "В нашем подъезде давно не моют полы, управляющая компания не реагирует.",
        False,
    ),
    (
        "ecology",
        "kk",
        LetterKind.PROPOSAL,
        "Саябаққа орындықтар қою",
        "Орталық саябақта отыратын орын аз, қосымша орындықтар қоюды ұсынамын.",
        False,
    ),
    (
        "other",
        "ru",
        LetterKind.MESSAGE,
        "Шум от кафе по ночам",
        "Кафе на первом этаже нашего дома включает громкую музыку до трёх часов ночи.",
        False,
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
