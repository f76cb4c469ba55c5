"""Residents' files: checked by content, kept when the form fails, served only to those allowed,
always as a download; zip bombs refused, photos stored upright without their metadata."""

import hashlib
import io
import os
import re
import struct
import zipfile
import zlib

import pytest
from PIL import ExifTags, Image
from sqlalchemy import select

from akimat_reception.extensions import db
from akimat_reception.models import Attachment, Letter
from tests.conftest import csrf_token, login
from tests.web.test_public import GOOD_LETTER, _category_id

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _picture(kind: str, **params) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(buffer, kind, **params)
    return buffer.getvalue()


PNG = _picture("PNG")
JPEG = _picture("JPEG")


def _docx(parts=(), zero_megabytes: int = 0) -> bytes:
    """A Word document, with more parts if asked, and a part of that many MB of zeros packed
    tightly (a zip bomb's kernel): small on disk, big unpacked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, content in parts:
            archive.writestr(name, content)
        if zero_megabytes:
            with archive.open("word/media/image1.png", "w", force_zip64=True) as entry:
                megabyte = bytes(1024 * 1024)
                for _ in range(zero_megabytes):
                    entry.write(megabyte)
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
    document = _docx()
    files = [("заявление.pdf", PDF), ("фото.png", PNG), ("photo.JPG", JPEG), ("акт.docx", document)]
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
        assert stored[0].sha256 == stored[0].original_sha256 == hashlib.sha256(PDF).hexdigest()  # kept as sent
        assert stored[3].sha256 == stored[3].original_sha256 == hashlib.sha256(document).hexdigest()
        assert [a.original_sha256 for a in stored[1:3]] == [
            hashlib.sha256(PNG).hexdigest(),
            hashlib.sha256(JPEG).hexdigest(),
        ]
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


def _field_error(html: str) -> str:
    """The error shown by the files field (GOV.UK pattern: under the label, linked to the input)."""
    found = re.search(r'<p class="error-message" id="files-error">(.*?)</p>', html, re.S)
    return found.group(1) if found else ""


@pytest.fixture(scope="module")
def zip_bomb():
    """The issue's zip bomb: 300 MB of zeros in a .docx of about 300 kB."""
    return _docx(zero_megabytes=300)


def test_a_zip_bomb_docx_is_refused_by_the_field_and_the_form_keeps_the_rest(app, client, zip_bomb):
    assert len(zip_bomb) < 400 * 1024
    response = _post(client, app, [("акт.docx", zip_bomb), ("ok.pdf", PDF)])
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "акт.docx was not added: it would unpack to more than 50 MB" in _field_error(html)
    assert GOOD_LETTER["body"] in html and f'value="{GOOD_LETTER["subject"]}"' in html
    assert "ok.pdf" in html and "Already attached" in html and "акт.docx</" not in html


@pytest.mark.parametrize(
    "document, message",
    [
        (lambda: _docx(zero_megabytes=20), "is packed more than 100 times tighter than a real document"),
        (
            lambda: _docx(parts=[(f"word/media/{i}.xml", "<x/>") for i in range(1001)]),
            "holds more than 1000 parts",
        ),
    ],
    ids=["ratio", "parts"],
)
def test_a_docx_under_50_mb_is_still_refused_when_packed_absurdly(app, client, document, message):
    response = _post(client, app, [("отчёт.docx", document())])
    assert response.status_code == 422 and message in _field_error(response.get_data(as_text=True))


def test_a_real_document_with_a_photo_inside_passes_the_limits(app, client):
    photo = os.urandom(3 * 1024 * 1024)  # incompressible, as a JPEG inside a document is
    text = "".join(
        f'<w:p w:rsidR="{i * 7919 % 99991:08X}"><w:r><w:t>{i}. Дом {i * 31 % 997}, кв. {i % 89}</w:t></w:r></w:p>'
        for i in range(30000)
    )  # about 3 MB of a long table's XML
    document = _docx(parts=[("word/media/image1.jpeg", photo), ("word/styles.xml", text)])
    response = _post(client, app, [("заявление.docx", document)])
    assert response.status_code == 302


def _photo_with_gps_facing_right() -> bytes:
    """A phone photo as cameras write them: pixels stored sideways (red half on the left, blue on
    the right) with EXIF orientation 6 ("turn 90° clockwise to view"), the GPS position of the
    home it was taken in, the camera, and a comment."""
    image = Image.new("RGB", (64, 32), "red")
    image.paste((0, 0, 255), (32, 0, 64, 32))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (43.0, 15.0, 30.0), 3: "E", 4: (76.0, 57.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), comment=b"Abai street 10, flat 5", quality=95)
    return buffer.getvalue()


