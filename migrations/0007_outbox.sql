-- RealMail store, version 7: the outbox (messages waiting to go out over SMTP), each account's SMTP settings,
-- and delivery reports (DSN bounces) linked to the messages they are about. Passwords stay in the keyring.

-- How to reach an account's SMTP server. smtp_security 'none' is accepted for loopback test servers only;
-- smtp_username '' means "the IMAP user name" (the same password from the keyring); smtp_auth 'xoauth2'
-- asks a token provider instead of the keyring.
ALTER TABLE accounts ADD COLUMN smtp_host TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN smtp_port INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN smtp_security TEXT NOT NULL DEFAULT 'starttls'
    CHECK (smtp_security IN ('tls', 'starttls', 'none'));
ALTER TABLE accounts ADD COLUMN smtp_username TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN smtp_auth TEXT NOT NULL DEFAULT 'password' CHECK (smtp_auth IN ('password', 'xoauth2'));

-- The profile's one "Outbox" folder (in the Local Folders account, like Thunderbird's): every queued message
-- of every account is a row of `messages` there, so the list and reader show it like any mail. Its id is
-- kept here (folders.role cannot gain a value without rebuilding the table), so renaming it changes nothing.
CREATE TABLE outbox_folder (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    folder_id INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE
);

-- One message to send. message_row is its row in `messages` (with the exact bytes in message_bodies): in the
-- Outbox folder until sent, then moved to the account's Sent folder (and queued for APPEND there).
-- recipients: JSON array of envelope addresses (To + Cc + Bcc; Bcc is never in the bytes).
-- priority 0 goes first, 3 last; FIFO within one priority (by send_at, then id).
-- state: queued → sending → sent, or → failed (last_error has the server's reply). A row found in 'sending'
-- at start-up, without an ack, is sent again (at-least-once); `ack` (the server's reply to DATA) is written
-- in the same transaction as state 'sent', so a message the server acknowledged is never sent twice.
-- answers / forwards (JSON array): the rows that get \Answered / $Forwarded once this is sent.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    message_row     INTEGER NOT NULL UNIQUE REFERENCES messages (id) ON DELETE CASCADE,
    message_id      TEXT    NOT NULL,
    mail_from       TEXT    NOT NULL,
    recipients      TEXT    NOT NULL,
    priority        INTEGER NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 3),
    send_at         REAL    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL    NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    ack             TEXT    NOT NULL DEFAULT '',
    answers         INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    forwards        TEXT    NOT NULL DEFAULT '[]',
    queued_at       REAL    NOT NULL,
    sent_at         REAL
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- What a DSN (RFC 3464 multipart/report; report-type=delivery-status) said about one recipient of a message
-- we sent. Linked by the sent message's Message-ID header (rows move between folders and are re-matched by
-- the sync; the header stays). report_row is the bounce itself.
CREATE TABLE delivery_reports (
    id              INTEGER PRIMARY KEY,
    sent_message_id TEXT    NOT NULL,
    report_row      INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    recipient       TEXT    NOT NULL,
    action          TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT '',
    diagnostic      TEXT    NOT NULL DEFAULT '',
    UNIQUE (report_row, recipient)
);
CREATE INDEX delivery_reports_by_message_id ON delivery_reports (sent_message_id);
