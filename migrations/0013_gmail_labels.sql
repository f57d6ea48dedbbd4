-- RealMail store, version 13: Gmail over IMAP — labels as folders without a second copy of any message,
-- Gmail's thread ids, the 'labels' action for the server, and whether a server files sent mail itself.

-- How Gmail is stored. Gmail shows one message in every mailbox of its labels ("INBOX", "Work", "[Gmail]/All
-- Mail" …). RealMail syncs only "[Gmail]/All Mail" (plus Trash and Spam, whose messages are not in All Mail):
-- one message row per All Mail UID, one body. The label mailboxes are folders too (`gmail_label` says which
-- label each stands for), but they hold no rows of their own: `message_labels` says which All Mail rows they
-- show. Their counters (total, unread) follow `message_labels` through the triggers below, so the folder tree
-- and a list's row count stay O(1); a label folder's page is read from `message_labels_by_date` (folder, date,
-- message) joined to the rows, the same LIMIT/OFFSET range scan a folder's own rows get (store/gmail_labels.py).
-- A message's labels come with each FETCH of All Mail (X-GM-LABELS) and replace what was there, except for
-- messages with a 'labels' action still queued (the person's change wins until the server has it). A row
-- RealMail itself puts into a label folder (a sent message, a saved draft) stands in for the server's copy
-- until All Mail brings that copy with the label; then it is deleted.
-- gmail_label: "\Inbox", "\Sent", "\Draft", "\Important", "\Starred" or a user label's name; NULL for a
-- folder that holds its own rows (All Mail, Trash, Spam, and every folder of other servers).
ALTER TABLE folders ADD COLUMN gmail_label TEXT;

CREATE TABLE message_labels (
    folder_id  INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    date       INTEGER NOT NULL,  -- the message's date, so a label folder pages over its own index
    PRIMARY KEY (folder_id, message_id)
) WITHOUT ROWID;
CREATE INDEX message_labels_by_date ON message_labels (folder_id, date, message_id);
CREATE INDEX message_labels_by_message ON message_labels (message_id);

CREATE TRIGGER message_labels_count_insert AFTER INSERT ON message_labels BEGIN
    UPDATE folders SET total_count = total_count + 1,
                       unread_count = unread_count + (SELECT 1 - is_seen FROM messages WHERE id = new.message_id)
     WHERE id = new.folder_id;
END;

CREATE TRIGGER message_labels_count_delete AFTER DELETE ON message_labels BEGIN
    UPDATE folders SET total_count = total_count - 1,
                       unread_count = unread_count - COALESCE(
                           (SELECT 1 - is_seen FROM messages WHERE id = old.message_id), 0)
     WHERE id = old.folder_id;
END;

-- A row deleted: its labels go before it (a cascade would run after the row is gone, losing its unread state).
CREATE TRIGGER messages_labels_delete BEFORE DELETE ON messages BEGIN
    DELETE FROM message_labels WHERE message_id = old.id;
END;

-- Read or unread: every label folder of the message counts it again.
CREATE TRIGGER messages_labels_seen AFTER UPDATE OF is_seen ON messages WHEN old.is_seen != new.is_seen BEGIN
    UPDATE folders SET unread_count = unread_count + (old.is_seen - new.is_seen)
     WHERE id IN (SELECT folder_id FROM message_labels WHERE message_id = new.id);
END;

-- A row that leaves All Mail (moved to Trash, to another account …) is in no label folder any more; a date
-- corrected by a fetched body moves its label entries along.
CREATE TRIGGER messages_labels_move AFTER UPDATE OF folder_id ON messages WHEN old.folder_id != new.folder_id BEGIN
    DELETE FROM message_labels WHERE message_id = new.id;
END;
CREATE TRIGGER messages_labels_date AFTER UPDATE OF date ON messages WHEN old.date != new.date BEGIN
    UPDATE message_labels SET date = new.date WHERE message_id = new.id;
END;

-- Gmail's Starred is the \Flagged flag: starring an All Mail row here shows it in Starred at once.
CREATE TRIGGER messages_labels_starred AFTER UPDATE OF is_flagged ON messages
WHEN old.is_flagged != new.is_flagged
 AND EXISTS (SELECT 1 FROM folders WHERE id = new.folder_id AND role = 'all') BEGIN
    DELETE FROM message_labels WHERE message_id = new.id AND new.is_flagged = 0
       AND folder_id IN (SELECT id FROM folders WHERE account_id = new.account_id AND gmail_label = '\Starred');
    INSERT OR IGNORE INTO message_labels (folder_id, message_id, date)
    SELECT id, new.id, new.date FROM folders
     WHERE account_id = new.account_id AND gmail_label = '\Starred' AND new.is_flagged = 1;
END;

-- The threaded list of a label folder: its folder_threads rows (migrations/0005) follow message_labels, as a
-- folder's own rows follow its messages.
CREATE TRIGGER message_labels_thread_insert AFTER INSERT ON message_labels BEGIN
    INSERT INTO folder_threads
        (folder_id, thread_id, message_count, unread_count, flagged_count, newest_id, newest_date)
    SELECT new.folder_id, m.thread_id, 1, 1 - m.is_seen, m.is_flagged, m.id, m.date
      FROM messages m WHERE m.id = new.message_id AND m.thread_id IS NOT NULL
    ON CONFLICT (folder_id, thread_id) DO UPDATE SET
        message_count = message_count + 1,
        unread_count = unread_count + excluded.unread_count,
        flagged_count = flagged_count + excluded.flagged_count,
        newest_id = CASE WHEN (excluded.newest_date, excluded.newest_id) > (newest_date, newest_id)
                         THEN excluded.newest_id ELSE newest_id END,
        newest_date = max(newest_date, excluded.newest_date);
END;

CREATE TRIGGER message_labels_thread_delete AFTER DELETE ON message_labels BEGIN
    UPDATE folder_threads SET message_count = message_count - 1,
                              unread_count = unread_count - (SELECT 1 - is_seen FROM messages WHERE id = old.message_id),
                              flagged_count = flagged_count - (SELECT is_flagged FROM messages WHERE id = old.message_id)
     WHERE folder_id = old.folder_id AND thread_id = (SELECT thread_id FROM messages WHERE id = old.message_id);
    DELETE FROM folder_threads
     WHERE folder_id = old.folder_id AND thread_id = (SELECT thread_id FROM messages WHERE id = old.message_id)
       AND message_count <= 0;
    UPDATE folder_threads SET (newest_id, newest_date) = (
        SELECT m.id, m.date FROM message_labels l JOIN messages m ON m.id = l.message_id
         WHERE l.folder_id = old.folder_id AND m.thread_id = folder_threads.thread_id
         ORDER BY m.date DESC, m.id DESC LIMIT 1)
     WHERE folder_id = old.folder_id AND newest_id = old.message_id;
END;

CREATE TRIGGER messages_labels_thread_flags AFTER UPDATE OF is_seen, is_flagged ON messages
WHEN new.thread_id IS NOT NULL AND old.thread_id IS new.thread_id
 AND (old.is_seen != new.is_seen OR old.is_flagged != new.is_flagged) BEGIN
    UPDATE folder_threads SET unread_count = unread_count + (old.is_seen - new.is_seen),
                              flagged_count = flagged_count + (new.is_flagged - old.is_flagged)
     WHERE thread_id = new.thread_id AND folder_id IN (SELECT folder_id FROM message_labels WHERE message_id = new.id);
END;

-- A labelled message that changes threads (a merge, or its first thread from the backfill).
CREATE TRIGGER messages_labels_rethread AFTER UPDATE OF thread_id ON messages
WHEN old.thread_id IS NOT new.thread_id BEGIN
    UPDATE folder_threads SET message_count = message_count - 1,
                              unread_count = unread_count - (1 - old.is_seen),
                              flagged_count = flagged_count - old.is_flagged
     WHERE thread_id = old.thread_id AND folder_id IN (SELECT folder_id FROM message_labels WHERE message_id = new.id);
    DELETE FROM folder_threads
     WHERE thread_id = old.thread_id AND message_count <= 0
       AND folder_id IN (SELECT folder_id FROM message_labels WHERE message_id = new.id);
    UPDATE folder_threads SET (newest_id, newest_date) = (
        SELECT m.id, m.date FROM message_labels l JOIN messages m ON m.id = l.message_id
         WHERE l.folder_id = folder_threads.folder_id AND m.thread_id = old.thread_id
         ORDER BY m.date DESC, m.id DESC LIMIT 1)
     WHERE thread_id = old.thread_id AND newest_id = new.id
       AND folder_id IN (SELECT folder_id FROM message_labels WHERE message_id = new.id);
    INSERT INTO folder_threads
        (folder_id, thread_id, message_count, unread_count, flagged_count, newest_id, newest_date)
    SELECT l.folder_id, new.thread_id, 1, 1 - new.is_seen, new.is_flagged, new.id, new.date
      FROM message_labels l WHERE l.message_id = new.id AND new.thread_id IS NOT NULL
    ON CONFLICT (folder_id, thread_id) DO UPDATE SET
        message_count = message_count + 1,
        unread_count = unread_count + excluded.unread_count,
        flagged_count = flagged_count + excluded.flagged_count,
        newest_id = CASE WHEN (excluded.newest_date, excluded.newest_id) > (newest_date, newest_id)
                         THEN excluded.newest_id ELSE newest_id END,
        newest_date = max(newest_date, excluded.newest_date);
END;

-- Gmail's thread ids (X-GM-THRID) need no table: store/threads.py files each as a Message-ID-like link
-- "<thrid@x-gm-thrid>" in thread_links, so every message of one Gmail thread joins one of our threads, with or
-- without References.

-- Whether the account's server files what it relays in Sent by itself (Gmail): the sender then makes no
-- APPEND to Sent. Set by the sync from its quirks table (sync/folder_roles.py) at each connection; NULL
-- until the first one (the sender then goes by the host name).
ALTER TABLE accounts ADD COLUMN server_files_sent INTEGER;

-- The queue gains 'labels' (Gmail): args {"add_labels": [...], "remove_labels": [...]} with "rows"/"mids"
-- as for message ops; folder_id is All Mail and uids the messages' All Mail UIDs (UID STORE ±X-GM-LABELS).
-- SQLite cannot widen a CHECK constraint in place: the queue is rebuilt with its rows, ids and indexes.
CREATE TABLE remote_ops_v13 (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL
        CHECK (kind IN ('flags', 'move', 'delete', 'create_folder', 'rename_folder', 'delete_folder',
                        'subscribe', 'unsubscribe', 'append', 'labels')),
    folder_id   INTEGER REFERENCES folders (id) ON DELETE CASCADE,
    uidvalidity INTEGER,
    uids        TEXT    NOT NULL DEFAULT '[]',
    args        TEXT    NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT ''
);
INSERT INTO remote_ops_v13 (id, account_id, kind, folder_id, uidvalidity, uids, args, created_at, attempts, last_error)
    SELECT id, account_id, kind, folder_id, uidvalidity, uids, args, created_at, attempts, last_error FROM remote_ops;
DROP TABLE remote_ops;
ALTER TABLE remote_ops_v13 RENAME TO remote_ops;
CREATE INDEX remote_ops_by_account ON remote_ops (account_id, id);
CREATE INDEX remote_ops_by_folder ON remote_ops (folder_id);
