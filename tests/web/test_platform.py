"""The platform administration through the web: only a platform administrator enters (staff of
an akimat get 403, anonymous visitors the sign-in page); creating a district under a region, its
first administrator invited by email; form errors keep what was typed; closing an akimat and
renaming it as a resident would notice (the letter form, the old links); the home page's search
by former names; the commands."""

import uuid

import pytest
from sqlalchemy import select

from akimat_reception.demo import DEMO_PASSWORD
from akimat_reception.domain.administration import akimats
from akimat_reception.domain.administration.akimats import AkimatData
from akimat_reception.extensions import db
from akimat_reception.models import AdminEvent, Akimat, AkimatKind, AkimatPlacement, Category, User
from tests import factories
from tests.conftest import csrf_token, current_code, login, post_form
from tests.smtp import drain

PLATFORM = "platform@demo.kz"
ROLES = ["registrar", "executor", "controller", "akim", "admin"]


def english(client):
    """Assertions read the English texts: the language cookie, as the site's switch sets it."""
    client.set_cookie("lang", "en")
    return client


def login_platform(client):
    english(client)
    response = post_form(client, "/login", {"email": PLATFORM, "password": DEMO_PASSWORD})
    assert response.headers["Location"].endswith("/login/code")
    response = post_form(client, "/login/code", {"code": current_code(client.application, PLATFORM)})
    assert response.status_code == 302
    return response


def _tag() -> str:
    return uuid.uuid4().hex[:8]


def _prefix(tag: str) -> str:
    return "".join(chr(ord("A") + int(c, 16) % 26) for c in tag[:6])


def _akimat(app, kind=AkimatKind.REGION, parent_id=None, **changes) -> dict:
    tag = _tag()
    with app.app_context():
        parent = db.session.get(Akimat, parent_id) if parent_id else None
        fields = dict(
            slug=f"region-{tag}",
            number_prefix=_prefix(tag),
            name_kk=f"Облыс {tag}",
            name_ru=f"Область {tag}",
            name_en=f"Region {tag}",
            kind=kind,
            parent=parent,
        )
        fields.update(changes)
        created = akimats.create_akimat(AkimatData(**fields), None)
        db.session.commit()
        return {"id": created.id, "slug": created.slug, "name_ru": created.name_ru, "name_en": created.name_en}


def _form(tag: str, **changes) -> dict:
    data = {
        "slug": f"district-{tag}",
        "number_prefix": _prefix(tag),
        "name_kk": f"Аудан {tag}",
        "name_ru": f"Район {tag}",
        "name_en": f"District {tag}",
        "aliases": "",
        "kind": "district",
        "parent": "",
        "opens_at": "09:00",
        "closes_at": "18:00",
        "default_language": "kk",
        "timezone": "Asia/Almaty",
    }
    data.update(changes)
    return data


@pytest.fixture
def platform(app):
    client = app.test_client()
    login_platform(client)
    return client


def _pages(app) -> dict[str, str]:
    target = _akimat(app)
    base = f"/platform/akimats/{target['id']}"
    return {
        "platform.index": "/platform/",
        "platform.events": "/platform/events",
        "platform.new_akimat": "/platform/akimats/new",
        "platform.show": base,
        "platform.edit": f"{base}/edit",
        "platform.move": f"{base}/move",
        "platform.appoint_admin": f"{base}/admins/new",
    }


def test_the_role_table_covers_every_platform_route(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("platform.")}
    assert routes == set(_pages(app)) | {"platform.close", "platform.reopen", "platform.reset_second_factor"}


def test_the_platform_admin_sees_every_page(app, platform):
    assert {e: platform.get(url).status_code for e, url in _pages(app).items()} == dict.fromkeys(_pages(app), 200)


