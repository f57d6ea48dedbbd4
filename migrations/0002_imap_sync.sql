-- RealMail store, version 2: IMAP accounts, folder sync state, UIDs, and the queue of actions for the server.
-- Passwords live in the OS keyring, never here.

-- How to reach an IMAP account's server. imap_security 'none' (no TLS at all) is accepted by the sync
-- service for loopback test servers only.
ALTER TABLE accounts ADD COLUMN imap_host TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN imap_port INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN imap_security TEXT NOT NULL DEFAULT 'tls'
    CHECK (imap_security IN ('tls', 'starttls', 'none'));
ALTER TABLE accounts ADD COLUMN username TEXT NOT NULL DEFAULT '';
-- Bodies are fetched ahead of time for messages of the last N days; 0 = all. Headers are always complete.
ALTER TABLE accounts ADD COLUMN sync_window_days INTEGER NOT NULL DEFAULT 30 CHECK (sync_window_days >= 0);

-- remote_name: the server's mailbox name (NULL for folders that exist only here, e.g. local accounts).
-- headers_floor_uid: every UID >= it (below uidnext) has its header row stored; the initial sync walks it
-- down newest-first and persists it after each chunk, so a quit or crash resumes where it stopped.
-- NULL = the sync has not started; 1 = complete.
ALTER TABLE folders ADD COLUMN remote_name TEXT;
ALTER TABLE folders ADD COLUMN delimiter TEXT NOT NULL DEFAULT '';
ALTER TABLE folders ADD COLUMN subscribed INTEGER NOT NULL DEFAULT 1;
ALTER TABLE folders ADD COLUMN selectable INTEGER NOT NULL DEFAULT 1;
ALTER TABLE folders ADD COLUMN headers_floor_uid INTEGER;
ALTER TABLE folders ADD COLUMN last_checked_at INTEGER;
CREATE UNIQUE INDEX folders_by_remote_name ON folders (account_id, remote_name) WHERE remote_name IS NOT NULL;

-- messages.body_state gains 2: the server did not give the body when the sync asked; it is not asked again
-- ahead of time (opening the message still tries).

-- A UID names one message of one folder (within one UIDVALIDITY). Rows whose uid is NULL are not yet matched
-- to a server message: just moved here locally, or left over from an old UIDVALIDITY; the sync adopts them
-- by Message-ID + size instead of adding a duplicate.
CREATE UNIQUE INDEX messages_by_uid ON messages (folder_id, uid) WHERE uid IS NOT NULL;

-- The local-first action queue: what the person did to IMAP messages and folders, replayed in id order.
-- Message ops ('flags': args {"set": {"seen": true, ...}}; 'move': args {"to": folder id}; 'delete': STORE
-- \Deleted + UID EXPUNGE) name their source folder_id; uids are the messages' UIDs there under uidvalidity
-- (null where not known yet); args "rows" and "mids" name the same messages by row id and Message-ID header,
-- in the same order, so a UID that is unknown or from another UIDVALIDITY can be found again on the server.
-- Folder ops ('create_folder', 'rename_folder', 'delete_folder') carry server names in args and no folder_id.
CREATE TABLE remote_ops (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL
        CHECK (kind IN ('flags', 'move', 'delete', 'create_folder', 'rename_folder', 'delete_folder')),
    folder_id   INTEGER REFERENCES folders (id) ON DELETE CASCADE,
    uidvalidity INTEGER,
    uids        TEXT    NOT NULL DEFAULT '[]',
    args        TEXT    NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX remote_ops_by_account ON remote_ops (account_id, id);
CREATE INDEX remote_ops_by_folder ON remote_ops (folder_id);
