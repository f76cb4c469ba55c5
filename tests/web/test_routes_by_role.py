"""The permission matrix, walked: every staff route (office, akim, oversight, admin, paragraphs,
phone work) for every role of two akimats. Within its akimat a role gets exactly the status the
table below says; a role of the other akimat gets 404 everywhere, so that one akimat's letter
numbers cannot even be probed from another. The table is written by hand from the product rules,
not derived from domain/permissions.py, so a change of the rules must change both."""

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from akimat_reception.domain import lifecycle
from akimat_reception.domain.calendar import calendar_for
from akimat_reception.extensions import db
from akimat_reception.models import AnswerTemplate, CalendarOverride, Decision, Role
from tests import factories
from tests.conftest import csrf_token, login
from tests.web.admin_routes import ADMIN_ONLY_GET, ADMIN_ONLY_POST, AdminFixtures, admin_fixtures, admin_requests

ROLES = ["registrar", "executor", "controller", "akim", "admin"]
STAFF_BLUEPRINTS = {
    "office",
    "office_intake",
    "answer_templates",
    "office_phones",
    "akim",
    "oversight",
    "admin",
    "admin_phones",
    "admin_structure",
    "admin_structure_file",
    "admin_staff",
}


def _only(*roles, ok=200):
    return {role: (ok if role in roles else 403) for role in ROLES}


READERS = ("registrar", "executor", "controller", "akim")
PHONE_CHECKERS = ("registrar", "controller", "admin")

# endpoint -> status per role of the same akimat
EXPECTED = {
    "office.inbox": _only(*READERS),
    "office.letter": _only(*READERS),
    "office.attachment": _only(*READERS),
    "office.assign": _only("registrar", ok=302),
    "office.forward": _only("registrar", ok=302),
    "office.assign_executor": _only("registrar", ok=302),
    "office.answer": _only("executor", ok=302),
    "office.hearing": _only("executor", ok=302),
    "office.request_extension": _only("executor", ok=302),
    "office.decide_extension": _only("akim", ok=302),
    "office.instruct": _only("akim", ok=302),
    "office.control": _only("controller", ok=302),
    "office.assess_anonymous": _only("registrar", ok=302),
    # The answer on paper: printed, recorded as sent, and listed for those who send it.
    "office.print_answer": _only("registrar", "executor"),
    "office.dispatch_answer": _only("registrar", "executor", ok=302),
    "office.paper_answers": _only("registrar", "executor"),
    "office_intake.new": _only("registrar"),
    "office_intake.slip": _only("registrar"),
    "office_intake.new_code": _only("registrar", ok=302),
    "answer_templates.index": _only("executor"),
    "answer_templates.new": _only("executor"),
    "answer_templates.edit": _only("executor"),
    "office_phones.queue": _only(*PHONE_CHECKERS),
    "office_phones.line": _only(*PHONE_CHECKERS),
    "office_phones.record_check": _only(*PHONE_CHECKERS, ok=302),
    "akim.dashboard": _only("akim"),
    "akim.subordinates": _only("akim"),
    "oversight.journal": _only("akim", "admin"),
    "oversight.access_log": _only("akim", "admin"),
    "admin.calendar": _only("admin"),
    "admin.add_override": _only("admin", ok=302),
    "admin.delete_override": _only("admin", ok=302),
    "admin.subordinates": _only("admin"),
    "admin_phones.index": _only("admin"),
    "admin_phones.new": _only("admin"),
    "admin_phones.edit": _only("admin"),
    "admin_phones.retire": _only("admin", ok=302),
    "admin_phones.export": _only("admin"),
    "admin_phones.import_csv": _only("admin"),
    **{endpoint: _only("admin") for endpoint in ADMIN_ONLY_GET},
    **{endpoint: _only("admin", ok=302) for endpoint in ADMIN_ONLY_POST},
    "admin_structure_file.index": _only("admin"),
    "admin_structure_file.export_xlsx": _only("admin"),
    "admin_structure_file.export_zip": _only("admin"),
    "admin_structure_file.preview": _only("admin", ok=422),  # no file chosen: the form says so
    "admin_structure_file.confirm_import": _only("admin", ok=302),  # a file no longer waiting: back to the page
    "admin_structure_file.send_invitations": _only("admin", ok=302),
}

PDF = b"%PDF-1.4\n%%EOF\n"
_DAYS = itertools.count()


