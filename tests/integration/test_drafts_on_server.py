"""Drafts on Dovecot: each autosave of the composer replaces the previous draft in the server's Drafts folder
(queued delete, then APPEND through the sync engine's replay); after three saves the server holds exactly the
last one, flagged \\Draft and \\Seen, and the local row is named by its UID."""

from __future__ import annotations

import pytest
from imapclient import IMAPClient

from realmail_desktop.ingest.conversion import new_message
from realmail_desktop.mail.compose import Draft, build_message
from realmail_desktop.mail.envelope import read_envelope
from realmail_desktop.mail.headers import Address
from realmail_desktop.mail.sources import Flag
from realmail_desktop.store import DraftOrigin, FolderRole, NewMessage, Store
from tests.integration.conftest import NewRun
from tests.integration.sync_support import started

pytestmark = pytest.mark.integration
MID = "<draft-1@example.com>"


def version(text: str) -> NewMessage:
    built = build_message(
        Draft(
            sender=Address("Ann", "ann@example.com"),
            to=(Address("", "bob@example.org"),),
            bcc=(Address("", "boss@example.org"),),
            subject="Plans",
            text=text,
            message_id=MID,
        ),
        keep_bcc=True,
    )
    return new_message(read_envelope(built.raw), built.raw, Flag.SEEN | Flag.DRAFT)


def server_drafts(client: IMAPClient) -> list[tuple[set[str], bytes]]:
    client.select_folder("Drafts", readonly=True)
    fetched = client.fetch(client.search("ALL"), ["FLAGS", "BODY.PEEK[]"])
    client.unselect_folder()
    return [({f.decode() for f in v[b"FLAGS"]} - {"\\Recent"}, v[b"BODY[]"]) for v in fetched.values()]


async def test_autosaves_replace_each_other_on_the_server(store: Store, imap: IMAPClient, new_run: NewRun) -> None:
    run = await new_run()
    async with started(run):
        drafts = store.reader.folder_by_role(run.account.id, FolderRole.DRAFTS)
        assert drafts is not None
        assert store.reader.drafts.drafts_folder(run.account.id) == drafts.id
        first, _ = await store.drafts.save(drafts.id, version("one"), DraftOrigin())
        await run.service.check_now(run.account.id)
        [(flags, body)] = server_drafts(imap)
        assert flags == {"\\Draft", "\\Seen"} and b"one" in body and b"boss@example.org" in body

        # Two more saves before the next replay: the queue runs delete, append, delete, append.
        second, _ = await store.drafts.save(drafts.id, version("one two"), DraftOrigin(), replaces=first)
        third, _ = await store.drafts.save(drafts.id, version("one two three"), DraftOrigin(), replaces=second)
        await run.service.check_now(run.account.id)
        [(flags, body)] = server_drafts(imap)
        assert b"one two three" in body
        assert await store.read(lambda r: r.sync.pending_ops(run.account.id)) == []
        assert store.reader.folder_message_ids(drafts.id) == [third]
        uid = store.db.reader.execute("SELECT uid FROM messages WHERE id = ?", (third,)).fetchone()[0]
        assert uid is not None  # matched to the server's copy, not fetched again as another message

        await run.service.check_now(run.account.id)  # a later sync keeps exactly one
        assert store.reader.folder_message_ids(drafts.id) == [third]
        assert len(server_drafts(imap)) == 1

        await store.drafts.discard(third)  # sent: the draft goes from the server too
        await run.service.check_now(run.account.id)
        assert server_drafts(imap) == []
