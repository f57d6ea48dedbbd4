"""The real-server harness itself: Dovecot answers as the sync tests expect, and the proxy breaks on cue."""

from __future__ import annotations

import socket
import ssl
from datetime import UTC, datetime

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, LoginError

from tests.integration.conftest import OtherClient, append_messages
from tests.servers.dovecot import SPECIAL_USE, DovecotServer, ImapUser
from tests.servers.proxy import CuttingProxy

pytestmark = pytest.mark.integration

CONNECTION_LOST = (IMAPClientAbortError, OSError)


def message(subject: str, body: str = "Hello.", size: int = 0) -> bytes:
    text = (
        "From: Alice <alice@example.org>\r\n"
        "To: Bob <bob@example.org>\r\n"
        f"Subject: {subject}\r\n"
        "Date: Mon, 01 Jan 2024 10:00:00 +0000\r\n"
        f"Message-ID: <{subject.replace(' ', '.')}@example.org>\r\n"
        "\r\n"
        f"{body}\r\n"
    )
    if size:
        text += ("x" * 76 + "\r\n") * (size // 78)
    return text.encode()


def login(host: str, port: int, user: ImapUser, **kwargs: object) -> IMAPClient:
    client = IMAPClient(host, port=port, timeout=10, **kwargs)
    try:
        client.login(user.name, user.password)
    except BaseException:
        client.shutdown()
        raise
    return client


# -- the server ---------------------------------------------------------------------------------------------------


def test_login_over_plain_port(dovecot: DovecotServer, imap_user: ImapUser) -> None:
    client = login(dovecot.host, dovecot.port, imap_user, ssl=False)
    try:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
    finally:
        client.logout()


def test_login_over_tls_trusting_the_test_ca(dovecot: DovecotServer, imap_user: ImapUser) -> None:
    context = ssl.create_default_context(cafile=str(dovecot.ca_file))
    client = login(dovecot.host, dovecot.tls_port, imap_user, ssl=True, ssl_context=context)
    try:
        assert client.noop()[0].startswith(b"NOOP completed")
    finally:
        client.logout()


def test_tls_without_trusting_the_test_ca_fails_verification(dovecot: DovecotServer) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(dovecot.host, port=dovecot.tls_port, ssl=True, ssl_context=ssl.create_default_context(), timeout=10)


def test_wrong_password_is_refused(dovecot: DovecotServer, imap_user: ImapUser) -> None:
    client = IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10)
    try:
        with pytest.raises(LoginError):
            client.login(imap_user.name, "not the password")
    finally:
        client.shutdown()


def test_capabilities_a_sync_engine_relies_on(other_client: OtherClient) -> None:
    capabilities = set(other_client().capabilities())
    assert {b"CONDSTORE", b"QRESYNC", b"IDLE", b"MOVE", b"SPECIAL-USE", b"UIDPLUS", b"MULTIAPPEND"} <= capabilities


def test_special_use_folders_are_listed_and_subscribed(other_client: OtherClient) -> None:
    client = other_client()
    flags_by_name = {name: set(flags) for flags, _delimiter, name in client.list_folders()}
    for name, flag in SPECIAL_USE.items():
        assert flag.encode() in flags_by_name[name], name
    assert "INBOX" in flags_by_name
    assert set(SPECIAL_USE) <= {name for _flags, _delimiter, name in client.list_sub_folders()}


def test_append_then_fetch_round_trip(other_client: OtherClient) -> None:
    client = other_client()
    raws = [message(f"round trip {i}") for i in range(3)]
    when = datetime(2024, 2, 29, 12, 30, tzinfo=UTC)
    uids = append_messages(client, "Archive", raws, flags=[r"\Seen", "$Label1"], msg_time=when)
    assert uids == [1, 2, 3]
    client.select_folder("Archive", readonly=True)
    fetched = client.fetch(uids, ["RFC822", "FLAGS", "INTERNALDATE"])
    assert [fetched[uid][b"RFC822"] for uid in uids] == raws
    assert all(set(fetched[uid][b"FLAGS"]) - {b"\\Recent"} == {b"\\Seen", b"$Label1"} for uid in uids)
    assert fetched[1][b"INTERNALDATE"].replace(tzinfo=UTC) == when  # imapclient gives naive UTC here (TZ=UTC)


