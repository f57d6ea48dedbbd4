"""Subscriptions against Dovecot: unsubscribing is local first and reaches the server; an unsubscribed folder
stays known but is not synced; subscribing again (here or in another client) syncs it."""

from __future__ import annotations

import pytest
from imapclient import IMAPClient

from realmail_desktop.store import Store
from tests.integration.conftest import NewRun, append_messages
from tests.integration.sync_support import folder_id, message, started, subscribed_folders

pytestmark = pytest.mark.integration


def server_subscribed(client: IMAPClient) -> set[str]:
    return {name for _flags, _delim, name in client.list_sub_folders()}


async def test_unsubscribed_folders_stay_known_but_are_not_synced(
    store: Store, imap: IMAPClient, new_run: NewRun
) -> None:
    subscribed_folders(imap, "Lists", "Receipts")
    imap.create_folder("Hidden")  # never subscribed: known, not synced
    append_messages(imap, "Lists", [message(n, folder="Lists") for n in range(2)])
    append_messages(imap, "Hidden", [message(n, folder="Hidden") for n in range(3)])
    async with started(await new_run()) as run:
        lists, hidden = folder_id(run, "Lists"), folder_id(run, "Hidden")
        assert store.reader.folder(lists).total_count == 2  # type: ignore[union-attr]
        known = store.reader.folder(hidden)
        assert known is not None and not known.subscribed and known.total_count == 0

        changes = await run.service.set_subscribed(lists, False)
        assert changes.remote_ops_queued == {run.account.id}  # type: ignore[attr-defined]
        assert store.reader.folder(lists).subscribed is False  # type: ignore[union-attr]
        await run.synced()
        assert "Lists" not in server_subscribed(imap)
        append_messages(imap, "Lists", [message(9, folder="Lists")])
        await run.synced()
        assert store.reader.folder(lists).total_count == 2  # type: ignore[union-attr]  # not synced any more
        assert store.reader.folder(lists) is not None  # …but still known

        await run.service.set_subscribed(hidden, True)
        await run.synced()
        assert "Hidden" in server_subscribed(imap)
        assert store.reader.folder(hidden).total_count == 3  # type: ignore[union-attr]

        imap.subscribe_folder("Lists")  # another client subscribes again
        await run.synced()
        assert store.reader.folder(lists).subscribed  # type: ignore[union-attr]
        await run.synced()
        assert store.reader.folder(lists).total_count == 3  # type: ignore[union-attr]
        assert "Receipts" in server_subscribed(imap)
