"""The receipt of the record is the resident's: record.json is given to the browser that opened the
letter with its number and code, as the tracking page is, and to nobody else — not another visitor,
not staff, not another akimat's address for the same letter."""

import json

from akimat_reception.domain.record import step
from tests import factories
from tests.conftest import login, post_form

EN = {"Accept-Language": "en"}


def _letter(app):
    with app.app_context():
        letter, code = factories.letter()
        step.run()
        return letter.number, code


def _open(client, number, code):
    response = post_form(client, "/astana/track", {"number": number, "code": code})
    assert response.status_code == 302


def test_the_resident_downloads_the_receipt_as_an_attachment(app, client):
    number, code = _letter(app)
    _open(client, number, code)
    response = client.get(f"/astana/letters/{number}/record.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{number}-record.json"'
    assert response.headers["Cache-Control"] == "no-store"
    receipt = json.loads(response.get_data(as_text=True))
    assert receipt["number"] == number and receipt["checkpoint"]
    assert receipt["entries"][0]["kind"] == "submitted" and receipt["entries"][0]["proof"]


def test_nobody_else_gets_the_receipt(app, client):
    number, code = _letter(app)
    url = f"/astana/letters/{number}/record.json"
    assert client.get(url).status_code == 404  # a visitor who never opened it
    assert app.test_client().get("/astana/letters/AST-2099-999999/record.json").status_code == 404
    post_form(client, "/astana/track", {"number": number, "code": "WRONG-CODE-0000-0000"})
    assert client.get(url).status_code == 404  # a wrong code opens nothing
    staff = app.test_client()
    login(staff, "registrar")
    assert staff.get(url).status_code == 404  # staff read letters in the office, not the resident's receipt
    _open(client, number, code)
    assert client.get(f"/almaty/letters/{number}/record.json").status_code == 404  # not under another akimat


def test_the_tracking_page_shows_the_letters_entry_and_links_to_the_receipt_and_the_verifier(app, client):
    with app.app_context():
        step.run()
        letter, code = factories.letter()
        number = letter.number
    _open(client, number, code)
    html = client.get(f"/astana/track/{number}", headers=EN).get_data(as_text=True)
    assert "In the public record" in html
    assert "will be in the signed record within 1 minute" in html
    assert f"/astana/letters/{number}/record.json" in html and "/record/verify" in html
    with app.app_context():
        step.run()
    html = client.get(f"/astana/track/{number}", headers=EN).get_data(as_text=True)
    assert "Your letter is in the signed record." in html
    assert 'class="print-only"' in html and "akimat-reception.local/astana\n" in html, "the paper copy's checkpoint"


def test_the_verifier_page_is_self_contained_and_allows_only_its_own_inline_script(app, client):
    response = client.get("/record/verify", headers=EN)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    policy = response.headers["Content-Security-Policy"]
    nonce = html.split('<script nonce="', 1)[1].split('"', 1)[0]
    assert f"'nonce-{nonce}'" in policy and "'unsafe-inline'" not in policy
    assert 'src="' not in html and "<link" not in html, "nothing loaded from the server: it works saved"
    assert "akimat-verify receipt" in html.split("<noscript>", 1)[1], "without script: the command"
    home = client.get("/", headers=EN)
    assert "nonce-" not in home.headers["Content-Security-Policy"], "other pages keep no inline script"
