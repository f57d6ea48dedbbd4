-- RealMail store, version 12: mail rules, built-in Inbox categories, the junk filter's token counts, and the
-- List-Unsubscribe header kept for one-click unsubscribe.

-- A rule: conditions and actions are JSON arrays (store/rules.py reads and writes them; store/rule_engine.py
-- checks them). match 'all' or 'any'; scope_accounts / scope_folders are JSON arrays of ids ([] = everywhere
-- the rule runs: new mail of Inbox-like folders, or the folder it is run on). Lower position runs first.
CREATE TABLE rules (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    enabled         INTEGER NOT NULL DEFAULT 1,
    position        INTEGER NOT NULL DEFAULT 0,
    match           TEXT    NOT NULL DEFAULT 'all' CHECK (match IN ('all', 'any')),
    conditions      TEXT    NOT NULL DEFAULT '[]',
    actions         TEXT    NOT NULL DEFAULT '[]',
    scope_accounts  TEXT    NOT NULL DEFAULT '[]',
    scope_folders   TEXT    NOT NULL DEFAULT '[]',
    stop_processing INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL DEFAULT 0
);

-- category: 'people', 'updates' (newsletters, lists, no-reply senders) or 'notifications' (automated mail),
-- computed from headers when a message is stored (mail/categories.py); '' = not known (old rows get a guess
-- below). unsubscribe: the List-Unsubscribe header (RFC 2369), unsubscribe_one_click: it came with
-- List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058).
ALTER TABLE messages ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN unsubscribe TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN unsubscribe_one_click INTEGER NOT NULL DEFAULT 0;
UPDATE messages SET category = CASE
    WHEN list_id != '' THEN 'updates'
    WHEN lower(sender_address) GLOB '*no*reply*@*' THEN 'updates'
    WHEN lower(sender_address) GLOB 'notification*@*' OR lower(sender_address) GLOB 'mailer-daemon@*'
        OR lower(sender_address) GLOB 'alert*@*' OR lower(sender_address) GLOB 'notify@*' THEN 'notifications'
    ELSE 'people' END;
CREATE INDEX messages_by_category ON messages (folder_id, category, date, id);

-- The junk filter's learning (one profile = one store, so it is per profile): how many trained junk and good
-- messages held each token, and how many of each were trained (row 'junk_totals').
CREATE TABLE junk_tokens (
    token TEXT    PRIMARY KEY,
    junk  INTEGER NOT NULL DEFAULT 0,
    good  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE junk_totals (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    junk INTEGER NOT NULL DEFAULT 0,
    good INTEGER NOT NULL DEFAULT 0
);
INSERT INTO junk_totals (id, junk, good) VALUES (1, 0, 0);
-- Messages already trained, and as what (so "Not junk" after "Mark as junk" moves the counts, not doubles them).
CREATE TABLE junk_trained (
    message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    is_junk    INTEGER NOT NULL
);
