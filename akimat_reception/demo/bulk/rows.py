"""One letter's rows from the plan of its life: the letter, its journal, answers, requests for
more time and the personal-data log."""

from __future__ import annotations

import hashlib
import hmac
import random
from datetime import timedelta

from ...domain import quality
from ...domain.access_codes import ACCESS_CODE_ALPHABET, ACCESS_CODE_LENGTH, hash_access_code
from ...domain.journal import GENESIS, content_hash
from ...models import AnswerStatus, ExtensionStatus, LetterStatus
from .. import content
from .plan import plan_letter
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
) -> str:
    """Plans one letter's life, cuts it at now, and adds its rows. Returns its status."""
    template = content.LETTERS[rng.randrange(len(content.LETTERS))]
    code, language, kind, subject, body, disputed_party, complaint_request = template
    category_id, default_department = tenant.categories[code]
    surname, given_name, patronymic = content.PEOPLE[rng.randrange(len(content.PEOPLE))]
    received_on = clk.day(received_us)
    number = f"{tenant.prefix}-{year}-{seq:06d}"
    deadline = original_deadline = clk.deadline(kind, received_on)
    forward_by = clk.forward_by(received_on)
    letter_id = ids.take("letter")
    contact = rng.random()
    email = f"resident{rng.randrange(1, 10**6)}@example.kz" if contact < 0.7 else None
    phone = f"+7701{rng.randrange(10**7):07d}" if contact > 0.5 or email is None else None
    iin = content._demo_iin(rng) if rng.random() < 0.8 else None

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
            text_ = content.PROMISE[language] if d.get("promise") else f"{number}. {content.ANSWERS[language]}"
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
