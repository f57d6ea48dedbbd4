"""The outbox: messages waiting to go out over SMTP, their schedule, attempts and outcome (migrations/0007).

Every queued message is a row of `messages` in the profile's one "Outbox" folder (in the Local Folders
account), so the list and the reader show it like any mail; its `outbox` row says when and how to send it.

Delivery rule — at least once, exactly once where the server acknowledged: `claim_due` marks a message
'sending' before the SMTP transaction starts; `mark_sent` records the server's reply to DATA and state 'sent'
in one transaction (with the move to Sent, the APPEND for the server and the \\Answered / $Forwarded flags).
A message still 'sending' at start-up (the app died between DATA and that commit) was maybe delivered, maybe
not: `recover_interrupted` queues it again, since losing a message is worse than a rare duplicate. A message
whose acknowledgement was committed is never sent again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime

import aiosqlite

from realmail_desktop.core.errors import KnownError, NotFoundError
from realmail_desktop.core.events import Changes
from realmail_desktop.store.accounts import LOCAL_FOLDERS
from realmail_desktop.store.database import Database
from realmail_desktop.store.messages import INSERT_MESSAGE, message_row
from realmail_desktop.store.models import (
    AccountKind,
    FolderRole,
    NewMessage,
    OutboxItem,
    OutboxState,
    OutgoingMessage,
    RemoteOpKind,
)
from realmail_desktop.store.remote_ops import enqueue, enqueue_cross_account, imap_messages
from realmail_desktop.store.search import FTS_INSERT, fts_row
from realmail_desktop.store.threads import ThreadInput, assign_threads

OUTBOX_FOLDER = "Outbox"
OUTBOX_COLUMNS = (
    "id, account_id, message_row, message_id, mail_from, recipients, priority, send_at, state, attempts,"
    " next_attempt_at, last_error, ack, answers, forwards, queued_at, sent_at, drive_files"
)
_FIELDS = tuple(name.strip() for name in OUTBOX_COLUMNS.split(","))


@dataclass(frozen=True, slots=True)
class Acknowledged:
    """A message the SMTP server took: its `reply` to DATA, a `note` naming recipients it refused while taking
    the others, and whether a copy goes to the server's Sent folder (not where the server files it itself)."""

    item: OutboxItem
    reply: str
    note: str = ""
    save_copy: bool = True


class TooLateError(KnownError):
    """The message is already being handed to the server (or was sent): it can no longer be taken back."""


def outbox_item(row: Sequence[object]) -> OutboxItem:
    values = dict(zip(_FIELDS, row, strict=True))
    values["recipients"] = tuple(json.loads(str(values["recipients"])))
    values["forwards"] = tuple(json.loads(str(values["forwards"])))
    values["drive_files"] = tuple(json.loads(str(values["drive_files"])))
    return OutboxItem.model_validate(values)


