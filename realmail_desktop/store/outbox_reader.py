"""Read-side queries of sending: the outbox, accounts' SMTP settings, delivery problems reported by bounces.
Reached as `StoreReader.outbox` (GUI thread) or `await store.read(lambda r: r.outbox....)` (a worker)."""

from __future__ import annotations

import sqlite3

from realmail_desktop.store.models import (
    DeliveryProblem,
    ImapSecurity,
    OutboxItem,
    SendingAccount,
    SmtpAuth,
    SmtpSettings,
)
from realmail_desktop.store.outbox import OUTBOX_COLUMNS, outbox_item


class OutboxReader:
    """Synchronous reads on one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def folder_id(self) -> int | None:
        """The profile's Outbox folder (None until the first message is queued)."""
        row = self._conn.execute("SELECT folder_id FROM outbox_folder WHERE id = 1").fetchone()
        return int(row[0]) if row else None

    def item(self, outbox_id: int) -> OutboxItem | None:
        row = self._conn.execute(f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = ?", (outbox_id,)).fetchone()
        return outbox_item(row) if row else None

    def item_for_message(self, message_row: int) -> OutboxItem | None:
        """The outbox entry of a message row (the reader shows a failed one's reason)."""
        row = self._conn.execute(
            f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE message_row = ?",
            (message_row,),
        ).fetchone()
        return outbox_item(row) if row else None

    def items(self, *, pending_only: bool = False) -> list[OutboxItem]:
        """Every entry in sending order (priority, then FIFO); `pending_only` leaves out the sent ones."""
        where = "WHERE state != 'sent'" if pending_only else ""
        rows = self._conn.execute(f"SELECT {OUTBOX_COLUMNS} FROM outbox {where} ORDER BY priority, send_at, id")
        return [outbox_item(r) for r in rows]

    def due_accounts(self, now: float) -> list[int]:
        """Accounts with messages due for SMTP (not those whose files still go to Drive first)."""
        rows = self._conn.execute(
            "SELECT DISTINCT account_id FROM outbox WHERE state = 'queued' AND next_attempt_at <= ?"
            " AND drive_files = '[]'",
            (now,),
        )
        return [int(r[0]) for r in rows]

    def next_due_at(self) -> float | None:
        """When the next queued message falls due for SMTP (None: nothing queued)."""
        row = self._conn.execute(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'queued' AND drive_files = '[]'"
        ).fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def raw(self, message_row: int) -> bytes | None:
        row = self._conn.execute("SELECT raw FROM message_bodies WHERE message_id = ?", (message_row,)).fetchone()
        return bytes(row[0]) if row else None

    def raws(self, message_rows: list[int]) -> dict[int, bytes]:
        """The bytes of several messages at once (a batch to send)."""
        rows = self._conn.execute(
            "SELECT message_id, raw FROM message_bodies WHERE message_id IN (SELECT value FROM json_each(?))",
            (_json_ids(message_rows),),
        )
        return {int(r[0]): bytes(r[1]) for r in rows}

    def smtp_settings(self, account_id: int) -> SmtpSettings | None:
        """None for an account without an SMTP server set (a local account, or not configured yet)."""
        row = self._conn.execute(
            "SELECT smtp_host, smtp_port, smtp_security, smtp_username, smtp_auth FROM accounts WHERE id = ?",
            (account_id,),
        ).fetchone()
        if row is None or not row[0]:
            return None
        return SmtpSettings(
            host=row[0], port=int(row[1]), security=ImapSecurity(row[2]), username=row[3], auth=SmtpAuth(row[4])
        )

    def sending_account(self, account_id: int) -> SendingAccount | None:
        smtp = self.smtp_settings(account_id)
        row = self._conn.execute(
            "SELECT address, imap_host, username, server_files_sent, smtp_size_limit FROM accounts WHERE id = ?",
            (account_id,),
        ).fetchone()
        if smtp is None or row is None:
            return None
        return SendingAccount(
            account_id=account_id,
            address=row[0],
            smtp=smtp,
            imap_host=row[1],
            imap_username=row[2],
            server_files_sent=None if row[3] is None else bool(row[3]),
            smtp_size_limit=int(row[4]),
        )

    def delivery_problems(self, message_row: int) -> list[DeliveryProblem]:
        """What bounces said about the message of `message_row`, by recipient (empty: nothing came back)."""
        rows = self._conn.execute(
            "SELECT r.recipient, r.action, r.status, r.diagnostic FROM delivery_reports r"
            " JOIN messages m ON m.message_id = r.sent_message_id WHERE m.id = ? AND m.message_id != ''"
            " ORDER BY r.id",
            (message_row,),
        )
        return [DeliveryProblem(recipient=r[0], action=r[1], status=r[2], diagnostic=r[3]) for r in rows]

    def unscanned_reports(self, candidates: list[int]) -> list[tuple[int, bytes]]:
        """Of `candidates` (rows that look like bounces), those with a body and no recorded report yet."""
        rows = self._conn.execute(
            "SELECT m.id, b.raw FROM messages m JOIN message_bodies b ON b.message_id = m.id"
            " WHERE m.id IN (SELECT value FROM json_each(?))"
            " AND NOT EXISTS (SELECT 1 FROM delivery_reports r WHERE r.report_row = m.id)",
            (_json_ids(candidates),),
        )
        return [(int(r[0]), bytes(r[1])) for r in rows]

    def bounce_candidates(self, rows: list[int]) -> list[int]:
        """Rows among `rows` sent by a mail system (MAILER-DAEMON, postmaster) or titled like a bounce."""
        found = self._conn.execute(
            "SELECT id FROM messages WHERE id IN (SELECT value FROM json_each(?)) AND ("
            " lower(sender_address) LIKE 'mailer-daemon@%' OR lower(sender_address) LIKE 'postmaster@%'"
            " OR lower(sender_address) = 'mailer-daemon' OR lower(subject) LIKE '%undeliver%'"
            " OR lower(subject) LIKE '%delivery status notification%' OR lower(subject) LIKE '%returned mail%'"
            " OR lower(subject) LIKE '%delivery failure%' OR lower(subject) LIKE '%failure notice%')",
            (_json_ids(rows),),
        )
        return [int(r[0]) for r in found]


def _json_ids(ids: list[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"
