-- RealMail store, version 11: Google Drive for big attachments — each account's Drive settings ("Use Google
-- Drive for large attachments", the size from which a file goes as a link, who may open the links) and the
-- resumable upload sessions in flight, so an upload goes on after a restart instead of starting over.

-- One row per account that changed a default (no row: off, 25 MB, anyone with the link).
-- folder_id: the account's "RealMail attachments" folder in Drive, once found or made ('' = not yet).
CREATE TABLE drive_settings (
    account_id  INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    enabled     INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    threshold   INTEGER NOT NULL DEFAULT 26214400 CHECK (threshold >= 10485760),
    sharing     TEXT    NOT NULL DEFAULT 'anyone' CHECK (sharing IN ('anyone', 'recipients')),
    folder_id   TEXT    NOT NULL DEFAULT ''
);

-- An upload Drive gave a session for and has not finished. source_key names the bytes (a file's path, size
-- and mtime, or a part's SHA-256): the same key later resumes the session. session_url is Drive's resumable
-- session URI (valid about a week; 404/410 after that, and the upload starts again). No token is kept here.
CREATE TABLE drive_uploads (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    source_key  TEXT    NOT NULL CHECK (source_key != ''),
    name        TEXT    NOT NULL,
    size        INTEGER NOT NULL CHECK (size >= 0),
    session_url TEXT    NOT NULL CHECK (session_url != ''),
    started_at  INTEGER NOT NULL,
    UNIQUE (account_id, source_key)
);
