"""Residents' files: checked by content, kept when the form fails, served only to those allowed,
always as a download."""

import hashlib
import io
import re
import zipfile

import pytest
from sqlalchemy import select

from akimat_reception.extensions import db
from akimat_reception.models import Attachment, Letter
from tests.conftest import csrf_token, login
from tests.web.test_public import GOOD_LETTER, _category_id

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _post(client, app, files, **fields):
    data = {
        "csrf_token": csrf_token(client, "/astana/letters/new"),
        **GOOD_LETTER,
        "category": _category_id(app),
        **fields,
    }
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(
        "/astana/letters/new", data=data, content_type="multipart/form-data", headers={"Accept-Language": "en"}
    )


def _letter_of(app, response):
    number = response.headers["Location"].split("/")[-2]
    with app.app_context():
        return db.session.scalar(select(Letter).where(Letter.number == number)), number


def test_files_of_the_four_kinds_are_kept_with_their_hashes(app, client):
    files = [("заявление.pdf", PDF), ("фото.png", PNG), ("photo.JPG", JPEG), ("акт.docx", _docx())]
    response = _post(client, app, files)
    assert response.status_code == 302
    letter, number = _letter_of(app, response)
    with app.app_context():
        stored = db.session.scalars(
            select(Attachment).where(Attachment.letter_id == letter.id).order_by(Attachment.id)
        ).all()
        assert [(a.original_name, a.content_type) for a in stored] == [
            ("заявление.pdf", "application/pdf"),
            ("фото.png", "image/png"),
            ("photo.JPG", "image/jpeg"),
            ("акт.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ]
        assert stored[0].sha256 == hashlib.sha256(PDF).hexdigest()
        from akimat_reception.domain.attachments import stored_path

        path = stored_path(stored[0].storage_name)
        assert path.read_bytes() == PDF and not str(path).startswith(app.static_folder)
        from akimat_reception.domain import journal

        assert journal.events_of(letter)[0].payload["files"][0] == stored[0].sha256


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("virus.pdf", b"MZ\x90\x00 this is a windows program", "is not a PDF, JPEG, PNG or DOCX file"),
        ("page.png", b"<html><script>alert(1)</script></html>", "is not a PDF, JPEG, PNG or DOCX file"),
        ("fake.docx", b"PK\x03\x04 not really a zip", "is not a PDF, JPEG, PNG or DOCX file"),
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "is larger than 10 MB"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_a_bad_file_is_refused_by_its_content_and_the_form_keeps_the_rest(app, client, name, content, message):
    response = _post(client, app, [(name, content), ("ok.pdf", PDF)])
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert GOOD_LETTER["body"] in html and f'value="{GOOD_LETTER["subject"]}"' in html
    assert "ok.pdf" in html and "Already attached" in html  # the good file is kept


def test_files_survive_a_failed_form_and_the_letter_gets_them(app, client):
    first = _post(client, app, [("справка.pdf", PDF)], iin="123")
    html = first.get_data(as_text=True)
    assert first.status_code == 422 and "справка.pdf" in html
    token = re.search(r'name="submission_token" type="hidden" value="([0-9a-f]{32})"', html) or re.search(
        r'name="submission_token" value="([0-9a-f]{32})"', html
    )
    second = _post(client, app, [], submission_token=token.group(1))
    assert second.status_code == 302
    letter, _ = _letter_of(app, second)
    with app.app_context():
        assert [a.original_name for a in db.session.get(Letter, letter.id).attachments] == ["справка.pdf"]


def test_a_sixth_file_is_refused(app, client):
    response = _post(client, app, [(f"{i}.pdf", PDF) for i in range(6)])
    assert response.status_code == 422 and "at most 5 files" in response.get_data(as_text=True)


def test_a_file_is_served_as_a_download_only_to_those_allowed(app, client):
    response = _post(client, app, [("<script>x</script>.pdf", PDF)])
    letter, number = _letter_of(app, response)
    with app.app_context():
        attachment_id = db.session.get(Letter, letter.id).attachments[0].id
    own = client.get(f"/astana/track/{number}/files/{attachment_id}")  # the resident who sent it
    assert own.status_code == 200 and own.data == PDF
    assert own.headers["Content-Disposition"].startswith("attachment")
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    assert own.headers["Content-Type"] == "application/pdf"
    stranger = client.application.test_client()
    assert stranger.get(f"/astana/track/{number}/files/{attachment_id}").status_code == 302  # to the code form
    registrar = client.application.test_client()
    login(registrar, "registrar")
    assert registrar.get(f"/astana/office/letters/{number}/files/{attachment_id}").status_code == 200
    other_akimat = client.application.test_client()
    login(other_akimat, "registrar", "almaty")
    assert other_akimat.get(f"/astana/office/letters/{number}/files/{attachment_id}").status_code == 404
    page = registrar.get(f"/astana/office/letters/{number}").get_data(as_text=True)
    assert "<script>x</script>" not in page and "script.pdf" in page  # no path, no markup in a name
