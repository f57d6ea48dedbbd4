""" "Search on server" the way a person uses it, with the real SyncService against Dovecot: a word only in the
body of a message older than the sync window finds nothing here, the results line offers the server, and
after the click the message is fetched and listed, its word highlighted when opened."""

from __future__ import annotations

import email.utils
import time
from pathlib import Path

import pytest
from PySide6.QtTest import QTest

from tests.integration.conftest import OtherClient, append_messages
from tests.integration.test_account_settings_ui import PASSWORD, add_account
from tests.integration.test_add_account_ui import running_app
from tests.servers.dovecot import DovecotServer
from tests.ui.qt_async import activate, idle, next_emit, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.gui]


def raw(subject: str, days_ago: int, body: str) -> bytes:
    return (
        f"From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: {subject}\r\n"
        f"Date: {email.utils.formatdate(time.time() - days_ago * 86_400)}\r\n"
        f"Message-ID: <{subject.replace(' ', '.')}@example.org>\r\n\r\n{body}\r\n"
    ).encode()


async def test_search_on_server_fetches_and_lists_what_only_the_server_could_find(
    tmp_path: Path, dovecot: DovecotServer, other_client: OtherClient
) -> None:
    user = dovecot.add_user(password=PASSWORD)
    server = other_client(user)
    append_messages(server, "INBOX", [raw("Old trip", 90, "We saw a zeppelin over the lake.")])
    append_messages(server, "INBOX", [raw("Yesterday", 1, "Nothing to see.")])
    async with running_app(tmp_path, dovecot) as app:
        account = await add_account(app, dovecot, user.name)
        await wait_for(app.until(lambda: app.store.reader.folder_by_path(account.id, "Inbox") is not None))
        inbox = app.store.reader.folder_by_path(account.id, "Inbox")
        assert inbox is not None

        def headers_and_new_body() -> bool:
            ids = app.store.reader.folder_message_ids(inbox.id)  # oldest first
            return len(ids) == 2 and app.store.reader.raw_message(ids[1]) is not None

        await wait_for(app.until(headers_and_new_body))
        old_id = app.store.reader.folder_message_ids(inbox.id)[0]
        assert app.store.reader.raw_message(old_id) is None  # outside the 30-day window

        window, bar = app.window, app.window.search_bar
        window.select_folder(inbox.id)
        await activate(window)
        shown = next_emit(window.message_search.resultsShown)
        bar.box.setFocus()
        QTest.keyClicks(bar.box, "zeppelin")
        assert await wait_for(shown) == (0,)
        assert bar.server_button.isVisible()

        fetched = next_emit(window.message_search.serverSearchDone)
        listed = next_emit(window.message_search.resultsShown)  # the body arrived: the search counts again
        bar.server_button.click()
        assert await wait_for(listed) == (1,)
        assert await wait_for(fetched) == (1,)
        await idle(app.ops)
        assert window.message_model.message_id_at(0) == old_id
        assert bar.status.text().startswith("1 result")

        opened = next_emit(window.reader.messageShown)
        assert window.message_list.select_ids([old_id], old_id)
        await wait_for(opened)
        assert "#ffe066" in window.reader.browser.toHtml()  # "zeppelin" highlighted
