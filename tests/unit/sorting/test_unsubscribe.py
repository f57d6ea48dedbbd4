"""One-click unsubscribe: the header read into its ways out, the RFC 8058 POST against a real HTTP server on
127.0.0.1 (status, refusal, redirect refused), and the mailto: way queued in the outbox."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from realmail_desktop.mail.unsubscribe import is_one_click, unsubscribe_options
from realmail_desktop.sorting import Unsubscriber
from realmail_desktop.sorting.unsubscribe import UnsubscribeError, post_one_click
from realmail_desktop.store import Folder, FolderRole, ImapSecurity, ImapSettings, RemoteFolder, Store
from tests.unit.sorting.mail_for_rules import raw_mail, store_mail


class _Recorder(BaseHTTPRequestHandler):
    posts: ClassVar[list[tuple[str, str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).posts.append((self.path, self.headers.get("Content-Type", ""), body))
        if self.path.startswith("/gone"):
            self.send_response(410)
        elif self.path.startswith("/elsewhere"):
            self.send_response(302)
            self.send_header("Location", "/ok")
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def list_server() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    _Recorder.posts = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.posts
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_header_read_into_ways_out() -> None:
    header = "<mailto:leave@lists.example?subject=unsubscribe%20me>, <https://lists.example/u/abc>"
    options = unsubscribe_options(header, one_click=True)
    assert options.mailto == "mailto:leave@lists.example?subject=unsubscribe%20me"
    assert options.https == "https://lists.example/u/abc"
    assert options.one_click and options.available
    assert not unsubscribe_options("<https://lists.example/u/abc>", one_click=False).available
    assert unsubscribe_options("<http://lists.example/u>", one_click=True).https == ""  # no TLS: not used
    assert unsubscribe_options("<http://127.0.0.1:8/u>", one_click=True).https == "http://127.0.0.1:8/u"
    assert unsubscribe_options("garbage", one_click=True) == unsubscribe_options("", one_click=False)
    assert is_one_click("List-Unsubscribe=One-Click") and not is_one_click("yes")


async def test_one_click_post(
    store: Store, list_server: tuple[str, list[tuple[str, str, bytes]]], folder_of: Callable[[FolderRole], Folder]
) -> None:
    base, posts = list_server
    extra = f"List-Unsubscribe: <{base}/ok/42>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    (row,) = await store_mail(store, folder_of(FolderRole.INBOX).id, raw_mail(sender="news@x.example", extra=extra))
    unsubscriber = Unsubscriber(store)
    assert (await unsubscriber.options(row)).one_click
    done = await unsubscriber.unsubscribe(row)
    assert (done.method, done.status) == ("https", 200)
    assert posts == [("/ok/42", "application/x-www-form-urlencoded", b"List-Unsubscribe=One-Click")]


def test_refusals_and_redirects_are_known_errors(list_server: tuple[str, list[tuple[str, str, bytes]]]) -> None:
    base, posts = list_server
    with pytest.raises(UnsubscribeError, match="HTTP 410"):
        post_one_click(f"{base}/gone")
    with pytest.raises(UnsubscribeError, match="HTTP 302"):
        post_one_click(f"{base}/elsewhere")  # RFC 8058: the POST is not followed elsewhere
    assert [p[0] for p in posts] == ["/gone", "/elsewhere"]


def test_an_unreachable_server_is_a_known_error() -> None:
    with pytest.raises(UnsubscribeError, match="could not be reached"):
        post_one_click("http://127.0.0.1:1/nothing-listens-here")


async def test_mailto_goes_through_the_outbox(store: Store) -> None:
    account, _ = await store.accounts.create_imap(
        "Work", "me@example.net", ImapSettings(host="127.0.0.1", port=993, security=ImapSecurity.TLS, username="me")
    )
    await store.accounts.reconcile_folders(
        account.id, [RemoteFolder(remote_name="INBOX", path="Inbox", delimiter="/", role=FolderRole.INBOX)]
    )
    inbox = store.reader.folder_by_role(account.id, FolderRole.INBOX)
    assert inbox is not None
    extra = "List-Unsubscribe: <mailto:leave@lists.example?subject=remove%20me>, <https://lists.example/u>\r\n"
    (row,) = await store_mail(store, inbox.id, raw_mail(extra=extra))  # no one-click header: mail it is
    done = await Unsubscriber(store).unsubscribe(row)
    assert done.method == "mailto"
    (item,) = store.reader.outbox.items()
    assert item.id == done.outbox_id and item.recipients == ("leave@lists.example",)
    raw = store.reader.outbox.raw(item.message_row)
    assert raw is not None and b"Subject: remove me" in raw


async def test_no_way_out_is_said_plainly(store: Store, folder_of: Callable[[FolderRole], Folder]) -> None:
    (row,) = await store_mail(store, folder_of(FolderRole.INBOX).id, raw_mail())
    with pytest.raises(UnsubscribeError, match="no one-click way"):
        await Unsubscriber(store).unsubscribe(row)
