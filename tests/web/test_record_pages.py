"""The sealed record in public (web/public/record.py): the pages that explain it and list its
checkpoints, in every language, and the files a mirror or a verifier fetches — checked with the
verifier's own functions (note.open_checkpoint, merkle.verify_*), never with the server's."""

import re

import pytest
from sqlalchemy import func, select

from akimat_reception.domain.record import keys, log, merkle, tiles
from akimat_reception.domain.record.note import Verifier, open_checkpoint
from akimat_reception.extensions import db
from akimat_reception.models import Akimat, RecordLog
from tests import factories
from tests.conftest import login
from tests.unit.test_record_publish import commitments, grow, integrated, new_akimat
from tests.web.test_query_counts import counted

LANGUAGES = {
    "kk": ("Мөрленген тізілім", "ЭЦҚ"),
    "ru": ("Запечатанный журнал", "ЭЦП"),
    "en": ("The sealed record", "EDS"),
}


@pytest.fixture
def sealed(app):
    """An akimat of its own whose log has 300 entries in two checkpoints (260, then 300)."""
    with app.app_context():
        akimat = new_akimat()
        grow(akimat, 260)
        integrated(akimat)
        grow(akimat, 40)
        record_log, checkpoint = integrated(akimat)
        yield {
            "slug": akimat.slug,
            "log_id": record_log.id,
            "origin": record_log.origin,
            "size": record_log.size,
            "note": checkpoint.note,
            "leaves": commitments(record_log.id),
        }
        db.session.remove()


def _verifier(client) -> Verifier:
    return Verifier.decode(client.get("/record/key").get_data(as_text=True))


# --- the pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_record_page_explains_it_in_each_language_and_shows_the_key_and_every_log(
    app, sealed, language, monkeypatch
):
    from akimat_reception.web.public import record

    monkeypatch.setattr(record, "LOGS_PER_PAGE", 10_000)
    client = app.test_client()
    client.set_cookie("lang", language)
    html = client.get("/record").get_data(as_text=True)
    title, signature = LANGUAGES[language]
    assert f"<h1>{title}</h1>" in html
    assert signature in html  # the Ed25519 signature is not a legal electronic signature: it says so
    with app.app_context():
        assert keys.verifier().encode() in html
    assert 'href="/record/key"' in html
    assert "akimat-verify log DIR --key key" in html
    assert f'href="/{sealed["slug"]}/record"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_akimat_page_shows_its_latest_checkpoint_and_its_history(app, sealed, language):
    client = app.test_client()
    client.set_cookie("lang", language)
    response = client.get(f"/{sealed['slug']}/record")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert sealed["note"].split("\n")[2] in html  # the root, as the checkpoint's third line
    assert f'href="/{sealed["slug"]}/record/checkpoints/300"' in html
    assert f'href="/{sealed["slug"]}/record/checkpoints/260"' in html
    assert html.index("checkpoints/300") < html.index("checkpoints/260"), "newest first"
    assert f'href="/{sealed["slug"]}/track"' in html


def test_an_akimat_with_nothing_recorded_says_so(app):
    with app.app_context():
        slug = new_akimat().slug
    response = app.test_client().get(f"/{slug}/record")
    assert response.status_code == 200
    assert app.test_client().get(f"/{slug}/record/checkpoint").status_code == 404


def test_the_footer_of_every_page_links_to_the_record(client):
    assert 'href="/record"' in client.get("/").get_data(as_text=True)
    assert 'href="/record"' in client.get("/astana/").get_data(as_text=True)


# --- the files ----------------------------------------------------------------------------------


def test_the_checkpoint_is_the_signed_note_and_verifies_with_the_published_key(app, sealed):
    client = app.test_client()
    response = client.get(f"/{sealed['slug']}/record/checkpoint")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == sealed["note"]
    assert response.headers["Cache-Control"] == "public, max-age=10"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    checkpoint = open_checkpoint(response.get_data(as_text=True), _verifier(client), origin=sealed["origin"])
    assert checkpoint.size == 300
    assert merkle.root_of(sealed["leaves"]) == checkpoint.root

    old = client.get(f"/{sealed['slug']}/record/checkpoints/260")
    assert old.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert open_checkpoint(old.get_data(as_text=True), _verifier(client)).size == 260
    assert client.get(f"/{sealed['slug']}/record/checkpoints/261").status_code == 404


