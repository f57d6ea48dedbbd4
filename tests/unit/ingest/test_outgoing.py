"""A message queued to send (ingest/outgoing.queue_draft) is listed and searched like any stored message: its
Outbox row has the snippet, the attachment mark and the body's words in the search index, and keeps them when
it moves to Sent."""

from __future__ import annotations

from realmail_desktop.ingest.outgoing import queue_draft
from realmail_desktop.mail.compose import Draft, FileAttachment
from realmail_desktop.mail.headers import Address
from realmail_desktop.store import Account, Acknowledged, FolderRole, Store

ANN = Address("Ann", "ann@example.org")
BOB = Address("Bob", "bob@example.net")


def found(store: Store, words: str) -> set[int]:
    rows = store.db.reader.execute("SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?", (words,))
    return {int(row[0]) for row in rows}


async def test_a_queued_message_is_listed_and_found_by_its_text_in_the_outbox_and_then_in_sent(
    store: Store, local_account: Account
) -> None:
    report = FileAttachment("figures.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "application/pdf")
    draft = Draft(
        sender=ANN, to=(BOB,), subject="Quarterly", text="The quokka counts are attached.", attachments=(report,)
    )
    outbox_id, _built = await queue_draft(store, draft, account_id=local_account.id, send_at=0)

    item = store.reader.outbox.item(outbox_id)
    assert item is not None
    queued = store.reader.message(item.message_row)
    assert queued is not None
    assert queued.has_attachments and queued.snippet.startswith("The quokka counts")
    assert found(store, "quokka") == {item.message_row}
    assert found(store, "body : attached AND subject : quarterly") == {item.message_row}

    (claimed,) = await store.outbox.claim_due(local_account.id, 1, 10)
    await store.outbox.mark_sent([Acknowledged(claimed, "250 OK", save_copy=False)])
    sent = store.reader.message(item.message_row)
    sent_folder = store.reader.folder_by_role(local_account.id, FolderRole.SENT)
    assert sent is not None and sent_folder is not None and sent.folder_id == sent_folder.id
    assert sent.has_attachments and found(store, "quokka") == {item.message_row}
