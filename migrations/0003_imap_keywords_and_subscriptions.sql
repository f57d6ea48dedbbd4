-- RealMail store, version 3: IMAP keywords and subscriptions reach the server, cross-account moves, and the
-- remote_ops queue's wider set of kinds ('subscribe', 'unsubscribe', 'append').
-- messages.keywords (0001) holds the server's keywords ($Label1, Work, $Junk …), space-separated, sorted.

-- SQLite cannot widen a CHECK constraint in place: the queue is rebuilt with its rows, ids and indexes.
-- New kinds and args (see also 0002 and store/remote_ops.py):
--   'flags' args may carry "add_keywords"/"remove_keywords": lists of IMAP keywords to STORE ±FLAGS;
--   'subscribe'/'unsubscribe': args {"name": server mailbox name}, no folder_id;
--   'append': folder_id = the target folder (of this account); args "rows", "mids" as for message ops and
--     "sources": per row null (a local message) or {"account", "folder", "uid", "uidvalidity"} of the copy to
--     delete from its IMAP server once the APPEND is done;
--   'delete' args may carry "detached": true (the rows now live elsewhere: never remove them) and
--     "keep_body": true (fetch the body into the row before deleting it on the server).
CREATE TABLE remote_ops_v3 (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL
        CHECK (kind IN ('flags', 'move', 'delete', 'create_folder', 'rename_folder', 'delete_folder',
                        'subscribe', 'unsubscribe', 'append')),
    folder_id   INTEGER REFERENCES folders (id) ON DELETE CASCADE,
    uidvalidity INTEGER,
    uids        TEXT    NOT NULL DEFAULT '[]',
    args        TEXT    NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT ''
);
INSERT INTO remote_ops_v3 (id, account_id, kind, folder_id, uidvalidity, uids, args, created_at, attempts, last_error)
    SELECT id, account_id, kind, folder_id, uidvalidity, uids, args, created_at, attempts, last_error FROM remote_ops;
DROP TABLE remote_ops;
ALTER TABLE remote_ops_v3 RENAME TO remote_ops;
CREATE INDEX remote_ops_by_account ON remote_ops (account_id, id);
CREATE INDEX remote_ops_by_folder ON remote_ops (folder_id);