def test_tiles_hold_the_entries_leaf_hashes_in_order(app, sealed):
    client = app.test_client()
    base = f"/{sealed['slug']}/record/tile/0"
    full = client.get(f"{base}/000")
    assert full.status_code == 200 and full.mimetype == "application/octet-stream"
    assert full.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert tiles.split_tile(full.data) == sealed["leaves"][:256]
    partial = client.get(f"{base}/001.p/44")
    assert tiles.split_tile(partial.data) == sealed["leaves"][256:300]
    narrower = client.get(f"{base}/001.p/4")  # an older partial tile is a prefix: still served
    assert tiles.split_tile(narrower.data) == sealed["leaves"][256:260]
    assert merkle.root_of(tiles.split_tile(full.data) + tiles.split_tile(partial.data)).hex() == (
        merkle.root_of(sealed["leaves"]).hex()
    )


@pytest.mark.parametrize(
    "path",
    ["001", "001.p/45", "002.p/1", "001.p/0", "001.p/256", "001.p/044", "1", "x000/001", "abc", "000.p/x", "001.p/"],
)
def test_a_tile_beyond_the_integrated_tree_or_misnamed_is_not_found(app, sealed, path):
    response = app.test_client().get(f"/{sealed['slug']}/record/tile/0/{path}")
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"  # it may exist tomorrow


def test_the_consistency_proof_verifies_between_the_two_checkpoints(app, sealed):
    client = app.test_client()
    verifier = _verifier(client)
    old = open_checkpoint(client.get(f"/{sealed['slug']}/record/checkpoints/260").get_data(as_text=True), verifier)
    new = open_checkpoint(client.get(f"/{sealed['slug']}/record/checkpoint").get_data(as_text=True), verifier)
    response = client.get(f"/{sealed['slug']}/record/consistency?old=260&new=300")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert (body["old"], body["new"]) == (260, 300)
    proof = [bytes.fromhex(h) for h in body["proof"]]
    merkle.verify_consistency(260, 300, old.root, new.root, proof)
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(260, 300, bytes(32), new.root, proof)


def test_the_inclusion_proof_verifies_each_entry_against_the_checkpoint(app, sealed):
    client = app.test_client()
    checkpoint = open_checkpoint(
        client.get(f"/{sealed['slug']}/record/checkpoint").get_data(as_text=True), _verifier(client)
    )
    for index in (0, 1, 255, 256, 299):
        body = client.get(f"/{sealed['slug']}/record/inclusion?index={index}&size=300").get_json()
        assert (body["index"], body["size"]) == (index, 300)
        proof = [bytes.fromhex(h) for h in body["proof"]]
        merkle.verify_inclusion(index, 300, sealed["leaves"][index], proof, checkpoint.root)
    body = client.get(f"/{sealed['slug']}/record/inclusion?index=7&size=260").get_json()
    old = open_checkpoint(
        client.get(f"/{sealed['slug']}/record/checkpoints/260").get_data(as_text=True), _verifier(client)
    )
    merkle.verify_inclusion(7, 260, sealed["leaves"][7], [bytes.fromhex(h) for h in body["proof"]], old.root)


@pytest.mark.parametrize(
    "query",
    ["old=300&new=260", "old=0&new=301", "old=-1&new=5", "old=a&new=5", "old=5", "old=1.5&new=5", "new=5"],
)
def test_a_consistency_proof_between_impossible_sizes_is_a_translated_400(app, sealed, query):
    client = app.test_client()
    client.set_cookie("lang", "ru")
    response = client.get(f"/{sealed['slug']}/record/consistency?{query}")
    assert response.status_code == 400
    assert "целы" in response.get_json()["error"]  # "целые числа", in Russian
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "query", ["index=300&size=300", "index=0&size=301", "index=x&size=3", "size=3", "index=0&size=0"]
)
def test_an_inclusion_proof_outside_the_tree_is_a_translated_400(app, sealed, query):
    client = app.test_client()
    client.set_cookie("lang", "kk")
    response = client.get(f"/{sealed['slug']}/record/inclusion?{query}")
    assert response.status_code == 400
    assert "index" in response.get_json()["error"] and "бүтін" in response.get_json()["error"]


def test_the_platform_log_is_served_under_record_platform(app):
    with app.app_context():
        record_log = log.log_of(None)
        log.integrate(record_log.id)  # a log with nothing yet still gets its first checkpoint
        record_log = db.session.get(RecordLog, record_log.id)
        note = log.latest_checkpoint(record_log.id).note
    client = app.test_client()
    assert client.get("/record/platform/checkpoint").get_data(as_text=True) == note
    assert open_checkpoint(note, _verifier(client), origin=record_log.origin).size == record_log.size


def test_unknown_akimat_has_no_record(client):
    assert client.get("/no-such-akimat/record").status_code == 404
    assert client.get("/no-such-akimat/record/checkpoint").status_code == 404


