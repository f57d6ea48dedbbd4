-- RealMail store, version 14: big attachments leave the outbox as Google Drive links — each queued message
-- records which of its files go to Drive before it is sent, and Drive may use another account's Google sign-in.

-- drive_files: JSON array of {"name", "size", "sha256"} (SHA-256 of the decoded file) for the attachments that
-- go as Drive links. While it is not empty the SMTP sender leaves the row alone: the Drive stage uploads those
-- files, rewrites the stored bytes with a link block in their place and empties it in one transaction. The bytes
-- keep the files until then, so "Move to Drafts" gives the person everything back.
ALTER TABLE outbox ADD COLUMN drive_files TEXT NOT NULL DEFAULT '[]';

-- The Google account whose sign-in Drive uses for this account (NULL: the account's own). The settings and the
-- "RealMail attachments" folder id stay per sending account; the files go into that Google account's Drive.
ALTER TABLE drive_settings ADD COLUMN google_account INTEGER REFERENCES accounts (id) ON DELETE SET NULL;
