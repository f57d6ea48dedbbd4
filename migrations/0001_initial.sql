-- RealMail store, version 1: accounts, folders, messages (hot metadata), bodies (raw, apart),
-- attachments, contacts and the full-text index. No secret is ever stored in this file.

CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('local', 'imap')),
    name        TEXT    NOT NULL,
    address     TEXT    NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);

CREATE TABLE folders (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    path          TEXT    NOT NULL,            -- '/'-separated; the last segment is the display name
    role          TEXT    CHECK (role IN ('inbox', 'sent', 'drafts', 'trash', 'junk', 'archive', 'all')),
    position      INTEGER NOT NULL DEFAULT 0,
    uidvalidity   INTEGER,
    uidnext       INTEGER,
    highestmodseq INTEGER,
    total_count   INTEGER NOT NULL DEFAULT 0,  -- kept by the triggers below
    unread_count  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, path)
);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    folder_id       INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,
    uid             INTEGER,
    message_id      TEXT    NOT NULL DEFAULT '',
    in_reply_to     TEXT    NOT NULL DEFAULT '',
    refs            TEXT    NOT NULL DEFAULT '',  -- References, space-separated
    thread_id       INTEGER,
    date            INTEGER NOT NULL,             -- unix seconds, UTC
    sender_name     TEXT    NOT NULL DEFAULT '',
    sender_address  TEXT    NOT NULL DEFAULT '',
    sender_sort     TEXT    NOT NULL DEFAULT '',
    recipients      TEXT    NOT NULL DEFAULT '',  -- To, for display: "Name <a@b>, c@d"
    cc              TEXT    NOT NULL DEFAULT '',
    subject         TEXT    NOT NULL DEFAULT '',
    subject_sort    TEXT    NOT NULL DEFAULT '',
    snippet         TEXT    NOT NULL DEFAULT '',
    list_id         TEXT    NOT NULL DEFAULT '',
    size            INTEGER NOT NULL DEFAULT 0,
    has_attachments INTEGER NOT NULL DEFAULT 0,
    is_seen         INTEGER NOT NULL DEFAULT 0,
    is_flagged      INTEGER NOT NULL DEFAULT 0,
    is_answered     INTEGER NOT NULL DEFAULT 0,
    is_forwarded    INTEGER NOT NULL DEFAULT 0,
    is_draft        INTEGER NOT NULL DEFAULT 0,
    keywords        TEXT    NOT NULL DEFAULT '',  -- other IMAP keywords, space-separated
    body_state      INTEGER NOT NULL DEFAULT 0,   -- 0 headers only, 1 raw body stored
    defects         INTEGER NOT NULL DEFAULT 0    -- how many parse defects were logged at import
);

-- One index per sort order the list offers; each ends in (date, id) so ties are stable and a
-- page is a range scan (ui list model pages with LIMIT/OFFSET over these).
CREATE INDEX messages_by_date    ON messages (folder_id, date, id);
CREATE INDEX messages_by_sender  ON messages (folder_id, sender_sort, date, id);
CREATE INDEX messages_by_subject ON messages (folder_id, subject_sort, date, id);
CREATE INDEX messages_by_message_id ON messages (message_id);
CREATE INDEX folders_by_account  ON folders (account_id);

-- Raw RFC 5322 bytes, kept apart so the hot rows above stay small.
CREATE TABLE message_bodies (
    message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    raw        BLOB NOT NULL
);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    message_id   INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    part_id      TEXT    NOT NULL,
    filename     TEXT    NOT NULL DEFAULT '',
    content_type TEXT    NOT NULL DEFAULT 'application/octet-stream',
    sniffed_type TEXT,
    size         INTEGER NOT NULL DEFAULT 0,
    content_id   TEXT    NOT NULL DEFAULT '',
    inline       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attachments_by_message ON attachments (message_id);

CREATE TABLE contacts (
    id        INTEGER PRIMARY KEY,
    address   TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name      TEXT    NOT NULL DEFAULT '',
    last_used INTEGER NOT NULL DEFAULT 0,
    use_count INTEGER NOT NULL DEFAULT 0
);

-- Full-text index: rowid = messages.id. Diacritics folded so "resume" finds "résumé".
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    subject, people, body,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Folder counts follow the messages table, so the folder tree and the list's row count are O(1).
CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
    UPDATE folders SET total_count = total_count + 1,
                       unread_count = unread_count + (1 - new.is_seen)
     WHERE id = new.folder_id;
END;

CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
    UPDATE folders SET total_count = total_count - 1,
                       unread_count = unread_count - (1 - old.is_seen)
     WHERE id = old.folder_id;
    DELETE FROM messages_fts WHERE rowid = old.id;
END;

CREATE TRIGGER messages_count_update AFTER UPDATE OF folder_id, is_seen ON messages BEGIN
    UPDATE folders SET total_count = total_count - 1,
                       unread_count = unread_count - (1 - old.is_seen)
     WHERE id = old.folder_id;
    UPDATE folders SET total_count = total_count + 1,
                       unread_count = unread_count + (1 - new.is_seen)
     WHERE id = new.folder_id;
END;
