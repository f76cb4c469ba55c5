"""One letter's rows from the plan of its life: the letter, its journal, answers, requests for
more time and the personal-data log."""

from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import replace
from datetime import timedelta

from ...domain import events, quality
from ...domain.access_codes import ACCESS_CODE_ALPHABET, ACCESS_CODE_LENGTH, hash_access_code
from ...domain.events import EventKind, Replayed
from ...domain.journal import GENESIS, content_hash
from ...domain.record.content import Source, access_content, event_content
from ...models import AnswerStatus, ExtensionStatus
from .. import content
from .plan import P_ANONYMOUS, Step, plan_anonymous, plan_letter
from .record import Sealer, access_view, answer_view, at, event_view, letter_view
from .tenant import DAY, EPOCH, HOUR, Clock, Tenant
from .writer import ACCESS_COLUMNS, ANSWER_COLUMNS, EVENT_COLUMNS, EXTENSION_COLUMNS, LETTER_COLUMNS, Ids, Writer

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


def demo_access_code(number: str, seed: int = 2026) -> str:
    """The access code of a bulk demo letter: derived from its number and the seed, so that a
    benchmark can track any letter. Only for demo databases: real codes are random."""
    digest = hmac.new(f"akimat-demo-{seed}".encode(), number.encode(), hashlib.sha256).digest()
    raw = "".join(ACCESS_CODE_ALPHABET[b % len(ACCESS_CODE_ALPHABET)] for b in digest[:ACCESS_CODE_LENGTH])
    return "-".join(raw[i : i + 4] for i in range(0, ACCESS_CODE_LENGTH, 4))


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
    sealer: Sealer | None = None,
) -> str:
    """Plans one letter's life, cuts it at now, and adds its rows (sealed in the record by
    `sealer`, if given). Returns its status.

    Each event's payload is its builder's (domain/events.py), and the letter row's status,
    department, deadline, rating and transfer count are the builders applied in order, as the
    journal's replay reads them; the other rows follow the kind of each event."""
    template = content.LETTERS[rng.randrange(len(content.LETTERS))]
    code, language, kind, subject, body, disputed_party, complaint_request = template
    surname, given_name, patronymic = content.PEOPLE[rng.randrange(len(content.PEOPLE))]
    category_id, default_department = tenant.categories[code]
    received_on = clk.day(received_us)
    number = f"{tenant.prefix}-{year}-{seq:06d}"
    original_deadline = clk.deadline(kind, received_on)
    forward_by = clk.forward_by(received_on)
    letter_id = ids.take("letter")
    contact = rng.random()
    email = f"resident{rng.randrange(1, 10**6)}@example.kz" if contact < 0.7 else None
    phone = f"+7701{rng.randrange(10**7):07d}" if contact > 0.5 or email is None else None
    iin = content._demo_iin(rng) if rng.random() < 0.8 else None
    plan = plan_letter(
        tenant,
        clk,
        rng,
        received_us,
        kind,
        language,
        original_deadline,
        forward_by,
        default_department,
        now_us,
        number=number,
        subject=subject,
    )
    # Now and then the letter is anonymous instead. It draws from a generator of its own, so that
    # every other letter of a seed stays the letter it was before anonymous letters were written.
    own = random.Random(f"anonymous-{seed}-{number}")
    is_anonymous = own.random() < P_ANONYMOUS
    if is_anonymous:  # no name, no address, no IIN, no phone; an email to follow it, now and then
        code, language, kind, subject, body, reports_crime = own.choice(content.ANONYMOUS_LETTERS)
        category_id, _default = tenant.categories[code]
        disputed_party = complaint_request = iin = phone = patronymic = None
        surname = given_name = ""
        original_deadline = clk.deadline(kind, received_on)
        plan, forward_by = plan_anonymous(
            tenant,
            clk,
            own,
            received_us,
            kind,
            original_deadline,
            forward_by,
            reports_crime,
            now_us,
            number=number,
            subject=subject,
        )
    state = Replayed()
    rating_comment = reminded = hearing_on = hearing_until = forwarded_to = answered_at = None
    answers: list[list] = []  # mutable rows, in ANSWER_COLUMNS order; the last is the answer in play
    pending = None  # the request for more time the akim has not decided yet
    prev_hash = GENESIS
    journal = []
    sealed_events = []  # (event row, time, payload) for the record
    sent_answers = {}  # answer id -> the answer as it was sent, for the record
    opened_by: list[tuple[int, str, int]] = []
    for seq_no, step in enumerate((s for s in plan if s.us <= now_us), start=1):
        event, kind_ = step.event, step.kind
        if kind_ is EventKind.DRAFT_SUBMITTED:
            answers.append(_draft_row(w, ids.take("answer"), letter_id, step, state.department_id, language))
            opened_by.append((step.us - HOUR, "executor", step.actor_id))
        if hasattr(event, "answer_id"):
            event = replace(event, answer_id=answers[-1][0])
        event.apply(state)
        if kind_ in (EventKind.ASSIGNED, EventKind.FORWARDED):
            opened_by.append((step.us - 5 * 60_000_000, "registrar", tenant.registrar))
        if kind_ in RESETS_REMINDED:
            reminded = None
        if kind_ is EventKind.FORWARDED:
            forwarded_to = event.to
        elif kind_ is EventKind.EXTENSION_REQUESTED:
            pending = (ids.take("extension_request"), step)
        elif kind_ in (EventKind.EXTENDED, EventKind.EXTENSION_REFUSED):
            status = ExtensionStatus.APPROVED if kind_ is EventKind.EXTENDED else ExtensionStatus.REJECTED
            w.add("extension_request", EXTENSION_COLUMNS, _extension_row(w, letter_id, pending, status, step))
            pending = None
        elif kind_ is EventKind.HEARING_NOTICE:
            hearing_on, hearing_until = clk.day(step.us), event.until
        elif kind_ is EventKind.RETURNED:
            answer = answers[-1]
            answer[4], answer[7], answer[8] = AnswerStatus.RETURNED.value, event.comment, step.actor_id
        elif kind_ is EventKind.ANSWER_SENT:
            answers[-1][4], answers[-1][8], answers[-1][18] = AnswerStatus.SENT.value, step.actor_id, w.ts(step.us)
            answered_at, rating_comment = step.us, None
            sent_answers[answers[-1][0]] = answer_view(answers[-1], step.us)
        elif kind_ is EventKind.RATED:
            rating_comment = event.comment
            answers[-1][9], answers[-1][10] = event.rating, event.comment
        elif kind_ is EventKind.DISPUTED:
            answers[-1][11] = w.flag(True)
        elif kind_ in REMINDED:
            reminded = REMINDED[kind_]
        payload = event.to_payload()
        digest = content_hash(
            letter_id=letter_id,
            seq=seq_no,
            kind=kind_.value,
            actor_id=step.actor_id,
            actor_role=step.role,
            created_at=EPOCH + timedelta(microseconds=step.us),
            payload=payload,
            prev_hash=prev_hash,
        )
        row = (ids.take("event"), tenant.id, letter_id, seq_no, kind_.value, step.actor_id, step.role)
        journal.append((*row, w.ts(step.us), w.json(payload), prev_hash, digest))
        sealed_events.append((journal[-1], step.us, payload))
        prev_hash = digest
    if pending is not None:  # the akim has not decided yet
        w.add("extension_request", EXTENSION_COLUMNS, _extension_row(w, letter_id, pending, ExtensionStatus.PENDING))

    # Drawn for every letter, anonymous or not, so that the draws of the letters after it stay the same.
    address = f"{tenant.name_ru}, {STREETS[rng.randrange(len(STREETS))]}, {rng.randrange(1, 200)}"
    code_hash = hash_access_code(number, demo_access_code(number, seed))
    is_complaint = kind.value == "complaint"
    assert state.status is not None and state.deadline is not None  # every letter is registered
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
            "" if is_anonymous else address,
            email,
            phone,
            state.status.value,
            state.department_id,
            w.ts(received_us),
            w.day(state.deadline),
            w.day(original_deadline),
            w.day(forward_by),
            state.transfer_count,
            prev_hash,
            reminded,
            w.day(hearing_on),
            w.day(hearing_until),
            forwarded_to,
            None,
            None,
            None,
            w.ts(answered_at),
            state.rating,
            rating_comment,
            w.flag(is_anonymous),
        ),
    )
    for answer in answers:
        w.add("answer", ANSWER_COLUMNS, tuple(answer))
    for event_row in journal:
        w.add("event", EVENT_COLUMNS, event_row)
    accesses = []
    if received_us > now_us - ACCESS_LOG_DAYS * DAY:
        path = f"/{tenant.slug}/office/letters/{number}"
        for us, role, user_id in opened_by:
            access = (ids.take("personal_data_access"), tenant.id, letter_id, user_id, role, w.ts(us), path)
            w.add("personal_data_access", ACCESS_COLUMNS, access)
            accesses.append((access, us))
    if sealer is not None:
        letter = letter_view(
            {
                "akimat_id": tenant.id,
                "number": number,
                "year": year,
                "seq": seq,
                "kind": kind,
                "language": language,
                "subject": subject,
                "body": body,
                "disputed_party": disputed_party if is_complaint else None,
                "complaint_request": complaint_request if is_complaint else None,
                "surname": surname,
                "given_name": given_name,
                "patronymic": patronymic,
                "iin": iin,
                "address": "" if is_anonymous else address,
                "email": email,
                "phone": phone,
                "received_at": at(received_us),
                "original_deadline": original_deadline,
                "anonymous": is_anonymous,
            }
        )
        for event_row, us, payload in sealed_events:
            view = event_view(event_row, us, payload)
            sent = sent_answers.get(payload.get("answer_id")) if view.kind == EventKind.ANSWER_SENT else None
            body_ = event_content(view, letter, sent)
            sealer.seal(w, ids, Source.EVENT, view.id, tenant.id, letter_id, number, body_, us)
        for access, us in accesses:
            body_ = access_content(access_view(access, us), number)
            sealer.seal(w, ids, Source.ACCESS, access[0], tenant.id, letter_id, number, body_, us)
    return state.status.value


