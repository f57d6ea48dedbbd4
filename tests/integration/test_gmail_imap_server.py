"""The fake Gmail IMAP server itself (tests/servers/gmail_imap.py), spoken to by imapclient over a real socket:
one store, a message in every mailbox of its labels, Gmail's FETCH/STORE items, moves as label changes, APPEND,
XOAUTH2, and IDLE news."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from tests.servers.gmail_imap import ALL_MAIL, FakeGmailImap, running_gmail_imap

pytestmark = pytest.mark.integration
RAW = (
    b"From: Bob <bob@example.com>\r\nTo: ann@example.com\r\nSubject: Hello\r\nMessage-ID: <g1@example.com>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\nHi Ann.\r\n"
)


@pytest.fixture
def gmail() -> Iterator[FakeGmailImap]:
    with running_gmail_imap() as server:
        yield server


@pytest.fixture
def client(gmail: FakeGmailImap) -> Iterator[IMAPClient]:
    imap = IMAPClient(gmail.host, port=gmail.port, ssl=False, timeout=10)
    imap.login("ann@example.com", gmail.password)
    yield imap
    imap.logout()


def test_capabilities_and_gmail_folders(client: IMAPClient) -> None:
    assert b"X-GM-EXT-1" in client.capabilities()
    folders = {name: set(flags) for flags, _delim, name in client.list_folders()}
    assert b"\\All" in folders[ALL_MAIL]
    assert b"\\Sent" in folders["[Gmail]/Sent Mail"]
    assert b"\\Noselect" in folders["[Gmail]"]
    assert {name for _f, _d, name in client.list_sub_folders()} == set(folders)


def test_a_message_appears_in_each_mailbox_of_its_labels(gmail: FakeGmailImap, client: IMAPClient) -> None:
    gmail.store.add(RAW, ("\\Inbox", "Work"), thrid=42)
    assert "Work" in {name for _f, _d, name in client.list_folders()}
    for name in ("INBOX", "Work", ALL_MAIL):
        assert client.select_folder(name, readonly=True)[b"EXISTS"] == 1
    assert client.select_folder("[Gmail]/Important", readonly=True)[b"EXISTS"] == 0
    client.select_folder(ALL_MAIL)
    (uid,) = client.search(["ALL"])
    reply = client.fetch([uid], ["X-GM-LABELS", "X-GM-THRID", "X-GM-MSGID", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
    values = reply[uid]
    assert set(values[b"X-GM-LABELS"]) == {b"\\Inbox", b"Work"}
    assert values[b"X-GM-THRID"] == 42
    assert values[b"X-GM-MSGID"] > 0
    assert values[b"BODY[HEADER.FIELDS (SUBJECT)]"] == b"Subject: Hello\r\n\r\n"


def test_labels_stored_and_moves_between_labels(gmail: FakeGmailImap, client: IMAPClient) -> None:
    message = gmail.store.add(RAW, ("\\Inbox",))
    client.select_folder(ALL_MAIL)
    client.add_gmail_labels(client.search(["ALL"]), ["Work", "\\Important"])
    assert message.labels == {"\\Inbox", "Work", "\\Important"}
    client.select_folder("INBOX")
    client.move(client.search(["ALL"]), "Work")  # Gmail: the Inbox label goes, Work stays
    assert message.labels == {"Work", "\\Important"}
    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    client.select_folder("Work")
    (uid,) = client.search(["ALL"])
    client.set_flags([uid], [b"\\Deleted"])
    client.uid_expunge([uid])  # expunged from a label: the label goes, the message stays in All Mail
    assert message.labels == {"\\Important"}
    assert client.select_folder(ALL_MAIL)[b"EXISTS"] == 1


def test_append_files_the_message_under_the_mailbox_label(gmail: FakeGmailImap, client: IMAPClient) -> None:
    reply = client.append("[Gmail]/Sent Mail", RAW, (b"\\Seen",))
    assert b"APPENDUID" in reply
    (message,) = gmail.store.messages.values()
    assert message.labels == {"\\Sent"}
    assert message.flags == {"\\Seen"}
    assert gmail.appended == [("[Gmail]/Sent Mail", RAW)]


def test_xoauth2_sign_in(gmail: FakeGmailImap) -> None:
    imap = IMAPClient(gmail.host, port=gmail.port, ssl=False, timeout=10)
    imap.oauth2_login("ann@example.com", gmail.token)
    assert imap.select_folder("INBOX")[b"EXISTS"] == 0
    imap.logout()
    refused = IMAPClient(gmail.host, port=gmail.port, ssl=False, timeout=10)
    with pytest.raises(LoginError, match="Invalid credentials"):
        refused.oauth2_login("ann@example.com", "not-the-token")
    refused.shutdown()


def test_idle_reports_new_mail(gmail: FakeGmailImap, client: IMAPClient) -> None:
    client.select_folder("INBOX")
    client.idle()
    gmail.store.add(RAW, ("\\Inbox",))
    responses = client.idle_check(timeout=5)
    client.idle_done()
    assert (1, b"EXISTS") in responses
