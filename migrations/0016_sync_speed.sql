-- RealMail store, version 16: sync speed — a chunk of new message rows (the header sync's 500 at a time) gets
-- its folder counts and folder_threads rows set-wise, once per chunk, instead of from two triggers per row.

-- The two per-row triggers of new rows skip while `row_chunk.active` is 1. Only a writer that then brings the
-- counts up to date itself sets it, inside its own transaction (store/chunk_counts.py), so no reader ever sees
-- it set and every other insert keeps the triggers as before.
CREATE TABLE row_chunk (active INTEGER NOT NULL);
INSERT INTO row_chunk (active) VALUES (0);

DROP TRIGGER messages_count_insert;
CREATE TRIGGER messages_count_insert AFTER INSERT ON messages
WHEN (SELECT active FROM row_chunk) = 0 BEGIN
    UPDATE folders SET total_count = total_count + 1,
                       unread_count = unread_count + (1 - new.is_seen)
     WHERE id = new.folder_id;
END;

DROP TRIGGER messages_thread_insert;
CREATE TRIGGER messages_thread_insert AFTER INSERT ON messages
WHEN new.thread_id IS NOT NULL AND (SELECT active FROM row_chunk) = 0 BEGIN
    INSERT INTO folder_threads
        (folder_id, thread_id, message_count, unread_count, flagged_count, newest_id, newest_date)
    VALUES (new.folder_id, new.thread_id, 1, 1 - new.is_seen, new.is_flagged, new.id, new.date)
    ON CONFLICT (folder_id, thread_id) DO UPDATE SET
        message_count = message_count + 1,
        unread_count = unread_count + excluded.unread_count,
        flagged_count = flagged_count + excluded.flagged_count,
        newest_id = CASE WHEN (excluded.newest_date, excluded.newest_id) > (newest_date, newest_id)
                         THEN excluded.newest_id ELSE newest_id END,
        newest_date = max(newest_date, excluded.newest_date);
END;
