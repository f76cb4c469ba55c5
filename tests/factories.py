"""Letters made through the lifecycle, as the site would make them."""

import itertools
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from akimat_reception.domain import lifecycle
from akimat_reception.extensions import db
from akimat_reception.models import Akimat, Category, Department, LetterKind, Role, User

VALID_IIN = "900101300017"  # checksum-valid, made up


def akimat(slug="astana") -> Akimat:
    return db.session.scalar(select(Akimat).where(Akimat.slug == slug))


def staff(role: Role | str, slug="astana") -> User:
    role = Role(role)
    return db.session.scalar(select(User).where(User.email == f"{role.value}@{slug}.demo.kz"))


def letter(
    slug="astana",
    *,
    category="utilities",
    kind=LetterKind.APPLICATION,
    language="ru",
    subject=None,
    received_at: datetime | None = None,
    **fields,
):
    tenant = akimat(slug)
    cat = db.session.scalar(select(Category).where(Category.akimat_id == tenant.id, Category.code == category))
    data = dict(
        kind=kind,
        category=cat,
        language=language,
        subject=subject or f"Test letter {uuid.uuid4().hex[:6]}",
        body="Радиаторы холодные третью неделю, просим принять меры.",
        surname="Ахметов",
        given_name="Ерлан",
        address="Астана, ул. Тестовая, 1",
        email="resident@example.kz",
        submission_token=uuid.uuid4().hex,
    )
    data.update(fields)
    return lifecycle.submit(tenant, lifecycle.Submission(**data), now=received_at or datetime.now(UTC))


def routed_letter(slug="astana", **kwargs):
    """A letter with the demo executor's department (the akimat's first)."""
    created, code = letter(slug, **kwargs)
    lifecycle.assign(created, akimat(slug).departments[0], staff(Role.REGISTRAR, slug))
    return created, code


ANSWER_TEXT = {
    "ru": "Ваше обращение рассмотрено. Работы выполнены подрядной организацией, результат проверен на месте "
    "специалистом управления. Если проблема повторится, сообщите нам.",
    "kk": "Өтінішіңіз қаралды. Жұмыстар мердігер ұйыммен орындалды, нәтижесін басқарма маманы орнында "
    "тексерді. Мәселе қайталанса, бізге хабарлаңыз.",
    "en": "Your letter has been considered. The contractor has done the work, and a specialist of the "
    "department checked the result on site. Tell us if the problem returns.",
}


def answer(letter, decision=None, body=None, now=None, **grounds):
    """The executor's draft, approved by control: the way every answer reaches a resident."""
    from akimat_reception.models import Decision

    lifecycle.submit_draft(
        letter,
        staff(Role.EXECUTOR, letter.akimat.slug),
        decision or Decision.SATISFIED,
        body or f"{letter.number}. {ANSWER_TEXT[letter.language]}",
        now=now,
        **grounds,
    )
    return lifecycle.approve_draft(letter, staff(Role.CONTROLLER, letter.akimat.slug), now=now)


def answered_letter(slug="astana", **kwargs):
    created, code = routed_letter(slug, **kwargs)
    answer(created)
    return created, code


def department(slug="astana", name="Test department") -> Department:
    """A department of its own, so that a test sees only the phone lines it made."""
    tag = uuid.uuid4().hex[:6]
    created = Department(
        akimat_id=akimat(slug).id, name_kk=f"{name} {tag} kk", name_ru=f"{name} {tag} ru", name_en=f"{name} {tag}"
    )
    db.session.add(created)
    db.session.commit()
    return created


_PHONE_SEQUENCE = itertools.count(900000)


def phone_number() -> str:
    """A valid Astana city number no other line of the test session has."""
    return f"+77172{next(_PHONE_SEQUENCE)}"


def phone_line(
    slug="astana",
    *,
    dept=None,
    number=None,
    purpose="Heating and hot water",
    languages=("kk", "ru"),
    days="daily",
    opens=None,
    closes=None,
    created_at=None,
):
    """A line in service, through the domain's verb (stale until someone calls it)."""
    from akimat_reception.domain import phones
    from akimat_reception.models import LineDays

    return phones.add_line(
        akimat(slug),
        phones.LineData(
            department=dept or department(slug),
            e164=number or phone_number(),
            purpose_kk=f"{purpose} (kk)",
            purpose_ru=f"{purpose} (ru)",
            purpose_en=purpose,
            languages=list(languages),
            days=LineDays(days),
            opens_at=opens,
            closes_at=closes,
        ),
        actor=None,
        now=created_at,
    )


def number_prefix() -> str:
    """A fresh prefix of registration numbers: 2 to 8 uppercase latin letters, as the platform's
    rule asks (domain/administration/akimats.py); 26^7 of them, so tests never collide."""
    import random
    import string

    return "".join(random.choice(string.ascii_uppercase) for _ in range(7))


def tracked_entry(letter_id: int, generation: int = 0) -> dict:
    """What the session holds once a browser opened letter `letter_id` (web/public/tracked.py)."""
    import time

    return {str(letter_id): [generation, int(time.time())]}


def anonymous_letter(slug="astana", **kwargs):
    """A letter without name and address, as the form registers one (domain/anonymous.py)."""
    fields = dict(anonymous=True, surname="", given_name="", address="", email=None, kind=LetterKind.MESSAGE)
    fields.update(kwargs)
    return letter(slug, **fields)
