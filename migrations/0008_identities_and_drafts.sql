-- RealMail store, version 8: identities (who the person writes as, per account), the composer's drafts
-- (which Drafts row each open composer last saved) and small preferences (the undo-send delay).

-- One "From" of an account: name, address, signature (plain text, added under "-- "), Reply-To. Each account
-- has at most one default identity (the composer's first choice); an account with none gets one made from
-- its own name and address the first time the identities are read (store/identities.py).
CREATE TABLE identities (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL DEFAULT '',
    address     TEXT    NOT NULL,
    signature   TEXT    NOT NULL DEFAULT '',
    reply_to    TEXT    NOT NULL DEFAULT '',
    is_default  INTEGER NOT NULL DEFAULT 0,
    position    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX identities_by_account ON identities (account_id, position);
CREATE UNIQUE INDEX identities_one_default ON identities (account_id) WHERE is_default = 1;

-- Drafts are ordinary rows of `messages` (is_draft = 1) in the account's Drafts folder, with their raw bytes;
-- a composer replaces its previous draft row on every autosave. draft_id is the Message-ID header the
-- composer keeps across saves; answers is the row it replies to (or NULL), so a reopened draft still marks
-- the original answered once sent.
CREATE TABLE draft_origins (
    message_row INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    answers     INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    forwards    TEXT    NOT NULL DEFAULT '[]',
    identity_id INTEGER REFERENCES identities (id) ON DELETE SET NULL
);

-- Small per-profile preferences, as text: undo_send_seconds (the "Sending in N s — Undo" delay).
CREATE TABLE preferences (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO preferences (key, value) VALUES ('undo_send_seconds', '10');
