"""Saving attachments: sanitised names (never a path, never reserved, never empty) and no silent overwrite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realmail_desktop.mail.filenames import (
    MAX_NAME_BYTES,
    SaveAttachmentError,
    copy_name,
    replace_file,
    safe_filename,
    write_new_file,
)

RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../.bashrc", "bashrc"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("C:\\Users\\bob\\evil.exe", "evil.exe"),
        ("C:evil.exe", "C_evil.exe"),
        ("CON", "_CON"),
        ("nul.tar.gz", "_nul.tar.gz"),
        ("com1.txt", "_com1.txt"),
        ("invoice.exe. . ", "invoice.exe"),
        ("a\x00b\x1fc\x7f.txt", "abc.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # the right-to-left override trick
        ('what?<>|"*.txt', "what______.txt"),
        ("..", "attachment"),
        ("", "attachment"),
        ("=?utf-8?q?caf=C3=A9.pdf?=", "café.pdf"),  # an encoded word left undecoded by the sender
        ("Zu\u0308rich.txt", "Zürich.txt"),  # NFD from macOS mail → NFC
    ],
)
def test_safe_filename(given_name: str, expected: str) -> None:
    assert safe_filename(given_name) == expected


def test_long_names_are_cut_but_keep_their_extension() -> None:
    name = safe_filename("ü" * 300 + ".pdf")
    assert name.endswith(".pdf") and len(name.encode()) <= MAX_NAME_BYTES
    assert set(name.removesuffix(".pdf")) == {"ü"}  # cut on a character boundary


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_name_becomes_a_plain_name_inside_the_folder(name: str) -> None:
    folder = Path("/saved/here")
    safe = safe_filename(name)
    assert safe and safe not in (".", "..")
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert Path(os.path.normpath(folder / safe)).parent == folder
    assert safe.split(".")[0].strip().upper() not in RESERVED
    assert not safe.endswith((".", " "))
    assert len(copy_name(safe, 9999).encode()) <= 255


def test_collisions_get_numbered_copies_and_nothing_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(b"mine")
    first = write_new_file(tmp_path, "report.pdf", b"one")
    second = write_new_file(tmp_path, "../report.pdf", b"two")
    assert [first.name, second.name] == ["report (2).pdf", "report (3).pdf"]
    assert (tmp_path / "report.pdf").read_bytes() == b"mine"
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"
    assert write_new_file(tmp_path, "README", b"x").name == "README"
    assert write_new_file(tmp_path, "README", b"y").name == "README (2)"


def test_replacing_a_chosen_file(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")
    assert replace_file(target, b"new") == target
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_a_folder_that_is_gone_is_a_known_error(tmp_path: Path) -> None:
    with pytest.raises(SaveAttachmentError) as caught:
        write_new_file(tmp_path / "missing", "a.txt", b"x")
    assert "a.txt" in caught.value.message and caught.value.hint
