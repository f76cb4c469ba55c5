"""No caching of personal pages. Every route of the URL map is walked (GET) anonymously, as a
resident with a tracking session open, and signed in as each staff role: every response is
`Cache-Control: no-store` except static files and the few anonymous pages that show nothing
personal, which a shared cache may keep for a minute, and only when the visitor carries no session.
A route added without an entry in ROUTES fails the walk."""

import hashlib
import os
import re
import secrets

import pytest
from sqlalchemy import update

from akimat_reception.domain import lifecycle
from akimat_reception.domain.attachments import StagedFile, stored_path
from akimat_reception.extensions import db
from akimat_reception.models import Role, User
from akimat_reception.web.public.record import FILE_ENDPOINTS
from tests import factories
from tests.conftest import login, post_form
from tests.web.test_routes_by_role import ROLES, _fixtures, _requests

# anonymous, nothing personal: public, max-age=60
SHAREABLE = {"home.index", "reception.ratings", "public_record.index", "akimat_record.page"}
PDF = b"%PDF-1.4\n%%EOF\n"


def _resident_letter(app):
    """A letter with a file, written by the resident who keeps its number and access code."""
    with app.app_context():
        astana = factories.akimat("astana")
        name = secrets.token_hex(24)
        path = stored_path(name)
        os.makedirs(path.parent, exist_ok=True)
        path.write_bytes(PDF)
        template, _ = factories.letter()
        letter, code = lifecycle.submit(
            astana,
            lifecycle.Submission(
                kind=template.kind,
                category=template.category,
                language="ru",
                subject="Справка",
                body="Прилагаю справку о составе семьи.",
                surname="Ким",
                given_name="Елена",
                address="Астана",
                email="resident@example.kz",
                submission_token=secrets.token_hex(16),
            ),
            files=[StagedFile(name, "справка.pdf", "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest())],
        )
        db.session.commit()
        return letter.number, code, letter.attachments[0].id


@pytest.fixture(scope="module")
def urls(app):
    """endpoint -> the URL a GET of it is walked with (POST-only routes answer 405, also walked)."""
    fixtures = _fixtures(app)
    with app.app_context():
        department = factories.akimat("astana").departments[1].id
        astana_id = factories.akimat("astana").id
        line = fixtures.line
    number, code, attachment = _resident_letter(app)
    record_sizes = _integrated_record(app, astana_id)
    staff = {endpoint: url for endpoint, (_, url, _) in _requests(fixtures, department).items()}
    public = {
        "static": "/static/css/site.css",
        "home.index": "/",
        "home.set_language": "/language/kk?next=/",
        "auth.login": "/login",
        "auth.second_factor": "/login/code",
        "auth.recovery_code_sign_in": "/login/recovery",
        "auth.forgot_password": "/login/forgot",
        "auth.reset_password": "/login/reset/an-unknown-token",
        "auth.new_recovery_codes": "/account/recovery-codes",
        "auth.logout": "/logout",
        "auth.account": "/account",
        "auth.change_password": "/account/password",
        "auth.enroll_second_factor": "/account/two-factor",
        "auth.sign_out_everywhere": "/account/sign-out-everywhere",
        "reception.home": "/astana/",
        "reception.ratings": "/astana/ratings",
        "reception.new_letter": "/astana/letters/new",
        "reception.letter_step": "/astana/letters/new/letter",
        "reception.check_letter": "/astana/letters/new/check",
        "reception.receipt": f"/astana/letters/{number}/receipt",
        "reception.track": "/astana/track",
        "reception.letter_status": f"/astana/track/{number}",
        "reception.attachment": f"/astana/track/{number}/files/{attachment}",
        "reception.rate": f"/astana/track/{number}/rating",
        "record_receipt.receipt_file": f"/astana/letters/{number}/record.json",  # the resident's alone
        "record_verifier.verify_page": "/record/verify",
        "reception.dispute": f"/astana/track/{number}/dispute",
        "reception.state_position": f"/astana/track/{number}/position",
        "my_letters.start": "/my-letters",
        "my_letters.enter_code": "/my-letters/code",
        "my_letters.letters": "/my-letters/list",
        "my_letters.open_letter": "/my-letters/letters/1/open",
        "my_letters.sign_out": "/my-letters/sign-out",
        "continuity.lost_code": "/astana/lost-code",
        "continuity.open_link": "/astana/l/an-unknown-token",
        "continuity.forget": f"/astana/track/{number}/forget",
        "phones.directory": "/astana/phones",
        "phones.report": f"/astana/phones/{line}/report",
        "health.healthz": "/healthz",
        "witness.held": "/record/witnessed",
        "witness.add_checkpoint": "/record/witness/add-checkpoint",
        "public_record.index": "/record",
        "public_record.key": "/record/key",
        "akimat_record.page": "/astana/record",
        **{
            f"{blueprint}.{view}": f"{prefix}/{path}"
            for blueprint, prefix, size in (
                ("akimat_record", "/astana/record", record_sizes[0]),
                ("platform_record", "/record/platform", record_sizes[1]),
            )
            for view, path in (
                ("checkpoint", "checkpoint"),
                ("checkpoint_of_size", f"checkpoints/{size}"),
                ("tile", _newest_tile(size)),
                ("consistency", f"consistency?old=0&new={size}"),
                ("inclusion", f"inclusion?index=0&size={size}"),
            )
        },
        "invitations.accept": "/invitations/no-such-invitation-token",
        "platform.index": "/platform/",
        "platform.events": "/platform/events",
        "platform.new_akimat": "/platform/akimats/new",
        "platform.show": f"/platform/akimats/{astana_id}",
        "platform.edit": f"/platform/akimats/{astana_id}/edit",
        "platform.move": f"/platform/akimats/{astana_id}/move",
        "platform.close": f"/platform/akimats/{astana_id}/close",
        "platform.reopen": f"/platform/akimats/{astana_id}/reopen",
        "platform.appoint_admin": f"/platform/akimats/{astana_id}/admins/new",
        "platform.reset_second_factor": f"/platform/akimats/{astana_id}/admins/0/reset-second-factor",
    }
    return {**staff, **public}, (number, code)


def _integrated_record(app, astana_id) -> tuple[int, int]:
    """The sizes of Astana's and the platform's logs, integrated and signed, as the worker does."""
    from akimat_reception.domain.record import log

    sizes = []
    with app.app_context():
        for akimat_id in (astana_id, None):
            sizes.append(log.integrate(log.log_of(akimat_id).id).size)
    return sizes[0], sizes[1]


def _newest_tile(size: int) -> str:
    """The rightmost level-0 tile of a log of `size` (partial unless size is a multiple of 256): how
    many entries earlier tests left decides which, so the path is computed, never written down."""
    from akimat_reception.domain.record import tiles

    index, width = tiles.level0_tiles(max(size, 1))[-1]
    return tiles.tile_path(0, index, width)


def _cache_control(response) -> str:
    return response.headers.get("Cache-Control", "")


def test_the_walk_covers_every_route(app, urls):
    routes = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert routes == set(urls[0]), "a route was added or removed: say here how its caching is walked"


def test_anonymous_visitors_get_no_store_everywhere_but_the_shareable_pages(app, urls):
    shared, stored, own = set(), {}, {}
    for endpoint, url in urls[0].items():
        response = app.test_client().get(url)  # a first visit: no session yet
        header = _cache_control(response)
        if endpoint == "static":
            assert response.status_code == 200 and "no-store" not in header
        elif header == "public, max-age=60":
            shared.add(endpoint)
            assert response.status_code == 200 and "Set-Cookie" not in response.headers
            assert {"Accept-Language", "Cookie"} <= set(response.vary)
        elif endpoint in FILE_ENDPOINTS:  # the record's files: the same bytes for everyone
            own[endpoint] = (response.status_code, header)
        else:
            stored[endpoint] = header
    assert shared == SHAREABLE
    assert {endpoint: h for endpoint, h in stored.items() if h != "no-store"} == {}
    assert own["akimat_record.checkpoint"] == (200, "public, max-age=10")
    assert own["akimat_record.checkpoint_of_size"] == (200, "public, max-age=31536000, immutable")
    partial = ".p/" in urls[0]["akimat_record.tile"]
    tile_header = "public, max-age=3600" if partial else "public, max-age=31536000, immutable"
    assert own["akimat_record.tile"] == (200, tile_header)  # a partial tile changes, a full one never
    assert own["public_record.key"] == (200, "public, max-age=3600")
    assert {e: h for e, (status, h) in own.items() if (status == 200) != h.startswith("public, max-age=")} == {}


def test_a_resident_with_a_tracking_session_open_gets_no_store_everywhere(app, urls):
    routes, (number, code) = urls
    resident = app.test_client()
    opened = post_form(resident, "/astana/track", {"number": number, "code": code})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/track/{number}")
    assert number in resident.get(f"/astana/track/{number}").get_data(as_text=True)
    walked = {endpoint: (resident.get(url), url) for endpoint, url in routes.items() if endpoint != "static"}
    assert walked["reception.letter_status"][0].status_code == 200
    assert walked["reception.attachment"][0].status_code == 200
    assert {e: _cache_control(r) for e, (r, _) in walked.items() if _cache_control(r) != "no-store"} == {}


@pytest.mark.parametrize("role", ROLES)
def test_every_response_to_a_signed_in_user_is_no_store(app, urls, role):
    client = app.test_client()
    login(client, role)
    statuses, wrong = {}, {}
    for endpoint, url in urls[0].items():
        if endpoint in ("static", "auth.logout", "auth.sign_out_everywhere"):
            continue
        response = client.get(url)
        statuses[endpoint] = response.status_code
        if _cache_control(response) != "no-store":
            wrong[endpoint] = _cache_control(response)
    with app.app_context():  # the walk's /language/<code> saved a language on the account: undo it
        db.session.execute(update(User).where(User.email == f"{role}@astana.demo.kz").values(language=None))
        db.session.commit()
    assert wrong == {}
    assert statuses["auth.account"] == 200 and statuses["home.index"] == 200  # still signed in at the end


def test_the_receipt_showing_the_access_code_is_not_stored(app):
    from tests.web.test_public import GOOD_LETTER, _category_id

    client = app.test_client()
    sent = post_form(client, "/astana/letters/new", {**GOOD_LETTER, "category": _category_id(app)})
    assert sent.status_code == 302
    assert _cache_control(sent) == "no-store"
    receipt = client.get(sent.headers["Location"])
    assert re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", receipt.get_data(as_text=True))
    assert _cache_control(receipt) == "no-store"


def test_a_page_showing_a_flash_message_is_not_stored_even_if_shareable(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your rating has been recorded.")]
    page = client.get("/")
    assert "Your rating has been recorded." in page.get_data(as_text=True)
    assert _cache_control(page) == "no-store"
    assert _cache_control(app.test_client().get("/")) == "public, max-age=60"


def test_signing_out_and_its_flash_are_not_stored(app):
    client = app.test_client()
    login(client, Role.REGISTRAR.value)
    signed_out = post_form(client, "/logout", {}, form_url="/account")
    assert signed_out.status_code == 302 and _cache_control(signed_out) == "no-store"
    assert _cache_control(client.get(signed_out.headers["Location"])) == "no-store"
