-- RealMail store, version 18: header store speed — an index of the rows without a UID, so the header sync's
-- "does this folder have rows to adopt?" probe (store/sync_state.py, once per 500-row chunk) is one index
-- lookup instead of a walk over every row of the folder.

-- Rows without a UID are few in an IMAP folder (moved there locally and not yet seen on the server, or left
-- from an older UIDVALIDITY); a local account's rows all lack one. messages_by_uid cannot answer the probe: it
-- leaves those rows out (WHERE uid IS NOT NULL). Measured on the 23,500-message benchmark corpus: the probe
-- walked the folder's rows (up to 11,686 in its Inbox), 1.8 µs a stored message in all, growing with the
-- folder; with this index it costs nothing measurable.
CREATE INDEX messages_without_uid ON messages (folder_id) WHERE uid IS NULL;
