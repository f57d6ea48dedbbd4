"""Read-side queries: accounts, folders, one message, and message-list pages over the sort indexes.

A message list is read a page at a time (`page`), never whole: row counts come from the folders' counters
kept by triggers, and pages past the middle are read from the other end of the index so that the last
page of a million-row folder costs what the first one does.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from realmail_desktop.store.accounts import ACCOUNT_COLUMNS, FOLDER_COLUMNS, account_from_row, folder_from_row
from realmail_desktop.store.drafts import DraftReader
from realmail_desktop.store.gmail_labels import in_folders_sql, label_folder_ids, label_folders, labels_of
from realmail_desktop.store.identities import IdentityReader
from realmail_desktop.store.junk_tokens import JunkReader
from realmail_desktop.store.models import Account, AttachmentRecord, Contact, Folder, FolderRole, MessageSummary
from realmail_desktop.store.outbox_reader import OutboxReader
from realmail_desktop.store.preferences import PreferenceReader
from realmail_desktop.store.rules import RuleReader
from realmail_desktop.store.search import SearchResults
from realmail_desktop.store.search_query import SearchQuery
from realmail_desktop.store.sync_reader import SyncReader

if TYPE_CHECKING:
    from realmail_desktop.store.thread_reader import ThreadReader


class SortKey(StrEnum):
    DATE = "date"
    SENDER = "sender"
    SUBJECT = "subject"


# Each key's ORDER BY columns, matching one index of migrations/0001 (all in one direction, so SQLite
# walks the index forwards or backwards instead of sorting).
_ORDER_COLUMNS: dict[SortKey, tuple[str, ...]] = {
    SortKey.DATE: ("date", "id"),
    SortKey.SENDER: ("sender_sort", "date", "id"),
    SortKey.SUBJECT: ("subject_sort", "date", "id"),
}

SUMMARY_COLUMNS = (
    "id, account_id, folder_id, message_id, date, sender_name, sender_address, recipients, cc, subject,"
    " snippet, size, has_attachments, is_seen, is_flagged, is_answered, is_forwarded, is_draft, body_state,"
    " keywords"
)
_SUMMARY_FIELDS = tuple(name.strip() for name in SUMMARY_COLUMNS.split(","))
_BOOL_FIELDS = tuple(name for name in _SUMMARY_FIELDS if name.startswith(("is_", "has_")))


@dataclass(frozen=True, slots=True)
class MessageQuery:
    """Which messages a list shows: the messages of these folders (one folder, or all Inboxes), or with
    `search` those of them that match it (store/search.py): best match first when `by_relevance`, else in
    the list's sort order."""

    folder_ids: tuple[int, ...]
    search: SearchQuery | None = None
    by_relevance: bool = True
    threads: bool = False  # one row per conversation (store/thread_reader.py); not with `search`
    category: str | None = None  # only messages of this Inbox category (mail/categories.py); not with `search`

    @property
    def threaded(self) -> bool:
        """Whether the rows are conversations (search results and category filters are messages)."""
        return self.threads and self.search is None and self.category is None

    @property
    def category_sql(self) -> str:
        return " AND category = ?" if self.category is not None else ""

    @property
    def category_args(self) -> tuple[str, ...]:
        return (self.category,) if self.category is not None else ()


@dataclass(frozen=True, slots=True)
class SortOrder:
    key: SortKey = SortKey.DATE
    descending: bool = True


def summary_from_row(row: tuple[object, ...]) -> MessageSummary:
    # Rows come from our own schema: skip validation, it is the hot path of every list page.
    values: dict[str, Any] = dict(zip(_SUMMARY_FIELDS, row, strict=True))
    for name in _BOOL_FIELDS:  # SQLite hands back 0/1
        values[name] = bool(values[name])
    values["keywords"] = tuple(values["keywords"].split())  # stored space-separated
    return MessageSummary.model_construct(**values)


