"""Thumbnails of picture attachments: small, upright, and never an error or a full decode for junk and bombs."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from PIL import Image

from realmail_desktop.mail import thumbnails
from realmail_desktop.mail.thumbnails import THUMBNAIL_SIZE, make_thumbnail


def jpeg(width: int, height: int, *, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", (width, height), (10, 120, 200))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 20_000) -> bytes:
    """A valid 1-bit PNG of side × side pixels: 50 MB of zero rows deflate to about 50 KB."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b"")


def test_a_photo_becomes_a_small_jpeg() -> None:
    result = make_thumbnail(jpeg(1200, 800))
    assert result.data is not None and result.reason == ""
    assert (result.image_format, result.width, result.height) == ("JPEG", THUMBNAIL_SIZE, 171)
    with Image.open(io.BytesIO(result.data)) as small:
        assert small.format == "JPEG" and small.size == (THUMBNAIL_SIZE, 171)


def test_the_camera_orientation_is_applied() -> None:
    result = make_thumbnail(jpeg(600, 300, orientation=6))  # 6: rotate 90° clockwise to view
    assert (result.width, result.height) == (128, THUMBNAIL_SIZE)


def test_a_transparent_png_stays_png_with_alpha() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (40, 20), (0, 0, 0, 0)).save(out, "PNG")
    result = make_thumbnail(out.getvalue())
    assert result.image_format == "PNG" and result.data is not None
    with Image.open(io.BytesIO(result.data)) as small:
        assert small.mode == "RGBA" and small.size == (40, 20)


def test_a_decompression_bomb_is_refused_from_its_header(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[object] = []
    original_load = Image.Image.load

    def spy_load(image: Image.Image) -> object:
        decoded.append(image)
        return original_load(image)

    monkeypatch.setattr(Image.Image, "load", spy_load)
    result = make_thumbnail(png_bomb())
    assert result.data is None and "too large" in result.reason
    assert decoded == []


def test_a_picture_over_our_limit_but_under_pillows_is_refused_too() -> None:
    side = int(thumbnails.MAX_PIXELS**0.5) + 100
    result = make_thumbnail(png_bomb(side))
    assert result.data is None and "too large" in result.reason


def test_a_truncated_picture_gives_a_reason() -> None:
    data = jpeg(800, 600)
    result = make_thumbnail(data[: len(data) // 2])
    assert result.data is None and result.reason


@pytest.mark.parametrize("junk", [b"", b"not a picture at all", b"\x89PNG\r\n\x1a\n" + b"\xff" * 40])
def test_junk_gives_a_reason(junk: bytes) -> None:
    result = make_thumbnail(junk)
    assert result.data is None and result.reason


def test_a_zip_claiming_to_be_a_jpeg_gives_a_reason() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.jpg", jpeg(10, 10))
    result = make_thumbnail(out.getvalue())
    assert result.data is None and result.reason == "This is not a picture RealMail can show."
