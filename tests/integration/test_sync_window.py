"""The sync window against Dovecot: shrinking it drops stored bodies outside it (not flagged messages or
drafts) so opening them fetches again; widening it downloads the bodies it takes in at once."""

from __future__ import annotations

import pytest
from imapclient import IMAPClient

from realmail_desktop.store import Store
from tests.integration.conftest import NewRun, append_messages
from tests.integration.sync_support import message, started, until

pytestmark = pytest.mark.integration


async def test_shrinking_drops_old_bodies_and_widening_brings_them_back(
    store: Store, imap: IMAPClient, new_run: NewRun
) -> None:
    append_messages(imap, "INBOX", [message(n, days_ago=1) for n in range(2)])
    append_messages(imap, "INBOX", [message(n, days_ago=60) for n in range(10, 13)])
    append_messages(imap, "INBOX", [message(20, days_ago=60)], flags=["\\Flagged"])
    append_messages(imap, "Drafts", [message(30, folder="Drafts", days_ago=60)], flags=["\\Draft"])
    async with started(await new_run(sync_window_days=90)) as run:
        ids = dict(store.db.reader.execute("SELECT message_id, id FROM messages").fetchall())
        assert all(store.reader.raw_message(mid) is not None for mid in ids.values())
        old = [ids[f"<m{n}.INBOX@example.com>"] for n in range(10, 13)]

        changes = await run.service.set_sync_window(run.account.id, 30)
        assert changes.messages_updated == set(old)
        for mid in old:
            summary = store.reader.message(mid)
            assert summary is not None and summary.body_state == 0 and store.reader.raw_message(mid) is None
        kept = [ids["<m0.INBOX@example.com>"], ids["<m20.INBOX@example.com>"], ids["<m30.Drafts@example.com>"]]
        assert all(store.reader.raw_message(mid) is not None for mid in kept)
        settings = await store.read(lambda r: r.sync.imap_settings(run.account.id))
        assert settings is not None and settings.sync_window_days == 30
        # Still searchable by subject (the index keeps subject and people).
        hits = store.db.reader.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'subject : 11'")
        assert ids["<m11.INBOX@example.com>"] in {r[0] for r in hits}

        # Opening one fetches it on demand.
        await run.service.fetch_body(old[0])
        assert store.reader.raw_message(old[0]) is not None

        # Widening downloads the rest without waiting for the next check.
        await run.service.set_sync_window(run.account.id, 0)
        await until(run.bus, lambda: all(store.reader.raw_message(mid) is not None for mid in old))
