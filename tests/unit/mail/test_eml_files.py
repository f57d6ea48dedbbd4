"""Folders of .eml files: round trips, safe and unique file names, and files that are not mail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from realmail_desktop.core.errors import ExportFailedError
from realmail_desktop.mail.eml_files import EmlSource, message_subject, safe_file_name, write_eml_files
from realmail_desktop.mail.sources import Flag, SkippedItem, SourceItem, SourceMessage

MESSAGES = [
    SourceMessage(b"Subject: Hello\n\nFrom the start\n>From quoted\n", Flag.NONE, 1_700_000_000, "t"),
    SourceMessage(b"Subject: crlf\r\n\r\nbody\r\n", Flag.NONE, 1_600_000_000, "t"),
    SourceMessage(b"Subject: =?utf-8?q?caf=C3=A9?=\n\n\xff\x00\x80", Flag.NONE, 1_500_000_000, "t"),
    SourceMessage(b"To: x@y\n\nno subject at all\n", Flag.NONE, None, "t"),
]


def messages(items: list[SourceItem]) -> list[SourceMessage]:
    return [item for item in items if isinstance(item, SourceMessage)]


def test_round_trip_keeps_bytes_and_times_in_order(tmp_path: Path) -> None:
    assert write_eml_files(tmp_path, MESSAGES) == len(MESSAGES)

    back = messages(list(EmlSource(tmp_path)))

    assert sorted(os.listdir(tmp_path)) == [
        "0001 Hello.eml",
        "0002 crlf.eml",
        "0003 café.eml",
        "0004 no subject.eml",
    ]
    assert [m.raw for m in back] == [m.raw for m in MESSAGES]
    assert [m.received_at for m in back[:3]] == [1_700_000_000, 1_600_000_000, 1_500_000_000]
    assert back[3].received_at is not None  # the file's own time
    assert [m.origin for m in back][:2] == ["0001 Hello.eml", "0002 crlf.eml"]


def test_flags_are_read_from_status_headers_when_present(tmp_path: Path) -> None:
    (tmp_path / "a.eml").write_bytes(b"Status: RO\nX-Mozilla-Status: 0004\nSubject: x\n\nbody\n")
    (tmp_path / "b.eml").write_bytes(b"Subject: y\n\nbody\n")
    assert [m.flags for m in messages(list(EmlSource(tmp_path)))] == [Flag.SEEN | Flag.FLAGGED, Flag.NONE]


def test_existing_files_are_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "0001 Hello.eml").write_bytes(b"precious")

    write_eml_files(tmp_path, MESSAGES[:1])
    write_eml_files(tmp_path, [MESSAGES[0]] * 2, name_for=lambda message, index: "same")

    assert (tmp_path / "0001 Hello.eml").read_bytes() == b"precious"
    assert (tmp_path / "0001 Hello (2).eml").read_bytes() == MESSAGES[0].raw
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("same")) == ["same (2).eml", "same.eml"]


def test_custom_names_cannot_leave_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_eml_files(out, MESSAGES[:2], name_for=lambda message, index: ["../../evil", "/etc/passwd.eml"][index - 1])

    assert sorted(os.listdir(out)) == ["_.._evil.eml", "_etc_passwd.eml"]
    assert sorted(os.listdir(tmp_path)) == ["out"]


@pytest.mark.parametrize(
    ("proposed", "expected"),
    [
        ('a/b\\c:d*e?f"g<h>i|j', "a_b_c_d_e_f_g_h_i_j"),
        ("tab\tnew\nline\x00nul\x7f", "tab new line nul"),
        ("abc\u202egpj.exe", "abc gpj.exe"),  # a right-to-left override would disguise the name
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1 ", "_com1"),
        ("LPT9.eml", "_LPT9"),
        ("CONSOLE", "CONSOLE"),
        ("  ... dots and spaces ...  ", "dots and spaces"),
        ("", "message"),
        ("\x01\x02", "message"),
    ],
)
def test_safe_file_names(proposed: str, expected: str) -> None:
    assert safe_file_name(proposed) == expected


def test_long_names_are_cut_to_120_characters_and_240_bytes(tmp_path: Path) -> None:
    long_ascii = SourceMessage(b"Subject: " + b"x" * 500 + b"\n\nb\n", Flag.NONE, 0, "t")
    long_wide = SourceMessage(("Subject: " + "\U0001f600" * 200 + "\n\nb\n").encode(), Flag.NONE, 0, "t")

    write_eml_files(tmp_path, [long_ascii, long_ascii, long_wide])

    names = sorted(os.listdir(tmp_path))
    assert all(len(name) <= 120 and len(name.encode()) <= 240 for name in names)
    assert names[0] == "0001 " + "x" * 111 + ".eml"
    assert names[1] == "0002 " + "x" * 111 + ".eml"
    assert names[2].startswith("0003 \U0001f600")
    write_eml_files(tmp_path, [long_ascii], name_for=lambda message, index: "y" * 300)
    write_eml_files(tmp_path, [long_ascii], name_for=lambda message, index: "y" * 300)
    assert "y" * 112 + " (2).eml" in os.listdir(tmp_path)


@pytest.mark.parametrize(
    ("raw", "subject"),
    [
        (b"Subject: plain words\n\nx", "plain words"),
        (b"subject: =?iso-8859-1?q?na=EFve?= and =?utf-8?b?w6k=?=\n\nx", "naïve and é"),
        (b"Subject: folded\n  over two lines\n\nx", "folded  over two lines"),
        (b"Subject: raw caf\xc3\xa9 and =?x-unknown?q?a?=\n\nx", "raw café and a"),
        (b"To: a\n\nSubject: in the body\n", ""),
    ],
)
def test_message_subject(raw: bytes, subject: str) -> None:
    assert message_subject(raw) == subject


def test_reading_a_folder_recurses_sorts_and_skips_what_is_not_mail(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.EML").write_bytes(b"Subject: two\n\nx\n")
    (tmp_path / "a.eml").write_bytes(b"Subject: one\n\nx\n")
    (tmp_path / "c.eml").write_bytes(b"")
    (tmp_path / "d.eml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "e.eml").symlink_to(tmp_path / "nowhere")
    (tmp_path / "notes.txt").write_bytes(b"Subject: not an eml file\n\nx\n")
    (tmp_path / "folder.eml").mkdir()

    source = EmlSource(tmp_path)
    items = list(source)

    assert [(item.origin, type(item)) for item in items] == [
        ("a.eml", SourceMessage),
        ("b/2.EML", SourceMessage),
        ("c.eml", SkippedItem),
        ("d.eml", SkippedItem),
        ("e.eml", SkippedItem),
    ]
    reasons = [item.reason for item in items if isinstance(item, SkippedItem)]
    assert reasons == [
        "The file is empty.",
        "The file does not look like an e-mail message.",
        "The file cannot be read (No such file or directory).",
    ]
    assert source.estimate_count() == 5


def test_a_single_file_with_a_from_line_loses_the_line_and_keeps_its_date(tmp_path: Path) -> None:
    path = tmp_path / "saved.eml"
    path.write_bytes(b"From someone@example.org Fri Jul  8 12:08:34 2011\r\nSubject: x\r\n\r\nbody\r\n")

    assert list(EmlSource(path)) == [SourceMessage(b"Subject: x\r\n\r\nbody\r\n", Flag.NONE, 1310126914, "saved.eml")]
    assert EmlSource(path).estimate_count() == 1


def test_writing_into_a_file_is_a_known_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(ExportFailedError, match="Could not create the folder"):
        write_eml_files(tmp_path / "file", MESSAGES)
