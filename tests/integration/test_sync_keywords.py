"""IMAP keywords and \\Deleted-but-not-expunged messages against Dovecot: keywords arrive with headers and flag
changes, local keyword changes reach the server; a message another client flags \\Deleted is neither listed
nor counted, and comes back when that client clears the flag."""

from __future__ import annotations

import pytest
from imapclient import IMAPClient

from realmail_desktop.core.events import Changes, TaskFinished
from realmail_desktop.store import Store
from realmail_desktop.sync.replay import ActionReplay
from tests.integration.conftest import NewRun, OtherClient, append_messages
from tests.integration.sync_support import SyncRun, expecting, folder_id, message, started

pytestmark = pytest.mark.integration


def keywords_by_message_id(run: SyncRun) -> dict[str, tuple[str, ...]]:
    rows = run.store.db.reader.execute(
        "SELECT message_id, keywords FROM messages WHERE account_id = ?", (run.account.id,)
    ).fetchall()
    return {mid: tuple(words.split()) for mid, words in rows}


def server_keywords(client: IMAPClient, folder: str = "INBOX") -> dict[int, set[str]]:
    client.select_folder(folder, readonly=True)
    flags = client.get_flags(client.search("ALL"))
    client.unselect_folder()
    return {uid: {f.decode() for f in names if not f.startswith(b"\\")} for uid, names in flags.items()}


async def test_keywords_arrive_and_local_changes_reach_the_server(
    store: Store, imap: IMAPClient, new_run: NewRun, other_client: OtherClient
) -> None:
    [tagged] = append_messages(imap, "INBOX", [message(0)], flags=["$Label1", "Work", "\\Seen"])
    [plain] = append_messages(imap, "INBOX", [message(1)])
    async with started(await new_run()) as run:
        # Initial header sync.
        assert keywords_by_message_id(run) == {
            "<m0.INBOX@example.com>": ("$Label1", "Work"),
            "<m1.INBOX@example.com>": (),
        }
        ids = dict(store.db.reader.execute("SELECT message_id, id FROM messages").fetchall())
        assert store.reader.message(ids["<m0.INBOX@example.com>"]).keywords == ("$Label1", "Work")  # type: ignore[union-attr]

        # Another client's change arrives (CONDSTORE through IDLE).
        other = other_client()
        other.select_folder("INBOX")
        async with expecting(run.bus, Changes, lambda c: ids["<m1.INBOX@example.com>"] in c.messages_updated):
            other.add_flags([plain], ["$Junk"])
        assert keywords_by_message_id(run)["<m1.INBOX@example.com>"] == ("$Junk",)

        # A local change reaches the server; the other keywords stay.
        async with expecting(run.bus, TaskFinished, lambda t: t.label == ActionReplay.REPLAYED):
            await store.messages.set_keywords([ids["<m0.INBOX@example.com>"]], add=["$NotJunk"], remove=["Work"])
        assert server_keywords(imap)[tagged] == {"$Label1", "$NotJunk"}
        await run.synced()
        assert keywords_by_message_id(run)["<m0.INBOX@example.com>"] == ("$Label1", "$NotJunk")
        assert store.reader.message(ids["<m0.INBOX@example.com>"]).is_seen  # type: ignore[union-attr]


async def test_messages_flagged_deleted_elsewhere_are_hidden_until_undeleted(
    store: Store, imap: IMAPClient, new_run: NewRun, other_client: OtherClient
) -> None:
    uids = append_messages(imap, "INBOX", [message(n) for n in range(4)])
    append_messages(imap, "INBOX", [message(9)], flags=["\\Deleted"])  # skipped by the initial sync
    async with started(await new_run()) as run:
        inbox = folder_id(run, "INBOX")

        def listed() -> set[str]:
            rows = store.db.reader.execute("SELECT message_id FROM messages WHERE folder_id = ?", (inbox,))
            return {r[0] for r in rows}

        def counted() -> tuple[int, int]:
            folder = store.reader.folder(inbox)
            assert folder is not None
            return folder.total_count, folder.unread_count

        assert "<m9.INBOX@example.com>" not in listed() and counted() == (4, 4)
        other = other_client()
        other.select_folder("INBOX")
        async with expecting(run.bus, Changes, lambda c: bool(c.messages_removed)):
            other.add_flags([uids[1]], ["\\Deleted"])
        assert "<m1.INBOX@example.com>" not in listed() and counted() == (3, 3)

        async with expecting(run.bus, Changes, lambda c: bool(c.messages_added)):
            other.remove_flags([uids[1]], ["\\Deleted"])
        assert "<m1.INBOX@example.com>" in listed() and counted() == (4, 4)
        await run.synced()
        assert "<m9.INBOX@example.com>" not in listed() and counted() == (4, 4)
