"""What a file's bytes are judged to be, alone: a stranger's bytes, however damaged, are either
kept or refused with a message, never an error page; a zip bomb is judged without unpacking it."""

import io
import tracemalloc
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image

from akimat_reception.domain.attachments import DOCX, JPEG, PNG, Refused, examine


def _jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 8
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (43.0, 15.0, 30.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (24, 12), "red").save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _png_with_exif() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 3
    buffer = io.BytesIO()
    Image.new("RGBA", (12, 12), (0, 0, 255, 128)).save(buffer, "PNG", exif=exif.tobytes())
    return buffer.getvalue()


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>" + "<w:p/>" * 50 + "</w:document>")
    return buffer.getvalue()


SEEDS = {JPEG: _jpeg_with_exif(), PNG: _png_with_exif(), DOCX: _docx()}


def test_the_seeds_are_kept_and_the_pictures_lose_their_exif():
    for content_type, content in SEEDS.items():
        kind, stored = examine("x", content)
        assert kind == content_type
        if kind != DOCX:
            assert not Image.open(io.BytesIO(stored)).getexif()


@settings(
    max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    seed=st.sampled_from(sorted(SEEDS)),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.floats(0.05, 1)),
)
def test_damaged_bytes_are_kept_or_refused_never_an_error(seed, flips, cut):
    content = bytearray(SEEDS[seed])
    for where, byte in flips:
        content[int(where * len(content))] = byte
    if cut is not None:
        content = content[: max(1, int(cut * len(content)))]
    try:
        kind, stored = examine("x", bytes(content))
    except Refused:
        return
    assert kind in (JPEG, PNG, DOCX, "application/pdf") and stored


def test_a_zip_bomb_is_judged_from_its_directory_without_unpacking_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/image1.png", "w", force_zip64=True) as entry:
            for _ in range(200):
                entry.write(bytes(1024 * 1024))
    bomb = buffer.getvalue()
    tracemalloc.start()
    try:
        examine("bomb.docx", bomb)
        refused = False
    except Refused:
        refused = True
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert refused and peak < 1024 * 1024  # 200 MB unpacked would need 200 MB
