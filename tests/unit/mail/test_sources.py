"""open_source: which reader a path gets, and the plain errors for paths that hold no mail."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from realmail_desktop.core.errors import ImportFailedError
from realmail_desktop.mail.eml_files import EmlSource
from realmail_desktop.mail.maildir import MaildirSource
from realmail_desktop.mail.mbox import MboxSource
from realmail_desktop.mail.sources import Flag, MailSource, SourceMessage, looks_like_message, open_source

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


def test_flags_combine_and_messages_are_frozen() -> None:
    flags = Flag.SEEN | Flag.FORWARDED
    assert Flag.NONE.value == 0
    assert Flag.SEEN in flags
    assert Flag.FLAGGED not in flags
    message = SourceMessage(b"A: b\n\nc\n", flags, None, "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.flags = Flag.NONE  # type: ignore[misc]


def test_a_maildir_is_recognised_by_cur_or_new(tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "1.x").write_bytes(b"A: b\n\nc\n")

    source = open_source(tmp_path)

    assert isinstance(source, MaildirSource)
    assert [m.raw for m in source if isinstance(m, SourceMessage)] == [b"A: b\n\nc\n"]


def test_a_folder_of_eml_files(tmp_path: Path) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "m.eml").write_bytes(b"A: b\n\nc\n")
    source = open_source(tmp_path)
    assert isinstance(source, EmlSource)
    assert source.estimate_count() == 1


def test_a_single_eml_file(tmp_path: Path) -> None:
    path = tmp_path / "Message.EML"
    path.write_bytes(b"\r\nReceived: from x\r\nSubject: y\r\n\r\nbody\r\n")
    assert isinstance(open_source(path), EmlSource)


@pytest.mark.parametrize(
    "data",
    [
        b"From a@b Mon Jan  1 00:00:00 2024\nA: b\n\nc\n",
        b"\n\nFrom broken\nA: b\n\nc\n",
        b"junk a mail program left\nFrom a@b Mon Jan  1 00:00:00 2024\nA: b\n\nc\n",
    ],
)
def test_an_mbox_file_whatever_its_name(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "Inbox"
    path.write_bytes(data)
    source: MailSource = open_source(path)
    assert isinstance(source, MboxSource)
    assert [m.raw for m in source if isinstance(m, SourceMessage)] == [b"A: b\n\nc\n"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("picture.png", PNG, "“picture.png” is not a mail archive."),
        ("picture.eml", PNG, "“picture.eml” does not look like an e-mail message."),
        ("notes.txt", b"Dear diary,\nFrom today on\n", "“notes.txt” is not a mail archive."),
        ("empty.mbox", b"\n\r\n", "“empty.mbox” is empty."),
    ],
)
def test_files_that_are_not_mail_are_refused_plainly(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ImportFailedError) as caught:
        open_source(tmp_path / name)
    assert caught.value.message == message


def test_a_folder_without_mail_is_refused(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.png").write_bytes(PNG)
    with pytest.raises(ImportFailedError, match="holds no mail") as caught:
        open_source(tmp_path / "photos")
    assert "mbox" in caught.value.hint


def test_missing_and_dangling_paths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFailedError, match=r"“gone\.mbox” does not exist"):
        open_source(tmp_path / "gone.mbox")
    (tmp_path / "link.mbox").symlink_to(tmp_path / "gone.mbox")
    with pytest.raises(ImportFailedError, match="link to something that no longer exists"):
        open_source(tmp_path / "link.mbox")


def test_a_special_file_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(ImportFailedError, match="not a file or a folder"):
        open_source(tmp_path / "pipe")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"Subject: x\n\nbody", True),
        (b"\r\n\r\nX-Header:value\r\n\r\n", True),
        (b"Return-Path: <a@b>\nSubject: \x00\n\n", False),
        (PNG, False),
        (b"just text\nno headers\n", False),
        (b"Subject: x\n\n\x00 in the body is fine", True),
    ],
)
def test_looks_like_message(head: bytes, expected: bool) -> None:
    assert looks_like_message(head) is expected