def test_a_signed_in_user_gets_the_files_with_no_store(app, sealed):
    """A response that refreshes a session cookie is never kept by a shared cache."""
    client = app.test_client()
    login(client, "registrar")
    response = client.get(f"/{sealed['slug']}/record/tile/0/000")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_nothing_personal_is_on_the_pages_or_in_the_files(app):
    letter_subject = "Мой секретный адрес: Абая 12"
    with app.app_context():
        letter, _ = factories.letter(subject=letter_subject, email="secret-resident@example.kz")
        number = letter.number
        akimat = db.session.get(Akimat, letter.akimat_id)
        slug = akimat.slug
        record_log = log.log_of(akimat.id)
        log.integrate(record_log.id)
        size = db.session.get(RecordLog, record_log.id).size
    client = app.test_client()
    n = (size - 1) // 256
    width = size - n * 256
    tile_path = tiles.tile_path(0, n, width).removeprefix("tile/0/")
    bodies = [
        client.get(f"/{slug}/record").data,
        client.get("/record").data,
        client.get(f"/{slug}/record/checkpoint").data,
        client.get(f"/{slug}/record/tile/0/{tile_path}").data,
        client.get(f"/{slug}/record/inclusion?index={size - 1}&size={size}").data,
    ]
    for body in bodies:
        assert letter_subject.encode() not in body and b"secret-resident" not in body
        assert number.encode() not in body


# --- no query per row ----------------------------------------------------------------------------


def _statements(app, url):
    client = app.test_client()
    assert client.get(url).status_code == 200
    with counted(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_pages_cost_the_same_statements_with_more_logs_and_checkpoints(app):
    with app.app_context():
        akimat = new_akimat()
        slug = akimat.slug
        grow(akimat, 1)
        integrated(akimat)
    before = (_statements(app, "/record"), _statements(app, f"/{slug}/record"))
    with app.app_context():
        akimat = db.session.scalar(select(Akimat).where(Akimat.slug == slug))
        for _ in range(6):  # six more checkpoints of this log
            grow(akimat, 1)
            integrated(akimat)
        for _ in range(4):  # four more logs
            other = new_akimat()
            grow(other, 1)
            integrated(other)
    after = (_statements(app, "/record"), _statements(app, f"/{slug}/record"))
    assert before == after
    assert after[0] <= 4 and after[1] <= 8


def test_the_logs_are_listed_a_page_at_a_time(app, monkeypatch):
    from akimat_reception.web.public import record

    monkeypatch.setattr(record, "LOGS_PER_PAGE", 2)
    with app.app_context():
        for _ in range(3):
            grow(new_akimat(), 1)
        logs = db.session.scalar(select(func.count()).select_from(RecordLog))
    client = app.test_client()
    client.set_cookie("lang", "en")
    rows, page = [], 1
    while True:
        html = client.get(f"/record?page={page}").get_data(as_text=True)
        rows += re.findall(r'<td data-label="[^"]+">\s*(?:<a href="(/[^"]+/record)"|The site)', html)
        if 'rel="next"' not in html:
            break
        page += 1
    assert page == (logs + 1) // 2
    assert len(rows) == logs and len(set(rows)) == logs


def test_without_a_key_yet_the_page_says_so_and_no_key_is_served(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "RECORD_SIGNING_KEY_FILE", str(tmp_path / "none.key"))
    monkeypatch.setitem(app.config, "RECORD_SIGNING_KEY_CREATE", False)
    monkeypatch.setitem(app.config, "RECORD_PUBLISH_DIR", str(tmp_path / "record"))
    client = app.test_client()
    client.set_cookie("lang", "en")
    page = client.get("/record")
    assert page.status_code == 200 and "The site has no key yet" in page.get_data(as_text=True)
    assert client.get("/record/key").status_code == 404
    assert not (tmp_path / "none.key").exists()


def test_a_web_server_without_the_private_key_shows_the_published_one(app, monkeypatch, tmp_path):
    with app.app_context():
        published = keys.verifier().encode()
    (tmp_path / "record").mkdir()
    (tmp_path / "record" / "key").write_text(published + "\n")
    monkeypatch.setitem(app.config, "RECORD_SIGNING_KEY_FILE", str(tmp_path / "none.key"))
    monkeypatch.setitem(app.config, "RECORD_PUBLISH_DIR", str(tmp_path / "record"))
    assert app.test_client().get("/record/key").get_data(as_text=True) == published + "\n"
    assert not (tmp_path / "none.key").exists(), "the web server made a signing key of its own"
