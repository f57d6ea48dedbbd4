"""Folder counts and folder_threads rows for a chunk of new message rows, set-wise (migration 0016).

Inserting rows one by one fires two triggers per row (the folder's counts, the row's folder_threads entry);
for the header sync's chunks those triggers were a fifth of the store's work. `counted_chunk` turns them off for
the rows inserted inside it and then applies the same changes with one statement each: the counts add up and
a thread's newest message is the greatest (date, id), whatever the order, so the result is the triggers'.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite

from realmail_desktop.store.threads import FOLDER_THREADS_MERGE

# Rows first..last (ids) of one chunk, per folder and thread; the newest by (date, id) as the trigger keeps it.
_FOLDER_THREADS = (
    """
INSERT INTO folder_threads
    (folder_id, thread_id, message_count, unread_count, flagged_count, newest_id, newest_date)
SELECT folder_id, thread_id, count(*), sum(1 - is_seen), sum(is_flagged), max(CASE WHEN rank = 1 THEN id END),
       max(date)
  FROM (SELECT folder_id, thread_id, is_seen, is_flagged, id, date,
               row_number() OVER (PARTITION BY folder_id, thread_id ORDER BY date DESC, id DESC) AS rank
          FROM messages WHERE id BETWEEN ?1 AND ?2 AND thread_id IS NOT NULL)
 WHERE true  -- INSERT … SELECT … ON CONFLICT needs a WHERE to parse (SQLite's upsert documentation)
 GROUP BY folder_id, thread_id
"""
    + FOLDER_THREADS_MERGE
)
_FOLDERS = """
UPDATE folders SET total_count = total_count + chunk.added, unread_count = unread_count + chunk.unread
  FROM (SELECT folder_id, count(*) AS added, sum(1 - is_seen) AS unread
          FROM messages WHERE id BETWEEN ?1 AND ?2 GROUP BY folder_id) AS chunk
 WHERE folders.id = chunk.folder_id
"""


@asynccontextmanager
async def counted_chunk(tx: aiosqlite.Connection, first_id: int, last_id: int) -> AsyncIterator[None]:
    """Inside: insert the new rows with ids `first_id`..`last_id` (and no others) on `tx`, the caller's write
    transaction; on leaving, their folders' counts and folder_threads rows are brought up to date."""
    await tx.execute("UPDATE row_chunk SET active = 1")
    yield
    await tx.execute("UPDATE row_chunk SET active = 0")
    await tx.execute(_FOLDER_THREADS, (first_id, last_id))
    await tx.execute(_FOLDERS, (first_id, last_id))
