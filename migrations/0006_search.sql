-- RealMail store, version 6: search. The full-text index gets one column per thing a query can name
-- (subject, sender, recipients = To, cc, body) so from:/to:/cc:/subject: are column filters, prefix
-- indexes for results as you type, and a bm25 rank that weighs the subject and the sender above the rest.

-- The old index's body text came from parsing each message in Python; keep it while the table is rebuilt.
CREATE TEMP TABLE search_bodies AS SELECT rowid AS id, body FROM messages_fts;

DROP TABLE messages_fts;

-- rowid = messages.id; rows leave with their message (trigger messages_count_delete, migrations/0001).
-- Diacritics folded so "resume" finds "résumé".
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    subject, sender, recipients, cc, body,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

INSERT INTO messages_fts (rowid, subject, sender, recipients, cc, body)
SELECT m.id, m.subject, trim(m.sender_name || ' ' || m.sender_address), m.recipients, m.cc, coalesce(b.body, '')
  FROM messages m LEFT JOIN temp.search_bodies b ON b.id = m.id;

DROP TABLE temp.search_bodies;

-- Weights in column order: subject, sender, recipients, cc, body (ORDER BY rank uses them).
INSERT INTO messages_fts (messages_fts, rank) VALUES ('rank', 'bm25(10.0, 6.0, 2.0, 1.0, 1.0)');

-- Partial indexes for the search filters has:attachment, is:unread and is:starred: small (only the rows they
-- name), in list order, so a filtered search walks them instead of reading every message of the folders.
CREATE INDEX messages_with_attachments ON messages (folder_id, date, id) WHERE has_attachments = 1;
CREATE INDEX messages_unread ON messages (folder_id, date, id) WHERE is_seen = 0;
CREATE INDEX messages_starred ON messages (folder_id, date, id) WHERE is_flagged = 1;

-- Newest first over several folders at once (All mail): a broad search's first page reads the newest
-- messages of the searched folders from here, in order, and stops early (store/search.py).
CREATE INDEX messages_by_date_all ON messages (date, id, folder_id);
