"""Threading: which conversation each message belongs to, decided in the writer's transaction, batch-wise.

JWZ-style, with the store as the container table: every Message-ID an account has seen (a message's own,
or one named in its References / In-Reply-To) is linked to a thread in `thread_links`. A batch of new
messages is grouped with a union-find over those ids; each group takes the thread its ids already link
to, a new thread when none does, and when it links to several (a late message joining two threads) they
merge into the oldest. So a reply that arrives before its parent, or a chain with a missing middle
message, still ends up in one thread whatever the arrival order.

Subject fallback, for clients that drop References: a message with no References / In-Reply-To, whose
own Message-ID nothing links yet, joins the thread of another such message with the same normalised
subject (Re:/Fwd:/AW:/SV:… and [list] tags stripped) within SUBJECT_WINDOW — never on an empty or
generic subject. Threads are per account; they span its folders.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

import aiosqlite

from realmail_desktop.core.events import Changes
from realmail_desktop.store.database import Database
from realmail_desktop.store.models import NewMessage

SUBJECT_WINDOW = 30 * 24 * 3600
"""How far apart (seconds) two reference-less messages with one subject may be and still be one thread."""

BACKFILL_BATCH = 10_000

# "Re: ", "RE[2]: ", "Fwd: ", "AW: ", "SV: ", "Antw: ", "WG: "… and "[list-name] " tags, repeated: one match
# takes the whole run (each repetition is what one anchored match of a single prefix would take).
_PREFIXES = re.compile(
    r"(?:\s*(?:\[[^\]]{0,80}\]\s*|(?:re|fwd?|aw|sv|vs|wg|antw|tr|rif|ref|odp|r)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*))*",
    re.IGNORECASE,
)
# Subjects too common to say two messages belong together.
_GENERIC = frozenset(
    {
        "",
        "(no subject)",
        "no subject",
        "hi",
        "hello",
        "hey",
        "test",
        "testing",
        "question",
        "questions",
        "info",
        "information",
        "update",
        "meeting",
        "thanks",
        "thank you",
        "invoice",
        "fyi",
        "important",
        "urgent",
        "reminder",
        "help",
        "message",
        "document",
        "documents",
        "photos",
        "news",
        "newsletter",
        "notification",
        "your order",
    }
)
_MIN_SUBJECT = 4


def subject_key(subject: str) -> str:
    """The subject as threading compares it: reply/forward prefixes and list tags gone, spaces folded,
    case-folded; "" when it is too short or generic to thread on."""
    prefixes = _PREFIXES.match(subject)
    text = subject[prefixes.end() :] if prefixes else subject
    key = " ".join(text.split()).casefold()  # str.split() splits on what the regex calls \s: runs fold, ends go
    return "" if len(key) < _MIN_SUBJECT or key in _GENERIC else key


class ThreadInput(NamedTuple):
    """What threading needs of one message (a named tuple: the header sync builds one per stored row)."""

    message_id: str
    parents: tuple[str, ...]  # References then In-Reply-To, as stored
    subject: str
    date: int

    @classmethod
    def of(cls, message_id: str, in_reply_to: str, references: Sequence[str], subject: str, date: int) -> ThreadInput:
        if references:
            parents = tuple(dict.fromkeys(p for p in (*references, in_reply_to) if p and p != message_id))
        else:  # most messages: the same result without the generator
            parents = (in_reply_to,) if in_reply_to and in_reply_to != message_id else ()
        return cls(message_id, parents, subject, date)

    @classmethod
    def of_message(cls, m: NewMessage, gmail_thread: int | None = None) -> ThreadInput:
        """`gmail_thread`: Gmail's X-GM-THRID, filed as one more parent (`gmail_thread_link`), so the
        messages Gmail threads together share a thread here too, with or without References."""
        item = cls.of(m.message_id, m.in_reply_to, m.references, m.subject, m.date)
        if gmail_thread is None:
            return item
        return cls(item.message_id, (*item.parents, gmail_thread_link(gmail_thread)), item.subject, item.date)


def gmail_thread_link(thread: int) -> str:
    """The thread_links key of a Gmail thread id (X-GM-THRID): shaped like a Message-ID, in a domain of its
    own so it never meets a real one (migrations/0013)."""
    return f"<{thread}@x-gm-thrid>"


class _Groups:
    """Union-find over small integers."""

    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, node: int) -> int:
        parent = self.parent
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


async def assign_threads(tx: aiosqlite.Connection, account_id: int, items: Sequence[ThreadInput]) -> list[int]:
    """Thread ids for a batch of one account's new messages (in input order), with links, new threads and
    merges written on `tx` (the caller's write transaction, before or after it inserts the rows)."""
    if not items:
        return []
    groups, node_of, message_nodes = _batch_groups(items)
    linked = await _linked_threads(tx, account_id, list(node_of))
    thread_nodes: dict[int, int] = {}  # existing thread → its node: groups meeting at one thread become one

    def join_thread(node: int, thread: int) -> None:
        if thread not in thread_nodes:
            thread_nodes[thread] = groups.add()
        groups.union(node, thread_nodes[thread])

    for header, thread in linked.items():
        join_thread(node_of[header], thread)
    # Reference-less messages thread on their subject (computed once: the fallback and thread_subjects use it).
    keys = [subject_key(item.subject) if not item.parents else "" for item in items]
    await _subject_fallback(
        tx,
        account_id,
        items=items,
        keys=keys,
        message_nodes=message_nodes,
        groups=groups,
        linked=linked,
        join_thread=join_thread,
    )
    find = groups.find
    message_roots = [find(node) for node in message_nodes]
    thread_of_root = await _threads_of_roots(tx, account_id, groups, thread_nodes, message_roots)
    # Only links that are new or changed are written; an empty statement is skipped (a round trip saved).
    links = [
        (account_id, header, thread)
        for header, node in node_of.items()
        if linked.get(header) != (thread := thread_of_root[find(node)])
    ]
    if links:
        await tx.executemany(
            "INSERT INTO thread_links (account_id, message_id_header, thread_id) VALUES (?, ?, ?)"
            " ON CONFLICT (account_id, message_id_header) DO UPDATE SET thread_id = excluded.thread_id",
            links,
        )
    result = [thread_of_root[root] for root in message_roots]
    subjects = [
        (account_id, key, item.date, thread) for item, key, thread in zip(items, keys, result, strict=True) if key
    ]
    if subjects:
        await tx.executemany(
            "INSERT INTO thread_subjects (account_id, subject_key, date, thread_id) VALUES (?, ?, ?, ?)", subjects
        )
    return result


def _batch_groups(items: Sequence[ThreadInput]) -> tuple[_Groups, dict[str, int], list[int]]:
    """The batch's messages grouped by the Message-IDs they share: the union-find, each Message-ID's node and
    each message's node."""
    groups = _Groups()
    parent = groups.parent
    node_of: dict[str, int] = {}  # a Message-ID (own or referenced) → its node
    message_nodes: list[int] = []
    for item in items:
        # A message's node is its own Message-ID's (two copies of one message are one node); a header seen
        # for the first time joins the message's group as it is added (pointing into it keeps the union-find
        # rule that a group's root is its smallest node, so new threads are numbered as before).
        own = node_of.get(item.message_id, -1) if item.message_id else -1
        if own < 0:
            own = len(parent)
            parent.append(own)
            if item.message_id:
                node_of[item.message_id] = own
        for header in item.parents:
            if not header:
                continue
            node = node_of.get(header)
            if node is None:
                node_of[header] = len(parent)
                parent.append(own)
            else:
                groups.union(own, node)
        message_nodes.append(own)
    return groups, node_of, message_nodes


async def _threads_of_roots(
    tx: aiosqlite.Connection, account_id: int, groups: _Groups, thread_nodes: dict[int, int], roots: list[int]
) -> dict[int, int]:
    """Each group's thread (by its root): the oldest stored thread in it, the others merged into that one; a
    group with none gets a new thread, numbered in the order of the groups' smallest nodes."""
    found: dict[int, set[int]] = {}  # a group's root → the existing threads in it
    for thread, node in thread_nodes.items():
        found.setdefault(groups.find(node), set()).add(thread)
    merges: dict[int, int] = {}  # merged-away thread → survivor
    thread_of_root: dict[int, int] = {}
    distinct = set(roots)
    new_roots = sorted(root for root in distinct if root not in found)
    for root in distinct:
        threads = found.get(root)
        if threads:
            survivor = min(threads)
            thread_of_root[root] = survivor
            merges.update({other: survivor for other in threads if other != survivor})
    if new_roots:
        rows = await tx.execute_fetchall("SELECT COALESCE(MAX(id), 0) + 1 FROM threads")
        first = int(next(iter(rows))[0])
        fresh = list(range(first, first + len(new_roots)))
        thread_of_root.update(zip(new_roots, fresh, strict=True))
        await tx.executemany("INSERT INTO threads (id, account_id) VALUES (?, ?)", [(t, account_id) for t in fresh])
    if merges:
        await _merge(tx, merges)
    return thread_of_root


async def _linked_threads(tx: aiosqlite.Connection, account_id: int, headers: list[str]) -> dict[str, int]:
    if not headers:
        return {}
    rows = await tx.execute_fetchall(
        "SELECT message_id_header, thread_id FROM thread_links"
        " WHERE account_id = ? AND message_id_header IN (SELECT value FROM json_each(?))",
        (account_id, json.dumps(headers)),
    )
    return {str(r[0]): int(r[1]) for r in rows}


async def _subject_fallback(
    tx: aiosqlite.Connection,
    account_id: int,
    *,
    items: Sequence[ThreadInput],
    keys: list[str],
    message_nodes: list[int],
    groups: _Groups,
    linked: dict[str, int],
    join_thread: Callable[[int, int], None],
) -> None:
    """Group reference-less messages by subject (`keys`: each item's subject_key, "" for one with
    references): with stored ones (`join_thread`) and with each other in the batch (union)."""
    wanted = [
        (index, key, item.date)
        for index, (item, key) in enumerate(zip(items, keys, strict=True))
        if key and not (item.message_id and item.message_id in linked)
    ]
    if not wanted:
        return
    dates = [date for _, _, date in wanted]
    rows = await tx.execute_fetchall(
        "SELECT subject_key, date, thread_id FROM thread_subjects WHERE account_id = ?"
        " AND subject_key IN (SELECT value FROM json_each(?)) AND date BETWEEN ? AND ?",
        (
            account_id,
            json.dumps(sorted({key for _, key, _ in wanted})),
            min(dates) - SUBJECT_WINDOW,
            max(dates) + SUBJECT_WINDOW,
        ),
    )
    stored: dict[str, list[tuple[int, int]]] = {}
    for key, date, thread in rows:
        stored.setdefault(str(key), []).append((int(date), int(thread)))
    batch: dict[str, list[tuple[int, int]]] = {}  # key → (date, node) of earlier messages in this batch
    for index, key, date in sorted(wanted, key=lambda w: w[2]):
        node = message_nodes[index]
        near = [(abs(d - date), t) for d, t in stored.get(key, ()) if abs(d - date) <= SUBJECT_WINDOW]
        if near:
            join_thread(node, min(near)[1])
        earlier = [other for other_date, other in batch.get(key, ()) if date - other_date <= SUBJECT_WINDOW]
        if earlier:
            groups.union(earlier[-1], node)
        batch.setdefault(key, []).append((date, node))


async def _merge(tx: aiosqlite.Connection, merges: dict[int, int]) -> None:
    """Fold merged-away threads into their survivors (messages, links, subjects)."""
    pairs = [(survivor, gone) for gone, survivor in merges.items()]
    await tx.executemany("UPDATE messages SET thread_id = ? WHERE thread_id = ?", pairs)
    await tx.executemany("UPDATE thread_links SET thread_id = ? WHERE thread_id = ?", pairs)
    await tx.executemany("UPDATE thread_subjects SET thread_id = ? WHERE thread_id = ?", pairs)
    await tx.executemany("DELETE FROM threads WHERE id = ?", [(gone,) for gone in merges])


async def rethread_moved(tx: aiosqlite.Connection, message_ids: Sequence[int], account_id: int) -> None:
    """Messages just moved into `account_id` from another account join threads of their new account (threads
    never span accounts); within one account a move keeps the thread."""
    rows = await tx.execute_fetchall(
        "SELECT m.id, m.message_id, m.in_reply_to, m.refs, m.subject, m.date FROM messages m"
        " JOIN threads t ON t.id = m.thread_id"
        " WHERE m.id IN (SELECT value FROM json_each(?)) AND t.account_id != ? ORDER BY m.id",
        (json.dumps(list(message_ids)), account_id),
    )
    if not rows:
        return
    items = [ThreadInput.of(str(r[1]), str(r[2]), str(r[3]).split(), str(r[4]), int(r[5])) for r in rows]
    threads = await assign_threads(tx, account_id, items)
    await tx.executemany(
        "UPDATE messages SET thread_id = ? WHERE id = ?", [(t, int(r[0])) for r, t in zip(rows, threads, strict=True)]
    )


class ThreadRepository:
    """Thread writes outside message inserts: the one-time backfill of rows stored before threading."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def backfill(self, batch: int = BACKFILL_BATCH) -> Changes:
        """Give every message without a thread its thread, oldest rows first, `batch` rows per transaction
        (the writer is free in between); their folder_threads rows are counted here, set-wise (the triggers
        leave a row's first thread to us). The SQL runs on the writer's thread. Runs at every start: when no
        row lacks a thread (the usual case) it costs one index probe and writes nothing."""
        unthreaded = "SELECT 1 FROM messages WHERE thread_id IS NULL LIMIT 1"  # messages_by_thread: NULLs first
        if not await self._db.read_async(lambda conn: conn.execute(unthreaded).fetchone() is not None):
            return Changes()
        folders: set[int] = set()
        last_id = 0
        while True:
            async with self._db.transaction() as tx:
                # Walk the ids upwards (the unary + keeps SQLite on the primary key instead of sorting the
                # thread index's NULL range for every batch).
                rows = await tx.execute_fetchall(
                    "SELECT id, account_id, folder_id, message_id, in_reply_to, refs, subject, date, is_seen,"
                    " is_flagged FROM messages WHERE id > ? AND +thread_id IS NULL ORDER BY id LIMIT ?",
                    (last_id, batch),
                )
                if not rows:
                    break
                by_account: dict[int, list[tuple[int, ThreadInput]]] = {}
                counted: list[tuple[int, int, int, int, int]] = []  # (id, folder, date, seen, flagged)
                for mid, account_id, folder, message_id, in_reply_to, refs, subject, date, seen, flagged in rows:
                    item = ThreadInput.of(message_id, in_reply_to, str(refs).split(), subject, int(date))
                    by_account.setdefault(int(account_id), []).append((int(mid), item))
                    counted.append((int(mid), int(folder), int(date), int(seen), int(flagged)))
                thread_of: dict[int, int] = {}
                for account_id, pairs in by_account.items():
                    threads = await assign_threads(tx, account_id, [item for _, item in pairs])
                    thread_of.update((mid, thread) for (mid, _), thread in zip(pairs, threads, strict=True))
                await tx.executemany(
                    "UPDATE messages SET thread_id = ? WHERE id = ?", [(t, m) for m, t in thread_of.items()]
                )
                await tx.executemany(_COUNT_IN, _folder_thread_rows(counted, thread_of))
                folders.update(folder for _, folder, *_ in counted)
                last_id = counted[-1][0]
        return self._db.publish(Changes(folders=frozenset(folders)))


FOLDER_THREADS_MERGE = """
ON CONFLICT (folder_id, thread_id) DO UPDATE SET
    message_count = message_count + excluded.message_count,
    unread_count = unread_count + excluded.unread_count,
    flagged_count = flagged_count + excluded.flagged_count,
    newest_id = CASE WHEN (excluded.newest_date, excluded.newest_id) > (newest_date, newest_id)
                     THEN excluded.newest_id ELSE newest_id END,
    newest_date = max(newest_date, excluded.newest_date)
"""
"""Adds counted folder_threads rows to those already there (the newest by (date, id)), as the triggers do."""
_COUNT_IN = (
    "INSERT INTO folder_threads (folder_id, thread_id, message_count, unread_count, flagged_count, newest_id,"
    " newest_date) VALUES (?, ?, ?, ?, ?, ?, ?)" + FOLDER_THREADS_MERGE
)


def _folder_thread_rows(
    counted: list[tuple[int, int, int, int, int]], thread_of: dict[int, int]
) -> list[tuple[int, ...]]:
    """Per (folder, thread) of a backfill batch: count, unread, starred and the newest (date, id)."""
    groups: dict[tuple[int, int], list[int]] = {}
    for mid, folder, date, seen, flagged in counted:
        group = groups.setdefault((folder, thread_of[mid]), [0, 0, 0, date, mid])
        group[0] += 1
        group[1] += 1 - seen
        group[2] += flagged
        group[3], group[4] = max((group[3], group[4]), (date, mid))
    return [(folder, thread, n, u, f, newest, date) for (folder, thread), (n, u, f, date, newest) in groups.items()]
