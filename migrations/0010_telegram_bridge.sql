-- RealMail store, version 10: the Telegram bridge — paired chats, one-time pairing codes (only their hash),
-- which Telegram message speaks of which mail, what is worth a notification (folders, VIP senders) and the
-- bridge's settings (quiet hours, rate limit, mute). The bot token is a secret: the keyring has it, never here.

-- A private chat that sent a valid pairing code. 'pending' until the person confirms its Telegram name on
-- the desktop; only 'paired' chats get past the bridge's gate (bridges/telegram/gate.py).
CREATE TABLE telegram_chats (
    chat_id     INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL DEFAULT '',
    username    TEXT    NOT NULL DEFAULT '',
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'paired')),
    created_at  REAL    NOT NULL,
    paired_at   REAL
);

-- One-time pairing codes: SHA-256 of the code, when it expires, how many wrong codes were tried while it was
-- open, and when it was used (single use).
CREATE TABLE telegram_pairing_codes (
    id          INTEGER PRIMARY KEY,
    code_hash   TEXT    NOT NULL,
    expires_at  REAL    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    used_at     REAL
);

-- Bot messages that concern a mail (a notification, a "reply to this" prompt, a full text): id is the short id
-- in the buttons' callback data; a Telegram reply to telegram_message_id answers message_row. No foreign key on
-- message_row: when the mail goes, the bridge still needs the row to take the notification's buttons away.
CREATE TABLE telegram_messages (
    id                  INTEGER PRIMARY KEY,
    chat_id             INTEGER NOT NULL REFERENCES telegram_chats (chat_id) ON DELETE CASCADE,
    telegram_message_id INTEGER NOT NULL,
    message_row         INTEGER NOT NULL,
    kind                TEXT    NOT NULL DEFAULT 'notification' CHECK (kind IN ('notification', 'prompt', 'text')),
    sent_at             REAL    NOT NULL
);
CREATE INDEX telegram_messages_by_row ON telegram_messages (message_row);
CREATE UNIQUE INDEX telegram_messages_by_chat ON telegram_messages (chat_id, telegram_message_id);

-- What new mail is worth a notification: mail arriving in these folders, and mail from these senders
-- (lower-cased addresses) wherever it lands.
CREATE TABLE telegram_watched_folders (
    folder_id INTEGER PRIMARY KEY REFERENCES folders (id) ON DELETE CASCADE
);
CREATE TABLE telegram_vip_senders (
    address TEXT PRIMARY KEY
);

-- The bridge's settings, as text: enabled (0/1), bot_username, quiet_start / quiet_end (minutes after local
-- midnight; equal = no quiet hours), per_hour (notifications before a digest), mute_until (Unix seconds).
CREATE TABLE telegram_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
