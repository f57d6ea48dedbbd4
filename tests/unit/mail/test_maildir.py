"""Maildir reading and writing: round trips, flags in file names, Maildir++ trees and broken entries."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from realmail_desktop.core.errors import ExportFailedError, ImportFailedError
from realmail_desktop.mail.maildir import MaildirSource, list_maildir_folders, write_maildir
from realmail_desktop.mail.sources import Flag, SkippedItem, SourceItem, SourceMessage

MESSAGES = [
    SourceMessage(b"Subject: a\n\nFrom the start\n>From quoted\n", Flag.NONE, 1_700_000_000, "t"),
    SourceMessage(b"Subject: b\r\n\r\ncrlf\r\n", Flag.SEEN | Flag.FLAGGED, 1_700_000_001, "t"),
    SourceMessage(b"Subject: caf\xc3\xa9\n\n\xff\x00\x80\n", Flag.ANSWERED | Flag.FORWARDED, 1_700_000_002, "t"),
    SourceMessage(b"Subject: d\n\nno newline", Flag.DRAFT | Flag.DELETED, 5, "t"),
    SourceMessage(b"Subject: e\n\nall\n", Flag(63), 1_700_000_004, "t"),
]
NAME = re.compile(r"^(\d+)\.M\d+P\d+Q\d+\.[A-Za-z0-9._-]+:2,([A-Z]*)$")


def messages(items: list[SourceItem]) -> list[SourceMessage]:
    return [item for item in items if isinstance(item, SourceMessage)]


def make_maildir(root: Path, files: dict[str, bytes]) -> Path:
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (root / name).write_bytes(data)
    return root


def test_round_trip_keeps_bytes_flags_and_times(tmp_path: Path) -> None:
    root = tmp_path / "Mail"
    assert write_maildir(root, MESSAGES) == len(MESSAGES)

    back = messages(list(MaildirSource(root)))

    by_subject = sorted(back, key=lambda m: m.raw)
    assert [(m.raw, m.flags, m.received_at) for m in by_subject] == [
        (m.raw, m.flags, m.received_at) for m in sorted(MESSAGES, key=lambda m: m.raw)
    ]
    assert [m.received_at for m in back] == sorted(m.received_at or 0 for m in MESSAGES)
    assert os.listdir(root / "tmp") == []
    assert os.listdir(root / "new") == []


def test_written_names_follow_the_spec(tmp_path: Path) -> None:
    write_maildir(tmp_path, MESSAGES)

    names = sorted(os.listdir(tmp_path / "cur"), key=lambda n: int(n.split(".")[0]))

    matches = [NAME.match(name) for name in names]
    assert all(matches), names
    assert [m.group(2) for m in matches if m] == ["DT", "", "FS", "PR", "DFPRST"]
    for name in names:
        stamp = int(name.split(".")[0])
        assert int(os.stat(tmp_path / "cur" / name).st_mtime) == stamp


def test_the_same_message_twice_gets_two_files(tmp_path: Path) -> None:
    write_maildir(tmp_path, [MESSAGES[0], MESSAGES[0]])
    assert len(os.listdir(tmp_path / "cur")) == 2
    assert len(messages(list(MaildirSource(tmp_path)))) == 2


def test_flags_come_from_the_info_and_new_means_unseen(tmp_path: Path) -> None:
    root = make_maildir(
        tmp_path / "m",
        {
            "cur/1700000003.a.host:2,RS": b"A: 3\n\nx\n",
            "cur/1700000002.b.host;2,FTa": b"A: 2\n\nx\n",  # Windows separator, a Dovecot keyword
            "cur/1700000001.c.host!2,P": b"A: 1\n\nx\n",
            "new/1700000004.d.host:2,S": b"A: 4\n\nx\n",
            "new/1700000000.e.host": b"A: 0\n\nx\n",
            "cur/.hidden-temp-file": b"A: 9\n\nx\n",
        },
    )

    items = list(MaildirSource(root))

    assert [(m.raw, m.flags, m.received_at) for m in messages(items)] == [
        (b"A: 0\n\nx\n", Flag.NONE, 1700000000),
        (b"A: 1\n\nx\n", Flag.FORWARDED, 1700000001),
        (b"A: 2\n\nx\n", Flag.FLAGGED | Flag.DELETED, 1700000002),
        (b"A: 3\n\nx\n", Flag.ANSWERED | Flag.SEEN, 1700000003),
        (b"A: 4\n\nx\n", Flag.NONE, 1700000004),
    ]
    assert items[3].origin == "m/cur/1700000003.a.host:2,RS"
    assert MaildirSource(root).estimate_count() == 5


def test_received_at_falls_back_to_the_file_time(tmp_path: Path) -> None:
    root = make_maildir(tmp_path / "m", {"cur/late:2,S": b"A: 1\n\nx\n", "cur/early:2,": b"A: 2\n\nx\n"})
    os.utime(root / "cur/late:2,S", (2_000_000_000, 2_000_000_000))
    os.utime(root / "cur/early:2,", (1_000_000_000, 1_000_000_000))

    back = messages(list(MaildirSource(root)))

    assert [(m.raw, m.received_at) for m in back] == [(b"A: 2\n\nx\n", 1_000_000_000), (b"A: 1\n\nx\n", 2_000_000_000)]


def test_bad_entries_are_skipped_and_the_rest_read(tmp_path: Path) -> None:
    root = make_maildir(tmp_path / "m", {"cur/1700000001.ok:2,S": b"A: 1\n\nx\n", "cur/1700000002.empty:2,": b"\n\n"})
    (root / "cur" / "1700000003.folder:2,").mkdir()
    (root / "cur" / "1700000004.dangling:2,").symlink_to(tmp_path / "nowhere")

    items = list(MaildirSource(root))

    assert [m.raw for m in messages(items)] == [b"A: 1\n\nx\n"]
    skipped = {item.origin: item.reason for item in items if isinstance(item, SkippedItem)}
    assert skipped == {
        "m/cur/1700000002.empty:2,": "The message is empty.",
        "m/cur/1700000003.folder:2,": "This is a folder, not a message.",
        "m/cur/1700000004.dangling:2,": "The file cannot be read (No such file or directory).",
    }


def test_a_maildir_without_new_is_fine_and_a_missing_one_is_a_skipped_item(tmp_path: Path) -> None:
    (tmp_path / "m" / "cur").mkdir(parents=True)
    (tmp_path / "m" / "cur" / "1.x:2,").write_bytes(b"A: 1\n\nx\n")
    assert len(messages(list(MaildirSource(tmp_path / "m")))) == 1

    items = list(MaildirSource(tmp_path / "gone", recursive_folders=True))
    assert len(items) == 1
    assert isinstance(items[0], SkippedItem)
    assert MaildirSource(tmp_path / "gone", recursive_folders=True).estimate_count() is None


def make_tree(root: Path) -> Path:
    make_maildir(root, {"cur/1.in:2,S": b"A: inbox\n\nx\n"})
    make_maildir(root / ".Sent", {"cur/2.s:2,S": b"A: sent\n\nx\n"})
    make_maildir(root / ".Work.Projects", {"new/3.w": b"A: work\n\nx\n"})
    make_maildir(root / ".&AOk-t&AOk-", {})  # "été" in IMAP's modified UTF-7
    make_maildir(root / "Archive" / "2023", {"cur/4.a:2,": b"A: archive\n\nx\n"})
    (root / ".git").mkdir()  # a dot folder that is no Maildir
    (root / "notes").mkdir()
    return root


def test_maildir_plus_plus_tree_is_listed_folder_by_folder(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "Maildir")

    folders = list_maildir_folders(root)

    assert folders == [
        ("Inbox", root),
        ("été", root / ".&AOk-t&AOk-"),
        ("Sent", root / ".Sent"),
        ("Work/Projects", root / ".Work.Projects"),
        ("Archive/2023", root / "Archive" / "2023"),
    ]


def test_recursive_source_reads_every_folder(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "Maildir")

    source = MaildirSource(root, recursive_folders=True)
    items = list(source)

    assert [(m.origin, m.raw) for m in messages(items)] == [
        ("Inbox/cur/1.in:2,S", b"A: inbox\n\nx\n"),
        ("Sent/cur/2.s:2,S", b"A: sent\n\nx\n"),
        ("Work/Projects/new/3.w", b"A: work\n\nx\n"),
        ("Archive/2023/cur/4.a:2,", b"A: archive\n\nx\n"),
    ]
    assert source.estimate_count() == 4
    assert len(messages(list(MaildirSource(root)))) == 1


def test_listing_a_missing_tree_is_a_known_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFailedError, match="not a folder"):
        list_maildir_folders(tmp_path / "gone")


def test_writing_where_a_file_is_is_a_known_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(ExportFailedError, match="Could not create the Maildir"):
        write_maildir(tmp_path / "file", MESSAGES)
