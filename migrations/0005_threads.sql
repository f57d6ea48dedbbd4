-- RealMail store, version 5: conversations — threads, the Message-ID links that group messages into them,
-- and per-folder thread rows (counts, newest message) kept by triggers so a threaded list pages like a flat one.
-- Thread ids are assigned by store/threads.py when rows are inserted; rows stored before this version get
-- theirs once, after the store opens (`ThreadRepository.backfill`), batch by batch on the writer.

-- A conversation of one account (it spans that account's folders: a reply in Sent joins the Inbox thread).
CREATE TABLE threads (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE INDEX threads_by_account ON threads (account_id);

-- Every Message-ID an account has seen — of a stored message, or only named by one in References or
-- In-Reply-To — and its thread. A reply that arrives before its parent leaves a link the parent then finds;
-- a late message whose ids hit two threads merges them. Links outlive deleted messages on purpose: a later
-- reply still joins the conversation.
CREATE TABLE thread_links (
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    message_id_header TEXT    NOT NULL,
    thread_id         INTEGER NOT NULL,
    PRIMARY KEY (account_id, message_id_header)
) WITHOUT ROWID;
CREATE INDEX thread_links_by_thread ON thread_links (thread_id);

-- The subject fallback for clients that drop References: messages without References/In-Reply-To and with
-- a specific (not generic) subject, by normalised subject and date.
CREATE TABLE thread_subjects (
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    subject_key TEXT    NOT NULL,
    date        INTEGER NOT NULL,
    thread_id   INTEGER NOT NULL
);
CREATE INDEX thread_subjects_by_key ON thread_subjects (account_id, subject_key, date);
CREATE INDEX thread_subjects_by_thread ON thread_subjects (thread_id);

-- A conversation's messages (any folder), and the newest message of a thread in one folder.
CREATE INDEX messages_by_thread ON messages (thread_id, folder_id, date, id);

-- One row per (folder, thread) with a message of that thread in that folder: what the threaded list shows.
-- newest_id/newest_date: the folder's newest message of the thread (the row's sender, subject and date).
CREATE TABLE folder_threads (
    folder_id     INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
    thread_id     INTEGER NOT NULL,
    message_count INTEGER NOT NULL,
    unread_count  INTEGER NOT NULL,
    flagged_count INTEGER NOT NULL,
    newest_id     INTEGER NOT NULL,
    newest_date   INTEGER NOT NULL,
    PRIMARY KEY (folder_id, thread_id)
) WITHOUT ROWID;
CREATE INDEX folder_threads_by_date ON folder_threads (folder_id, newest_date, newest_id);
CREATE INDEX folder_threads_by_newest ON folder_threads (newest_id);

-- How many threads a folder lists, so the threaded list's row count is O(1) like the flat one's.
ALTER TABLE folders ADD COLUMN thread_count INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER folder_threads_count_insert AFTER INSERT ON folder_threads BEGIN
    UPDATE folders SET thread_count = thread_count + 1 WHERE id = new.folder_id;
END;

CREATE TRIGGER folder_threads_count_delete AFTER DELETE ON folder_threads BEGIN
    UPDATE folders SET thread_count = thread_count - 1 WHERE id = old.folder_id;
END;

-- The folder_threads rows follow the messages table. A message leaves its (folder, thread) row: counts go
-- down, the row goes when it is empty, and a new newest message is looked up only when the newest left.
CREATE TRIGGER messages_thread_insert AFTER INSERT ON messages WHEN new.thread_id IS NOT NULL BEGIN
    INSERT INTO folder_threads
        (folder_id, thread_id, message_count, unread_count, flagged_count, newest_id, newest_date)
    VALUES (new.folder_id, new.thread_id, 1, 1 - new.is_seen, new.is_flagged, new.id, new.date)
    ON CONFLICT (folder_id, thread_id) DO UPDATE SET
        message_count = message_count + 1,
        unread_count = unread_count + excluded.unread_count,
        flagged_count = flagged_count + excluded.flagged_count,
        newest_id = CASE WHEN (excluded.newest_date, excluded.newest_id) > (newest_date, newest_id)
                         THEN excluded.newest_id ELSE newest_id END,
        newest_date = max(newest_date, excluded.newest_date);
END;

CREATE TRIGGER messages_thread_delete AFTER DELETE ON messages WHEN old.thread_id IS NOT NULL BEGIN
    UPDATE folder_threads SET message_count = message_count - 1,
                              unread_count = unread_count - (1 - old.is_seen),
                              flagged_count = flagged_count - old.is_flagged
     WHERE folder_id = old.folder_id AND thread_id = old.thread_id;
    DELETE FROM folder_threads
     WHERE folder_id = old.folder_id AND thread_id = old.thread_id AND message_count <= 0;
    UPDATE folder_threads SET (newest_id, newest_date) = (
        SELECT id, date FROM messages WHERE thread_id = old.thread_id AND folder_id = old.folder_id
         ORDER BY date DESC, id DESC LIMIT 1)
     WHERE folder_id = old.folder_id AND thread_id = old.thread_id AND newest_id = old.id;
END;

-- Moved to another folder, or merged into another thread: leave the old row, join the new one. A row's first
-- thread (NULL → a thread: only the backfill does that) is counted by the backfill itself, set-wise.
CREATE TRIGGER messages_thread_move AFTER UPDATE OF folder_id, thread_id ON messages
WHEN old.thread_id IS NOT NULL AND (old.folder_id != new.folder_id OR old.thread_id IS NOT new.thread_id) BEGIN
    UPDATE folder_threads SET message_count = message_count - 1,
                              unread_count = unread_count - (1 - old.is_seen),
                              flagged_count = flagged_count - old.is_flagged
     WHERE folder_id = old.folder_id AND thread_id = old.thread_id;
    DELETE FROM folder_threads
     WHERE folder_id = old.folder_id AND thread_id = old.thread_id AND message_count <= 0;
    UPDATE folder_threads SET (newest_id, newest_date) = (
        SELECT id, date FROM messages WHERE thread_id = old.thread_id AND folder_id = old.folder_id
         ORDER BY date DESC, id DESC LIMIT 1)
     WHERE folder_id = old.folder_id AND thread_id = old.thread_id AND newest_id = old.id;
    INSERT INTO folder_threads
        (folder_id, thread_id, message_count, unread_count, flagged_count, newest_id, newest_date)
    SELECT new.folder_id, new.thread_id, 1, 1 - new.is_seen, new.is_flagged, new.id, new.date
     WHERE new.thread_id IS NOT NULL
    ON CONFLICT (folder_id, thread_id) DO UPDATE SET
        message_count = message_count + 1,
        unread_count = unread_count + excluded.unread_count,
        flagged_count = flagged_count + excluded.flagged_count,
        newest_id = CASE WHEN (excluded.newest_date, excluded.newest_id) > (newest_date, newest_id)
                         THEN excluded.newest_id ELSE newest_id END,
        newest_date = max(newest_date, excluded.newest_date);
END;

-- Read, unread, starred in place: only the counts change.
CREATE TRIGGER messages_thread_flags AFTER UPDATE OF is_seen, is_flagged ON messages
WHEN new.thread_id IS NOT NULL AND old.thread_id IS new.thread_id AND old.folder_id = new.folder_id
 AND (old.is_seen != new.is_seen OR old.is_flagged != new.is_flagged) BEGIN
    UPDATE folder_threads SET unread_count = unread_count + (old.is_seen - new.is_seen),
                              flagged_count = flagged_count + (new.is_flagged - old.is_flagged)
     WHERE folder_id = new.folder_id AND thread_id = new.thread_id;
END;