@dataclass
class Fixtures:
    """Fresh objects in Astana for one role's walk, so each action starts from its own state."""

    letter: str  # with the executor's department
    fresh: str  # registered, not routed
    to_forward: str
    to_hear: str
    to_extend: str
    new_deadline: str
    extension_asked: str
    drafted: str
    attachment: int
    template: int
    line: int
    line_to_retire: int
    override: int
    admin: AdminFixtures
    to_name: str  # with the executor's department, for a named executor
    executor: int
    anonymous: str  # registered without name and address, not assessed yet
    on_paper: str  # answered, for a resident with only a postal address


def _fixtures(app) -> Fixtures:
    with app.app_context():
        astana = factories.akimat("astana")
        registrar, executor = factories.staff(Role.REGISTRAR), factories.staff(Role.EXECUTOR)
        mine, _ = factories.routed_letter()
        fresh, _ = factories.letter()
        to_forward, _ = factories.letter()
        to_hear, _ = factories.routed_letter()
        to_extend, _ = factories.routed_letter()
        asked, _ = factories.routed_letter()
        calendar = calendar_for(astana.id)
        lifecycle.request_extension(asked, calendar.add_working_days(asked.deadline, 5), "Экспертиза", executor)
        drafted, _ = factories.routed_letter()
        lifecycle.submit_draft(
            drafted, executor, Decision.SATISFIED, f"{drafted.number}. {factories.ANSWER_TEXT['ru']}"
        )
        import hashlib
        import os
        import secrets

        from akimat_reception.domain.attachments import StagedFile, stored_path

        name = secrets.token_hex(24)
        path = stored_path(name)
        os.makedirs(path.parent, exist_ok=True)
        path.write_bytes(PDF)
        with_file, _ = lifecycle.submit(
            astana,
            lifecycle.Submission(
                kind=mine.kind,
                category=mine.category,
                language="ru",
                subject="С файлом",
                body="Прилагаю справку о составе семьи.",
                surname="Ким",
                given_name="Елена",
                address="Астана",
                email="file@example.kz",
                submission_token=secrets.token_hex(16),
            ),
            files=[StagedFile(name, "справка.pdf", "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest())],
        )
        lifecycle.assign(with_file, astana.departments[0], registrar)
        template = db.session.scalar(
            select(AnswerTemplate.id).where(
                AnswerTemplate.akimat_id == astana.id, AnswerTemplate.department_id == astana.departments[0].id
            )
        )
        from akimat_reception.models import PhoneLine

        lines = db.session.scalars(
            select(PhoneLine.id)
            .where(PhoneLine.akimat_id == astana.id, PhoneLine.retired_at.is_(None))
            .order_by(PhoneLine.id)
        ).all()
        override = CalendarOverride(
            akimat_id=astana.id, day=date(2031, 3, 1) + timedelta(days=next(_DAYS)), is_working_day=False, note="test"
        )
        db.session.add(override)
        db.session.commit()
        to_name, _ = factories.routed_letter()
        anonymous, _ = factories.anonymous_letter()
        on_paper, _ = factories.answered_letter(email=None, phone=None)
        return Fixtures(
            with_file.number,
            fresh.number,
            to_forward.number,
            to_hear.number,
            to_extend.number,
            calendar.add_working_days(to_extend.deadline, 5).isoformat(),
            asked.number,
            drafted.number,
            with_file.attachments[0].id,
            template,
            lines[0],
            lines[-1],
            override.id,
            admin_fixtures(),
            to_name.number,
            executor.id,
            anonymous.number,
            on_paper.number,
        )


def _requests(f: Fixtures, department: int):
    """endpoint -> (method, url, form data)"""
    office = "/astana/office/letters"
    return {
        "office.inbox": ("GET", "/astana/office/", None),
        "office.letter": ("GET", f"{office}/{f.letter}", None),
        "office.attachment": ("GET", f"{office}/{f.letter}/files/{f.attachment}", None),
        "office.assign": ("POST", f"{office}/{f.fresh}/assign", {"department": department}),
        "office.forward": (
            "POST",
            f"{office}/{f.to_forward}/forward",
            {"competent_body": "Министерство", "forward_reason": "Не наш"},
        ),
        "office.assign_executor": ("POST", f"{office}/{f.to_name}/executor", {"executor": f.executor}),
        "office.answer": (
            "POST",
            f"{office}/{f.letter}/answer",
            {"decision": "explained", "body": "Разъясняем порядок получения справки."},
        ),
        "office.hearing": ("POST", f"{office}/{f.to_hear}/hearing", {"grounds": "Нет права"}),
        "office.request_extension": (
            "POST",
            f"{office}/{f.to_extend}/extension",
            {"new_deadline": f.new_deadline, "extension_reason": "Экспертиза"},
        ),
        "office.decide_extension": (
            "POST",
            f"{office}/{f.extension_asked}/extension/decision",
            {"verdict": "approve", "decision_reason": "Обосновано"},
        ),
        "office.instruct": ("POST", f"{office}/{f.letter}/instruction", {"instruction": "Доложить"}),
        "office.control": ("POST", f"{office}/{f.drafted}/control", {"verdict": "approve"}),
        "office.assess_anonymous": ("POST", f"{office}/{f.anonymous}/anonymous", {"finding": "none"}),
        "office.print_answer": ("GET", f"{office}/{f.on_paper}/answer/print", None),
        "office.dispatch_answer": ("POST", f"{office}/{f.on_paper}/answer/dispatch", {"method": "post"}),
        "office.paper_answers": ("GET", "/astana/office/answers/on-paper", None),
        "office_intake.new": ("GET", f"{office}/new", None),
        "office_intake.slip": ("GET", f"{office}/{f.letter}/slip", None),
        "office_intake.new_code": ("POST", f"{office}/{f.letter}/new-code", {}),
        "answer_templates.index": ("GET", "/astana/office/templates/", None),
        "answer_templates.new": ("GET", "/astana/office/templates/new", None),
        "answer_templates.edit": ("GET", f"/astana/office/templates/{f.template}", None),
        "office_phones.queue": ("GET", "/astana/office/phones/", None),
        "office_phones.line": ("GET", f"/astana/office/phones/{f.line}", None),
        "office_phones.record_check": ("POST", f"/astana/office/phones/{f.line}/checks", {"result": "answered"}),
        "akim.dashboard": ("GET", "/astana/akim/", None),
        "akim.subordinates": ("GET", "/astana/akim/subordinates", None),
        "oversight.journal": ("GET", "/astana/oversight/journal", None),
        "oversight.access_log": ("GET", "/astana/oversight/access-log", None),
        "admin.calendar": ("GET", "/astana/admin/calendar", None),
        "admin.add_override": ("POST", "/astana/admin/calendar", {"day": "2031-01-02", "kind": "day_off"}),
        "admin.delete_override": ("POST", f"/astana/admin/calendar/{f.override}/delete", {}),
        "admin.subordinates": ("GET", "/astana/admin/subordinates", None),
        "admin_phones.index": ("GET", "/astana/admin/phones/", None),
        "admin_phones.new": ("GET", "/astana/admin/phones/new", None),
        "admin_phones.edit": ("GET", f"/astana/admin/phones/{f.line}/edit", None),
        "admin_phones.retire": ("POST", f"/astana/admin/phones/{f.line_to_retire}/retire", {}),
        "admin_phones.export": ("GET", "/astana/admin/phones/export.csv", None),
        "admin_phones.import_csv": ("GET", "/astana/admin/phones/import", None),
        **admin_requests(f.admin),
        "admin_structure_file.index": ("GET", "/astana/admin/structure", None),
        "admin_structure_file.export_xlsx": ("GET", "/astana/admin/structure/export.xlsx", None),
        "admin_structure_file.export_zip": ("GET", "/astana/admin/structure/export.zip", None),
        "admin_structure_file.preview": ("POST", "/astana/admin/structure/preview", {}),
        "admin_structure_file.confirm_import": (
            "POST",
            "/astana/admin/structure/import",
            {"upload": "0" * 32, "filename": "structure.xlsx"},
        ),
        "admin_structure_file.send_invitations": ("POST", "/astana/admin/structure/invitations", {}),
    }


def _walk(app, role, akimat):
    fixtures = _fixtures(app)
    with app.app_context():
        department = factories.akimat("astana").departments[1].id
    client = app.test_client()
    login(client, role, akimat)
    token = csrf_token(client, f"/{akimat}/")
    got = {}
    for endpoint, (method, url, data) in _requests(fixtures, department).items():
        if method == "GET":
            got[endpoint] = client.get(url).status_code
        else:
            got[endpoint] = client.post(url, data={"csrf_token": token, **(data or {})}).status_code
    return got


def test_the_table_names_every_staff_route(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] in STAFF_BLUEPRINTS}
    assert routes == set(EXPECTED), "a staff route was added or removed: write its expected statuses here"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_of_the_akimat_gets_exactly_its_routes(app, role):
    assert _walk(app, role, "astana") == {endpoint: statuses[role] for endpoint, statuses in EXPECTED.items()}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_of_another_akimat_gets_404_everywhere(app, role):
    assert _walk(app, role, "almaty") == {endpoint: 404 for endpoint in EXPECTED}


@pytest.mark.parametrize("role", ROLES)
def test_healthz_tells_every_role_only_that_the_site_is_alive(app, role):
    """/healthz is outside the staff blueprints: signed in or not, from a visitor's address it says
    "ok" and nothing else (the details are for localhost and the monitoring token)."""
    client = app.test_client()
    login(client, role, "astana")
    response = client.get("/healthz", environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok\n")


@pytest.mark.parametrize("role", [None, *ROLES])
def test_the_record_witness_routes_are_the_same_for_every_role_and_for_nobody(app, role):
    """/record/witnessed and the witness endpoint are public, outside the staff blueprints: signed
    in as any role or not at all, the page opens, and the endpoint judges a machine's request on
    its merits (an empty body is malformed: 400) — never a CSRF refusal or a sign-in redirect."""
    client = app.test_client()
    if role is not None:
        login(client, role, "astana")
    assert client.get("/record/witnessed").status_code == 200
    assert client.post("/record/witness/add-checkpoint", data=b"", content_type="text/plain").status_code == 400
    assert client.get("/record/witness/add-checkpoint").status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_a_letters_record_receipt_is_its_residents_alone_and_the_verifier_page_everyones(app, role):
    """Outside the staff blueprints too: record.json names the letter's entries, so no role of either
    akimat gets it (404, as for a letter that does not exist); the offline verifier is public."""
    with app.app_context():
        letter, _ = factories.letter()
        number = letter.number
    for akimat in ("astana", "almaty"):
        client = app.test_client()
        login(client, role, akimat)
        assert client.get(f"/astana/letters/{number}/record.json").status_code == 404
        assert client.get("/record/verify").status_code == 200


# The sealed record is public (web/public/record.py): the same for a visitor and for every role of
# either akimat; the files need Astana's log integrated, as the worker does.
PUBLIC_RECORD = {
    "public_record.index": "/record",
    "public_record.key": "/record/key",
    "akimat_record.page": "/astana/record",
    "akimat_record.checkpoint": "/astana/record/checkpoint",
    "akimat_record.checkpoint_of_size": "/astana/record/checkpoints/{size}",
    "akimat_record.tile": "/astana/record/tile/0/000.p/1",
    "akimat_record.consistency": "/astana/record/consistency?old=1&new={size}",
    "akimat_record.inclusion": "/astana/record/inclusion?index=0&size={size}",
    "platform_record.checkpoint": "/record/platform/checkpoint",
    "platform_record.checkpoint_of_size": "/record/platform/checkpoints/{platform}",
    "platform_record.consistency": "/record/platform/consistency?old=0&new={platform}",
}
RECORD_BLUEPRINTS = {"public_record", "akimat_record", "platform_record"}


def _record_urls(app) -> dict:
    from akimat_reception.domain.record import log

    with app.app_context():
        factories.letter()
        size = log.integrate(log.log_of(factories.akimat("astana").id).id).size
        platform = log.integrate(log.log_of(None).id).size
    return {endpoint: url.format(size=size, platform=platform) for endpoint, url in PUBLIC_RECORD.items()}


def test_the_record_table_names_every_record_route_but_the_platform_tiles_and_proofs(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] in RECORD_BLUEPRINTS}
    # The platform's tile and inclusion proof need entries in its log: tests/web/test_record_pages.py.
    assert routes - {"platform_record.tile", "platform_record.inclusion"} == set(PUBLIC_RECORD)


@pytest.mark.parametrize("role", [None, *ROLES])
@pytest.mark.parametrize("akimat", ["astana", "almaty"])
def test_the_record_is_public_to_every_role_of_every_akimat(app, role, akimat):
    urls = _record_urls(app)
    client = app.test_client()
    if role is not None:
        login(client, role, akimat)
    assert {endpoint: client.get(url).status_code for endpoint, url in urls.items()} == dict.fromkeys(urls, 200)