def test_a_photo_is_stored_upright_without_its_metadata_and_both_hashes_are_kept(app, client):
    sent = _photo_with_gps_facing_right()
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test's photo has GPS
    response = _post(client, app, [("двор.jpg", sent)])
    letter, number = _letter_of(app, response)
    with app.app_context():
        stored = db.session.get(Letter, letter.id).attachments[0]
        attachment_id, sha256, original_sha256 = stored.id, stored.sha256, stored.original_sha256
    downloaded = client.get(f"/astana/track/{number}/files/{attachment_id}").data
    assert b"Exif" not in downloaded and b"PhoneMaker" not in downloaded and b"Abai" not in downloaded
    picture = Image.open(io.BytesIO(downloaded))
    assert picture.format == "JPEG" and not picture.getexif() and "comment" not in picture.info
    assert picture.size == (32, 64)  # turned upright: the red half, on the left as stored, is now on top
    top, bottom = picture.getpixel((16, 8)), picture.getpixel((16, 56))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]
    assert original_sha256 == hashlib.sha256(sent).hexdigest()
    assert sha256 == hashlib.sha256(downloaded).hexdigest() != original_sha256
    assert len(downloaded) == int(client.get(f"/astana/track/{number}/files/{attachment_id}").headers["Content-Length"])


def test_a_png_loses_its_text_and_exif_but_keeps_its_transparency(app, client):
    from PIL import PngImagePlugin

    image = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    image.putpixel((0, 0), (0, 0, 255, 255))
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Resident Name, +77010000000")
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (43.0, 15.0, 30.0)}
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=text, exif=exif.tobytes())
    response = _post(client, app, [("схема.png", buffer.getvalue())])
    letter, number = _letter_of(app, response)
    with app.app_context():
        attachment_id = db.session.get(Letter, letter.id).attachments[0].id
    downloaded = client.get(f"/astana/track/{number}/files/{attachment_id}").data
    assert b"eXIf" not in downloaded and b"tEXt" not in downloaded and b"Resident" not in downloaded
    picture = Image.open(io.BytesIO(downloaded))
    assert picture.mode == "RGBA" and picture.getpixel((5, 5))[3] == 0 and picture.getpixel((0, 0)) == (0, 0, 255, 255)


def _png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims the given size: an image bomb needs no more."""
    content = bytearray(PNG)
    ihdr = content.index(b"IHDR")
    content[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    content[ihdr + 17 : ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(content[ihdr : ihdr + 17])))
    return bytes(content)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("width, height", [(10_000, 8_000), (100_000, 100_000)], ids=["80MP", "10000MP"])
def test_an_image_bomb_is_refused_with_a_clear_message(app, client, width, height):
    response = _post(client, app, [("фото.png", _png_claiming(width, height)), ("ok.pdf", PDF)])
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "фото.png was not added: the picture has more than 60 million pixels" in _field_error(html)
    assert "ok.pdf" in html and "Already attached" in html


def test_a_damaged_photo_is_refused(app, client):
    buffer = io.BytesIO()
    Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3)).save(buffer, "JPEG")
    photo = buffer.getvalue()
    response = _post(client, app, [("half.jpg", photo[: len(photo) // 2])])  # cut off in the pixels
    assert response.status_code == 422
    assert "half.jpg could not be read as a picture" in _field_error(response.get_data(as_text=True))


def _with_overlapping_copies(content: bytes, copies: int) -> bytes:
    """The zip with its last part listed `copies` more times under other names, all pointing at the
    same packed bytes: how a bomb unpacks to far more than it holds without nesting."""
    end = content.rindex(b"PK\x05\x06")
    disk, start_disk, on_disk, total, size, offset, _ = struct.unpack("<4H2LH", content[end + 4 : end + 22])
    directory = content[offset : offset + size]
    record = directory[directory.rindex(b"PK\x01\x02") :]
    for k in range(2, copies + 2):
        directory += record.replace(b"image1.bin", f"image{k}.bin".encode())
    tail = struct.pack("<4H2LH", disk, start_disk, on_disk + copies, total + copies, len(directory), offset, 0)
    return content[:offset] + directory + b"PK\x05\x06" + tail


def test_a_docx_whose_parts_overlap_is_refused(app, client):
    document = _with_overlapping_copies(_docx(parts=[("word/media/image1.bin", os.urandom(1024 * 1024))]), 8)
    with zipfile.ZipFile(io.BytesIO(document)) as archive:  # a valid zip by its directory: 9 MB in 1 MB
        assert len(archive.namelist()) == 11 and sum(i.file_size for i in archive.infolist()) > 9 * 1024 * 1024
    response = _post(client, app, [("акт.docx", document)])
    assert response.status_code == 422 and "its parts overlap" in _field_error(response.get_data(as_text=True))


def test_a_spreadsheet_is_not_taken_for_a_word_document(app, client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    response = _post(client, app, [("таблица.docx", buffer.getvalue())])
    assert response.status_code == 422
    assert "таблица.docx is not a PDF, JPEG, PNG or DOCX file" in _field_error(response.get_data(as_text=True))
