"""Gmail specifics of the sync without a server: which mailboxes are label folders, labels read from FETCH
replies, the X-GM-LABELS arguments of STORE, and the sender's Sent-copy decision coming from the sync."""

from __future__ import annotations

from realmail_desktop.send import server_saves_sent
from realmail_desktop.store import ImapSecurity, SendingAccount, SmtpSettings
from realmail_desktop.sync.fetch_reply import parse_fetch_replies
from realmail_desktop.sync.gmail import label_of, labels_by_uid, threads_by_uid
from realmail_desktop.sync.imap_commands import Fetched, ListedFolder, _gmail_label_arg


def listed(name: str, *flags: str) -> ListedFolder:
    return ListedFolder(name, "/", frozenset(flags), subscribed=True)


def test_label_folders_and_folders_with_messages_of_their_own() -> None:
    assert label_of(listed("INBOX")) == "\\Inbox"
    assert label_of(listed("[Gmail]/Sent Mail", "\\Sent", "\\HasNoChildren")) == "\\Sent"
    assert label_of(listed("[Gmail]/Drafts", "\\Drafts")) == "\\Draft"
    assert label_of(listed("[Gmail]/Starred", "\\Flagged")) == "\\Starred"
    assert label_of(listed("[Gmail]/Important", "\\Important")) == "\\Important"
    assert label_of(listed("Work/Projects", "\\HasNoChildren")) == "Work/Projects"
    for own in (
        listed("[Gmail]/All Mail", "\\All"),
        listed("[Gmail]/Trash", "\\Trash"),
        listed("[Gmail]/Spam", "\\Junk"),
    ):
        assert label_of(own) is None
    assert label_of(listed("[Gmail]", "\\Noselect", "\\HasChildren")) is None


def test_gmail_items_of_a_fetch_reply() -> None:
    data = [b'1 (UID 7 FLAGS (\\Seen \\Flagged) X-GM-LABELS (\\Inbox "Caf&AOk-" Work) X-GM-THRID 1234 X-GM-MSGID 99)']
    reply = parse_fetch_replies(data).replies[7]
    assert reply.gmail_labels == ("\\Inbox", "Caf&AOk-", "Work")
    assert (reply.gmail_thread, reply.gmail_message) == (1234, 99)
    fetched = [
        Fetched(uid=7, flags=("\\Seen", "\\Flagged"), gmail_labels=("\\Inbox", "Work"), gmail_thread=1234),
        Fetched(uid=8, flags=(), gmail_labels=()),
        Fetched(uid=9, flags=()),  # no X-GM-LABELS in the reply: left alone
    ]
    assert labels_by_uid(fetched) == {7: ("\\Inbox", "Work", "\\Starred"), 8: ()}
    assert threads_by_uid(fetched) == {7: 1234}


def test_label_arguments_are_quoted_and_utf7() -> None:
    assert _gmail_label_arg("\\Inbox") == "\\Inbox"
    assert _gmail_label_arg("Work stuff") == '"Work stuff"'
    assert _gmail_label_arg("Café") == '"Caf&AOk-"'
    assert _gmail_label_arg('a"b') == '"a\\"b"'


def _account(host: str, files_sent: bool | None) -> SendingAccount:
    smtp = SmtpSettings(host=host.replace("imap", "smtp"), port=465, security=ImapSecurity.TLS)
    return SendingAccount(
        account_id=1, address="a@b.c", smtp=smtp, imap_host=host, imap_username="a", server_files_sent=files_sent
    )


def test_the_sent_copy_decision_comes_from_the_sync() -> None:
    assert server_saves_sent(_account("imap.example.com", True))  # X-GM-EXT-1 found on a Workspace host
    assert not server_saves_sent(_account("imap.gmail.com", False))  # what the sync found wins
    assert server_saves_sent(_account("imap.gmail.com", None))  # not connected yet: by the host name
    assert not server_saves_sent(_account("imap.example.com", None))