def test_fill_maildir_is_seen_by_the_first_login(dovecot: DovecotServer, imap_user: ImapUser) -> None:
    dovecot.fill_maildir(
        imap_user,
        "INBOX",
        [
            (message("first"), "", 1_700_000_000),
            (message("second"), r"\Seen \Flagged", 1_700_000_100),
            (message("third"), r"\Answered $Forwarded", 1_600_000_000),  # older: UIDs keep the order given
        ],
    )
    dovecot.fill_maildir(imap_user, "Projekte.Ä", [(message("nested"), r"\Seen", 1_500_000_000)])
    client = login(dovecot.host, dovecot.port, imap_user, ssl=False)
    try:
        assert client.select_folder("INBOX", readonly=True)[b"EXISTS"] == 3
        by_uid = client.fetch(client.search("ALL"), ["FLAGS", "INTERNALDATE", "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
        assert [by_uid[uid][b"BODY[HEADER.FIELDS (SUBJECT)]"].split(b"\r\n")[0] for uid in (1, 2, 3)] == [
            b"Subject: first",
            b"Subject: second",
            b"Subject: third",
        ]
        assert [set(by_uid[uid][b"FLAGS"]) - {b"\\Recent"} for uid in (1, 2, 3)] == [
            set(),
            {b"\\Seen", b"\\Flagged"},
            {b"\\Answered", b"$Forwarded"},
        ]
        assert [by_uid[uid][b"INTERNALDATE"].replace(tzinfo=UTC).timestamp() for uid in (1, 2, 3)] == [
            1_700_000_000,
            1_700_000_100,
            1_600_000_000,
        ]
        assert "Projekte.Ä" in {name for _flags, _delimiter, name in client.list_folders()}
        assert client.folder_status("Projekte.Ä", ["MESSAGES"])[b"MESSAGES"] == 1
    finally:
        client.logout()


def test_fill_maildir_after_first_login_shows_at_next_sync(
    dovecot: DovecotServer, imap_user: ImapUser, other_client: OtherClient
) -> None:
    client = other_client()
    client.select_folder("INBOX")
    dovecot.fill_maildir(imap_user, "INBOX", [(message("late"), r"\Seen", 1_700_000_000)])
    assert (1, b"EXISTS") in client.noop()[1]
    assert client.fetch([1], ["FLAGS"])[1][b"FLAGS"] == (b"\\Seen", b"\\Recent")


def test_each_user_has_an_isolated_mailbox(
    dovecot: DovecotServer, imap_user: ImapUser, other_client: OtherClient
) -> None:
    neighbour = dovecot.add_user(password="another secret")
    assert neighbour.name != imap_user.name
    append_messages(other_client(), "INBOX", [message("mine")])
    theirs = other_client(neighbour)
    assert theirs.select_folder("INBOX")[b"EXISTS"] == 0
    assert other_client().folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"] == 1
    with pytest.raises(LoginError):
        login(dovecot.host, dovecot.port, ImapUser(neighbour.name, imap_user.password), ssl=False)


# -- the proxy ----------------------------------------------------------------------------------------------------


def test_proxy_forwards_and_cut_all_breaks_the_next_command(cutting_proxy: CuttingProxy, imap_user: ImapUser) -> None:
    client = login(cutting_proxy.host, cutting_proxy.port, imap_user, ssl=False)
    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    assert cutting_proxy.live_connections == 1
    assert cutting_proxy.cut_all() == 1
    assert cutting_proxy.live_connections == 0
    with pytest.raises(CONNECTION_LOST):
        client.noop()
    client.shutdown()
    again = login(cutting_proxy.host, cutting_proxy.port, imap_user, ssl=False)  # the proxy itself still serves
    assert again.noop()
    again.logout()
    assert cutting_proxy.cuts == 1


def test_cut_after_bytes_breaks_a_big_fetch_midway(
    cutting_proxy: CuttingProxy, imap_user: ImapUser, other_client: OtherClient
) -> None:
    big = message("big", size=2_000_000)
    (uid,) = append_messages(other_client(), "INBOX", [big])
    client = login(cutting_proxy.host, cutting_proxy.port, imap_user, ssl=False)
    client.select_folder("INBOX", readonly=True)
    cutting_proxy.cut_after_bytes(len(big) // 2)
    with pytest.raises(CONNECTION_LOST):
        client.fetch([uid], ["BODY.PEEK[]"])
    client.shutdown()
    assert cutting_proxy.cuts == 1
    cutting_proxy.cut_after_bytes(None)
    whole = login(cutting_proxy.host, cutting_proxy.port, imap_user, ssl=False)
    whole.select_folder("INBOX", readonly=True)
    assert whole.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"] == big
    whole.logout()


def test_cut_after_bytes_delivers_exactly_that_many_bytes(cutting_proxy: CuttingProxy) -> None:
    cutting_proxy.cut_after_bytes(7)
    with socket.create_connection(cutting_proxy.address, timeout=10) as raw:
        received = b""
        while chunk := raw.recv(1024):
            received += chunk
    assert received == b"* OK [C"  # the first 7 bytes of Dovecot's greeting, then EOF


def test_refuse_makes_connecting_fail_until_lifted(cutting_proxy: CuttingProxy, imap_user: ImapUser) -> None:
    cutting_proxy.refuse(True)
    with pytest.raises(CONNECTION_LOST):
        IMAPClient(cutting_proxy.host, port=cutting_proxy.port, ssl=False, timeout=10)
    assert cutting_proxy.refused == 1
    cutting_proxy.refuse(False)
    client = login(cutting_proxy.host, cutting_proxy.port, imap_user, ssl=False)
    assert client.noop()
    client.logout()
