-- RealMail store, version 17: each account's message size limit as its SMTP server announces it (the EHLO
-- SIZE extension, RFC 1870), so the composer's "too big" warning and Drive's default threshold follow the server.

-- The largest message (bytes) the server takes; 0 = not known yet, or the server announced no limit (SIZE 0).
-- The sender records it after EHLO when it differs (send/smtp_pool.py).
ALTER TABLE accounts ADD COLUMN smtp_size_limit INTEGER NOT NULL DEFAULT 0 CHECK (smtp_size_limit >= 0);
