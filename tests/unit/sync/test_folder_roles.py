"""Folder roles from SPECIAL-USE and well-known names, server names as local paths, the quirks table, and
the small protocol helpers (UID sets, back-off)."""

from __future__ import annotations

import random

import pytest

from realmail_desktop.store import FolderRole
from realmail_desktop.store.imap_folders import remote_name_for
from realmail_desktop.sync.folder_roles import local_path, quirks_for, remote_folders, role_of
from realmail_desktop.sync.imap_commands import ListedFolder
from realmail_desktop.sync.options import Backoff
from realmail_desktop.sync.uid_sets import format_uid_set, parse_uid_set


@pytest.mark.parametrize(
    ("name", "delimiter", "flags", "role"),
    [
        ("INBOX", "/", (), FolderRole.INBOX),
        ("inbox", ".", (), FolderRole.INBOX),
        ("Gesendet", "/", ("\\Sent",), FolderRole.SENT),  # SPECIAL-USE beats the name
        ("Papierkorb", ".", ("\\HasNoChildren", "\\Trash"), FolderRole.TRASH),
        ("[Gmail]/All Mail", "/", ("\\All", "\\HasNoChildren"), FolderRole.ALL),
        ("Sent Items", "/", (), FolderRole.SENT),
        ("Sent Messages", "/", (), FolderRole.SENT),
        ("Deleted Items", "/", (), FolderRole.TRASH),
        ("Deleted Messages", ".", (), FolderRole.TRASH),
        ("Spam", "/", (), FolderRole.JUNK),
        ("Junk", "/", (), FolderRole.JUNK),
        ("Drafts", "/", (), FolderRole.DRAFTS),
        ("Archives", "/", (), FolderRole.ARCHIVE),
        ("INBOX.Sent", ".", (), FolderRole.SENT),  # Courier/Cyrus put everything under INBOX
        ("[Gmail]/Spam", "/", (), FolderRole.JUNK),
        ("Projects/Sent", "/", (), None),  # a name deeper down is just a name
        ("Work", "/", (), None),
    ],
)
def test_roles(name: str, delimiter: str, flags: tuple[str, ...], role: FolderRole | None) -> None:
    assert role_of(name, delimiter, frozenset(flags)) is role


def test_local_paths_and_back() -> None:
    assert local_path("INBOX", "/") == "Inbox"
    assert local_path("INBOX.Receipts", ".") == "Inbox/Receipts"
    assert local_path("Work.Projects", ".") == "Work/Projects"
    assert local_path("a/b.c", ".") == "a\u2215b/c"  # a '/' inside a segment does not split the path
    for name, delimiter in (("Work.Projects", "."), ("INBOX.Receipts", "."), ("a/b.c", "."), ("x/y", "/")):
        assert remote_name_for(local_path(name, delimiter), delimiter) == name


def test_which_folders_are_kept() -> None:
    listed = [
        ListedFolder("Archive", ".", frozenset({"\\Archive"}), subscribed=False),
        ListedFolder("INBOX", ".", frozenset(), subscribed=False),
        ListedFolder("Old", ".", frozenset(), subscribed=False),
        ListedFolder("Work", ".", frozenset({"\\Noselect"}), subscribed=True),
        ListedFolder("Gone", ".", frozenset({"\\NonExistent"}), subscribed=True),
    ]
    kept = remote_folders(listed, quirks_for("imap.example.com", frozenset()))
    assert [(f.remote_name, f.role, f.selectable, f.subscribed) for f in kept] == [
        ("INBOX", FolderRole.INBOX, True, False),  # first, whatever the server's order
        ("Archive", FolderRole.ARCHIVE, True, False),
        ("Old", None, True, False),  # unsubscribed: known (to subscribe again), not synced
        ("Work", None, False, True),  # a \Noselect parent is listed but not synced
    ]


def test_quirks() -> None:
    assert quirks_for("imap.gmail.com", frozenset()).gmail_labels
    assert quirks_for("imap.gmail.com", frozenset()).files_sent
    assert not quirks_for("imap.example.com", frozenset()).files_sent
    assert quirks_for("mail.example.com", frozenset({"X-GM-EXT-1"})).name == "Gmail"
    assert not quirks_for("p01-imap.mail.me.com", frozenset()).use_qresync
    assert quirks_for("127.0.0.1", frozenset({"QRESYNC"})).use_qresync
    gmail = [ListedFolder("[Gmail]/All Mail", "/", frozenset({"\\All"}), subscribed=True)]
    # Gmail's All Mail is the one folder its messages are synced from (label folders are views over it).
    assert remote_folders(gmail, quirks_for("imap.gmail.com", frozenset()))[0].selectable


def test_uid_sets() -> None:
    assert format_uid_set([9, 1, 2, 3, 7, 10, 3]) == "1:3,7,9:10"
    assert format_uid_set([5]) == "5"
    assert parse_uid_set("41,43:45") == [41, 43, 44, 45]
    assert parse_uid_set(b"3:1") == [3, 2, 1]  # COPYUID keeps the source order, which may run downwards
    with pytest.raises(ValueError, match="empty"):
        format_uid_set([])


def test_backoff_grows_with_jitter_and_resets() -> None:
    backoff = Backoff(1.0, 8.0, random.Random(1))
    delays = [backoff.next_delay() for _ in range(6)]
    ceilings = [1, 2, 4, 8, 8, 8]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    backoff.reset()
    assert backoff.next_delay() <= 1.0
