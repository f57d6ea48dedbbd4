"""Read-side queries of conversations: threaded list pages (one row per thread) and a thread's messages.

A threaded list pages over `folder_threads` (migrations/0005), whose rows the triggers keep with each
thread's counts and newest message per folder, through the index `folder_threads_by_date`; its row count is
the folders' `thread_count` counters. Like the flat list, pages past the middle read from the other end.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from realmail_desktop.store.gmail_labels import in_folders_sql, label_folder_ids
from realmail_desktop.store.models import MessageSummary, ThreadSummary
from realmail_desktop.store.reader import SUMMARY_COLUMNS, SortKey, SortOrder, summary_from_row

_MESSAGE_COLUMNS = ", ".join(f"m.{name.strip()}" for name in SUMMARY_COLUMNS.split(","))
# Date order is the index's; sender and subject order by the newest message's key (sorted per page read).
_ORDER_COLUMNS: dict[SortKey, tuple[str, ...]] = {
    SortKey.DATE: ("ft.newest_date", "ft.newest_id"),
    SortKey.SENDER: ("m.sender_sort", "ft.newest_date", "ft.newest_id"),
    SortKey.SUBJECT: ("m.subject_sort", "ft.newest_date", "ft.newest_id"),
}


def _thread_summary(row: tuple[object, ...]) -> ThreadSummary:
    base = summary_from_row(row[:-4])
    thread_id, count, unread, flagged = (int(v) for v in row[-4:])  # type: ignore[call-overload]
    values = {name: getattr(base, name) for name in MessageSummary.model_fields}
    values.update(is_seen=unread == 0, is_flagged=flagged > 0)
    return ThreadSummary.model_construct(**values, thread_id=thread_id, message_count=count, unread_count=unread)


class ThreadReader:
    """Synchronous thread reads on one connection (the GUI's, or a worker thread's)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def count(self, folder_ids: tuple[int, ...]) -> int:
        if not folder_ids:
            return 0
        marks = ",".join("?" * len(folder_ids))
        row = self._conn.execute(
            f"SELECT COALESCE(SUM(thread_count), 0) FROM folders WHERE id IN ({marks})", folder_ids
        ).fetchone()
        return int(row[0])

    def page(
        self, folder_ids: tuple[int, ...], order: SortOrder, offset: int, limit: int, total: int | None = None
    ) -> list[ThreadSummary]:
        """Thread rows offset…offset+limit in `order` (by each thread's newest message in the folder)."""
        if not folder_ids or limit <= 0:
            return []
        total = self.count(folder_ids) if total is None else total
        offset = max(0, offset)
        limit = min(limit, max(0, total - offset))
        if limit == 0:
            return []
        from_end = offset > total // 2
        descending = order.descending != from_end
        skip = total - offset - limit if from_end else offset
        direction = "DESC" if descending else "ASC"
        columns = _ORDER_COLUMNS.get(order.key, _ORDER_COLUMNS[SortKey.DATE])
        order_by = ", ".join(f"{column} {direction}" for column in columns)
        marks = ",".join("?" * len(folder_ids))
        rows = self._conn.execute(
            f"SELECT {_MESSAGE_COLUMNS}, ft.thread_id, ft.message_count, ft.unread_count, ft.flagged_count"
            f" FROM folder_threads ft JOIN messages m ON m.id = ft.newest_id"
            f" WHERE ft.folder_id IN ({marks}) ORDER BY {order_by} LIMIT ? OFFSET ?",
            (*folder_ids, limit, skip),
        ).fetchall()
        if from_end:
            rows.reverse()
        return [_thread_summary(r) for r in rows]

    def row_of(self, folder_ids: tuple[int, ...], order: SortOrder, message_id: int) -> int | None:
        """The row of the thread holding `message_id` in these folders, or None."""
        if not folder_ids:
            return None
        columns = _ORDER_COLUMNS.get(order.key, _ORDER_COLUMNS[SortKey.DATE])
        marks = ",".join("?" * len(folder_ids))
        key = self._conn.execute(
            f"SELECT {', '.join(columns)} FROM messages x"
            f" JOIN folder_threads ft ON ft.folder_id = x.folder_id AND ft.thread_id = x.thread_id"
            f" JOIN messages m ON m.id = ft.newest_id WHERE x.id = ? AND x.folder_id IN ({marks})",
            (message_id, *folder_ids),
        ).fetchone()
        if key is None:
            return None
        before = ">" if order.descending else "<"
        join = " JOIN messages m ON m.id = ft.newest_id" if order.key in (SortKey.SENDER, SortKey.SUBJECT) else ""
        row = self._conn.execute(
            f"SELECT COUNT(*) FROM folder_threads ft{join} WHERE ft.folder_id IN ({marks})"
            f" AND ({', '.join(columns)}) {before} ({', '.join('?' * len(columns))})",
            (*folder_ids, *key),
        ).fetchone()
        return int(row[0])

    def thread_of(self, message_id: int) -> int | None:
        row = self._conn.execute("SELECT thread_id FROM messages WHERE id = ?", (message_id,)).fetchone()
        return int(row[0]) if row is not None and row[0] is not None else None

    def threads_of(self, message_ids: Iterable[int]) -> set[int]:
        """The threads these messages are in (for repainting a threaded list's rows after flag changes)."""
        rows = self._conn.execute(
            "SELECT DISTINCT thread_id FROM messages WHERE thread_id IS NOT NULL"
            " AND id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(message_ids)),),
        )
        return {int(r[0]) for r in rows}

    def messages(self, thread_id: int, folder_ids: tuple[int, ...] = ()) -> list[MessageSummary]:
        """A conversation's messages, oldest first, across its account's folders. Messages in Trash or Junk
        are left out unless listed from there (`folder_ids`); a message stored in two folders (Gmail's All
        Mail and Inbox) shows once, preferring the copy in `folder_ids`."""
        rows = self._conn.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages m JOIN folders f ON f.id = m.folder_id"
            " WHERE m.thread_id = ? AND (f.role IS NULL OR f.role NOT IN ('trash', 'junk')"
            "  OR m.folder_id IN (SELECT value FROM json_each(?)))"
            " ORDER BY m.date, m.id",
            (thread_id, json.dumps(list(folder_ids))),
        ).fetchall()
        summaries = [summary_from_row(r) for r in rows]
        chosen: dict[str, MessageSummary] = {}
        for summary in summaries:
            key = summary.message_id
            if not key:
                continue
            kept = chosen.get(key)
            if kept is None or (kept.folder_id not in folder_ids and summary.folder_id in folder_ids):
                chosen[key] = summary
        return [s for s in summaries if not s.message_id or chosen[s.message_id] is s]

    def folder_messages(self, message_ids: Iterable[int], folder_ids: tuple[int, ...]) -> list[int]:
        """Every message of these folders in the threads of `message_ids` (what a threaded list's rows stand
        for, when the person reads, stars, moves or deletes them); messages without a thread stand alone."""
        wanted = json.dumps(sorted(set(message_ids)))
        # Gmail label folders list All Mail rows (store/gmail_labels.py): their members count as theirs.
        labels = bool(label_folder_ids(self._conn, folder_ids))
        scope = "m.folder_id IN (SELECT value FROM json_each(?2))"
        if labels:
            scope = in_folders_sql(folder_ids, "m.id", "m.folder_id")
        rows = self._conn.execute(
            f"SELECT m.id FROM messages m WHERE {scope}"
            " AND m.thread_id IN (SELECT thread_id FROM messages WHERE id IN (SELECT value FROM json_each(?1)))"
            " UNION SELECT value FROM json_each(?1) ORDER BY 1",
            (wanted,) if labels else (wanted, json.dumps(list(folder_ids))),
        )
        return [int(r[0]) for r in rows]
