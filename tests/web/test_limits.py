"""Letter limits that do not lock out a shared address, staff exempt, a refused letter kept as typed,
and the client's address taken from X-Forwarded-For only behind trusted proxies (TRUSTED_PROXY_HOPS).
The same limits under gunicorn and Redis: test_limits_gunicorn.py."""

import io

import pytest
from babel.support import Translations

from akimat_reception import create_app
from akimat_reception.extensions import limiter
from tests import factories
from tests.conftest import PROJECT_ROOT, login, post_form

NEW = "/astana/letters/new"
LETTER = {
    "kind": "application",
    "subject": "Жол шұңқыры",
    "body": "Аялдама жанындағы жолда үлкен шұңқыр бар, жөндеуді сұраймын.",
    "surname": "Сейтқали",
    "given_name": "Дәурен",
    "patronymic": "",
    "iin": "",
    "address": "Астана, Мәңгілік Ел, 10",
    "email": "",
    "phone": "",
    "language": "kk",
}


def _translator(language):
    return Translations.load(str(PROJECT_ROOT / "translations"), [language]).gettext


@pytest.fixture
def letter(app):
    with app.app_context():
        category = next(c.id for c in factories.akimat("astana").categories if c.code == "roads")

    def make(**fields):
        return {**LETTER, "category": category, **fields}

    return make


def _send(client, data, address="10.7.0.1", **kwargs):
    return post_form(client, NEW, data, environ_base={"REMOTE_ADDR": address}, **kwargs)


def test_a_forged_forwarded_for_does_not_escape_the_limit_without_a_trusted_proxy(app, client, letter, monkeypatch):
    assert app.config["TRUSTED_PROXY_HOPS"] == 0
    monkeypatch.setitem(app.config, "RATELIMIT_LETTERS", "2 per hour")
    statuses = [
        _send(client, letter(email=f"forger{i}@example.kz"), headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
        for i in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_behind_one_trusted_proxy_each_resident_has_limits_of_their_own(app, letter):
    proxied = create_app({**app.config, "TRUSTED_PROXY_HOPS": 1, "RATELIMIT_LETTERS": "1 per hour"})
    client = proxied.test_client()

    def send(forwarded_for, email):
        return post_form(
            client,
            NEW,
            letter(email=email),
            headers={"X-Forwarded-For": forwarded_for},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},  # every request comes from the proxy
        ).status_code

    assert send("192.0.2.1", "first@example.kz") == 302
    assert send("192.0.2.2", "second@example.kz") == 302  # another resident, the same proxy
    assert send("192.0.2.99, 192.0.2.1", "third@example.kz") == 429  # a forged hop in front: still the first


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_letters_with_one_email_are_limited_from_any_address_and_the_form_comes_back_as_typed(
    app, client, letter, language
):
    assert app.config["RATELIMIT_LETTERS_PER_CONTACT"] == "3 per hour;10 per day"
    for i in range(3):
        assert _send(client, letter(email="dauren@example.kz"), address=f"10.7.1.{i}").status_code == 302
    typed = letter(email="Dauren@Example.kz", subject="Төртінші хат", body="Төртінші хаттың мәтіні, сақталуы тиіс.")
    refused = _send(
        client,
        {**typed, "files": (io.BytesIO(b"%PDF-1.4"), "photo.pdf")},
        address="10.7.1.9",
        headers={"Accept-Language": language},
        content_type="multipart/form-data",
    )
    html = refused.get_data(as_text=True)
    t = _translator(language)
    assert refused.status_code == 429
    assert f'<html lang="{language}">' in html
    assert "Төртінші хаттың мәтіні, сақталуы тиіс." in html and 'value="Төртінші хат"' in html
    message = t(
        "Too many letters were sent with this contact recently. Nothing was registered and your text is kept: "
        "send it again after %(time)s."
    )
    assert message.split("%(time)s")[0] in html
    assert t("Choose your files again when you send the letter: they were not kept.") in html


def test_one_phone_written_two_ways_is_one_contact(app, client, letter, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LETTERS_PER_CONTACT", "1 per hour")
    assert _send(client, letter(phone="+7 701 234 5678"), address="10.7.2.1").status_code == 302
    assert _send(client, letter(phone="87012345678", email="x@example.kz"), address="10.7.2.2").status_code == 429


def test_one_iin_is_one_contact(app, client, letter, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LETTERS_PER_CONTACT", "1 per hour")
    assert _send(client, letter(iin="900101300017", email="a@example.kz"), address="10.7.3.1").status_code == 302
    refused = _send(client, letter(iin="900101300017", email="b@example.kz"), address="10.7.3.2")
    assert refused.status_code == 429
    assert _send(client, letter(email="c@example.kz"), address="10.7.3.3").status_code == 302  # no IIN, no IIN limit


def test_a_service_centre_address_serves_many_residents(app, client, letter, monkeypatch):
    """The per-address limit is generous: ten residents writing from one public terminal all get through."""
    assert app.config["RATELIMIT_LETTERS"] == "50 per hour;300 per day"
    statuses = {
        _send(client, letter(email=f"resident{i}@example.kz"), address="10.7.4.1").status_code for i in range(10)
    }
    assert statuses == {302}


def test_per_address_refusal_says_why_and_keeps_the_letter(app, client, letter, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LETTERS", "1 per hour")
    assert _send(client, letter(email="one@example.kz"), address="10.7.5.1").status_code == 302
    refused = _send(client, letter(email="two@example.kz"), address="10.7.5.1", headers={"Accept-Language": "en"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "Too many letters were sent from your connection" in html and LETTER["body"] in html
    assert 'value="two@example.kz"' in html


def test_letters_entered_by_staff_are_exempt(app, letter, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LETTERS", "1 per hour")
    monkeypatch.setitem(app.config, "RATELIMIT_LETTERS_PER_CONTACT", "1 per hour")
    registrar = app.test_client()
    login(registrar, "registrar")
    statuses = [_send(registrar, letter(email="paper@example.kz"), address="10.7.6.1").status_code for _ in range(3)]
    assert statuses == [302, 302, 302]
    resident = app.test_client()  # the same address and contact, not signed in: the staff's letters did not count
    statuses = [_send(resident, letter(email="paper@example.kz"), address="10.7.6.1").status_code for _ in range(2)]
    assert statuses == [302, 429]


def test_staff_of_another_akimat_are_not_exempt(app, letter, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LETTERS_PER_CONTACT", "1 per hour")
    outsider = app.test_client()
    login(outsider, "registrar", "almaty")
    assert _send(outsider, letter(email="elsewhere@example.kz")).status_code == 302
    assert _send(outsider, letter(email="elsewhere@example.kz")).status_code == 429


def test_the_counts_store_holds_no_contact_in_its_keys(app, client, letter):
    _send(client, letter(email="private.person@example.kz", iin="900101300017", phone="+77012345678"))
    keys = " ".join(limiter.storage.storage.keys())  # memory:// here; the same keys go to Redis
    assert "letters-email:" in keys and "letters-iin:" in keys and "letters-phone:" in keys
    assert "private.person" not in keys and "900101300017" not in keys and "7012345678" not in keys