class OutboxRepository:
    """Writes of the outbox. The composer calls `enqueue`, `cancel` (Undo send) and `reschedule` (Send later);
    the sender service `claim_due`, `mark_sent`, `retry_later`, `mark_failed`; the Outbox folder's actions
    `resend` and `return_to_drafts` (Edit)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(self, message: OutgoingMessage) -> tuple[int, Changes]:
        """Queue `message` for sending at `message.send_at`; returns its outbox id."""
        if not message.recipients:
            raise KnownError("The message has no recipients.", hint="Add at least one address in To, Cc or Bcc.")
        row = message.row if message.row is not None else _row_of(message)
        now = time.time()
        async with self._db.transaction() as tx:
            kind = await (await tx.execute("SELECT kind FROM accounts WHERE id = ?", (message.account_id,))).fetchone()
            if kind is None:
                raise NotFoundError("The account to send from no longer exists.")
            folder_id, created = await _outbox_folder(tx)
            local_account = await _account_of(tx, folder_id)
            # Threaded with the sending account's mail: the row joins that account's Sent when it goes out.
            (thread,) = await assign_threads(tx, message.account_id, [ThreadInput.of_message(row)])
            cursor = await tx.execute(INSERT_MESSAGE, message_row(None, local_account, folder_id, row, thread))  # type: ignore[arg-type]
            message_row_id = int(cursor.lastrowid or 0)
            await tx.execute(
                "INSERT INTO message_bodies (message_id, raw) VALUES (?, ?)", (message_row_id, message.raw)
            )
            await tx.execute(FTS_INSERT, fts_row(message_row_id, row))
            cursor = await tx.execute(
                f"INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, '', '',"
                " ?, ?, ?, NULL, ?)",
                (
                    message.account_id,
                    message_row_id,
                    message.message_id,
                    message.mail_from,
                    json.dumps(list(message.recipients)),
                    message.priority,
                    message.send_at,
                    message.send_at,
                    message.answers,
                    json.dumps(list(message.forwards)),
                    now,
                    json.dumps([f.model_dump() for f in message.drive_files]),
                ),
            )
            outbox_id = int(cursor.lastrowid or 0)
        changes = Changes(
            folder_tree=created, folders=frozenset({folder_id}), messages_added=frozenset({message_row_id})
        )
        return outbox_id, self._db.publish(changes)

    async def cancel(self, outbox_id: int) -> Changes:
        """Undo send: take a message back before the server sees it (its row leaves the Outbox)."""
        async with self._db.transaction() as tx:
            row = await _state_row(tx, outbox_id)
            if OutboxState(row[1]) in (OutboxState.SENDING, OutboxState.SENT):
                raise TooLateError("The message has already been handed to the server.", hint="It cannot be undone.")
            folders = await tx.execute_fetchall("SELECT folder_id FROM messages WHERE id = ?", (row[0],))
            await tx.execute("DELETE FROM messages WHERE id = ?", (row[0],))  # the outbox row goes with it
        return self._db.publish(
            Changes(folders=frozenset(int(f[0]) for f in folders), messages_removed=frozenset({int(row[0])}))
        )

    async def reschedule(self, outbox_id: int, send_at: float) -> Changes:
        """Send later (or again at `send_at`): a queued or failed message waits until then, with fresh attempts."""
        return await self._requeue(outbox_id, send_at)

    async def resend(self, outbox_id: int) -> Changes:
        """Try a failed message again now (the Outbox folder's "Send again"; it fell due before it failed)."""
        return await self._requeue(outbox_id, None)

    async def _requeue(self, outbox_id: int, send_at: float | None) -> Changes:
        async with self._db.transaction() as tx:
            row = await _state_row(tx, outbox_id)
            if OutboxState(row[1]) in (OutboxState.SENDING, OutboxState.SENT):
                raise TooLateError("The message has already been handed to the server.")
            await tx.execute(
                "UPDATE outbox SET state = 'queued', send_at = COALESCE(?, send_at),"
                " next_attempt_at = COALESCE(?, send_at), attempts = 0, last_error = '' WHERE id = ?",
                (send_at, send_at, outbox_id),
            )
            # The Outbox folder in the Changes wakes the senders (SMTP, and the Drive stage of marked rows).
            folders = await tx.execute_fetchall("SELECT folder_id FROM messages WHERE id = ?", (row[0],))
        return self._db.publish(
            Changes(folders=frozenset(int(f[0]) for f in folders), messages_updated=frozenset({int(row[0])}))
        )

    async def return_to_drafts(self, outbox_id: int) -> tuple[int, Changes]:
        """Edit: the message leaves the outbox for its account's Drafts folder (the composer opens it from
        there); returns its message row. On an IMAP account the server's Drafts gets it by APPEND."""
        async with self._db.transaction() as tx:
            row = await _state_row(tx, outbox_id)
            if OutboxState(row[1]) in (OutboxState.SENDING, OutboxState.SENT):
                raise TooLateError("The message has already been handed to the server.")
            message_row_id, account_id = int(row[0]), int(row[2])
            drafts = await _folder_with_role(tx, account_id, FolderRole.DRAFTS)
            folders = await tx.execute_fetchall("SELECT folder_id FROM messages WHERE id = ?", (message_row_id,))
            await tx.execute("DELETE FROM outbox WHERE id = ?", (outbox_id,))
            queued = await _move_rows(tx, [message_row_id], drafts, is_draft=True)
        return message_row_id, self._db.publish(
            Changes(
                folders=frozenset({drafts, *(int(f[0]) for f in folders)}),
                messages_updated=frozenset({message_row_id}),
                remote_ops_queued=queued,
            )
        )

    # --- the sender service ----------------------------------------------------------------------------------
    async def recover_interrupted(self) -> int:
        """At start-up: messages left 'sending' without an acknowledgement go back to the queue (see the module
        docstring); returns how many."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE outbox SET state = 'queued', next_attempt_at = MIN(next_attempt_at, ?)"
                " WHERE state = 'sending' AND ack = ''",
                (time.time(),),
            )
            return int(cursor.rowcount or 0)

    async def claim_due(self, account_id: int, now: float, limit: int) -> list[OutboxItem]:
        """Up to `limit` of the account's messages due at `now`, highest priority first, FIFO within one; each
        is marked 'sending' with its attempt counted before it is returned. A message whose files still go to
        Drive first (`drive_files`, migrations/0014) is not due here: the Drive stage has it."""
        async with self._db.transaction() as tx:
            rows = await tx.execute_fetchall(
                f"SELECT {OUTBOX_COLUMNS} FROM outbox WHERE account_id = ? AND state = 'queued'"
                " AND next_attempt_at <= ? AND drive_files = '[]' ORDER BY priority, send_at, id LIMIT ?",
                (account_id, now, limit),
            )
            ids = [int(r[0]) for r in rows]
            await tx.executemany(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ?", [(i,) for i in ids]
            )
        return [
            outbox_item(r).model_copy(update={"state": OutboxState.SENDING, "attempts": int(r[9]) + 1}) for r in rows
        ]

    async def mark_sent(self, acknowledged: Sequence[Acknowledged], *, now: float | None = None) -> Changes:
        """The server acknowledged these: record each with its reply, move the rows to their account's Sent
        folder (queued for APPEND there when `save_copy`), and flag the originals \\Answered / $Forwarded —
        all in one transaction (the sender commits acknowledgements in groups)."""
        sent_at = time.time() if now is None else now
        async with self._db.transaction() as tx:
            # One statement for the whole group (each store round trip costs the sender's loop): the rows it
            # returns are those still there (else deleted from the Outbox folder meanwhile), with their folder.
            updated = await tx.execute_fetchall(
                "UPDATE outbox SET state = 'sent', ack = json_extract(a.value, '$[1]'), sent_at = ?,"
                " last_error = json_extract(a.value, '$[2]') FROM json_each(?) AS a"
                " WHERE outbox.id = json_extract(a.value, '$[0]')"
                " RETURNING outbox.id, (SELECT folder_id FROM messages WHERE id = outbox.message_row)",
                (sent_at, json.dumps([[ack.item.id, ack.reply or "250 OK", ack.note] for ack in acknowledged])),
            )
            found = {int(r[0]) for r in updated}
            sources = [r[1:] for r in updated if r[1] is not None]
            recorded = [ack for ack in acknowledged if ack.item.id in found]
            rows = [ack.item.message_row for ack in recorded]
            targets: dict[int, int] = {}
            moving: dict[tuple[int, bool], list[int]] = {}
            for ack in recorded:
                if ack.item.account_id not in targets:
                    targets[ack.item.account_id] = await _folder_with_role(tx, ack.item.account_id, FolderRole.SENT)
                moving.setdefault((targets[ack.item.account_id], ack.save_copy), []).append(ack.item.message_row)
            queued: frozenset[int] = frozenset()
            for (folder_id, save_copy), group in moving.items():
                queued |= await _move_rows(tx, group, folder_id, is_draft=False, append=save_copy)
            answered, more = await _set_flag(tx, "answered", [a.item.answers for a in recorded if a.item.answers])
            forwarded, even_more = await _set_flag(tx, "forwarded", [r for a in recorded for r in a.item.forwards])
            flagged = answered + forwarded
            flag_folders = (
                await tx.execute_fetchall(
                    "SELECT DISTINCT folder_id FROM messages WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps(flagged),),
                )
                if flagged
                else []
            )
        return self._db.publish(
            Changes(
                folders=frozenset(
                    {*targets.values(), *(int(f[0]) for f in sources), *(int(f[0]) for f in flag_folders)}
                ),
                messages_updated=frozenset({*rows, *flagged}),
                remote_ops_queued=queued | more | even_more,
            )
        )

    async def retry_later(self, item: OutboxItem, error: str, next_attempt_at: float) -> Changes:
        """A transient failure (4xx, network, timeout): back to the queue until `next_attempt_at`."""
        return await self._after_attempt(item, "queued", error, next_attempt_at)

    async def mark_failed(self, item: OutboxItem, error: str) -> Changes:
        """A permanent failure (5xx, or the account cannot send): it waits for the person (edit or send again)."""
        return await self._after_attempt(item, "failed", error, item.next_attempt_at)

    async def expedite(self, account_id: int, now: float) -> int:
        """The account is back online: its messages waiting for a retry may go at once (not before send_at)."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE outbox SET next_attempt_at = MAX(send_at, ?) WHERE account_id = ? AND state = 'queued'"
                " AND attempts > 0 AND next_attempt_at > ?",
                (now, account_id, now),
            )
            return int(cursor.rowcount or 0)

    async def release(self, items: Sequence[OutboxItem]) -> None:
        """Claimed messages that were never handed to the server (the service stopped): queued again."""
        async with self._db.transaction() as tx:
            await tx.executemany(
                "UPDATE outbox SET state = 'queued', attempts = MAX(attempts - 1, 0)"
                " WHERE id = ? AND state = 'sending'",
                [(i.id,) for i in items],
            )

    async def _after_attempt(self, item: OutboxItem, state: str, error: str, next_attempt_at: float) -> Changes:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = ? WHERE id = ? AND state = 'sending'",
                (state, error, next_attempt_at, item.id),
            )
        return self._db.publish(Changes(messages_updated=frozenset({item.message_row})))