# What the lifecycle does to letter.reminded: the daily job marks it, routing and a longer term clear it.
REMINDED = {builder.KIND: mark for mark, builder in events.REMINDERS.items()}
RESETS_REMINDED = frozenset({EventKind.ASSIGNED, EventKind.TRANSFERRED, EventKind.EXTENDED})


def _draft_row(w: Writer, answer_id: int, letter_id: int, step: Step, department_id, language: str) -> list:
    """The answer's row as lifecycle.submit_draft writes it (ANSWER_COLUMNS order)."""
    assert step.draft is not None and isinstance(step.event, events.DraftSubmitted)
    text_, grounds = step.draft.body, step.draft.grounds
    return [
        answer_id,
        letter_id,
        step.actor_id,
        department_id,
        AnswerStatus.SUBMITTED.value,
        language,
        quality.fingerprint(text_),
        None,
        None,
        None,
        None,
        w.flag(False),
        step.event.decision,
        text_,
        grounds.get("reasons"),
        grounds.get("legal_basis"),
        grounds.get("appeal_procedure"),
        w.ts(step.us),
        None,
    ]


def _extension_row(w: Writer, letter_id: int, pending, status: ExtensionStatus, decided: Step | None = None) -> tuple:
    """The request for more time (EXTENSION_COLUMNS order), decided by the akim's step or still pending."""
    request_id, asked = pending
    return (
        request_id,
        letter_id,
        asked.actor_id,
        w.day(asked.event.deadline),
        asked.event.reason,
        status.value,
        w.ts(asked.us),
        decided.actor_id if decided else None,
        decided.event.reason if decided else None,
        w.ts(decided.us) if decided else None,
    )