class StoreReader:
    """Synchronous reads on one connection (the GUI's, or a worker thread's)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._search_results: SearchResults | None = None

    @property
    def sync(self) -> SyncReader:
        """The IMAP sync's reads on this same connection."""
        return SyncReader(self._conn)

    @property
    def outbox(self) -> OutboxReader:
        """Sending's reads (outbox, SMTP settings, bounces) on this same connection."""
        return OutboxReader(self._conn)

    @property
    def identities(self) -> IdentityReader:
        """Each account's From identities (store/identities.py) on this same connection."""
        return IdentityReader(self._conn)

    @property
    def drafts(self) -> DraftReader:
        """Drafts: where an account's go, what a saved one answers (store/drafts.py)."""
        return DraftReader(self._conn)

    @property
    def preferences(self) -> PreferenceReader:
        return PreferenceReader(self._conn)

    @property
    def rules(self) -> RuleReader:
        """Mail rules and the message fields they match (store/rules.py)."""
        return RuleReader(self._conn)

    @property
    def junk(self) -> JunkReader:
        """The junk filter's token counts (store/junk_tokens.py)."""
        return JunkReader(self._conn)

    @property
    def threads(self) -> ThreadReader:
        """Conversation reads (threaded list pages, a thread's messages) on this same connection."""
        from realmail_desktop.store.thread_reader import ThreadReader  # it builds on this module

        return ThreadReader(self._conn)

    # --- accounts and folders -------------------------------------------------------------------
    def accounts(self) -> list[Account]:
        rows = self._conn.execute(f"SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY position, id")
        return [account_from_row(r) for r in rows]

    def folders(self, account_id: int | None = None, *, include_unsubscribed: bool = False) -> list[Folder]:
        """The folders people see: subscribed ones, and always the Inbox and special-use folders (synced even
        when unsubscribed: SyncFolder.synced). With `include_unsubscribed`, every folder the store knows (an
        IMAP account's whole server list, for managing subscriptions)."""
        where = [] if include_unsubscribed else ["(subscribed = 1 OR role IS NOT NULL)"]
        args: tuple[int, ...] = ()
        if account_id is not None:
            where, args = [*where, "account_id = ?"], (account_id,)
        sql = f"SELECT {FOLDER_COLUMNS} FROM folders" + (f" WHERE {' AND '.join(where)}" if where else "")
        return [folder_from_row(r) for r in self._conn.execute(f"{sql} ORDER BY account_id, position, path", args)]

    def folder(self, folder_id: int) -> Folder | None:
        row = self._conn.execute(f"SELECT {FOLDER_COLUMNS} FROM folders WHERE id = ?", (folder_id,)).fetchone()
        return folder_from_row(row) if row else None

    def folder_by_path(self, account_id: int, path: str) -> Folder | None:
        row = self._conn.execute(
            f"SELECT {FOLDER_COLUMNS} FROM folders WHERE account_id = ? AND path = ?", (account_id, path)
        ).fetchone()
        return folder_from_row(row) if row else None

    def folder_by_role(self, account_id: int, role: FolderRole) -> Folder | None:
        row = self._conn.execute(
            f"SELECT {FOLDER_COLUMNS} FROM folders WHERE account_id = ? AND role = ?",
            (account_id, role.value),
        ).fetchone()
        return folder_from_row(row) if row else None

    def inbox_ids(self) -> tuple[int, ...]:
        rows = self._conn.execute("SELECT id FROM folders WHERE role = 'inbox' ORDER BY account_id")
        return tuple(int(r[0]) for r in rows)

    def message_count(self) -> int:
        return int(self._conn.execute("SELECT COALESCE(SUM(total_count), 0) FROM folders").fetchone()[0])

    # --- one message ----------------------------------------------------------------------------
    def message(self, message_id: int) -> MessageSummary | None:
        row = self._conn.execute(f"SELECT {SUMMARY_COLUMNS} FROM messages WHERE id = ?", (message_id,)).fetchone()
        return summary_from_row(row) if row else None

    def raw_message(self, message_id: int) -> bytes | None:
        row = self._conn.execute("SELECT raw FROM message_bodies WHERE message_id = ?", (message_id,)).fetchone()
        return bytes(row[0]) if row else None

    def trusts_remote_content(self, address: str) -> bool:
        """Whether the person chose "Always for this sender" for `address` (see store/trust.py)."""
        sender = address.strip().lower()
        row = self._conn.execute("SELECT 1 FROM remote_content_trust WHERE address = ?", (sender,)).fetchone()
        return row is not None

    def trusted_senders(self) -> list[str]:
        """Every sender whose mail may load remote content, A to Z (Settings ▸ Privacy lists them)."""
        return [str(r[0]) for r in self._conn.execute("SELECT address FROM remote_content_trust ORDER BY address")]

    def attachments(self, message_id: int) -> list[AttachmentRecord]:
        rows = self._conn.execute(
            "SELECT id, message_id, part_id, filename, content_type, sniffed_type, size, content_id, inline"
            " FROM attachments WHERE message_id = ? ORDER BY id",
            (message_id,),
        )
        return [
            AttachmentRecord(
                id=r[0],
                message_id=r[1],
                part_id=r[2],
                filename=r[3],
                content_type=r[4],
                sniffed_type=r[5],
                size=r[6],
                content_id=r[7],
                inline=bool(r[8]),
            )
            for r in rows
        ]

    def folder_message_ids(self, folder_id: int) -> list[int]:
        """Every id of a folder, oldest first (for export; not for lists, which page)."""
        return [
            int(r[0])
            for r in self._conn.execute("SELECT id FROM messages WHERE folder_id = ? ORDER BY date, id", (folder_id,))
        ]

    def gmail_labels(self, message_id: int) -> list[tuple[int, str]]:
        """The Gmail label folders (id, path) that show a message (store/gmail_labels.py); [] elsewhere."""
        return labels_of(self._conn, message_id)

    def gmail_label_folders(self, account_id: int) -> list[tuple[int, str, str]]:
        """An account's Gmail label folders: (id, path, label), by path; [] for other servers."""
        return label_folders(self._conn, account_id)

    def message_id_headers(self, folder_id: int) -> set[str]:
        """The Message-ID headers already in a folder (for skipping duplicates on import)."""
        rows = self._conn.execute(
            "SELECT message_id FROM messages WHERE folder_id = ? AND message_id != ''", (folder_id,)
        )
        return {str(r[0]) for r in rows}

    # --- contacts -------------------------------------------------------------------------------
    def suggest_contacts(self, prefix: str, limit: int = 10) -> list[Contact]:
        """Contacts whose address or name (or a word of it) starts with `prefix`, most used first."""
        text = prefix.strip().lower()
        if not text:
            return []
        like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._conn.execute(
            "SELECT id, address, name, last_used, use_count FROM contacts"
            " WHERE address LIKE ?1 ESCAPE '\\' OR lower(name) LIKE ?1 ESCAPE '\\' OR lower(name) LIKE ?2 ESCAPE '\\'"
            " ORDER BY use_count DESC, last_used DESC LIMIT ?3",
            (f"{like}%", f"% {like}%", limit),
        )
        return [Contact(id=r[0], address=r[1], name=r[2], last_used=r[3], use_count=r[4]) for r in rows]

    # --- message-list pages ---------------------------------------------------------------------
    @property
    def searches(self) -> SearchResults:
        """Search answers on this connection, kept until the store changes (store/search.py)."""
        if self._search_results is None:
            self._search_results = SearchResults(self._conn)
        return self._search_results

    @staticmethod
    def _search_sort(query: MessageQuery, order: SortOrder) -> tuple[tuple[str, ...], bool] | None:
        return None if query.by_relevance else (_ORDER_COLUMNS[order.key], order.descending)

    def count(self, query: MessageQuery) -> int:
        if query.search is not None:
            return self.searches.count(query.search, query.folder_ids)
        if query.threaded:
            return self.threads.count(query.folder_ids)
        if not query.folder_ids:
            return 0
        marks = ",".join("?" * len(query.folder_ids))
        if query.category is not None:  # as page() scopes it (Gmail label folders list All Mail rows)
            labels = label_folder_ids(self._conn, query.folder_ids)
            scope = in_folders_sql(query.folder_ids) if labels else f"folder_id IN ({marks})"
            return int(
                self._conn.execute(
                    f"SELECT COUNT(*) FROM messages WHERE {scope} AND category = ?",
                    (*(() if labels else query.folder_ids), query.category),
                ).fetchone()[0]
            )
        row = self._conn.execute(
            f"SELECT COALESCE(SUM(total_count), 0) FROM folders WHERE id IN ({marks})", query.folder_ids
        ).fetchone()
        return int(row[0])

    def page(
        self, query: MessageQuery, order: SortOrder, offset: int, limit: int, total: int | None = None
    ) -> list[MessageSummary]:
        """Rows offset…offset+limit of the list in `order`. Pages past the middle read the index backwards."""
        if not query.folder_ids or limit <= 0:
            return []
        if query.search is not None:
            sort = self._search_sort(query, order)
            ids = self.searches.page_ids(query.search, query.folder_ids, sort, offset, limit)
            sql = f"SELECT {SUMMARY_COLUMNS} FROM messages WHERE id IN (SELECT value FROM json_each(?))"
            rows = self._conn.execute(sql, (json.dumps(ids),)).fetchall()
            by_id = {int(r[0]): r for r in rows}
            return [summary_from_row(by_id[mid]) for mid in ids if mid in by_id]
        if query.threaded:
            return list(self.threads.page(query.folder_ids, order, offset, limit, total))
        total = self.count(query) if total is None else total
        offset = max(0, offset)
        limit = min(limit, max(0, total - offset))
        if limit == 0:
            return []
        from_end = offset > total // 2
        descending = order.descending != from_end
        skip = total - offset - limit if from_end else offset
        direction = "DESC" if descending else "ASC"
        order_by = ", ".join(f"{column} {direction}" for column in _ORDER_COLUMNS[order.key])
        marks = ",".join("?" * len(query.folder_ids))
        labels = label_folder_ids(self._conn, query.folder_ids)  # Gmail label folders (store/gmail_labels.py)
        if labels and len(labels) == len(query.folder_ids) and order.key is SortKey.DATE and not query.category:
            # Over the label index (folder, date, message), merged with the folder's own rows (stand-ins for
            # what the server has not listed yet): range scans, as a folder's own rows get.
            rows = self._conn.execute(
                f"SELECT {SUMMARY_COLUMNS} FROM messages WHERE id IN (SELECT id FROM ("
                f"SELECT message_id AS id, date FROM message_labels WHERE folder_id IN ({marks})"
                f" UNION ALL SELECT id, date FROM messages WHERE folder_id IN ({marks})"
                f" ORDER BY date {direction}, id {direction} LIMIT ? OFFSET ?)) ORDER BY {order_by}",
                (*query.folder_ids, *query.folder_ids, limit, skip),
            ).fetchall()
        else:
            scope = in_folders_sql(query.folder_ids) if labels else f"folder_id IN ({marks})"
            rows = self._conn.execute(
                f"SELECT {SUMMARY_COLUMNS} FROM messages WHERE {scope}{query.category_sql}"
                f" ORDER BY {order_by} LIMIT ? OFFSET ?",
                (*(() if labels else query.folder_ids), *query.category_args, limit, skip),
            ).fetchall()
        if from_end:
            rows.reverse()
        return [summary_from_row(r) for r in rows]

    def row_of(self, query: MessageQuery, order: SortOrder, message_id: int) -> int | None:
        """The row a message stands at in the list, or None when it is not in it (for keeping a selection)."""
        if not query.folder_ids:
            return None
        if query.search is not None:
            sort = self._search_sort(query, order)
            return self.searches.row_of(query.search, query.folder_ids, sort, message_id)
        if query.threaded:
            return self.threads.row_of(query.folder_ids, order, message_id)
        columns = _ORDER_COLUMNS[order.key]
        marks = ",".join("?" * len(query.folder_ids))
        labels = label_folder_ids(self._conn, query.folder_ids)  # Gmail label folders list All Mail rows
        scope = in_folders_sql(query.folder_ids) if labels else f"folder_id IN ({marks})"
        scope_args = () if labels else query.folder_ids
        key = self._conn.execute(
            f"SELECT {', '.join(columns)} FROM messages WHERE id = ? AND {scope}{query.category_sql}",
            (message_id, *scope_args, *query.category_args),
        ).fetchone()
        if key is None:
            return None
        before = ">" if order.descending else "<"
        row = self._conn.execute(
            f"SELECT COUNT(*) FROM messages WHERE {scope}{query.category_sql}"
            f" AND ({', '.join(columns)}) {before} ({', '.join('?' * len(columns))})",
            (*scope_args, *query.category_args, *key),
        ).fetchone()
        return int(row[0])