@pytest.mark.parametrize("role", ROLES)
def test_staff_of_an_akimat_even_its_admin_get_403(app, role):
    client = app.test_client()
    login(client, role)
    pages = _pages(app)
    assert {e: client.get(url).status_code for e, url in pages.items()} == dict.fromkeys(pages, 403)
    token = csrf_token(client, "/account")  # the close button's POST is refused as well
    assert client.post(pages["platform.show"] + "/close", data={"csrf_token": token}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    for url in _pages(app).values():
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_platform_admin_with_no_membership_lands_on_the_platform(app):
    client = app.test_client()
    assert login_platform(client).headers["Location"].endswith("/platform/")
    assert 'href="/platform/"' in client.get("/platform/").get_data(as_text=True)  # the "Platform" link


def test_the_list_is_searchable_by_name_alias_and_slug_and_shows_kind_and_parent(app, platform):
    region = _akimat(app)
    tag = _tag()
    district = _akimat(app, AkimatKind.DISTRICT, region["id"], slug=f"d-{tag}", aliases=f"Бұрынғы {tag}")
    for query in (f"бұрынғы {tag}".upper(), f"d-{tag}", district["name_ru"].lower()):
        html = platform.get("/platform/", query_string={"q": query}).get_data(as_text=True)
        assert district["name_en"] in html and region["name_en"] in html and "District" in html


def test_a_district_is_created_under_a_region_from_the_web_and_its_admin_invited(app, platform, smtp):
    region = _akimat(app)
    tag = _tag()
    form = _form(tag, parent=region["slug"], aliases="Старый район\nEski audan")
    created = post_form(platform, "/platform/akimats/new", form)
    assert created.status_code == 302 and "/admins/new" in created.headers["Location"]
    with app.app_context():
        district = db.session.scalar(select(Akimat).where(Akimat.slug == form["slug"]))
        assert district.parent_id == region["id"] and district.kind is AkimatKind.DISTRICT
        [placement] = db.session.scalars(select(AkimatPlacement).where(AkimatPlacement.akimat_id == district.id))
        assert placement.parent_id == region["id"] and placement.valid_to is None
        district_id = district.id
    shown = platform.get(f"/platform/akimats/{district_id}").get_data(as_text=True)
    assert region["name_en"] in shown
    email = f"admin-{tag}@example.kz"
    appointed = post_form(platform, created.headers["Location"], {"email": email, "full_name": "Әлия Сейітова"})
    assert appointed.status_code == 302
    with app.app_context():
        drain()
    [mail] = smtp.inbox.to(email)
    assert "/invitations/" in mail.get_body(("plain",)).get_content()
    assert email in platform.get(f"/platform/akimats/{district_id}").get_data(as_text=True)
    events = platform.get("/platform/events").get_data(as_text=True)
    assert "Akimat created" in events and "Person invited" in events


def test_form_errors_keep_what_was_typed_and_answer_422(app, platform):
    tag = _tag()
    form = _form(tag, slug="Not A Slug!", name_ru=f"Мой район {tag}", number_prefix="x1")
    response = post_form(platform, "/platform/akimats/new", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in html and "lowercase latin" in html
    assert f'value="Мой район {tag}"' in html and f'value="District {tag}"' in html


def test_an_unknown_parent_offers_the_akimats_whose_names_match(app, platform):
    region = _akimat(app)
    response = post_form(platform, "/platform/akimats/new", _form(_tag(), parent=region["name_ru"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "No akimat has this address" in html and f"<code>{region['slug']}</code>" in html


def test_a_move_from_the_web_is_dated_and_refuses_a_cycle(app, platform):
    region = _akimat(app)
    other = _akimat(app)
    district = _akimat(app, AkimatKind.DISTRICT, region["id"])
    url = f"/platform/akimats/{region['id']}/move"
    with app.app_context():
        today = akimats.today_in("Asia/Almaty").isoformat()
    cycle = post_form(platform, url, {"parent": district["slug"], "effective": today})
    assert cycle.status_code == 422 and "stands under" in cycle.get_data(as_text=True)
    moved = post_form(
        platform, f"/platform/akimats/{district['id']}/move", {"parent": other["slug"], "effective": today}
    )
    assert moved.status_code == 302
    with app.app_context():
        assert db.session.get(Akimat, district["id"]).parent_id == other["id"]


def _with_category(app, slug):
    with app.app_context():
        target = factories.akimat(slug)
        db.session.add(Category(akimat=target, code="roads", name_kk="Жолдар", name_ru="Дороги", name_en="Roads"))
        db.session.commit()


def test_a_closed_akimat_refuses_new_letters_pointing_to_its_parent_and_tracking_keeps_working(app, platform):
    region = _akimat(app)
    district = _akimat(app, AkimatKind.DISTRICT, region["id"])
    _with_category(app, district["slug"])
    with app.app_context():
        letter, _code = factories.letter(district["slug"], category="roads")
        number = letter.number
    closed = post_form(
        platform, f"/platform/akimats/{district['id']}/close", {}, form_url=f"/platform/akimats/{district['id']}"
    )
    assert closed.status_code == 302
    resident = english(app.test_client())
    form = resident.get(f"/{district['slug']}/letters/new")
    html = form.get_data(as_text=True)
    assert "no longer takes letters" in html and f"/{region['slug']}/letters/new" in html
    assert 'name="body"' not in html
    assert resident.post(f"/{district['slug']}/letters/new", data={"body": "x"}).status_code in (400, 403)
    assert resident.get(f"/{district['slug']}/track").status_code == 200
    home = resident.get(f"/{district['slug']}/").get_data(as_text=True)  # no "Write a letter" invitation left
    assert "closed to new letters" in home and "Where to write instead" in home and ">Write a letter</a>" not in home
    with app.app_context():
        assert db.session.scalar(
            select(AdminEvent).where(AdminEvent.kind == "akimat_closed", AdminEvent.target_id == district["id"])
        )
    assert number
    reopened = post_form(
        platform, f"/platform/akimats/{district['id']}/reopen", {}, form_url=f"/platform/akimats/{district['id']}"
    )
    assert reopened.status_code == 302
    assert 'name="kind"' in resident.get(f"/{district['slug']}/letters/new").get_data(as_text=True)


def test_the_prefix_is_frozen_on_the_edit_page_once_letters_exist(app, platform):
    district = _akimat(app, AkimatKind.DISTRICT)
    _with_category(app, district["slug"])
    with app.app_context():
        factories.letter(district["slug"], category="roads")
        target = db.session.get(Akimat, district["id"])
        form = _form(_tag(), slug=target.slug, name_kk=target.name_kk, name_ru=target.name_ru, name_en=target.name_en)
    response = post_form(platform, f"/platform/akimats/{district['id']}/edit", {**form, "number_prefix": "NEWPRE"})
    assert response.status_code == 422 and "already has letters" in response.get_data(as_text=True)


def test_an_old_slug_redirects_permanently_its_tracking_and_office_urls(app, platform):
    district = _akimat(app, AkimatKind.DISTRICT)
    _with_category(app, district["slug"])
    with app.app_context():
        letter, _code = factories.letter(district["slug"], category="roads")
        number = letter.number
        target = db.session.get(Akimat, district["id"])
        form = _form(_tag(), name_kk=target.name_kk, name_ru=target.name_ru, name_en=target.name_en)
        form.update(slug=target.slug + "-new", number_prefix=target.number_prefix)
    saved = post_form(platform, f"/platform/akimats/{district['id']}/edit", form)
    assert saved.status_code == 302
    old, new = district["slug"], form["slug"]
    visitor = app.test_client()
    tracking = visitor.get(f"/{old}/track/{number}?lang=kk")
    assert tracking.status_code == 301 and tracking.headers["Location"].endswith(f"/{new}/track/{number}?lang=kk")
    office = visitor.get(f"/{old}/office/letters/{number}")
    assert office.status_code == 301 and office.headers["Location"].endswith(f"/{new}/office/letters/{number}")
    assert visitor.get(f"/never-was-{_tag()}/track").status_code == 404


@pytest.mark.parametrize("query", ["Нур-Султан", "нур-султан", "АҚМОЛА", "ақмола"])
def test_the_home_page_finds_an_akimat_by_its_former_names(app, query):
    tag = _tag()
    capital = _akimat(app, AkimatKind.REPUBLICAN_CITY, name_ru=f"Столица {tag}", aliases="Нур-Султан\nАқмола\nАстана")
    html = app.test_client().get("/", query_string={"q": query}).get_data(as_text=True)
    assert capital["name_ru"] in html


def test_the_home_page_finds_an_akimat_by_a_latin_spelling_with_diacritics(app):
    tag = _tag()
    city = _akimat(app, AkimatKind.REGIONAL_CITY, name_ru=f"Усть-Каменогорск {tag}", aliases="Öskemen\nӨскемен")
    for query in ("öskemen", "ÖSKEMEN", "өскемен"):
        assert city["name_ru"] in app.test_client().get("/", query_string={"q": query}).get_data(as_text=True)


def test_flask_akimat_create_makes_a_district_under_a_region_and_invites_its_admin(app, runner):
    region = _akimat(app)
    tag = _tag()
    result = runner.invoke(
        args=[
            "akimat", "create", "--slug", f"cli-{tag}", "--prefix", _prefix(tag),
            "--name-kk", "Аудан", "--name-ru", "Район", "--name-en", "District", "--kind", "district",
            "--parent", region["slug"], "--alias", "Бұрынғы атау", "--alias", "Old name",
            "--admin-email", f"cli-{tag}@example.kz", "--admin-name", "Ерлан Ахметов",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"under {region['slug']}" in result.output and "invitation queued" in result.output
    with app.app_context():
        created = db.session.scalar(select(Akimat).where(Akimat.slug == f"cli-{tag}"))
        assert created.parent_id == region["id"] and created.aliases == "Бұрынғы атау\nOld name"
    again = runner.invoke(args=["akimat", "create", "--slug", f"cli-{tag}", "--prefix", "QWERTY", "--name-kk", "a",
                                "--name-ru", "b", "--name-en", "c", "--kind", "district"])  # fmt: skip
    assert again.exit_code != 0 and "--slug" in again.output


def test_create_user_platform_admin_must_enrol_a_second_factor_with_no_membership(app, runner):
    email = f"operator-{_tag()}@example.kz"
    password = "Tulpar-steppe-wind-2026"
    weak = runner.invoke(args=["create-user", "--platform-admin", "--email", email, "--name", "Оператор",
                               "--password", "password123"])  # fmt: skip
    assert weak.exit_code != 0
    result = runner.invoke(args=["create-user", "--platform-admin", "--email", email, "--name", "Оператор",
                                 "--password", password])  # fmt: skip
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.is_platform_admin and not user.memberships and user.must_use_second_factor
    client = app.test_client()
    signed_in = post_form(client, "/login", {"email": email, "password": password})
    assert signed_in.status_code == 302
    blocked = client.get("/platform/")
    assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/account/two-factor")


def _sole_admin(app) -> tuple[dict, int, str]:
    """An akimat whose only administrator has a second factor: (akimat, user id, email)."""
    import pyotp

    from akimat_reception.models import Membership, Role

    target = _akimat(app)
    email = f"sole-{_tag()}@example.kz"
    with app.app_context():
        user = User(email=email, full_name="Жалғыз Әкімші")
        user.set_password(DEMO_PASSWORD)
        user.totp_secret = pyotp.random_base32()
        db.session.add(user)
        db.session.add(Membership(user=user, akimat_id=target["id"], role=Role.ADMIN))
        db.session.commit()
        return target, user.id, email


def test_the_platform_admin_resets_the_second_factor_of_an_akimats_last_admin(app, platform):
    target, user_id, email = _sole_admin(app)
    theirs = english(app.test_client())
    assert (
        post_form(theirs, "/login", {"email": email, "password": DEMO_PASSWORD})
        .headers["Location"]
        .endswith("/login/code")
    )
    page = platform.get(f"/platform/akimats/{target['id']}").get_data(as_text=True)
    assert "Жалғыз Әкімші" in page and "Reset the second factor of Жалғыз Әкімші" in page
    url = f"/platform/akimats/{target['id']}/admins/{user_id}/reset-second-factor"
    response = post_form(platform, url, {}, form_url=f"/platform/akimats/{target['id']}")
    assert response.status_code == 302
    assert "was reset" in platform.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.totp_secret is None
        event = db.session.scalar(
            select(AdminEvent).where(AdminEvent.kind == "second_factor_reset", AdminEvent.target_id == user_id)
        )
        assert event.akimat_id == target["id"] and event.actor.email == PLATFORM
    # The half-open sign-in of before is gone; signing in again leads to setting up a new factor.
    again = english(app.test_client())
    signed_in = post_form(again, "/login", {"email": email, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302  # no code asked: there is no factor to ask for
    landing = again.get(signed_in.headers["Location"])
    assert landing.status_code == 302 and landing.headers["Location"].endswith("/account/two-factor")


def test_an_akimat_admin_cannot_reset_through_the_platform_and_a_stranger_is_404(app, platform):
    target, user_id, _email = _sole_admin(app)
    client = app.test_client()
    login(client, "admin")
    url = f"/platform/akimats/{target['id']}/admins/{user_id}/reset-second-factor"
    assert client.post(url, data={"csrf_token": csrf_token(client, "/account")}).status_code == 403
    other = _akimat(app)
    stranger = f"/platform/akimats/{other['id']}/admins/{user_id}/reset-second-factor"
    assert post_form(platform, stranger, {}, form_url="/platform/").status_code == 404
    with app.app_context():
        assert db.session.get(User, user_id).totp_secret is not None