async def _outbox_folder(tx: aiosqlite.Connection) -> tuple[int, bool]:
    """The profile's Outbox folder (made on first use, in the Local Folders account); True when just made."""
    row = await (await tx.execute("SELECT folder_id FROM outbox_folder WHERE id = 1")).fetchone()
    if row is not None:
        return int(row[0]), False
    found_local = await (
        await tx.execute(
            "SELECT id FROM accounts WHERE kind = ? ORDER BY position, id LIMIT 1", (AccountKind.LOCAL.value,)
        )
    ).fetchone()
    local = (int(found_local[0]),) if found_local is not None else None
    if local is None:
        position = await (await tx.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM accounts")).fetchone()
        cursor = await tx.execute(
            "INSERT INTO accounts (kind, name, address, position, created_at) VALUES (?, ?, '', ?, ?)",
            (AccountKind.LOCAL.value, LOCAL_FOLDERS, int(position[0]) if position else 0, int(time.time())),
        )
        local = (int(cursor.lastrowid or 0),)
    await tx.execute(
        "INSERT INTO folders (account_id, path, position) VALUES (?, ?, -1) ON CONFLICT (account_id, path) DO NOTHING",
        (int(local[0]), OUTBOX_FOLDER),
    )
    found = await (
        await tx.execute("SELECT id FROM folders WHERE account_id = ? AND path = ?", (int(local[0]), OUTBOX_FOLDER))
    ).fetchone()
    folder_id = int(found[0]) if found else 0
    await tx.execute("INSERT INTO outbox_folder (id, folder_id) VALUES (1, ?)", (folder_id,))
    return folder_id, True


async def _account_of(tx: aiosqlite.Connection, folder_id: int) -> int:
    rows = await tx.execute_fetchall("SELECT account_id FROM folders WHERE id = ?", (folder_id,))  # one round trip
    if not rows:
        raise NotFoundError("That folder no longer exists.")
    return int(next(iter(rows))[0])


async def _state_row(tx: aiosqlite.Connection, outbox_id: int) -> tuple[int, str, int]:
    row = await (
        await tx.execute("SELECT message_row, state, account_id FROM outbox WHERE id = ?", (outbox_id,))
    ).fetchone()
    if row is None:
        raise NotFoundError("That message is no longer in the outbox.")
    return int(row[0]), str(row[1]), int(row[2])


async def _folder_with_role(tx: aiosqlite.Connection, account_id: int, role: FolderRole) -> int:
    """The account's folder with `role`, else the Local Folders' one (an account whose server has no Sent),
    made there when there is none at all: a message the server acknowledged must always find a place, or its
    acknowledgement would roll back with the move and the message would be sent twice."""
    query = (
        "SELECT f.id FROM folders f JOIN accounts a ON a.id = f.account_id WHERE f.role = ?"
        " ORDER BY f.account_id != ?, a.kind != 'local', a.position, f.id LIMIT 1"
    )
    found = await tx.execute_fetchall(query, (role.value, account_id))  # one round trip (the sender's per group)
    row = next(iter(found), None)
    if row is None:
        outbox, _ = await _outbox_folder(tx)
        local = await _account_of(tx, outbox)
        await tx.execute(
            "INSERT INTO folders (account_id, path, role) VALUES (?, ?, ?)"
            " ON CONFLICT (account_id, path) DO UPDATE SET role = excluded.role WHERE role IS NULL",
            (local, role.value.capitalize(), role.value),
        )
        row = await (await tx.execute(query, (role.value, account_id))).fetchone()
    if row is None:  # a folder of that name with another role: nothing sensible to put it in
        raise NotFoundError(f"There is no {role.value.capitalize()} folder to put the message in.")
    return int(row[0])


async def _move_rows(
    tx: aiosqlite.Connection, rows: Sequence[int], folder_id: int, *, is_draft: bool, append: bool = True
) -> frozenset[int]:
    """Move Outbox rows (local) into `folder_id`; an IMAP folder gets them by APPEND unless `append` is off."""
    target_account = await _account_of(tx, folder_id)
    queued: frozenset[int] = frozenset()
    if append:
        queued = await enqueue_cross_account(tx, rows, [], folder_id, target_account)
    await tx.execute(
        "UPDATE messages SET folder_id = ?, account_id = ?, uid = NULL, is_seen = 1, is_draft = ?"
        " WHERE id IN (SELECT value FROM json_each(?))",
        (folder_id, target_account, int(is_draft), json.dumps(list(rows))),
    )
    return queued


async def _set_flag(tx: aiosqlite.Connection, flag: str, rows: Sequence[int]) -> tuple[list[int], frozenset[int]]:
    """Set \\Answered ("answered") or $Forwarded ("forwarded") on `rows`, queued for their servers (the same
    'flags' op store.messages queues)."""
    if not rows:
        return [], frozenset()
    column = f"is_{flag}"
    found = await tx.execute_fetchall(
        f"SELECT id FROM messages WHERE {column} = 0 AND id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(rows)),),
    )
    changed = [int(r[0]) for r in found]
    if not changed:
        return [], frozenset()
    await tx.executemany(f"UPDATE messages SET {column} = 1 WHERE id = ?", [(r,) for r in changed])
    queued = await enqueue(tx, RemoteOpKind.FLAGS, await imap_messages(tx, changed), {"set": {flag: True}})
    return changed, queued


def _row_of(message: OutgoingMessage) -> NewMessage:
    """The list row of a message to send that came without one, from its own header (stdlib parser: the store
    reads no MIME bodies)."""
    try:
        header = BytesHeaderParser(policy=policy.default).parsebytes(message.raw)
        subject = str(header.get("Subject", "") or "")
        senders = getaddresses([str(header.get("From", "") or "")])
        to = getaddresses([str(header.get("To", "") or "")])
        cc = getaddresses([str(header.get("Cc", "") or "")])
        in_reply_to = str(header.get("In-Reply-To", "") or "").strip()
        references = tuple(str(header.get("References", "") or "").split())
        try:
            date = int(parsedate_to_datetime(str(header.get("Date", ""))).timestamp())
        except (TypeError, ValueError):
            date = int(time.time())
    except Exception:  # a header the parser chokes on still leaves a sendable message
        subject, senders, to, cc, in_reply_to, references, date = "", [], [], [], "", (), int(time.time())
    sender_name, sender_address = senders[0] if senders else ("", message.mail_from)

    def shown(people: Sequence[tuple[str, str]]) -> str:
        return ", ".join(f"{name} <{address}>" if name else address for name, address in people)

    return NewMessage(
        message_id=message.message_id,
        in_reply_to=in_reply_to,
        references=references,
        date=date,
        sender_name=sender_name,
        sender_address=sender_address or message.mail_from,
        sender_sort=(sender_name or sender_address).casefold(),
        recipients=shown(to),
        cc=shown(cc),
        subject=subject,
        subject_sort=subject.casefold(),
        size=len(message.raw),
        is_seen=True,
        index_people=" ".join(f"{n} {a}" for n, a in (*senders, *to, *cc)),
        raw=message.raw,
    )
