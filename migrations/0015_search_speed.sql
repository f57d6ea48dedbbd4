-- RealMail store, version 15: search speed — a message with attachments carries a marker word in the
-- full-text index, so has:attachment with words is one FTS5 query (the index intersects its lists itself)
-- instead of 90,000 matches checked against 18,000 messages with attachments one by one.

-- The marker is U+E000 (a private-use character nobody types) + "attachment", appended to the cc column
-- (store/search.py: ATTACHMENT_MARK, written by fts_row for new rows). Existing rows get it here: only the
-- rows of messages with attachments are rewritten, then the index is merged into one segment, since every
-- rewritten row left its old words behind as deletion markers that each search would read past (~20 %
-- slower until merged). ~5 s once for 100,000 messages, 18,000 of them with attachments.
UPDATE messages_fts SET cc = cc || ' ' || char(57344) || 'attachment'
 WHERE rowid IN (SELECT id FROM messages WHERE has_attachments = 1);
INSERT INTO messages_fts (messages_fts) VALUES ('optimize');

-- A row's flag can change when its body arrives (store/sync_state.py): the marker follows it.
CREATE TRIGGER messages_fts_attachment_mark AFTER UPDATE OF has_attachments ON messages
WHEN old.has_attachments != new.has_attachments BEGIN
    UPDATE messages_fts
       SET cc = CASE WHEN new.has_attachments = 1 THEN cc || ' ' || char(57344) || 'attachment'
                     ELSE replace(cc, ' ' || char(57344) || 'attachment', '') END
     WHERE rowid = new.id;
END;
