"""One answer to "what may this user do with this letter now?": for every sub-state where the rules
differ and every role, the page offers an action ⇔ `lifecycle.allowed_actions` lists it ⇔ the verb
succeeds on a fresh copy of the letter. The resident's tracking page is held to the same rule."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from akimat_reception.domain import lifecycle
from akimat_reception.domain.calendar import calendar_for
from akimat_reception.domain.lifecycle import LetterAction as A
from akimat_reception.extensions import db
from akimat_reception.models import Akimat, Decision, Letter, Role, User
from tests import factories
from tests.conftest import login, post_form

NOW = datetime.now(UTC)
AGO = NOW - timedelta(days=12)  # far enough back for the hearing's 3 working days to have passed


def _routed(**kwargs):
    return factories.routed_letter(**kwargs)


def _draft(letter, decision=Decision.EXPLAINED, now=None, **grounds):
    lifecycle.submit_draft(
        letter,
        factories.staff(Role.EXECUTOR),
        decision,
        f"{letter.number}. {factories.ANSWER_TEXT['ru']}",
        now=now,
        **grounds,
    )


def _ask_more_time(letter):
    new_deadline = calendar_for(letter.akimat_id).add_working_days(letter.deadline, 5)
    lifecycle.request_extension(letter, new_deadline, "Нужна экспертиза", factories.staff(Role.EXECUTOR))


def registered():
    return factories.letter()


def assigned():
    return _routed()


def assigned_overdue():
    letter, code = factories.letter(received_at=NOW - timedelta(days=40))
    lifecycle.assign(letter, factories.akimat().departments[0], factories.staff(Role.REGISTRAR))
    return letter, code


def extension_pending():
    letter, code = _routed()
    _ask_more_time(letter)
    return letter, code


def in_control():
    letter, code = _routed()
    _draft(letter)
    return letter, code


def in_control_extension_pending():
    letter, code = _routed()
    _draft(letter)
    _ask_more_time(letter)
    return letter, code


def answered_while_extension_pending():
    letter, code = in_control_extension_pending()
    lifecycle.approve_draft(letter, factories.staff(Role.CONTROLLER))
    return letter, code


def hearing_window_open():
    letter, code = _routed()
    lifecycle.notify_preliminary_refusal(letter, "Нет правовых оснований", factories.staff(Role.EXECUTOR))
    return letter, code


def hearing_window_passed():
    letter, code = factories.letter(received_at=AGO)
    lifecycle.assign(letter, factories.akimat().departments[0], factories.staff(Role.REGISTRAR), now=AGO)
    lifecycle.notify_preliminary_refusal(letter, "Нет правовых оснований", factories.staff(Role.EXECUTOR), now=AGO)
    return letter, code


def refusal_in_control():
    letter, code = hearing_window_passed()
    grounds = {"reasons": "Нет оснований", "legal_basis": "ст. 76 АППК", "appeal_procedure": "В суд"}
    _draft(letter, Decision.REFUSED, **grounds)
    return letter, code


def draft_returned():
    letter, code = in_control()
    lifecycle.return_draft(letter, "Доработать: нет сроков", factories.staff(Role.CONTROLLER))
    return letter, code


def answered():
    return factories.answered_letter()


def answered_on_paper():
    """The resident gave only a postal address: the answer waits to be posted."""
    return factories.answered_letter(email=None, phone=None)


def answer_on_paper_posted():
    letter, code = factories.answered_letter(paper_answer=True)
    lifecycle.dispatch_answer(letter, letter.sent_answer, "post", factories.staff(Role.REGISTRAR))
    return letter, code


def disputed():
    letter, code = factories.answered_letter()
    lifecycle.dispute(letter, "Ничего не сделано")
    return letter, code


def disputed_after_upheld():
    letter, code = factories.answered_letter()
    lifecycle.rate(letter, 2, "Плохо")
    lifecycle.uphold_answer(letter, "Ответ верен: работы выполнены", factories.staff(Role.CONTROLLER))
    return letter, code


def transferred_out():
    letter, code = factories.letter()
    almaty = db.session.scalar(select(Akimat).where(Akimat.slug == "almaty"))
    lifecycle.transfer_to_akimat(letter, almaty, "Адрес в Алматы", factories.staff(Role.REGISTRAR))
    return letter, code


def forwarded():
    letter, code = factories.letter()
    lifecycle.forward(letter, "Министерство здравоохранения", "Вне компетенции", factories.staff(Role.REGISTRAR))
    return letter, code


def routed_elsewhere():
    """With the second department: the demo executor (first department) is of another department."""
    letter, code = factories.letter()
    lifecycle.assign(letter, factories.akimat().departments[1], factories.staff(Role.REGISTRAR))
    return letter, code


def anonymous_unassessed():
    return factories.anonymous_letter()


def anonymous_not_considered():
    letter, code = factories.anonymous_letter()
    lifecycle.assess_anonymous(letter, factories.staff(Role.REGISTRAR), False, "Сведений о преступлении нет")
    return letter, code


def anonymous_forwarded():
    letter, code = factories.anonymous_letter()
    lifecycle.assess_anonymous(letter, factories.staff(Role.REGISTRAR), True, "Сообщает о торговле наркотиками")
    return letter, code


def closed():
    letter, code = factories.letter(received_at=NOW - timedelta(days=60))
    lifecycle.assign(
        letter, factories.akimat().departments[0], factories.staff(Role.REGISTRAR), now=NOW - timedelta(days=59)
    )
    factories.answer(letter, now=NOW - timedelta(days=50))
    lifecycle.close_answered(letter.akimat, now=NOW)
    return letter, code


SCENARIOS = [
    registered,
    assigned,
    assigned_overdue,
    extension_pending,
    in_control,
    in_control_extension_pending,
    answered_while_extension_pending,
    hearing_window_open,
    hearing_window_passed,
    refusal_in_control,
    draft_returned,
    answered,
    answered_on_paper,
    answer_on_paper_posted,
    disputed,
    disputed_after_upheld,
    transferred_out,
    forwarded,
    routed_elsewhere,
    anonymous_unassessed,
    anonymous_not_considered,
    anonymous_forwarded,
    closed,
]
# executor2 is of the second department: "an executor of another department" for most letters.
STAFF = ["registrar", "executor", "executor2", "controller", "akim", "admin"]


def _attempt(action: A, letter: Letter, user) -> bool:
    """Calls the verb of `action` with valid input; True when it succeeded."""
    departments = letter.akimat.departments
    try:
        if action is A.ASSIGN:
            target = departments[1] if letter.department_id == departments[0].id else departments[0]
            lifecycle.assign(letter, target, user, reason="Другой профиль")
        elif action is A.FORWARD:
            lifecycle.forward(letter, "Министерство", "Вне компетенции", user)
        elif action is A.INSTRUCT:
            lifecycle.instruct(letter, "Рассмотреть срочно", user)
        elif action is A.ASSESS_ANONYMOUS:
            lifecycle.assess_anonymous(letter, user, True, "Сообщает об угрозе")
        elif action is A.ASSIGN_EXECUTOR:
            others = [u for u in lifecycle.executors_of(letter) if u.id != letter.executor_id]
            if not others:
                return False
            lifecycle.assign_executor(letter, others[0], user)
        elif action is A.REQUEST_EXTENSION:
            new_deadline = calendar_for(letter.akimat_id).add_working_days(letter.deadline, 1)
            lifecycle.request_extension(letter, new_deadline, "Нужна экспертиза", user)
        elif action in (A.GRANT_EXTENSION, A.REFUSE_EXTENSION):
            pending = lifecycle.pending_extension(letter)
            if pending is None:
                return False
            lifecycle.decide_extension(pending, action is A.GRANT_EXTENSION, "Обоснованно", user)
        elif action is A.NOTIFY_HEARING:
            lifecycle.notify_preliminary_refusal(letter, "Нет оснований", user)
        elif action is A.SUBMIT_DRAFT:
            lifecycle.submit_draft(letter, user, Decision.EXPLAINED, f"{letter.number}. {factories.ANSWER_TEXT['ru']}")
        elif action is A.APPROVE_DRAFT:
            lifecycle.approve_draft(letter, user)
        elif action is A.RETURN_DRAFT:
            lifecycle.return_draft(letter, "Доработать", user)
        elif action is A.UPHOLD_ANSWER:
            lifecycle.uphold_answer(letter, "Ответ верен", user)
        elif action is A.STATE_POSITION:
            lifecycle.state_position(letter, "Я не согласен с отказом")
        elif action is A.RATE:
            lifecycle.rate(letter, 4)
        elif action is A.DISPUTE:
            lifecycle.dispute(letter, "Ничего не сделано")
        elif action is A.DISPATCH_ANSWER:
            lifecycle.dispatch_answer(letter, letter.sent_answer, "handed", user)
        else:  # pragma: no cover - a new action needs its verb here
            raise AssertionError(action)
    except lifecycle.LifecycleError:
        db.session.rollback()
        return False
    return True


def _verbs_succeeding(scenario, actions, emails) -> dict:
    """Each verb tried, by each user, on a copy of the letter in the scenario's state. A refused
    verb changes nothing (it is rolled back), so the copy serves on; a success uses it up."""
    succeeded: dict = {email: set() for email in emails}
    letter_id = None
    for email in emails:
        for action in sorted(actions):
            if letter_id is None:
                letter_id = scenario()[0].id
            letter = db.session.get(Letter, letter_id)
            user = db.session.scalar(select(User).where(User.email == email)) if email else None
            if _attempt(action, letter, user):
                succeeded[email].add(action)
                letter_id = None
    return succeeded


OFFICE_FORMS = {
    "assign": {None: A.ASSIGN},
    "forward": {None: A.FORWARD},
    "instruction": {None: A.INSTRUCT},
    "anonymous": {None: A.ASSESS_ANONYMOUS},
    "executor": {None: A.ASSIGN_EXECUTOR},
    "extension": {None: A.REQUEST_EXTENSION},
    "extension/decision": {"approve": A.GRANT_EXTENSION, "refuse": A.REFUSE_EXTENSION},
    "hearing": {None: A.NOTIFY_HEARING},
    "answer": {None: A.SUBMIT_DRAFT},
    "control": {"approve": A.APPROVE_DRAFT, "return": A.RETURN_DRAFT, "uphold": A.UPHOLD_ANSWER},
    "answer/dispatch": {None: A.DISPATCH_ANSWER},
}
TRACKING_FORMS = {"position": {None: A.STATE_POSITION}, "rating": {None: A.RATE}, "dispute": {None: A.DISPUTE}}
FORM_RE = re.compile(r'<form method="post" action="[^"]*/letters?/[^"/]+/([a-z/]+)"[^>]*>(.*?)</form>', re.S)
RADIO_RE = re.compile(r'<input[^>]*type="radio"[^>]*>')
TRACK_FORM_RE = re.compile(r'<form method="post" action="[^"]*/track/[^"/]+/([a-z/]+)"[^>]*>(.*?)</form>', re.S)


def _offered(html: str, pattern, forms) -> set[A]:
    """The actions a page offers: its forms, and for a radio of verdicts each verdict offered."""
    offered = set()
    for path, body in pattern.findall(html):
        choices = forms[path]
        if None in choices:
            offered.add(choices[None])
        radios = {re.search(r'value="([^"]*)"', tag).group(1) for tag in RADIO_RE.findall(body)}
        offered |= {action for value, action in choices.items() if value in radios}
    return offered


@pytest.fixture(scope="module")
def signed_in(app):
    """A client signed in as each role, once per backend (signing in costs a password hash)."""
    clients = {}
    for role in STAFF:
        clients[role] = app.test_client()
        login(clients[role], role)
    return clients


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_page_domain_and_verb_agree_on_every_staff_action(app, signed_in, scenario):
    with app.app_context():
        letter, _code = scenario()
        number = letter.number
    emails = {role: f"{role}@astana.demo.kz" for role in STAFF}
    offered, listed = {}, {}
    for role, client in signed_in.items():
        response = client.get(f"/astana/office/letters/{number}")
        assert response.status_code in (200, 403, 404)
        offered[role] = _offered(response.get_data(as_text=True), FORM_RE, OFFICE_FORMS)
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        for role, email in emails.items():
            user = db.session.scalar(select(User).where(User.email == email))
            listed[role] = set(lifecycle.allowed_actions(user, letter, datetime.now(UTC)))
        by_email = _verbs_succeeding(scenario, lifecycle.allowed.STAFF_ACTIONS, list(emails.values()))
        db.session.remove()
    for role, email in emails.items():
        assert offered[role] == listed[role], (
            f"{role}: page offers {sorted(offered[role])}, domain {sorted(listed[role])}"
        )
        assert listed[role] == by_email[email], (
            f"{role}: domain {sorted(listed[role])}, verbs {sorted(by_email[email])}"
        )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_tracking_page_domain_and_verb_agree_on_the_residents_actions(app, scenario):
    with app.app_context():
        letter, code = scenario()
        number = letter.number
    client = app.test_client()
    tracked = post_form(client, "/astana/track", {"number": number, "code": code})
    assert tracked.status_code == 302
    html = client.get(f"/astana/track/{number}").get_data(as_text=True)
    # "Forget this letter" is this browser's, not an action on the letter: on every tracked letter.
    forget = re.compile(r'<form method="post" action="[^"]*/track/[^"/]+/forget">.*?</form>', re.S)
    assert len(forget.findall(html)) == 1
    offered = _offered(forget.sub("", html), TRACK_FORM_RE, TRACKING_FORMS)
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        listed = set(lifecycle.resident_actions(letter, datetime.now(UTC)))
        succeeded = _verbs_succeeding(scenario, lifecycle.allowed.RESIDENT_ACTIONS, [None])[None]
        db.session.remove()
    assert offered == listed
    assert listed == succeeded


@pytest.mark.parametrize("scenario", [assigned, hearing_window_open, hearing_window_passed], ids=lambda s: s.__name__)
def test_a_refusal_is_allowed_exactly_when_the_verb_accepts_it(app, scenario):
    grounds = {"reasons": "Нет оснований", "legal_basis": "ст. 76 АППК", "appeal_procedure": "В суд"}
    with app.app_context():
        letter, _code = scenario()
        allowed = Decision.REFUSED in lifecycle.allowed_decisions(letter, datetime.now(UTC))
        try:
            _draft(letter, Decision.REFUSED, **grounds)
            accepted = True
        except lifecycle.LifecycleError:
            accepted = False
        assert allowed == accepted == (scenario is hearing_window_passed)


def test_an_extension_may_be_asked_while_the_draft_is_in_control(app, login_as):
    with app.app_context():
        letter, _ = in_control()
        number = letter.number
    html = login_as("executor").get(f"/astana/office/letters/{number}").get_data(as_text=True)
    assert f'action="/astana/office/letters/{number}/extension"' in html
    with app.app_context():
        letter = db.session.scalar(select(Letter).where(Letter.number == number))
        _ask_more_time(letter)
        assert lifecycle.pending_extension(letter) is not None


def test_an_instruction_on_a_closed_letter_is_refused_by_the_verb(app):
    with app.app_context():
        letter, _ = closed()
        with pytest.raises(lifecycle.LifecycleError, match="no longer open|уже закрыто"):
            lifecycle.instruct(letter, "Рассмотреть", factories.staff(Role.AKIM))
