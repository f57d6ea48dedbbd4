"""Attachment safety verdicts from real bytes: what libmagic sees against the name and the declared type."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from realmail_desktop.mail.attachment_safety import Verdict, extension_of, judge_attachment, sniff_type


def picture(image_format: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, image_format)
    return out.getvalue()


PNG = picture("PNG")
JPEG = picture("JPEG")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# The start of a Windows PE program: DOS header ("MZ", e_lfanew = 0x80), DOS stub, then "PE\0\0" + i386.
EXE = b"MZ\x90\x00\x03" + b"\x00" * 55 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00\x4c\x01" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>password</form></body></html>"
# libmagic 5.44 calls a full PE header by its IANA name, a bare DOS header x-dosexec.
WINDOWS_PROGRAM = {"application/x-dosexec", "application/vnd.microsoft.portable-executable"}
TEXT = b"Hello Bob,\nthe minutes are below.\n"


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.txt", "not a picture")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "sniffed"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (PDF, "application/pdf"),
        (zip_bytes(), "application/zip"),
        (HTML, "text/html"),
        (TEXT, "text/plain"),
    ],
)
def test_sniffing_reads_the_bytes(data: bytes, sniffed: str) -> None:
    assert sniff_type(data) == sniffed


def test_sniffing_sees_a_windows_program() -> None:
    assert sniff_type(EXE) in WINDOWS_PROGRAM


@pytest.mark.parametrize(
    ("data", "name", "declared"),
    [
        (PNG, "holiday.png", "image/png"),
        (JPEG, "IMG_0001.JPG", "image/jpeg"),
        (PDF, "report.pdf", "application/pdf"),
        (TEXT, "notes.txt", "text/plain"),
        (TEXT, "figures.csv", "application/octet-stream"),
        (JPEG, "", "image/jpeg"),
        (PNG, "scan.jpg", "image/jpeg"),  # a PNG named .jpg is still a picture: harmless
    ],
)
def test_consistent_harmless_files_are_safe(data: bytes, name: str, declared: str) -> None:
    verdict = judge_attachment(data, name, declared)
    assert verdict.verdict is Verdict.SAFE and verdict.reason == "" and not verdict.needs_confirmation


def test_a_program_named_like_a_pdf_is_a_mismatch_in_plain_words() -> None:
    verdict = judge_attachment(EXE, "invoice.pdf", "application/pdf")
    assert verdict.verdict is Verdict.MISMATCH
    assert verdict.sniffed_type in WINDOWS_PROGRAM
    assert verdict.reason == "This file is a Windows program (.exe) named like a PDF (.pdf)."


def test_a_zip_named_like_a_picture_is_a_mismatch() -> None:
    verdict = judge_attachment(zip_bytes(), "photo.jpg", "image/jpeg")
    assert verdict.verdict is Verdict.MISMATCH
    assert "compressed archive" in verdict.reason and "picture" in verdict.reason


def test_a_declared_type_that_disagrees_is_a_mismatch_even_without_a_name() -> None:
    verdict = judge_attachment(EXE, "", "image/jpeg")
    assert verdict.verdict is Verdict.MISMATCH
    assert verdict.reason == "This file is a Windows program (.exe), but the message says it is a picture."


def test_an_honest_program_is_still_risky() -> None:
    verdict = judge_attachment(EXE, "setup.exe", "application/x-msdownload")
    assert verdict.verdict is Verdict.RISKY and verdict.needs_confirmation
    assert "Windows program" in verdict.reason


@pytest.mark.parametrize("name", ["run.sh", "macro.vbs", "update.bat", "page.html"])
def test_scripts_and_web_pages_are_risky_by_name_even_when_they_sniff_as_text(name: str) -> None:
    verdict = judge_attachment(TEXT, name, "text/plain")
    assert verdict.verdict is Verdict.RISKY


def test_a_web_page_is_risky_and_says_why() -> None:
    verdict = judge_attachment(HTML, "statement.html", "text/html")
    assert verdict.verdict is Verdict.RISKY and "password" in verdict.reason


def test_a_web_page_named_like_a_pdf_is_a_mismatch() -> None:
    verdict = judge_attachment(HTML, "statement.pdf", "application/pdf")
    assert verdict.verdict is Verdict.MISMATCH and verdict.reason.startswith("This file is a web page")


def test_empty_and_unknown_bytes_are_judged_by_name() -> None:
    assert judge_attachment(b"", "empty.txt", "text/plain").verdict is Verdict.SAFE
    assert judge_attachment(b"\x00\x01\x02\x03" * 64, "blob.exe", "").verdict is Verdict.RISKY


def test_extension_ignores_trailing_dots_and_windows_separators() -> None:
    assert extension_of("a\\b\\Invoice.PDF. ") == "pdf"
    assert extension_of("README") == ""
