"""Writes about sending other than the outbox itself: accounts' SMTP settings and delivery reports (bounces)."""

from __future__ import annotations

from collections.abc import Sequence

from realmail_desktop.core.errors import NotFoundError
from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database
from realmail_desktop.store.models import DeliveryProblem, SmtpSettings


class SendingRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def set_smtp_settings(self, account_id: int, settings: SmtpSettings) -> Changes:
        """Save how to reach the account's SMTP server (the password stays in the keyring)."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE accounts SET smtp_host = ?, smtp_port = ?, smtp_security = ?, smtp_username = ?, smtp_auth = ?"
                " WHERE id = ?",
                (
                    settings.host.strip(),
                    settings.port,
                    settings.security.value,
                    settings.username.strip(),
                    settings.auth.value,
                    account_id,
                ),
            )
            if not cursor.rowcount:
                raise NotFoundError("That account no longer exists.")
        return self._db.publish(Changes(accounts=True))

    async def set_smtp_size_limit(self, account_id: int, size_limit: int) -> Changes:
        """Keep the message size limit the account's SMTP server announced (EHLO SIZE; 0: none). Nothing a list
        shows changes: the composer and the Drive settings read it when they open."""
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE accounts SET smtp_size_limit = ? WHERE id = ?", (max(0, size_limit), account_id))
        return Changes()

    async def record_delivery_report(
        self, report_row: int, sent_message_id: str, problems: Sequence[DeliveryProblem]
    ) -> Changes:
        """Link the bounce `report_row` to the message we sent (by its Message-ID header) with what it says."""
        if not problems or not sent_message_id:
            return Changes()
        async with self._db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO delivery_reports (sent_message_id, report_row, recipient, action, status, diagnostic)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (report_row, recipient) DO NOTHING",
                [(sent_message_id, report_row, p.recipient, p.action, p.status, p.diagnostic) for p in problems],
            )
            sent = await tx.execute_fetchall(
                "SELECT id, folder_id FROM messages WHERE message_id = ?", (sent_message_id,)
            )
        return self._db.publish(
            Changes(folders=frozenset(int(r[1]) for r in sent), messages_updated=frozenset(int(r[0]) for r in sent))
        )
