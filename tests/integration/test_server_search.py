""" "Search on server" against Dovecot: messages whose body is not here are found by IMAP SEARCH, fetched, and
from then on found by the local search; header keys (from:, subject:) and exclusions reach the server."""

from __future__ import annotations

import pytest
from imapclient import IMAPClient

from realmail_desktop.core.errors import KnownError
from realmail_desktop.store import MessageQuery, SortOrder, Store
from realmail_desktop.store.search_query import parse_search
from tests.integration.conftest import NewRun, append_messages
from tests.integration.sync_support import folder_id, message, started

pytestmark = pytest.mark.integration


def local_hits(store: Store, folder: int, text: str) -> set[int]:
    query = MessageQuery((folder,), search=parse_search(text + " "))
    return {s.id for s in store.reader.page(query, SortOrder(), 0, 100)}


async def test_server_search_fetches_matching_bodies_that_were_not_here(
    store: Store, imap: IMAPClient, new_run: NewRun
) -> None:
    append_messages(imap, "INBOX", [message(n, days_ago=1) for n in range(2)])
    append_messages(imap, "INBOX", [message(n, days_ago=60) for n in range(10, 14)])
    async with started(await new_run(sync_window_days=30)) as run:
        inbox = folder_id(run, "INBOX")
        ids = dict(store.db.reader.execute("SELECT message_id, id FROM messages").fetchall())
        old = ids["<m11.INBOX@example.com>"]
        assert store.reader.raw_message(old) is None  # outside the sync window: header only
        assert local_hits(store, inbox, "quokka11") == set()  # its text is not here

        fetched = await run.service.search_server("quokka11", [inbox])
        assert fetched == 1
        assert store.reader.raw_message(old) is not None
        assert local_hits(store, inbox, "quokka11") == {old}

        # Exclusions and header keys go to the server: m13 is left out by its subject, then found by its sender.
        assert await run.service.search_server("quokka -subject:13", [inbox]) == 2  # m10, m12
        assert store.reader.raw_message(ids["<m12.INBOX@example.com>"]) is not None
        assert store.reader.raw_message(ids["<m13.INBOX@example.com>"]) is None
        assert await run.service.search_server("from:sender3", [inbox]) == 1
        assert local_hits(store, inbox, "quokka13") == {ids["<m13.INBOX@example.com>"]}

        # Already here: nothing to fetch. A search for nothing is refused in plain words.
        assert await run.service.search_server("quokka11", [inbox]) == 0
        with pytest.raises(KnownError):
            await run.service.search_server("  ", [inbox])
