"""The sync window against Dovecot: shrinking it drops stored bodies outside it (not flagged messages or
drafts) so opening them fetches again; widening it downloads the bodies it takes in at once."""

from __future__ import annotations

import time
from datetime import UTC, datetime

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


def _text_in_mixed(raw: bytes) -> bytes:
    """`raw` (a plain-text `message`) as a multipart/mixed with only its text inside: no attachment, although
    its Content-Type is the one that usually carries files."""
    head, _, text = raw.partition(b"Content-Type: text/plain; charset=utf-8\r\n\r\n")
    return head + (
        b'Content-Type: multipart/mixed; boundary="t"\r\n\r\n--t\r\nContent-Type: text/plain\r\n\r\n'
        + text
        + b"\r\n--t--\r\n"
    )


async def test_the_attachment_mark_is_exact_inside_and_outside_the_window(
    store: Store, imap: IMAPClient, new_run: NewRun
) -> None:
    """Headers of mail whose bodies the window takes come without BODYSTRUCTURE (the mark is guessed from the
    Content-Type until the body sets it); older mail's headers bring it (no body comes to correct a guess). More
    than a chunk of each, so the SEARCH SINCE that tells them apart is asked."""
    sixty_days_ago = datetime.fromtimestamp(time.time() - 60 * 86_400, UTC)
    old = [_text_in_mixed(message(n, days_ago=60)) for n in range(30)] + [message(99, days_ago=60, attachment=True)]
    new = [_text_in_mixed(message(n, days_ago=1)) for n in range(100, 130)] + [message(199, attachment=True)]
    append_messages(imap, "INBOX", old, msg_time=sixty_days_ago)
    append_messages(imap, "INBOX", new)
    async with started(await new_run(sync_window_days=30)):
        rows = {
            message_id: (bool(marked), body_state)
            for message_id, marked, body_state in store.db.reader.execute(
                "SELECT message_id, has_attachments, body_state FROM messages"
            )
        }
    assert len(rows) == len(old) + len(new)
    for n in range(30):
        assert rows[f"<m{n}.INBOX@example.com>"] == (False, 0)  # no body: BODYSTRUCTURE told
    assert rows["<m99.INBOX@example.com>"] == (True, 0)
    for n in range(100, 130):
        assert rows[f"<m{n}.INBOX@example.com>"] == (False, 1)  # the body corrected the guess
    assert rows["<m199.INBOX@example.com>"] == (True, 1)
