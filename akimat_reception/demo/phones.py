"""The demo's contact directory: each akimat's phone lines, some verified, some stale, some failing."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import Akimat, PhoneLine, Role

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
    from ..domain import phones
    from ..domain.identity import normalize_phone
    from ..models import CheckResult, LineDays

    caller = staff[Role.REGISTRAR]

    def office_hours(days_ago, hour=5, minute=30):  # 10:30 in Astana and Almaty: staff call in the morning
        return datetime.combine(now.date() - timedelta(days=days_ago), time(hour, minute), tzinfo=UTC)

    for index, number, (kk, ru, en), languages, days, opens, closes, story in PHONES.get(akimat.slug, []):
        # The lines came in with the structure import; the bulk demo, which does not import, adds them.
        line = db.session.scalar(
            select(PhoneLine).where(PhoneLine.akimat_id == akimat.id, PhoneLine.e164 == normalize_phone(number))
        )
        if line is not None:
            line.created_at = now - timedelta(days=60)
        else:
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
