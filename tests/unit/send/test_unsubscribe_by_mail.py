"""Unsubscribing by mail (List-Unsubscribe mailto:) goes out through the outbox to a real SMTP server on
127.0.0.1: the list's address receives the unsubscribe message from the account's own address."""

from __future__ import annotations

from realmail_desktop.sorting import Unsubscriber
from realmail_desktop.store import Account, FolderRole, Store
from tests.servers.smtp import SmtpServer
from tests.unit.send.conftest import FakeClock, NewService
from tests.unit.sorting.mail_for_rules import raw_mail, store_mail


async def test_unsubscribe_mail_reaches_the_list(
    store: Store, sending_account: Account, smtp_server: SmtpServer, clock: FakeClock, new_service: NewService
) -> None:
    folder = store.reader.folder_by_role(sending_account.id, FolderRole.INBOX)
    assert folder is not None
    extra = "List-Unsubscribe: <mailto:leave-42@lists.example?subject=unsubscribe%2042>\r\n"
    (row,) = await store_mail(store, folder.id, raw_mail(sender="list@lists.example", extra=extra))
    done = await Unsubscriber(store, clock=clock).unsubscribe(row)
    assert done.method == "mailto"
    service = await new_service()
    await service.settle()
    (received,) = smtp_server.accepted()
    assert received.rcpt_tos == ("leave-42@lists.example",)
    assert received.mail_from == "ann@example.org"
    assert b"Subject: unsubscribe 42" in received.data
