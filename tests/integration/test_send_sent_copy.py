"""After sending: the Sent copy reaches the Dovecot Sent folder through the sync engine's queue, and the
original gets \\Answered on the server (real Dovecot + real aiosmtpd, both on 127.0.0.1)."""

from __future__ import annotations

import time

from imapclient import IMAPClient

from realmail_desktop.core.config import Settings
from realmail_desktop.core.events import EventBus
from realmail_desktop.send import SendService
from realmail_desktop.store import FolderRole, ImapSecurity, OutboxState, OutgoingMessage, SmtpSettings, Store
from tests.integration.conftest import NewRun, append_messages
from tests.integration.sync_support import message, started
from tests.servers.dovecot import ImapUser
from tests.servers.smtp import running_smtp


async def test_the_sent_copy_is_appended_to_the_servers_sent_folder_and_the_original_answered(
    store: Store, bus: EventBus, imap: IMAPClient, imap_user: ImapUser, new_run: NewRun
) -> None:
    append_messages(imap, "INBOX", [message(1)])
    run = await new_run()
    async with started(run):
        await run.synced()
        original = store.db.reader.execute(
            "SELECT id FROM messages WHERE message_id = '<m1.INBOX@example.com>'"
        ).fetchone()[0]
        with running_smtp(users={imap_user.name: imap_user.password}) as smtp:
            await store.sending.set_smtp_settings(
                run.account.id, SmtpSettings(host=smtp.host, port=smtp.port, security=ImapSecurity.STARTTLS)
            )
            service = SendService(store, bus, run.passwords.get, settings=Settings(extra_ca_file=smtp.ca_file))
            await service.start()
            try:
                raw = (
                    f"From: {imap_user.name}@example.com\r\nTo: sender1@example.com\r\n"
                    "Subject: Re: Café 1\r\nMessage-ID: <reply-1@realmail.test>\r\n"
                    "In-Reply-To: <m1.INBOX@example.com>\r\nReferences: <m1.INBOX@example.com>\r\n"
                    "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n\r\nThanks!\r\n"
                ).encode()
                outbox_id, _ = await store.outbox.enqueue(
                    OutgoingMessage(
                        account_id=run.account.id,
                        raw=raw,
                        message_id="<reply-1@realmail.test>",
                        mail_from=f"{imap_user.name}@example.com",
                        recipients=("sender1@example.com",),
                        send_at=time.time(),
                        answers=int(original),
                    )
                )
                await service.settle()
                item = store.reader.outbox.item(outbox_id)
                assert item is not None
                assert item.state is OutboxState.SENT
                assert [r.data for r in smtp.accepted()] == [raw]
                kinds = {op.kind.value for op in store.reader.sync.pending_ops(run.account.id)}
                assert kinds <= {"append", "flags"}
                # The sync engine replays the queued APPEND and \Answered (a full cycle replays what is left).
                await run.service.check_now(run.account.id)
                assert store.reader.sync.pending_ops(run.account.id) == []
            finally:
                await service.stop()

    imap.select_folder("Sent", readonly=True)
    (uid,) = imap.search(["HEADER", "Message-ID", "<reply-1@realmail.test>"])
    assert imap.fetch([uid], ["RFC822"])[uid][b"RFC822"] == raw
    imap.select_folder("INBOX", readonly=True)
    (inbox_uid,) = imap.search(["HEADER", "Message-ID", "<m1.INBOX@example.com>"])
    assert b"\\Answered" in imap.get_flags([inbox_uid])[inbox_uid]
    sent = store.reader.folder_by_role(run.account.id, FolderRole.SENT)
    row = store.reader.message(item.message_row)
    assert sent is not None
    assert row is not None
    assert row.folder_id == sent.id
